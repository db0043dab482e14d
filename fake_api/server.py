"""The HTTP side of the fake API: a threaded server on 127.0.0.1 that reads each request,
checks its key, finds its route in the table (fake_api.routes) and writes the answer (JSON or
server-sent events) with deterministic, real-looking headers. ``FakeResponsesServer`` is the
object tests and ``make illustrate`` use.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple
from urllib.parse import parse_qs, urlsplit

from . import uploads
from .errors import ApiError, invalid_url
from .routes import ROUTES
from .routing import Binary, Call, Close, Json, Stream, prefix_pattern
from .state import State
from .steps import Step

PARSE_ERROR = (
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't "
    "using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent "
    "was not valid JSON. If you have trouble figuring out how to fix this, please contact us "
    "through our help center at help.openai.com.)"
)
_PREFIX = prefix_pattern(ROUTES)  # /v1/..., /openai/v1/... or /openai/... of a known family


class SeenRequest(NamedTuple):
    """A request the server received. ``path`` is the raw path with its query string."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.path).query)


class Answer(NamedTuple):
    """An answer the server sent. ``kind`` names what ``body`` is (for strict validation):
    ``response``, ``response.deleted``, ``response.input_items``, ``conversation``,
    ``conversation.deleted``, ``conversation.item``, ``conversation.items``, the hosted tools'
    resources (``file``, ``vector_store``, ``container``, ... : fake_api.routes), ``binary`` (then
    ``body`` is the bytes sent), ``error`` or ``events`` (then ``events`` holds every event sent
    and ``body`` is None)."""

    method: str
    path: str
    status: int
    kind: str
    headers: dict[str, str]
    body: Any
    events: list[dict[str, Any]] | None


def _mask_key(key: str) -> str:
    if len(key) <= 8:
        return "*" * len(key)
    return key[:3] + "*" * (len(key) - 7) + key[-4:]


class FakeResponsesServer:
    """A Responses-compatible server on 127.0.0.1, answering creates from ``steps``.

    - ``expect_key``: when set, a request without ``Authorization: Bearer <key>`` or
      ``api-key: <key>`` gets the API's 401 answer.
    - ``seed``: changes every id (same seed, same script: same bytes).
    - ``words_per_delta``: words per ``output_text.delta`` event.
    - ``live_shapes``: write what the live API sends today, not the course's first shapes
      (dated snapshots, token-sized obfuscated deltas, ...: fake_api.live lists them).
    - ``event_delay``: seconds between streamed events (to watch a stream arrive).
    - ``cache_write``: ``False`` leaves ``cache_write_tokens`` out of usage, as most live answers
      and every Azure one do though the SDK calls it required (fake_api.live).

    Attributes for tests: ``base_url``, ``requests`` (list of SeenRequest), ``answers`` (list of
    Answer), ``errors`` (scripting mistakes and internal errors; each also answered with a 500
    carrying ``x-should-retry: false``), ``unused_steps``.
    """

    def __init__(
        self,
        steps: Iterable[Step | Iterable[Step]] = (),
        *,
        expect_key: str | None = None,
        seed: str = "fake-responses",
        organization: str = "org-fakefakefake",
        project: str = "proj_fakefakefake",
        words_per_delta: int = 3,
        live_shapes: bool = False,
        event_delay: float = 0.0,
        host: str = "127.0.0.1",
        port: int = 0,
        cache_write: bool = True,
    ) -> None:
        self.state = State(seed, live_ids=live_shapes)
        self.add_steps(steps)
        self.expect_key = expect_key
        self.organization = organization
        self.project = project
        self.words_per_delta = words_per_delta
        self.live_shapes = live_shapes
        self.event_delay = event_delay
        self.cache_write = cache_write
        self.requests: list[SeenRequest] = []
        self.answers: list[Answer] = []
        self.errors: list[str] = []
        self._stopping = threading.Event()
        self._host, self._port = host, port
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def seed(self) -> str:
        return self.state.seed

    # ---- life cycle ----------------------------------------------------------------------

    def add_steps(self, steps: Iterable[Step | Iterable[Step]]) -> None:
        """Append steps to the script (nested lists are flattened; ``times`` is expanded)."""
        for step in steps:
            if isinstance(step, Step):
                self.state.steps.extend([step] * max(1, step.times))
            elif isinstance(step, Iterable) and not isinstance(step, (str, bytes, Mapping)):
                self.add_steps(step)
            else:
                raise TypeError(f"a step is built by reply(), error(), ...; got {step!r}")

    @property
    def unused_steps(self) -> list[Step]:
        with self.state.lock:
            return list(self.state.steps)

    def start(self) -> FakeResponsesServer:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._httpd = _Server((self._host, self._port), handler)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeResponsesServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the server is not running")
        return self._httpd.server_address[1]

    @property
    def origin(self) -> str:
        return f"http://{self._host}:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.origin}/v1"

    @property
    def azure_base_url(self) -> str:
        """The Azure v1 shape: ``OpenAI(base_url=server.azure_base_url)``."""
        return f"{self.origin}/openai/v1"

    def pause(self, seconds: float) -> None:
        """Wait ``seconds``, or less if the server stops meanwhile."""
        self._stopping.wait(seconds)

    # ---- request handling ----------------------------------------------------------------

    def _handle(self, h: _Handler) -> None:
        split = urlsplit(h.path)
        headers = {k.lower(): v for k, v in h.headers.items()}
        length = int(headers.get("content-length") or 0)
        raw = h.rfile.read(length) if length else b""
        body: Any = None
        parse_error: ApiError | None = None
        if raw and uploads.is_multipart(headers.get("content-type", "")):
            try:
                body = uploads.parse(headers["content-type"], raw)
            except ApiError as err:
                body, parse_error = raw.decode("utf-8", "replace"), err
        elif raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body, parse_error = raw.decode("utf-8", "replace"), ApiError(400, PARSE_ERROR)
        with self.state.lock:
            self.requests.append(SeenRequest(h.command, h.path, headers, body))
        query = {k: v[-1] for k, v in parse_qs(split.query).items()}
        query.pop("api-version", None)
        match = _PREFIX.fullmatch(split.path)
        route = match.group(1).rstrip("/") if match else split.path
        try:
            self._check_auth(headers)
            if parse_error:
                raise parse_error
            if not match:
                raise invalid_url(h.command, split.path)
            self._dispatch(h, route, query, body if isinstance(body, dict) else {})
        except ApiError as exc:
            self._send_json(h, route, exc.status, exc.body, "error", exc.headers)
        except (BrokenPipeError, ConnectionResetError):
            h.close_connection = True
        except Exception as exc:  # a bug or a scripting mistake: make it loud
            message = f"fake_api: {type(exc).__name__}: {exc}"
            with self.state.lock:
                self.errors.append(message)
            err = ApiError(500, message, "server_error", headers={"x-should-retry": "false"})
            try:
                self._send_json(h, route, 500, err.body, "error", err.headers)
            except OSError:
                h.close_connection = True

    def _check_auth(self, headers: Mapping[str, str]) -> None:
        if self.expect_key is None:
            return
        auth = headers.get("authorization", "")
        given = auth[7:].strip() if auth.lower().startswith("bearer ") else headers.get("api-key")
        if given == self.expect_key:
            return
        if not given:
            message = (
                "You didn't provide an API key. You need to provide your API key in an "
                "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), "
                "or as the password field (with blank username) if you're accessing the API from "
                "your browser and are prompted for a username and password. You can obtain an API "
                "key from https://platform.openai.com/account/api-keys."
            )
            raise ApiError(401, message)
        message = (
            f"Incorrect API key provided: {_mask_key(given)}. You can find your API key at "
            "https://platform.openai.com/account/api-keys."
        )
        raise ApiError(401, message, code="invalid_api_key")

    def _dispatch(self, h: _Handler, route: str, query: dict, body: dict) -> None:
        for candidate in ROUTES:
            params = candidate.match(h.command, route)
            if params is None:
                continue
            answer = candidate.handler(Call(self, h.command, route, params, query, body))
            if isinstance(answer, Close):
                h.close_connection = True
            elif isinstance(answer, Stream):
                self._send_events(h, route, *answer)
            elif isinstance(answer, Json):
                kind, result, status, extra, ms = answer
                self._send_json(h, route, status, result, kind, extra, ms)
            elif isinstance(answer, Binary):
                self._send_bytes(h, route, *answer)
            else:
                raise TypeError(f"{candidate.handler.__name__} returned {answer!r}")
            return
        raise invalid_url(h.command, urlsplit(h.path).path)

    # ---- writing answers -----------------------------------------------------------------

    def _headers(self, content_type: str, processing_ms: int) -> dict[str, str]:
        h = self.state.hash("request", self.state.new_request_number())
        return {
            "content-type": content_type,
            "x-request-id": f"req_{h[:32]}",
            "openai-organization": self.organization,
            "openai-project": self.project,
            "openai-processing-ms": str(processing_ms),
            "openai-version": "2020-10-01",
            "x-ratelimit-limit-requests": "10000",
            "x-ratelimit-remaining-requests": "9999",
            "x-ratelimit-limit-tokens": "4000000",
            "x-ratelimit-remaining-tokens": "3999000",
            "x-ratelimit-reset-requests": "6ms",
            "x-ratelimit-reset-tokens": "15ms",
            "cf-ray": f"{h[32:48]}-AMS",
            "strict-transport-security": "max-age=31536000; includeSubDomains; preload",
            "x-content-type-options": "nosniff",
            "set-cookie": [
                f"__cf_bm=fake-cookie-{h[48:64]}; path=/; expires=Fri, 20-Nov-26 09:30:00 GMT; "
                "domain=.api.openai.com; HttpOnly; Secure; SameSite=None",
                f"_cfuvid=fake-cookie-{h[:16]}; path=/; domain=.api.openai.com; HttpOnly; "
                "Secure; SameSite=None",
            ],
        }

    def _send_json(
        self,
        h: _Handler,
        route: str,
        status: int,
        body: Any,
        kind: str,
        extra_headers: Mapping[str, str] | None = None,
        processing_ms: int | None = None,
    ) -> None:
        if processing_ms is None:
            processing_ms = 20 + int(self.state.hash("ms", route)[:2], 16) % 40
        headers = self._headers("application/json", processing_ms)
        headers.update(extra_headers or {})
        data = json.dumps(body, indent=2, ensure_ascii=False).encode()
        with self.state.lock:
            self.answers.append(Answer(h.command, route, status, kind, headers, body, None))
        h.send_response(status)
        self._write_headers(h, headers)
        h.send_header("content-length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)
        h.wfile.flush()

    def _send_bytes(
        self, h: _Handler, route: str, content_type: str, data: bytes, status: int
    ) -> None:
        headers = self._headers(content_type, 20 + int(self.state.hash("ms", route)[:2], 16) % 40)
        with self.state.lock:
            self.answers.append(Answer(h.command, route, status, "binary", headers, data, None))
        h.send_response(status)
        self._write_headers(h, headers)
        h.send_header("content-length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)
        h.wfile.flush()

    def _send_events(
        self,
        h: _Handler,
        route: str,
        events: list[dict[str, Any]],
        cut_after: int | None,
        extra_headers: Mapping[str, str],
        processing_ms: int,
    ) -> None:
        headers = self._headers("text/event-stream; charset=utf-8", processing_ms)
        headers.update(extra_headers)
        sent = events if cut_after is None else events[:cut_after]
        with self.state.lock:
            self.answers.append(Answer(h.command, route, 200, "events", headers, None, sent))
        h.send_response(200)
        self._write_headers(h, headers)
        h.send_header("transfer-encoding", "chunked")
        h.end_headers()
        for event in sent:
            data = json.dumps(event, separators=(",", ":"), ensure_ascii=False)
            payload = f"event: {event['type']}\ndata: {data}\n\n".encode()
            h.wfile.write(b"%x\r\n%s\r\n" % (len(payload), payload))
            h.wfile.flush()
            if self.event_delay:
                self._stopping.wait(self.event_delay)
        if cut_after is not None:
            h.close_connection = True  # no final chunk: the client sees a broken stream
            return
        h.wfile.write(b"0\r\n\r\n")
        h.wfile.flush()

    @staticmethod
    def _write_headers(h: _Handler, headers: Mapping[str, Any]) -> None:
        for name, value in headers.items():
            for one in value if isinstance(value, list) else [value]:
                h.send_header(name, one)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that stops reading a stream and closes it (a notebook simulating a dropped
        # connection) resets the socket; that is expected, not a traceback for stderr.
        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are separate writes: avoid 40 ms stalls
    server_version = "cloudflare"
    sys_version = ""
    fake: FakeResponsesServer

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self.fake._handle(self)

    def do_POST(self) -> None:  # noqa: N802
        self.fake._handle(self)

    def do_DELETE(self) -> None:  # noqa: N802
        self.fake._handle(self)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass
