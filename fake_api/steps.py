"""What a script is made of: the output items of a reply, and the steps that answer one create.

Items (``text()``, ``reasoning()``, ``web_search()``, ...) say what a reply's ``output`` holds;
steps (``reply()``, ``error()``, ``hang()``, ``cut_stream()``, ``disconnect()``) say how the server
answers one ``POST /v1/responses``. Nothing here knows about HTTP or ids: fake_api.bodies renders
an item into the JSON the API sends.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit, urlunsplit

TERMINAL = ("completed", "failed", "incomplete", "cancelled")
STATUSES = ("queued", "in_progress", *TERMINAL)

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

    ``citations`` are ``(cited_substring, url)`` or ``(cited_substring, url, title)`` tuples. Each
    is written as the live API writes a web search citation: an inline Markdown link to the
    page, ``([site](url?utm_source=openai))``, put after the full stop of the sentence the
    substring is in (one space before it), and a ``url_citation`` annotation whose
    ``start_index``..``end_index`` is that link, so the indices are right by construction. Several
    links after one sentence follow each other in the order given. The substring is looked for
    after the previous citation's (or, failing that, anywhere), so a repeated phrase is cited in
    order. (The shape is web_search_citations_gpt52's in ../shared/real-traffic.)
    """
    points: list[tuple[int, int, str, str]] = []  # (insert at, order, url, title)
    search_from = 0
    for order, citation in enumerate(citations):
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
        stop = _SENTENCE_STOP.search(content, max(start, start + len(cited) - 1))
        points.append((stop.end() if stop else len(content.rstrip()), order, url, title))
    written, annotations, copied = "", [], 0
    for at, _, url, title in sorted(points):
        written += content[copied:at] + " "
        copied = at
        link = f"([{site_of(url)}]({tagged(url)}))"
        annotations.append(
            {
                "type": "url_citation",
                "end_index": len(written) + len(link),
                "start_index": len(written),
                "title": title,
                "url": tagged(url),
            }
        )
        written += link
    written += content[copied:]
    return Item(
        "message",
        {"text": written, "annotations": annotations, "status": status, "phase": phase},
    )


# The end of a sentence: a full stop, ! or ? before white space or the end of the text.
_SENTENCE_STOP = re.compile(r"[.!?](?=\s|$)")


def site_of(url: str) -> str:
    """The name an inline citation link shows: the page's host without ``www.``."""
    host = urlsplit(url).hostname or url
    return host.removeprefix("www.")


def tagged(url: str) -> str:
    """A cited URL as the live API writes it, with ``utm_source=openai`` added to its query."""
    parts = urlsplit(url)
    query = f"{parts.query}&utm_source=openai" if parts.query else "utm_source=openai"
    return urlunsplit(parts._replace(query=query))


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


def web_search(
    query: str,
    sources: Iterable[str] = (),
    *,
    status: str = "completed",
    queries: Iterable[str] | None = None,
) -> Item:
    """A ``web_search_call`` item with a ``search`` action.

    ``action.sources`` is only sent when the request's ``include`` has
    ``"web_search_call.action.sources"``, as with the real API. ``queries`` are all the queries
    of one search (default: ``[query]``); with ``live_shapes`` the action carries them and
    ``query``, the first, as real gpt-5.2 traffic does.
    """
    asked = list(queries) if queries is not None else [query]
    if not asked or asked[0] != query:
        raise ValueError(f"queries must start with the query {query!r}, got {asked!r}")
    return Item(
        "web_search",
        {
            "action": "search",
            "query": query,
            "queries": asked,
            "sources": list(sources),
            "status": status,
        },
    )


def open_page(url: str, *, status: str = "completed") -> Item:
    """A ``web_search_call`` whose action opens a page (what a reasoning model does when it reads
    a result): ``{"type": "open_page", "url": url}``."""
    return Item("web_search", {"action": "open_page", "url": url, "status": status})


def find_in_page(url: str, pattern: str, *, status: str = "completed") -> Item:
    """A ``web_search_call`` whose action looks for ``pattern`` in an opened page:
    ``{"type": "find_in_page", "url": url, "pattern": pattern}``."""
    return Item(
        "web_search", {"action": "find_in_page", "url": url, "pattern": pattern, "status": status}
    )


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
    error_event: bool = False


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
    error_event: bool = False,
) -> Reply:
    """A normal response whose ``output`` is ``items`` in order (a bare string means text(...)).

    - ``usage``: merged over the computed usage (about 4 characters a token; input counts the whole
      ``previous_response_id`` chain or conversation), e.g. ``{"input_tokens_details":
      {"cached_tokens": 1024}}``; ``total_tokens`` is recomputed unless given, and so is
      ``output_tokens`` when only ``output_tokens_details.reasoning_tokens`` is (reasoning billed
      without a reasoning item, as real gpt-5.2 searches at effort ``none`` show).
    - ``background``: statuses for a ``background=True`` request, e.g. ``["queued",
      "in_progress", "completed"]``: the create answers the first, each retrieve the next (the
      last repeats). Default for a background request: ``["queued", status]``.
    - ``status``: ``completed``, ``failed`` or ``incomplete`` (``incomplete_reason`` implies it).
    - ``failure``: the ``error`` object of a failed response (default: a ``server_error``).
    - ``headers``: extra HTTP headers for the create's answer.
    - ``error_event``: with ``status="failed"``, a stream sends an ``error`` event before
      ``response.failed``, its fields nested under ``error`` as the live API sends them (the SDK
      raises it as an ``openai.APIError``), e.g. ``reply(status="failed", error_event=True,
      failure={"code": "insufficient_quota", "message": "You exceeded your current quota."})``.
    """
    parts = tuple(text(item) if isinstance(item, str) else item for item in items)
    for item in parts:
        if not isinstance(item, Item):
            raise TypeError(f"reply() takes items built by text(), reasoning(), ...; got {item!r}")
    if incomplete_reason is not None:
        status = "incomplete"
    if status not in ("completed", "failed", "incomplete"):
        raise ValueError(f"status must be completed, failed or incomplete, not {status!r}")
    if error_event and status != "failed":
        raise ValueError("error_event=True needs status='failed': the error event ends the stream")
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
        error_event=error_event,
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
