"""httpx2 transports that sit under a plain ``openai.OpenAI`` client: replay answers from a recording,
record captures what a live server says, metered counts requests and tokens in every mode.

Defined in 01_basics (``connect`` builds the client on one of them).
"""

from __future__ import annotations

import email.utils
import json
import math
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx2

from .errors import AnswerTimeout, RecordingError, ReplayMiss, TutorialError
from .recording import (
    Recording,
    body_bytes,
    body_diff,
    kept_headers,
    parse_sse,
    render_sse,
    request_key,
    saved_body,
)
from .usage import Meter

__all__ = ["ReplayTransport", "RecordingTransport", "MeteredTransport"]

RETRYABLE = (408, 409, 429)
# The SDK honours a server's Retry-After up to this many seconds, and gives up at once past it
# (openai/_constants.py MAX_RETRY_AFTER_DELAY).
MAX_RETRY_AFTER = 120
_INFINITY = ("inf", "+inf", "infinity", "+infinity")  # what the SDK takes as infinity, not too long


def describe(key: dict[str, Any]) -> str:
    query = "&".join(f"{k}={v}" for k, v in key["query"].items())
    return f"{key['method']} {key['path']}{'?' + query if query else ''}"


class ReplayTransport(httpx2.BaseTransport):
    """Answers each request with the first unplayed recorded interaction that matches it exactly."""

    def __init__(self, recording: Recording, notebook: str, path: str, strict: bool = False):
        self.recording = recording
        self.notebook = notebook
        self.path = path
        self.strict = strict  # strict: a used-up interaction is not served again
        self.played: list[bool] = [False] * len(recording.interactions)
        self.repeats = 0

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        key = request_key(request)
        matches = [i for i, it in enumerate(self.recording.interactions) if it["request"] == key]
        fresh = [i for i in matches if not self.played[i]]
        if fresh:
            index = fresh[0]
            self.played[index] = True
        elif matches and not self.strict:
            # A cell run again in JupyterLab asks the same thing twice: answer as last time.
            index = matches[-1]
            self.repeats += 1
        elif matches:
            raise RecordingError(
                f"{describe(key)} is in {self.path} only {len(matches)} time(s), and replay has used "
                "them all. Run the notebook once from the top (Kernel > Restart Kernel and Run All), "
                f"or record it again: make record NB=notebooks/{self.notebook}.ipynb"
            )
        else:
            raise self._miss(key)
        return self._response(self.recording.interactions[index]["response"])

    def unplayed(self) -> list[int]:
        return [i for i, done in enumerate(self.played) if not done]

    def _response(self, recorded: dict[str, Any]) -> httpx2.Response:
        status = recorded["status"]
        headers = without_waits(status, recorded.get("headers") or {})
        if "events" in recorded:
            headers["content-type"] = "text/event-stream"
            body = render_sse(recorded["events"])
        elif "body_base64" in recorded:  # a file's bytes, served with their recorded content type
            headers.setdefault("content-type", "application/octet-stream")
            body = body_bytes(recorded)
        else:
            headers.setdefault("content-type", "application/json")
            body = json.dumps(recorded["body"]).encode()
        # Served as a stream, like a live body, so wrappers that watch bodies see this one too.
        return httpx2.Response(status, headers=headers, stream=httpx2.ByteStream(body))

    def _miss(self, key: dict[str, Any]) -> ReplayMiss:
        same_route = [
            (i, it["request"])
            for i, it in enumerate(self.recording.interactions)
            if it["request"]["method"] == key["method"] and it["request"]["path"] == key["path"]
        ]
        lines = [
            f"This request is not in the recording for {self.notebook}, so replay cannot answer it:",
            f"  {describe(key)}",
        ]
        if same_route:
            # The closest: fewest differing fields, preferring one not yet played.
            def distance(entry: tuple[int, dict[str, Any]]) -> tuple[int, bool]:
                index, req = entry
                diff = body_diff(req["body"], key["body"], limit=50)
                diff += body_diff(req["query"], key["query"], path="query", limit=50)
                return len(diff), self.played[index]

            index, closest = min(same_route, key=distance)
            diff = body_diff(closest["body"], key["body"]) + body_diff(
                closest["query"], key["query"], path="query"
            )
            lines.append(f"Closest recorded request (#{index + 1} in {self.path}) differs in:")
            lines += [f"  {d}" for d in diff] or ["  nothing but its place in the order"]
            if any(".digest:" in d for d in diff):
                lines.append(
                    "The file uploaded now is not the one recorded: its bytes differ (their digest "
                    "above). Restore the file the notebook uploads (git checkout -- <file>)."
                )
        else:
            lines.append(f"No request to {key['method']} {key['path']} was recorded at all.")
        lines.append(
            "If you changed a prompt or a parameter, that is expected: a recording only knows the "
            "requests that were made when it was recorded. Undo the change to replay again, run live "
            "with a key (set OPENAI_API_KEY in .env, then restart the kernel: .env is read when the "
            f"kernel starts), or re-record this notebook: make record NB=notebooks/{self.notebook}.ipynb"
        )
        return ReplayMiss("\n".join(lines))


def _retry_after(headers: dict[str, str]) -> float | None:
    """The delay in seconds a server asked for, read as the SDK reads it
    (openai/_base_client.py ``_parse_retry_after_header``)."""
    for name, divisor in (("retry-after-ms", 1000), ("retry-after", 1)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            delay = float(value)
        except ValueError:
            continue
        if delay == math.inf and value.strip().lower() not in _INFINITY:
            return MAX_RETRY_AFTER + 1  # an overflowing number: the SDK treats it as too long
        return delay / divisor
    try:
        date = email.utils.parsedate_tz(headers.get("retry-after"))  # type: ignore[arg-type]
        return None if date is None else float(email.utils.mktime_tz(date) - time.time())
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def sdk_retries(status: int, headers: dict[str, str]) -> bool:
    """Whether the SDK retries an answer with this status and these headers: on any status that is
    not a success, ``x-should-retry`` decides when it says true or false, else 408, 409, 429 and
    5xx are retried; a Retry-After past two minutes stops it (openai/_base_client.py
    ``_should_retry``)."""
    if 200 <= status < 300:
        return False
    headers = {k.lower(): v for k, v in headers.items()}
    delay = _retry_after(headers)
    if delay is not None and math.isfinite(delay) and delay > MAX_RETRY_AFTER:
        return False
    said = headers.get("x-should-retry")
    if said in ("true", "false"):
        return said == "true"
    return status in RETRYABLE or status >= 500


def without_waits(status: int, headers: dict[str, str]) -> dict[str, str]:
    """The recorded headers, changed so that the SDK retries exactly when it did live but never
    waits: whenever it would retry, whatever the status, a replayed server asks for 1 µs."""
    headers = {k.lower(): v for k, v in headers.items()}
    if sdk_retries(status, headers):
        headers.pop("retry-after", None)
        headers["retry-after-ms"] = "0.001"
    return headers


class _Tee(httpx2.SyncByteStream):
    """Passes a body through as it arrives and hands the whole of it to ``done`` when it ends."""

    def __init__(self, inner: httpx2.SyncByteStream, done: Callable[[bytes], None]):
        self.inner = inner
        self.done = done
        self.chunks: list[bytes] = []
        self.finished = False

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.inner:
            self.chunks.append(chunk)
            yield chunk
        self._finish()

    def close(self) -> None:
        try:
            self.inner.close()
        finally:
            self._finish()

    def _finish(self) -> None:
        if not self.finished:
            self.finished = True
            self.done(b"".join(self.chunks))


def _is_stream(response: httpx2.Response) -> bool:
    return response.headers.get("content-type", "").startswith("text/event-stream")


def _body(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return raw.decode("utf-8", "replace")


class RecordingTransport(httpx2.BaseTransport):
    """Forwards to a live transport and hands each finished exchange to ``sink``, scrubbed.

    Streams reach the notebook as they arrive; the exchange is complete when the stream ends.
    Nothing of the request but method, path, query and body is kept.
    """

    def __init__(self, inner: httpx2.BaseTransport, sink: Callable[[int, dict[str, Any]], None]):
        self.inner = inner
        self.sink = sink
        self.count = 0

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        key = request_key(request)
        index = self.count
        self.count += 1
        response = self.inner.handle_request(request)
        headers = kept_headers(response.headers)
        status = response.status_code

        def done(raw: bytes) -> None:
            saved: dict[str, Any] = {"status": status, "headers": headers}
            if _is_stream(response):
                saved["events"] = parse_sse(raw)
            else:  # JSON, or a file's bytes as base64 (recording.saved_body)
                saved.update(saved_body(raw, response.headers.get("content-type", "")))
            self.sink(index, {"request": key, "response": saved})

        response.stream = _Tee(response.stream, done)
        return response

    def close(self) -> None:
        self.inner.close()


class MeteredTransport(httpx2.BaseTransport):
    """Counts requests and token usage, and refuses a request past a cap before sending it."""

    def __init__(
        self,
        inner: httpx2.BaseTransport,
        meter: Meter,
        enforce: bool,
        after: Callable[[], None] | None = None,
    ):
        self.inner = inner
        self.meter = meter
        self.enforce = enforce
        self.after = after  # called when an exchange is complete (the session's report)

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        # Counted (and checked against the caps) before it is sent, in one step under a lock.
        ticket = self.meter.send(request, enforce=self.enforce)
        try:
            response = self.inner.handle_request(request)
        except BaseException as err:
            if _never_sent(err):
                self.meter.unsent(ticket)
            else:
                self.meter.lost(ticket)
            raise

        def done(raw: bytes) -> None:
            if _is_stream(response):
                bodies = [event["data"] for event in parse_sse(raw)]
            else:
                bodies = [_body(raw)]
            self.meter.answered(ticket, response.status_code, bodies)
            if self.after:
                self.after()

        response.stream = _Tee(response.stream, done)
        return response

    def close(self) -> None:
        self.inner.close()


def _never_sent(err: BaseException) -> bool:
    """Whether a request that raised never reached a server: the connection was never opened."""
    if isinstance(err, TutorialError):
        return True  # raised here, not by a server: a replay miss, a recording that is used up
    if isinstance(err, AnswerTimeout):
        return err.phase == "connect"
    return isinstance(err, (httpx2.ConnectError, httpx2.ConnectTimeout))


def unplayed_message(transport: ReplayTransport) -> str | None:
    """One line about recorded requests the notebook never made, or None when all were played."""
    left = transport.unplayed()
    if not left:
        return None
    first = transport.recording.interactions[left[0]]["request"]
    return (
        f"{len(left)} of {len(transport.played)} recorded requests in {transport.path} were not "
        f"replayed (the first is #{left[0] + 1}, {describe(first)}). A cell was skipped or changed: "
        "run the notebook from the top (Kernel > Restart Kernel and Run All), or re-record it: "
        f"make record NB=notebooks/{transport.notebook}.ipynb"
    )
