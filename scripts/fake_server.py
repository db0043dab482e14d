"""A scripted, local, Responses-compatible HTTP server (standard library only).

Tests point the real ``openai`` SDK at it, and ``make illustrate`` runs a notebook against it to
write the project's *illustrative* recordings. Every body and streamed event it sends is shaped
like the real API's and validates against the pinned SDK's types.

A *script* is a list of steps, consumed in order, one per ``POST /v1/responses`` (create). A step
decides the answer to that create; everything else (retrieve, polling, cancel, delete, input
items, stream resume, conversations) is served from the server's own state::

    from fake_server import FakeResponsesServer, reply, text, reasoning, web_search

    STEPS = [
        reply(text("Paris is the capital of France.")),
        reply(
            reasoning("The user wants a source, so I search first."),
            web_search("capital of France", sources=["https://example.org/france"]),
            text("It is Paris.", citations=[("Paris", "https://example.org/france", "France")]),
        ),
    ]

    with FakeResponsesServer(STEPS) as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="sk-test")
        ...

Routes are served under ``/v1``, ``/openai/v1`` (Azure v1) and ``/openai`` (the legacy
``AzureOpenAI`` client); ``?api-version=`` is ignored. Ids, timestamps and headers are
deterministic: the same script gives byte-identical bodies on every run.

Run ``python scripts/fake_server.py scenarios/NN_name.py`` to serve a scenario file's ``STEPS``
until interrupted; it prints the base URL on its first line of output.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import re
import runpy
import signal
import string
import sys
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple
from urllib.parse import parse_qs, urlsplit

__all__ = [
    "BASE_EPOCH",
    "Answer",
    "FakeResponsesServer",
    "SeenRequest",
    "cut_stream",
    "disconnect",
    "error",
    "function_call",
    "hang",
    "image_generation",
    "reasoning",
    "refusal",
    "reply",
    "text",
    "web_search",
]

BASE_EPOCH = 1795165200  # 2026-11-20T09:00:00Z: created_at of the first object a server makes
TERMINAL = ("completed", "failed", "incomplete", "cancelled")
STATUSES = ("queued", "in_progress", *TERMINAL)
LIFECYCLE_START = ("response.created", "response.queued", "response.in_progress")
SOURCES_INCLUDE = "web_search_call.action.sources"
ENCRYPTED_INCLUDE = "reasoning.encrypted_content"


# --------------------------------------------------------------------------------------------
# Output items (what a reply contains)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One output item of a scripted reply; build it with text(), reasoning(), ... ."""

    kind: str
    data: Mapping[str, Any]


def text(
    content: str,
    citations: Iterable[tuple[str, ...]] = (),
    *,
    status: str = "completed",
    phase: str | None = None,
) -> Item:
    """An assistant ``message`` item holding one ``output_text`` part.

    ``citations`` are ``(cited_substring, url)`` or ``(cited_substring, url, title)`` tuples; each
    becomes a ``url_citation`` annotation whose start/end indices cover the first occurrence of the
    substring after the previous citation's end (or, failing that, its first occurrence anywhere),
    so the indices are right by construction and cite a repeated phrase in order.
    """
    annotations = []
    search_from = 0
    for citation in citations:
        if len(citation) not in (2, 3):
            raise ValueError(f"citation must be (substring, url[, title]), got {citation!r}")
        cited, url = citation[0], citation[1]
        title = citation[2] if len(citation) == 3 else url
        start = content.find(cited, search_from)
        if start < 0:
            start = content.find(cited)
        if not cited or start < 0:
            raise ValueError(f"cited text {cited!r} does not occur in {content!r}")
        search_from = start + len(cited)
        annotations.append(
            {
                "type": "url_citation",
                "end_index": start + len(cited),
                "start_index": start,
                "title": title,
                "url": url,
            }
        )
    return Item(
        "message",
        {"text": content, "annotations": annotations, "status": status, "phase": phase},
    )


def refusal(content: str) -> Item:
    """An assistant ``message`` item holding one ``refusal`` part."""
    return Item("refusal", {"refusal": content})


def reasoning(*summary: str, tokens: int | None = None) -> Item:
    """A ``reasoning`` item. Each argument is one ``summary_text`` part.

    As with the real API, the summary is only sent when the request asked for one
    (``reasoning={"summary": "auto"}``); otherwise ``summary`` is ``[]``. ``tokens`` sets the
    reasoning tokens billed for it (default: 64 + 4 x the summary's tokens).
    """
    return Item("reasoning", {"summary": list(summary), "tokens": tokens})


def web_search(query: str, sources: Iterable[str] = (), *, status: str = "completed") -> Item:
    """A ``web_search_call`` item with a ``search`` action.

    ``action.sources`` is only sent when the request's ``include`` has
    ``"web_search_call.action.sources"``, as with the real API.
    """
    return Item("web_search", {"query": query, "sources": list(sources), "status": status})


def function_call(
    name: str, arguments: Mapping[str, Any] | str | None = None, *, call_id: str | None = None
) -> Item:
    """A ``function_call`` item. ``arguments`` is a dict (sent as compact JSON) or a raw string
    (sent verbatim, e.g. to script invalid JSON). ``call_id`` defaults to a ``call_...`` id."""
    if arguments is None:
        arguments = {}
    if not isinstance(arguments, str):
        arguments = json.dumps(arguments, separators=(",", ":"), ensure_ascii=False)
    return Item("function_call", {"name": name, "arguments": arguments, "call_id": call_id})


def image_generation(
    result: str,
    *,
    revised_prompt: str | None = None,
    size: str = "1024x1024",
    quality: str = "medium",
    output_format: str = "png",
    background: str = "opaque",
) -> Item:
    """An ``image_generation_call`` item; ``result`` is the base64 image."""
    return Item(
        "image_generation",
        {
            "result": result,
            "revised_prompt": revised_prompt,
            "size": size,
            "quality": quality,
            "output_format": output_format,
            "background": background,
        },
    )


# --------------------------------------------------------------------------------------------
# Steps (how the server answers one create)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    delay: float = 0.0
    times: int = 1


@dataclass(frozen=True)
class Reply(Step):
    items: tuple[Item, ...] = ()
    usage: Mapping[str, Any] | None = None
    background: tuple[str, ...] | None = None
    status: str = "completed"
    incomplete_reason: str | None = None
    failure: Mapping[str, Any] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    cut_after: int | None = None


@dataclass(frozen=True)
class Error(Step):
    status: int = 400
    message: str = ""
    type: str | None = None
    param: str | None = None
    code: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Disconnect(Step):
    pass


def reply(
    *items: Item | str,
    usage: Mapping[str, Any] | None = None,
    background: Iterable[str] | None = None,
    status: str = "completed",
    incomplete_reason: str | None = None,
    failure: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Reply:
    """A normal response whose ``output`` is ``items`` in order (a bare string means text(...)).

    - ``usage``: merged over the computed usage (about 4 characters a token; input counts the whole
      ``previous_response_id`` chain or conversation), e.g. ``{"input_tokens_details":
      {"cached_tokens": 1024}}``; ``total_tokens`` is recomputed unless given.
    - ``background``: statuses for a ``background=True`` request, e.g. ``["queued",
      "in_progress", "completed"]``: the create answers the first, each retrieve the next (the
      last repeats). Default for a background request: ``["queued", status]``.
    - ``status``: ``completed``, ``failed`` or ``incomplete`` (``incomplete_reason`` implies it).
    - ``failure``: the ``error`` object of a failed response (default: a ``server_error``).
    - ``headers``: extra HTTP headers for the create's answer.
    """
    parts = tuple(text(item) if isinstance(item, str) else item for item in items)
    for item in parts:
        if not isinstance(item, Item):
            raise TypeError(f"reply() takes items built by text(), reasoning(), ...; got {item!r}")
    if incomplete_reason is not None:
        status = "incomplete"
    if status not in ("completed", "failed", "incomplete"):
        raise ValueError(f"status must be completed, failed or incomplete, not {status!r}")
    statuses = None
    if background is not None:
        statuses = tuple(background)
        unknown = [s for s in statuses if s not in STATUSES]
        if not statuses or unknown or statuses[-1] not in TERMINAL:
            raise ValueError(
                f"background must be statuses ending with a terminal one {TERMINAL}, "
                f"got {list(statuses)}"
            )
        if statuses[-1] != "completed":
            status = statuses[-1]
    return Reply(
        items=parts,
        usage=usage,
        background=statuses,
        status=status,
        incomplete_reason=incomplete_reason,
        failure=failure,
        headers=dict(headers or {}),
    )


def error(
    status: int,
    message: str,
    type: str | None = None,  # noqa: A002 - the API's own field name
    param: str | None = None,
    code: str | None = None,
    *,
    headers: Mapping[str, str] | None = None,
    times: int = 1,
) -> Error:
    """Answer the create with HTTP ``status`` and ``{"error": {message, type, param, code}}``.

    ``type`` defaults from the status: ``requests`` for 429, ``server_error`` for 5xx,
    ``invalid_request_error`` otherwise. The SDK retries 408, 409, 429 and >= 500 (twice by
    default), so ``times=3`` answers a create and both its retries; add
    ``headers={"retry-after-ms": "10"}`` to keep those retries fast.
    """
    if type is None:
        type = "requests" if status == 429 else "server_error" if status >= 500 else None
        type = type or "invalid_request_error"
    return Error(
        status=status,
        message=message,
        type=type,
        param=param,
        code=code,
        headers=dict(headers or {}),
        times=times,
    )


def hang(seconds: float, then: Step | None = None, *, times: int | None = None) -> Step:
    """Wait ``seconds`` before answering with ``then`` (default: a short text reply).

    The answer is built (ids assigned) before the wait, so a client timeout and retry leave ids
    deterministic. A client that gave up never sees it. ``times`` defaults to ``then``'s.
    """
    step = then if then is not None else reply(text("This answer arrived late."))
    return replace(step, delay=seconds, times=step.times if times is None else times)


def cut_stream(*items: Item | str | Reply, after: int, **reply_kwargs: Any) -> Reply:
    """A reply whose stream is cut: ``after`` events are sent, then the connection is closed
    abruptly (no final chunk, so the client sees a broken stream). The whole response is still
    stored, so ``retrieve(id, stream=True, starting_after=N)`` can resume it. On a create that
    does not stream, the connection is closed before any answer.

    Use ``cut_stream(text("..."), after=5)`` or ``cut_stream(reply(...), after=5)``.
    """
    if len(items) == 1 and isinstance(items[0], Reply):
        if reply_kwargs:
            raise TypeError("pass reply options to reply(), not cut_stream(reply(...), ...)")
        base = items[0]
    else:
        base = reply(*items or (text("This stream is cut short before it ends."),), **reply_kwargs)
    return replace(base, cut_after=after)


def disconnect(*, times: int = 1) -> Disconnect:
    """Close the connection without any answer (the SDK sees a connection error and retries)."""
    return Disconnect(times=times)


# --------------------------------------------------------------------------------------------
# Records kept for tests
# --------------------------------------------------------------------------------------------


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
    ``conversation.deleted``, ``conversation.item``, ``conversation.items``, ``error`` or
    ``events`` (then ``events`` holds every event sent and ``body`` is None)."""

    method: str
    path: str
    status: int
    kind: str
    headers: dict[str, str]
    body: Any
    events: list[dict[str, Any]] | None


class _ApiError(Exception):
    def __init__(self, status: int, message: str, type_: str = "invalid_request_error", **kw):
        super().__init__(message)
        self.status = status
        self.body = {
            "error": {
                "message": message,
                "type": type_,
                "param": kw.get("param"),
                "code": kw.get("code"),
            }
        }
        self.headers = kw.get("headers") or {}


def _not_found(what: str, ident: str, param: str | None = None) -> _ApiError:
    return _ApiError(404, f"{what} with id '{ident}' not found.", param=param)


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _tokens(s: str) -> int:
    return (len(s) + 3) // 4 if s else 0


def _strings(obj: Any) -> Iterable[str]:
    """Every text a model would read in an input or output structure."""
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, Mapping):
        for key, value in obj.items():
            if key in ("text", "refusal", "arguments", "output", "content", "summary", "name"):
                yield from _strings(value)
            elif key == "action" and isinstance(value, Mapping):
                yield from _strings(value.get("query") or "")
    elif isinstance(obj, list):
        for value in obj:
            yield from _strings(value)


def _chunks(s: str, words: int) -> list[str]:
    """Split ``s`` on word boundaries into pieces of ``words`` words; "".join() gives ``s``."""
    tokens = re.findall(r"\s*\S+", s)
    tail = s[len("".join(tokens)) :]
    if tail:
        if tokens:
            tokens[-1] += tail
        else:
            tokens = [tail]
    words = max(1, words)
    return ["".join(tokens[i : i + words]) for i in range(0, len(tokens), words)]


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _mask_key(key: str) -> str:
    if len(key) <= 8:
        return "*" * len(key)
    return key[:3] + "*" * (len(key) - 7) + key[-4:]


_B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase


@dataclass
class _Stored:
    id: str
    final: dict[str, Any]
    events: list[dict[str, Any]]
    input_items: list[dict[str, Any]]
    history: list[dict[str, Any]]  # items the model saw before this response's own input
    store: bool
    background: bool
    statuses: tuple[str, ...] = ("completed",)
    poll: int = 0
    cancelled: bool = False
    deleted: bool = False

    def status_now(self) -> str:
        return "cancelled" if self.cancelled else self.statuses[self.poll]

    def body(self) -> dict[str, Any]:
        status = self.status_now()
        if status == self.final["status"]:
            return copy.deepcopy(self.final)
        return _snapshot(self.final, status)


def _snapshot(final: dict[str, Any], status: str) -> dict[str, Any]:
    """The response as it looks before it has finished (or once cancelled)."""
    body = copy.deepcopy(final)
    body.update(
        status=status,
        output=[],
        usage=None,
        completed_at=None,
        error=None,
        incomplete_details=None,
    )
    return body


# --------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------


class FakeResponsesServer:
    """A Responses-compatible server on 127.0.0.1, answering creates from ``steps``.

    - ``expect_key``: when set, a request without ``Authorization: Bearer <key>`` or
      ``api-key: <key>`` gets the API's 401 answer.
    - ``seed``: changes every id (same seed, same script: same bytes).
    - ``words_per_delta``: words per ``output_text.delta`` event.
    - ``event_delay``: seconds between streamed events (to watch a stream arrive).

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
        event_delay: float = 0.0,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self._steps: list[Step] = []
        self.add_steps(steps)
        self.expect_key = expect_key
        self.seed = seed
        self.organization = organization
        self.project = project
        self.words_per_delta = words_per_delta
        self.event_delay = event_delay
        self.requests: list[SeenRequest] = []
        self.answers: list[Answer] = []
        self.errors: list[str] = []
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._counter = 0
        self._request_counter = 0
        self._clock = BASE_EPOCH
        self._responses: dict[str, _Stored] = {}
        self._conversations: dict[str, dict[str, Any]] = {}
        self._items: dict[str, dict[str, Any]] = {}
        self._host, self._port = host, port
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- life cycle ----------------------------------------------------------------------

    def add_steps(self, steps: Iterable[Step | Iterable[Step]]) -> None:
        """Append steps to the script (nested lists are flattened; ``times`` is expanded)."""
        for step in steps:
            if isinstance(step, Step):
                self._steps.extend([step] * max(1, step.times))
            elif isinstance(step, Iterable) and not isinstance(step, (str, bytes, Mapping)):
                self.add_steps(step)
            else:
                raise TypeError(f"a step is built by reply(), error(), ...; got {step!r}")

    @property
    def unused_steps(self) -> list[Step]:
        with self._lock:
            return list(self._steps)

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

    # ---- ids, clock, headers -------------------------------------------------------------

    def _hash(self, *parts: object) -> str:
        return hashlib.sha256("/".join(map(str, (self.seed, *parts))).encode()).hexdigest()

    def _new_id(self, prefix: str, when: int) -> str:
        self._counter += 1
        return f"{prefix}_{when:08x}{self._hash(prefix, self._counter)[:40]}"

    def _new_call_id(self) -> str:
        self._counter += 1
        digest = int(self._hash("call", self._counter), 16)
        chars = []
        for _ in range(24):
            digest, rem = divmod(digest, 62)
            chars.append(_B62[rem])
        return "call_" + "".join(chars)

    def _tick(self, seconds: int) -> int:
        now = self._clock
        self._clock += seconds
        return now

    def _headers(self, content_type: str, processing_ms: int) -> dict[str, str]:
        with self._lock:
            self._request_counter += 1
            n = self._request_counter
        h = self._hash("request", n)
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

    # ---- request handling ----------------------------------------------------------------

    def _handle(self, h: _Handler) -> None:
        split = urlsplit(h.path)
        headers = {k.lower(): v for k, v in h.headers.items()}
        length = int(headers.get("content-length") or 0)
        raw = h.rfile.read(length) if length else b""
        body: Any = None
        parse_error = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body, parse_error = raw.decode("utf-8", "replace"), True
        with self._lock:
            self.requests.append(SeenRequest(h.command, h.path, headers, body))
        query = {k: v[-1] for k, v in parse_qs(split.query).items()}
        query.pop("api-version", None)
        match = re.fullmatch(
            r"(?:/openai)?(?:/v1)?(/(?:responses|conversations)(?:/.*)?)", split.path
        )
        route = match.group(1).rstrip("/") if match else split.path
        try:
            self._check_auth(headers)
            if parse_error:
                raise _ApiError(
                    400,
                    "We could not parse the JSON body of your request. (HINT: This likely means "
                    "you aren't using your HTTP library correctly. The OpenAI API expects a JSON "
                    "payload, but what was sent was not valid JSON. If you have trouble figuring "
                    "out how to fix this, please contact us through our help center at "
                    "help.openai.com.)",
                )
            if not match:
                raise self._invalid_url(h.command, split.path)
            self._dispatch(h, h.command, route, query, body if isinstance(body, dict) else {})
        except _ApiError as exc:
            self._send_json(h, route, exc.status, exc.body, "error", exc.headers)
        except (BrokenPipeError, ConnectionResetError):
            h.close_connection = True
        except Exception as exc:  # a bug or a scripting mistake: make it loud
            message = f"fake_server: {type(exc).__name__}: {exc}"
            with self._lock:
                self.errors.append(message)
            err = _ApiError(500, message, "server_error", headers={"x-should-retry": "false"})
            try:
                self._send_json(h, route, 500, err.body, "error", err.headers)
            except OSError:
                h.close_connection = True

    def _invalid_url(self, method: str, path: str) -> _ApiError:
        return _ApiError(404, f"Invalid URL ({method} {path})")

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
            raise _ApiError(401, message)
        message = (
            f"Incorrect API key provided: {_mask_key(given)}. You can find your API key at "
            "https://platform.openai.com/account/api-keys."
        )
        raise _ApiError(401, message, code="invalid_api_key")

    def _dispatch(self, h: _Handler, method: str, route: str, query: dict, body: dict) -> None:
        parts = route.strip("/").split("/")
        if parts[0] == "responses":
            if len(parts) == 1 and method == "POST":
                return self._create(h, route, body)
            if len(parts) == 2 and method == "GET":
                if query.get("stream") == "true":
                    return self._stream_existing(h, route, parts[1], query)
                return self._send_json(h, route, 200, self._retrieve(parts[1]), "response")
            if len(parts) == 2 and method == "DELETE":
                return self._send_json(h, route, 200, self._delete(parts[1]), "response.deleted")
            if len(parts) == 3 and parts[2] == "cancel" and method == "POST":
                return self._send_json(h, route, 200, self._cancel(parts[1]), "response")
            if len(parts) == 3 and parts[2] == "input_items" and method == "GET":
                page = self._input_items(parts[1], query)
                return self._send_json(h, route, 200, page, "response.input_items")
        elif parts[0] == "conversations":
            kind, result = self._conversation_route(method, parts, query, body)
            if kind:
                return self._send_json(h, route, 200, result, kind)
        raise self._invalid_url(method, urlsplit(h.path).path)

    # ---- create --------------------------------------------------------------------------

    def _create(self, h: _Handler, route: str, body: dict) -> None:
        with self._lock:
            step, stored = self._prepare_create(body)
        if step.delay:
            self._stopping.wait(step.delay)
        if isinstance(step, Disconnect) or (
            isinstance(step, Reply) and step.cut_after is not None and not body.get("stream")
        ):
            h.close_connection = True
            return
        if isinstance(step, Error):
            err = _ApiError(
                step.status,
                step.message,
                step.type or "invalid_request_error",
                param=step.param,
                code=step.code,
                headers=step.headers,
            )
            return self._send_json(h, route, step.status, err.body, "error", err.headers)
        assert isinstance(step, Reply) and stored is not None
        ms = 180 + 7 * (stored.final.get("usage") or {}).get("output_tokens", 0)
        if body.get("stream"):
            with self._lock:
                stored.poll = len(stored.statuses) - 1  # the stream ran it to its end
            return self._send_events(h, route, stored.events, step.cut_after, step.headers, ms)
        return self._send_json(h, route, 200, stored.body(), "response", step.headers, ms)

    def _prepare_create(self, body: dict) -> tuple[Step, _Stored | None]:
        if not body.get("model"):
            raise _ApiError(
                400,
                "Missing required parameter: 'model'.",
                param="model",
                code="missing_required_parameter",
            )
        prev_id = body.get("previous_response_id")
        conv = body.get("conversation")
        if prev_id and conv:
            raise _ApiError(
                400,
                "Mutually exclusive parameters. Ensure you are only providing one of: "
                "'previous_response_id' or 'conversation'.",
                param="conversation",
                code="mutually_exclusive_parameters",
            )
        history: list[dict[str, Any]] = []
        if prev_id:
            prev = self._responses.get(prev_id)
            if prev is None or prev.deleted or not prev.store:
                raise _ApiError(
                    400,
                    f"Previous response with id '{prev_id}' not found.",
                    param="previous_response_id",
                    code="previous_response_not_found",
                )
            history = prev.history + prev.input_items + prev.final["output"]
        conv_id = None
        if conv:
            conv_id = conv if isinstance(conv, str) else conv.get("id")
            record = self._conversations.get(conv_id)
            if record is None:
                raise _not_found("Conversation", str(conv_id), param="conversation")
            history = list(record["items"])
        if not self._steps:
            raise RuntimeError(
                "the script has no step left for this POST /responses (input: "
                f"{json.dumps(body.get('input'), ensure_ascii=False)[:200]}); add a step to it"
            )
        step = self._steps.pop(0)
        if not isinstance(step, Reply):
            return step, None
        if step.background and not body.get("background"):
            raise RuntimeError(
                "the step has background=[...] but the request did not set background=True"
            )
        stored = self._build(step, body, history, conv_id)
        return step, stored

    def _build(
        self, step: Reply, body: dict, history: list[dict[str, Any]], conv_id: str | None
    ) -> _Stored:
        include = body.get("include") or []
        summaries = (body.get("reasoning") or {}).get("summary") is not None
        created_at = self._tick(0)
        resp_id = self._new_id("resp", created_at)
        input_items = self._input_to_items(body.get("input"), created_at)
        output, reasoning_tokens = [], 0
        for item in step.items:
            rendered, tokens = self._render(item, created_at, include, summaries)
            output.append(rendered)
            reasoning_tokens += tokens
        if step.incomplete_reason:
            for item in reversed(output):
                if item["type"] == "message":
                    item["status"] = "incomplete"
                    break

        usage = self._usage(body, history + input_items, output, reasoning_tokens)
        if step.usage:
            usage = _merge(usage, step.usage)
            if "total_tokens" not in step.usage:
                usage["total_tokens"] = usage["input_tokens"] + usage["output_tokens"]
        duration = 1 + usage["output_tokens"] // 60
        self._tick(duration + 3)

        final = self._response_body(body, resp_id, created_at, step.status, output, usage)
        final["completed_at"] = created_at + duration if step.status == "completed" else None
        if step.status == "incomplete":
            final["incomplete_details"] = {"reason": step.incomplete_reason or "max_output_tokens"}
        if step.status == "failed":
            final["error"] = dict(
                step.failure
                or {"code": "server_error", "message": "The model failed to produce a response."}
            )
        if conv_id:
            final["conversation"] = {"id": conv_id}

        background = bool(body.get("background"))
        statuses = step.background or (("queued", step.status) if background else (step.status,))
        events = self._events(final, background)
        stored = _Stored(
            id=resp_id,
            final=final,
            events=events,
            input_items=input_items,
            history=history,
            store=body.get("store", True) is not False,
            background=background,
            statuses=statuses,
        )
        self._responses[resp_id] = stored
        for item in input_items + output:
            self._items.setdefault(item["id"], item)
        if conv_id:
            self._conversations[conv_id]["items"].extend(copy.deepcopy(input_items + output))
        return stored

    def _response_body(
        self,
        req: dict,
        resp_id: str,
        created_at: int,
        status: str,
        output: list,
        usage: dict,
    ) -> dict[str, Any]:
        text_cfg = _merge(
            {"format": {"type": "text"}, "verbosity": "medium"}, req.get("text") or {}
        )
        reasoning_cfg = _merge({"effort": None, "summary": None}, req.get("reasoning") or {})
        service_tier = req.get("service_tier")
        return {
            "id": resp_id,
            "object": "response",
            "created_at": created_at,
            "status": status,
            "background": bool(req.get("background", False)),
            "completed_at": None,
            "error": None,
            "incomplete_details": None,
            "instructions": req.get("instructions"),
            "max_output_tokens": req.get("max_output_tokens"),
            "max_tool_calls": req.get("max_tool_calls"),
            "model": req["model"],
            "output": output,
            "parallel_tool_calls": req.get("parallel_tool_calls", True),
            "previous_response_id": req.get("previous_response_id"),
            "prompt_cache_key": req.get("prompt_cache_key"),
            "prompt_cache_retention": req.get("prompt_cache_retention"),
            "reasoning": reasoning_cfg,
            "safety_identifier": req.get("safety_identifier"),
            "service_tier": service_tier if service_tier not in (None, "auto") else "default",
            # `store` is in every real answer though the SDK's Response type has no such field.
            "store": req.get("store", True) is not False,
            "temperature": req.get("temperature", 1.0),
            "text": text_cfg,
            "tool_choice": req.get("tool_choice", "auto"),
            "tools": [self._echo_tool(tool) for tool in req.get("tools") or []],
            "top_logprobs": req.get("top_logprobs", 0),
            "top_p": req.get("top_p", 1.0),
            "truncation": req.get("truncation", "disabled"),
            "usage": usage,
            "user": req.get("user"),
            "metadata": req.get("metadata") or {},
        }

    @staticmethod
    def _echo_tool(tool: Mapping[str, Any]) -> dict[str, Any]:
        tool = dict(tool)
        if tool.get("type") == "function":
            return {
                "type": "function",
                "description": tool.pop("description", None),
                "name": tool.pop("name", None),
                "parameters": tool.pop("parameters", None),
                "strict": tool.pop("strict", True),
                **tool,
            }
        if tool.get("type") in ("web_search", "web_search_preview"):
            tool.setdefault("search_context_size", "medium")
        return tool

    def _usage(
        self, req: dict, seen: list[dict], output: list[dict], reasoning_tokens: int
    ) -> dict[str, Any]:
        input_tokens = 4 + _tokens(req.get("instructions") or "")
        for item in seen:
            input_tokens += 3 + sum(_tokens(s) for s in _strings(item))
        if req.get("tools"):
            input_tokens += _tokens(json.dumps(req["tools"]))
        output_tokens = reasoning_tokens
        for item in output:
            if item["type"] != "reasoning":
                output_tokens += sum(_tokens(s) for s in _strings(item))
        return {
            "input_tokens": input_tokens,
            "input_tokens_details": {"cache_write_tokens": 0, "cached_tokens": 0},
            "output_tokens": output_tokens,
            "output_tokens_details": {"reasoning_tokens": reasoning_tokens},
            "total_tokens": input_tokens + output_tokens,
        }

    def _render(
        self, item: Item, created_at: int, include: list[str], summaries: bool
    ) -> tuple[dict[str, Any], int]:
        d = item.data
        if item.kind == "message":
            out = {
                "id": self._new_id("msg", created_at),
                "type": "message",
                "status": d["status"],
                "content": [
                    {
                        "type": "output_text",
                        "annotations": copy.deepcopy(list(d["annotations"])),
                        "logprobs": [],
                        "text": d["text"],
                    }
                ],
                "role": "assistant",
            }
            if d["phase"]:
                out["phase"] = d["phase"]
            return out, 0
        if item.kind == "refusal":
            return {
                "id": self._new_id("msg", created_at),
                "type": "message",
                "status": "completed",
                "content": [{"type": "refusal", "refusal": d["refusal"]}],
                "role": "assistant",
            }, 0
        if item.kind == "reasoning":
            summary_text = " ".join(d["summary"])
            tokens = d["tokens"] if d["tokens"] is not None else 64 + 4 * _tokens(summary_text)
            rid = self._new_id("rs", created_at)
            out = {
                "id": rid,
                "type": "reasoning",
                "summary": (
                    [{"type": "summary_text", "text": s} for s in d["summary"]] if summaries else []
                ),
            }
            if ENCRYPTED_INCLUDE in include:
                out["encrypted_content"] = "gAAAAAB" + self._hash("encrypted", rid) * 3
            return out, tokens
        if item.kind == "web_search":
            action: dict[str, Any] = {"type": "search", "query": d["query"]}
            if SOURCES_INCLUDE in include:
                action["sources"] = [{"type": "url", "url": url} for url in d["sources"]]
            return {
                "id": self._new_id("ws", created_at),
                "type": "web_search_call",
                "status": d["status"],
                "action": action,
            }, 0
        if item.kind == "function_call":
            return {
                "id": self._new_id("fc", created_at),
                "type": "function_call",
                "status": "completed",
                "arguments": d["arguments"],
                "call_id": d["call_id"] or self._new_call_id(),
                "name": d["name"],
            }, 0
        if item.kind == "image_generation":
            return {
                "id": self._new_id("ig", created_at),
                "type": "image_generation_call",
                "status": "completed",
                "background": d["background"],
                "output_format": d["output_format"],
                "quality": d["quality"],
                "result": d["result"],
                "revised_prompt": d["revised_prompt"],
                "size": d["size"],
            }, 0
        raise ValueError(f"unknown item kind {item.kind!r}")

    def _input_to_items(self, value: Any, created_at: int) -> list[dict[str, Any]]:
        """The request's input as the stored items ``input_items`` lists (ids added)."""
        if value is None:
            return []
        if isinstance(value, str):
            value = [{"role": "user", "content": value}]
        items = []
        for raw in value:
            item = copy.deepcopy(dict(raw))
            kind = item.setdefault("type", "message")
            if kind == "item_reference":
                known = self._items.get(item.get("id", ""))
                if known is not None:
                    items.append(copy.deepcopy(known))
                continue
            if kind == "message":
                role = item.get("role", "user")
                content = item.get("content")
                if role == "assistant":
                    if isinstance(content, str):
                        content = [{"type": "output_text", "text": content}]
                    for part in content or []:
                        if part.get("type") == "output_text":
                            part.setdefault("annotations", [])
                            part.setdefault("logprobs", [])
                else:
                    if isinstance(content, str):
                        content = [{"type": "input_text", "text": content}]
                    for part in content or []:
                        if part.get("type") == "input_image":
                            part.setdefault("detail", "auto")
                item = {
                    "id": item.get("id") or self._new_id("msg", created_at),
                    "type": "message",
                    "status": item.get("status") or "completed",
                    "content": content or [],
                    "role": role,
                }
            else:
                prefix = {"function_call_output": "fco", "function_call": "fc"}.get(kind, "item")
                item.setdefault("id", self._new_id(prefix, created_at))
                if kind in ("function_call_output", "function_call"):
                    item.setdefault("status", "completed")
            items.append(item)
        return items

    # ---- streaming -----------------------------------------------------------------------

    def _events(self, final: dict[str, Any], background: bool) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []

        def emit(type_: str, **fields: Any) -> None:
            events.append({"type": type_, "sequence_number": len(events), **fields})

        first = "queued" if background else "in_progress"
        emit("response.created", response=_snapshot(final, first))
        if background:
            emit("response.queued", response=_snapshot(final, "queued"))
        emit("response.in_progress", response=_snapshot(final, "in_progress"))
        words = self.words_per_delta
        for index, item in enumerate(final["output"]):
            ids = {"item_id": item["id"], "output_index": index}
            kind = item["type"]
            if kind == "message":
                emit(
                    "response.output_item.added",
                    output_index=index,
                    item={**item, "status": "in_progress", "content": []},
                )
                for ci, part in enumerate(item["content"]):
                    if part["type"] == "refusal":
                        empty = {"type": "refusal", "refusal": ""}
                        emit("response.content_part.added", **ids, content_index=ci, part=empty)
                        for delta in _chunks(part["refusal"], words):
                            emit("response.refusal.delta", **ids, content_index=ci, delta=delta)
                        emit(
                            "response.refusal.done",
                            **ids,
                            content_index=ci,
                            refusal=part["refusal"],
                        )
                        emit("response.content_part.done", **ids, content_index=ci, part=part)
                        continue
                    empty = {"type": "output_text", "annotations": [], "logprobs": [], "text": ""}
                    emit("response.content_part.added", **ids, content_index=ci, part=empty)
                    annotations = part.get("annotations", [])
                    sent, next_annotation = 0, 0
                    for delta in _chunks(part["text"], words):
                        emit(
                            "response.output_text.delta",
                            **ids,
                            content_index=ci,
                            delta=delta,
                            logprobs=[],
                        )
                        sent += len(delta)
                        while (
                            next_annotation < len(annotations)
                            and annotations[next_annotation].get("end_index", 0) <= sent
                        ):
                            emit(
                                "response.output_text.annotation.added",
                                **ids,
                                content_index=ci,
                                annotation_index=next_annotation,
                                annotation=annotations[next_annotation],
                            )
                            next_annotation += 1
                    for late in range(next_annotation, len(annotations)):
                        emit(
                            "response.output_text.annotation.added",
                            **ids,
                            content_index=ci,
                            annotation_index=late,
                            annotation=annotations[late],
                        )
                    emit(
                        "response.output_text.done",
                        **ids,
                        content_index=ci,
                        text=part["text"],
                        logprobs=[],
                    )
                    emit("response.content_part.done", **ids, content_index=ci, part=part)
            elif kind == "reasoning":
                added = {k: v for k, v in item.items() if k != "encrypted_content"}
                emit(
                    "response.output_item.added", output_index=index, item={**added, "summary": []}
                )
                for si, part in enumerate(item["summary"]):
                    empty = {"type": "summary_text", "text": ""}
                    emit(
                        "response.reasoning_summary_part.added",
                        **ids,
                        summary_index=si,
                        part=empty,
                    )
                    for delta in _chunks(part["text"], words):
                        emit(
                            "response.reasoning_summary_text.delta",
                            **ids,
                            summary_index=si,
                            delta=delta,
                        )
                    emit(
                        "response.reasoning_summary_text.done",
                        **ids,
                        summary_index=si,
                        text=part["text"],
                    )
                    emit("response.reasoning_summary_part.done", **ids, summary_index=si, part=part)
            elif kind == "function_call":
                emit(
                    "response.output_item.added",
                    output_index=index,
                    item={**item, "status": "in_progress", "arguments": ""},
                )
                args = item["arguments"]
                for start in range(0, len(args), 16):
                    emit("response.function_call_arguments.delta", **ids, delta=args[start:][:16])
                emit("response.function_call_arguments.done", **ids, arguments=args)
            elif kind == "web_search_call":
                emit(
                    "response.output_item.added",
                    output_index=index,
                    item={**item, "status": "in_progress", "action": {"type": "search"}},
                )
                emit("response.web_search_call.in_progress", **ids)
                emit("response.web_search_call.searching", **ids)
                emit("response.web_search_call.completed", **ids)
            elif kind == "image_generation_call":
                emit(
                    "response.output_item.added",
                    output_index=index,
                    item={**item, "status": "in_progress", "result": None},
                )
                emit("response.image_generation_call.in_progress", **ids)
                emit("response.image_generation_call.generating", **ids)
                emit("response.image_generation_call.completed", **ids)
            else:
                emit("response.output_item.added", output_index=index, item=item)
            emit("response.output_item.done", output_index=index, item=item)
        emit(f"response.{final['status']}", response=copy.deepcopy(final))
        return copy.deepcopy(events)

    def _stream_existing(self, h: _Handler, route: str, resp_id: str, query: dict) -> None:
        with self._lock:
            stored = self._lookup(resp_id)
            events = stored.events
            if stored.cancelled:  # it never got further than its start
                events = [e for e in events if e["type"] in LIFECYCLE_START]
        try:
            after = int(query.get("starting_after", -1))
        except ValueError:
            raise _ApiError(400, "Invalid 'starting_after': expected an integer.") from None
        self._send_events(
            h, route, [e for e in events if e["sequence_number"] > after], None, {}, 40
        )

    # ---- other routes --------------------------------------------------------------------

    def _lookup(self, resp_id: str) -> _Stored:
        stored = self._responses.get(resp_id)
        if stored is None or stored.deleted or not stored.store:
            raise _not_found("Response", resp_id)
        return stored

    def _retrieve(self, resp_id: str) -> dict[str, Any]:
        with self._lock:
            stored = self._lookup(resp_id)
            if not stored.cancelled and stored.poll < len(stored.statuses) - 1:
                stored.poll += 1  # the create answered statuses[0]; each retrieve the next
            return stored.body()

    def _cancel(self, resp_id: str) -> dict[str, Any]:
        with self._lock:
            stored = self._lookup(resp_id)
            if not stored.background:
                raise _ApiError(400, "Cannot cancel a synchronous response.")
            if stored.status_now() not in TERMINAL:
                stored.cancelled = True
            return stored.body()

    def _delete(self, resp_id: str) -> dict[str, Any]:
        with self._lock:
            self._lookup(resp_id).deleted = True
        return {"id": resp_id, "object": "response.deleted", "deleted": True}

    def _input_items(self, resp_id: str, query: dict) -> dict[str, Any]:
        with self._lock:
            stored = self._lookup(resp_id)
            items = copy.deepcopy(stored.history + stored.input_items)
        return self._page(items, query)

    @staticmethod
    def _page(items: list[dict[str, Any]], query: Mapping[str, str]) -> dict[str, Any]:
        order = query.get("order", "desc")
        if order not in ("asc", "desc"):
            raise _ApiError(
                400,
                f"Invalid value: '{order}'. Supported values are: 'asc' and 'desc'.",
                param="order",
                code="invalid_value",
            )
        if order == "desc":
            items = items[::-1]
        after = query.get("after")
        if after:
            ids = [item["id"] for item in items]
            items = items[ids.index(after) + 1 :] if after in ids else []
        try:
            limit = int(query.get("limit", 20))
        except ValueError:
            limit = 20
        page = items[: max(1, min(limit, 100))]
        return {
            "object": "list",
            "data": page,
            # An empty page: the SDK types these as str, so "" rather than null.
            "first_id": page[0]["id"] if page else "",
            "last_id": page[-1]["id"] if page else "",
            "has_more": len(items) > len(page),
        }

    def _conversation_route(
        self, method: str, parts: list[str], query: dict, body: dict
    ) -> tuple[str, Any]:
        """(kind, body) of a conversations route, or ("", None) when there is no such route."""
        with self._lock:
            if len(parts) == 1 and method == "POST":
                created_at = self._tick(1)
                conv_id = self._new_id("conv", created_at)
                conv = {
                    "id": conv_id,
                    "object": "conversation",
                    "created_at": created_at,
                    "metadata": body.get("metadata") or {},
                }
                items = self._input_to_items(body.get("items"), created_at)
                self._conversations[conv_id] = {"object": conv, "items": items}
                return "conversation", copy.deepcopy(conv)
            if len(parts) < 2:
                return "", None
            record = self._conversations.get(parts[1])
            if record is None or record.get("deleted"):
                raise _not_found("Conversation", parts[1])
            if len(parts) == 2:
                if method == "GET":
                    return "conversation", copy.deepcopy(record["object"])
                if method == "POST":
                    record["object"]["metadata"] = body.get("metadata") or {}
                    return "conversation", copy.deepcopy(record["object"])
                if method == "DELETE":
                    record["deleted"] = True
                    return "conversation.deleted", {
                        "id": parts[1],
                        "object": "conversation.deleted",
                        "deleted": True,
                    }
            if len(parts) >= 3 and parts[2] == "items":
                if len(parts) == 3 and method == "GET":
                    return "conversation.items", self._page(copy.deepcopy(record["items"]), query)
                if len(parts) == 3 and method == "POST":
                    added = self._input_to_items(body.get("items"), self._tick(1))
                    record["items"].extend(added)
                    page = self._page(copy.deepcopy(added), {"order": "asc", "limit": "100"})
                    return "conversation.items", page
                if len(parts) == 4:
                    index = {item["id"]: i for i, item in enumerate(record["items"])}
                    if parts[3] not in index:
                        raise _not_found("Item", parts[3])
                    if method == "GET":
                        return "conversation.item", copy.deepcopy(record["items"][index[parts[3]]])
                    if method == "DELETE":
                        del record["items"][index[parts[3]]]
                        return "conversation", copy.deepcopy(record["object"])
        return "", None

    # ---- writing answers -----------------------------------------------------------------

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
            processing_ms = 20 + int(self._hash("ms", route)[:2], 16) % 40
        headers = self._headers("application/json", processing_ms)
        headers.update(extra_headers or {})
        data = json.dumps(body, indent=2, ensure_ascii=False).encode()
        with self._lock:
            self.answers.append(Answer(h.command, route, status, kind, headers, body, None))
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
        with self._lock:
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


# --------------------------------------------------------------------------------------------
# Command line: serve a scenario file
# --------------------------------------------------------------------------------------------


def load_scenario(path: str) -> list[Step]:
    """The ``STEPS`` list of a scenario file (which imports its builders from this module)."""
    # Run as a script, this module is __main__: let the scenario's `from fake_server import ...`
    # get these very classes rather than a second copy of the module.
    sys.modules.setdefault("fake_server", sys.modules[__name__])
    namespace = runpy.run_path(path)
    if "STEPS" not in namespace:
        raise SystemExit(f"{path} defines no STEPS list")
    return list(namespace["STEPS"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", help="a Python file defining STEPS = [...]")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--expect-key", default=None)
    parser.add_argument("--event-delay", type=float, default=0.0)
    args = parser.parse_args(argv)
    server = FakeResponsesServer(
        load_scenario(args.scenario), expect_key=args.expect_key, event_delay=args.event_delay
    )

    def interrupt(*_: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    with server:
        print(server.base_url, flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
    if server.unused_steps:
        print(f"fake_server: {len(server.unused_steps)} step(s) never used", file=sys.stderr)
    for message in server.errors:
        print(message, file=sys.stderr)
    return 1 if server.errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
