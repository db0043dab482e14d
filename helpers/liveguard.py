"""The live wire's guard: an httpx2 transport, right above the network, that bounds how long a
request may wait and checks that a 2xx answer is one the SDK can read.

The SDK's own timeouts cannot catch everything a lesson meets: its read timeout restarts with every
byte, so a stream that only sends keep-alive comments, or a body dripped a byte at a time, never
times out; and it retries a timeout twice, so a server that never answers costs three waits. Here:

- **connect**: opening the connection may take ``connect`` seconds (``TUTORIAL_CONNECT_TIMEOUT``);
- **answer**: a non-streamed answer must be whole within ``read`` seconds of the request
  (``TUTORIAL_TIMEOUT``), however its bytes trickle in;
- **stream**: a stream must deliver an event (a ``data:`` block; comments do not count) at least
  once every ``read`` seconds.

The limits are the client's ``timeout`` (``connect()`` sets it from the environment), so
``client.with_options(timeout=300)`` changes them for one call. A limit passed ends in one
:class:`~helpers.errors.AnswerTimeout` (an ``openai.APITimeoutError``), which the SDK raises as it
is, without retrying. Over-long waits are noticed when the next byte arrives (or when the read
timeout fires, if none does), so the message comes at most one gap between bytes after the limit.

A 2xx answer that the SDK would choke on (invalid JSON, an empty body, an HTML page from a proxy, a
plain body where a stream was asked for, a stream with no event) ends in one
:class:`~helpers.errors.UnreadableAnswer` (an ``openai.APIError``) instead of a ``JSONDecodeError``,
a ``str`` in place of a response, or a stream that ends with nothing. Error statuses (4xx, 5xx) are
left to the SDK, which builds its own errors from them.

Defined for 00_start_here (the time limits) and used by ``connect`` in every live notebook.
"""

from __future__ import annotations

import html
import json
import re
import time
import urllib.request
from collections.abc import Callable, Iterator

import httpx2

from .errors import AnswerTimeout, UnreadableAnswer

__all__ = ["LiveGuardTransport", "network_transport"]

_EVENT_END = re.compile(rb"\r\n\r\n|\n\n|\r\r")
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def _limits(request: httpx2.Request) -> tuple[float | None, float | None]:
    """(connect, answer) seconds, from the timeout the SDK put on this request."""
    timeout = request.extensions.get("timeout") or {}
    return timeout.get("connect"), timeout.get("read")


def _asks_for_stream(request: httpx2.Request) -> bool:
    """``stream=True`` in a create's JSON body, or ``?stream=true`` on a retrieve."""
    if request.url.params.get("stream", "").lower() == "true":
        return True
    if "json" not in request.headers.get("content-type", ""):
        return False
    try:
        body = json.loads(request.content or b"null")
    except (ValueError, httpx2.RequestNotRead):
        return False
    return isinstance(body, dict) and body.get("stream") is True


def _is_event_stream(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() == "text/event-stream"


def _readable_as_json(content_type: str) -> bool:
    """Whether the SDK would read this body as JSON: JSON, text, or no content type at all.
    Anything else (audio, images, files' bytes) is the caller's to read as it is."""
    kind = content_type.split(";")[0].strip().lower()
    return not kind or kind.endswith("json") or kind.startswith("text/")


def _html_page(body: bytes, content_type: str) -> tuple[bool, str | None]:
    """Whether ``body`` is an HTML page, and its title."""
    start = body.lstrip()[:15].lower()
    if "html" not in content_type.lower() and not start.startswith((b"<!doctype", b"<html")):
        return False, None
    found = _TITLE.search(body[:20_000])
    title = None
    if found:
        title = " ".join(html.unescape(found.group(1).decode("utf-8", "replace")).split())[:80]
    return True, title or None


def _is_json(text: bytes | str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def network_transport(base_url: str | None) -> httpx2.HTTPTransport:
    """The transport to the provider, through the proxy the environment names for it.

    ``httpx2.Client`` reads ``HTTPS_PROXY`` / ``HTTP_PROXY`` / ``ALL_PROXY`` and ``NO_PROXY`` only
    when it builds its own transport; the course gives it one, so it does the same here, for the
    one host a live client talks to. (``SSL_CERT_FILE`` is read by the transport itself.)"""
    url = httpx2.URL(base_url or "https://api.openai.com/v1")
    proxies = urllib.request.getproxies()
    proxy = proxies.get(url.scheme) or proxies.get("all")
    if proxy and not urllib.request.proxy_bypass(url.host):
        return httpx2.HTTPTransport(proxy=proxy if "://" in proxy else f"http://{proxy}")
    return httpx2.HTTPTransport()


class LiveGuardTransport(httpx2.BaseTransport):
    """Wraps the network transport of a live client (see the module's docstring)."""

    def __init__(self, inner: httpx2.BaseTransport, clock: Callable[[], float] = time.monotonic):
        self.inner = inner
        self.clock = clock

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        connect, limit = _limits(request)
        start = self.clock()

        def timeout(phase: str, seconds: float | None) -> AnswerTimeout:
            waited = self.clock() - start
            return AnswerTimeout(request, phase=phase, limit=seconds or waited, waited=waited)

        try:
            response = self.inner.handle_request(request)
        except httpx2.ConnectTimeout as err:
            raise timeout("connect", connect) from err
        except httpx2.WriteTimeout as err:
            raise timeout("send", limit) from err
        except httpx2.TimeoutException as err:  # no answer (its headers) in time
            raise timeout("answer", limit) from err
        if not 200 <= response.status_code < 300:
            return response
        content_type = response.headers.get("content-type", "")
        stream = _asks_for_stream(request)
        if _is_event_stream(content_type):
            if not stream:
                response.close()
                raise UnreadableAnswer(
                    response,
                    what="an event stream, though the request asked for none",
                    stream=False,
                )
            response.stream = _GuardedEvents(response, limit, start, self.clock)
        else:
            response.stream = _GuardedBody(response, limit, start, self.clock, stream)
        return response

    def close(self) -> None:
        self.inner.close()


class _Guarded(httpx2.SyncByteStream):
    def __init__(
        self,
        response: httpx2.Response,
        limit: float | None,
        start: float,
        clock: Callable[[], float],
    ):
        self.inner = response.stream
        self.response = response
        self.limit = limit
        self.start = start
        self.clock = clock

    def close(self) -> None:
        self.inner.close()

    def _timeout(self, phase: str, trickle: bool) -> AnswerTimeout:
        waited = self.clock() - self.start
        limit = self.limit if self.limit is not None else waited
        return AnswerTimeout(
            self.response.request, phase=phase, limit=limit, waited=waited, trickle=trickle
        )

    def _unreadable(self, what: str, stream: bool, title: str | None = None) -> UnreadableAnswer:
        return UnreadableAnswer(self.response, what=what, stream=stream, title=title)


class _GuardedBody(_Guarded):
    """A body that is not an event stream: whole within the limit, and readable."""

    def __init__(self, response, limit, start, clock, stream: bool):
        super().__init__(response, limit, start, clock)
        self.stream = stream  # the request asked for an event stream
        self.content_type = response.headers.get("content-type", "")
        length = response.headers.get("content-length", "")
        self.length = int(length) if length.isdigit() else None

    def __iter__(self) -> Iterator[bytes]:
        # A download (the SDK asks for Accept: application/binary) is bytes whatever its content
        # type says: a container's CSV is text/csv, not JSON to be checked.
        download = self.response.request.headers.get("accept", "") == "application/binary"
        check = self.stream or (_readable_as_json(self.content_type) and not download)
        chunks: list[bytes] = []
        received = 0
        try:
            for chunk in self.inner:
                received += len(chunk)
                if check:
                    chunks.append(chunk)
                whole = self.length is not None and received >= self.length
                if self.limit is not None and not whole:
                    if self.clock() - self.start > self.limit:
                        raise self._timeout("answer", trickle=True)
                yield chunk
        except httpx2.TimeoutException as err:
            raise self._timeout("answer", trickle=received > 0) from err
        if check:
            self._check(b"".join(chunks))

    def _check(self, body: bytes) -> None:
        request = self.response.request
        if not body.strip():
            empty_is_fine = self.response.status_code == 204 or request.method in ("DELETE", "HEAD")
            if self.stream or not empty_is_fine:
                raise self._unreadable("an empty body", self.stream)
            return
        if not self.stream and _is_json(body):
            return
        page, title = _html_page(body, self.content_type)
        if page:
            raise self._unreadable("an HTML page", self.stream, title)
        if self.stream:
            raise self._unreadable("a plain body instead of an event stream", self.stream)
        raise self._unreadable("a body that is not valid JSON", self.stream)


class _GuardedEvents(_Guarded):
    """An event stream: an event at least once per limit, each event's data JSON, at least one."""

    def __iter__(self) -> Iterator[bytes]:
        last_event = self.start
        pending = b""
        events = 0
        received = False
        try:
            for chunk in self.inner:
                now = self.clock()
                received = received or bool(chunk)
                blocks = _EVENT_END.split(pending + chunk)
                pending = blocks.pop()
                for block in blocks:
                    if self._event(block):
                        events += 1
                        last_event = now
                if self.limit is not None and now - last_event > self.limit:
                    raise self._timeout("stream", trickle=True)
                yield chunk
        except httpx2.TimeoutException as err:
            raise self._timeout("stream", trickle=received) from err
        if pending.strip() and self._event(pending):
            events += 1
        if not events:
            raise self._unreadable("an event stream that ended without a single event", True)

    def _event(self, block: bytes) -> bool:
        """Whether a block is an event (it has data); raises when that data is not JSON."""
        lines = block.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
        data = [line[5:].removeprefix(b" ") for line in lines if line.startswith(b"data:")]
        if not data:
            return False  # a comment (a keep-alive) or an event with no data
        payload = b"\n".join(data)
        if payload.strip() != b"[DONE]" and not _is_json(payload):
            raise self._unreadable("an event whose data is not valid JSON", True)
        return True
