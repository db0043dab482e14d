"""The shapes the live API sends today (late 2026), which the server writes when it is started with
``FakeResponsesServer(live_shapes=True)`` (a scenario asks for it with ``SERVER = {"live_shapes":
True}``). Without it the server writes the shapes the course's first recordings were made with.

What changes, each seen in ../shared/real-traffic (the newest cases) unless said otherwise:

- bodies: the model's dated snapshot (``gpt-5.4-mini-2026-03-17``, ``snapshot()``); ``top_p`` 0.98
  for gpt-5.2 and later (gpt-5.2 and gpt-5.6 bodies; gpt-5 bodies say 1.0); ``billing``,
  ``frequency_penalty`` and ``presence_penalty``, which the SDK does not declare; ``tool_usage`` and
  ``moderation: null`` (gpt-5.6); the reasoning settings the model ran with
  (``fake_api.reasoning.effective``); ``phase: "final_answer"`` on the assistant messages of gpt-5.3
  and later when the step does not set a phase (the SDK's ``phase`` docstring: "gpt-5.3-codex and
  beyond"; gpt-5.2 bodies have none); the tools echoed as the API ran them (``echo_tool``): web
  search with ``filters`` and the default ``user_location`` (approximate, ``US``, the rest null),
  ``web_search_preview`` with ``search_content_types`` too (Azure's gpt-5.2-chat); an
  ``encrypted_content`` shaped like a live one (a Fernet token of over a thousand characters);
- items: a search action carries ``queries`` beside ``query`` (gpt-5.2); ids are shaped as live
  ids are, ``resp_0`` and 50 hex digits (``fake_api.state``);
- usage: an answer cut by ``max_output_tokens`` used exactly that many output tokens;
- streams: deltas of about one token, each with an ``obfuscation`` field that pads it to 16
  characters (none when the request sets ``stream_options={"include_obfuscation": False}``, and
  none in a background response's stream, as background_stream_resume shows); a
  reasoning item announced by ``response.output_item.added`` with an ``encrypted_content`` that
  differs from the finished one (the SDK's docstring: the added one "may be incomplete");
- a step that scripts a reasoning item for a request that does not reason, or a tool call of a
  reasoning model without a reasoning item before it, is a scripting mistake
  (``fake_api.reasoning.check_step``);
- a ``web_search_call`` announced by ``response.output_item.added`` has no ``action`` yet
  (``announce_search_without_action``).

Two more shapes of real traffic contradict the SDK's types, so they are options of their own:

- ``FakeResponsesServer(cache_write=False)``: usage objects without
  ``input_tokens_details.cache_write_tokens`` (most real answers, every Azure one; the SDK calls it
  required) (``drop_cache_write``);
- ``reply(status="failed", error_event=True)``: before a stream's ``response.failed``, an ``error``
  event whose fields are nested under ``error`` (``{"type": "error", "sequence_number": N,
  "error": {"type", "code", "message", "param"}}``) (``add_error_event``).
"""

from __future__ import annotations

import hashlib
import re
import string
from collections.abc import Mapping
from typing import Any

from . import reasoning
from .state import StoredResponse

# The dated snapshot a body names for each model the course uses. gpt-5.4-mini, gpt-5.5 and the
# deep research models: the dated names in the SDK's model lists (gpt-5.5's Azure version is
# 2026-04-24, OpenAI's list says 2026-04-23); gpt-4o and gpt-4o-mini: real traffic's.
SNAPSHOTS = {
    "gpt-5.4-mini": "gpt-5.4-mini-2026-03-17",
    "gpt-5.5": "gpt-5.5-2026-04-23",
    "gpt-4o": "gpt-4o-2024-08-06",
    "gpt-4o-mini": "gpt-4o-mini-2024-07-18",
    "o3-deep-research": "o3-deep-research-2025-06-26",
    "o4-mini-deep-research": "o4-mini-deep-research-2025-06-26",
}
# The default location a web search tool is echoed with when the request gives none.
DEFAULT_LOCATION = {
    "type": "approximate",
    "city": None,
    "country": "US",
    "region": None,
    "timezone": None,
}
OBFUSCATION_WIDTH = 16
_CHARS = string.ascii_letters + string.digits
_B64 = _CHARS + "-_"
# About one token: a word with its leading space, up to three digits, a run of punctuation, or
# whitespace (so a JSON answer streams as {" / title / ":" / ...).
_TOKEN = re.compile(r" ?[^\W\d_]+| ?\d{1,3}| ?(?:[^\w\s]|_)+|\s+")


def snapshot(model: str) -> str:
    return SNAPSHOTS.get(model, model)


def is_gpt5(model: str) -> bool:
    return model.startswith("gpt-5")


def version(model: str) -> tuple[int, int] | None:
    """(major, minor) of a GPT model name (``gpt-5.4-mini`` -> (5, 4), ``gpt-6-luna`` -> (6, 0)),
    or None for any other name (a deployment, an o-series model)."""
    found = re.match(r"gpt-(\d+)(?:\.(\d+))?(?:-|$)", model)
    return (int(found[1]), int(found[2] or 0)) if found else None


def at_least(model: str, major: int, minor: int) -> bool:
    known = version(model)
    return known is not None and known >= (major, minor)


def echo_tool(tool: dict[str, Any]) -> dict[str, Any]:
    """A tool as a live body echoes it: web search with its filters and location filled in."""
    if tool.get("type") not in ("web_search", "web_search_preview"):
        return tool
    tool = dict(tool)
    given = tool.get("user_location")
    if isinstance(given, Mapping):
        tool["user_location"] = {**dict.fromkeys(DEFAULT_LOCATION), **given}
    else:
        tool["user_location"] = dict(DEFAULT_LOCATION)
    if tool["type"] == "web_search":
        tool.setdefault("filters", None)
    else:
        tool.setdefault("search_content_types", ["text"])
    return tool


def decorate_body(final: dict[str, Any], request: Mapping[str, Any]) -> None:
    """Give a finished response body the fields and values live bodies carry (in place)."""
    model = str(request.get("model", ""))
    final["model"] = snapshot(model)
    if at_least(model, 5, 2) and "top_p" not in request:
        final["top_p"] = 0.98
    final["billing"] = {"payer": "developer"}
    final["moderation"] = None  # in gpt-5.6's body (2026-08), null when nothing was moderated
    final["frequency_penalty"] = 0.0
    final["presence_penalty"] = 0.0
    final["reasoning"] = reasoning.effective(request)
    searches = sum(1 for item in final["output"] if item["type"] == "web_search_call")
    final["tool_usage"] = {
        "image_gen": {
            "input_tokens": 0,
            "input_tokens_details": {"image_tokens": 0, "text_tokens": 0},
            "output_tokens": 0,
            "output_tokens_details": {"image_tokens": 0, "text_tokens": 0},
            "total_tokens": 0,
        },
        "web_search": {"num_requests": searches},
    }
    final["tools"] = [echo_tool(tool) for tool in final["tools"]]
    for item in final["output"]:
        if item["type"] == "message" and at_least(model, 5, 3):
            item.setdefault("phase", "final_answer")
        if item["type"] == "reasoning" and item.get("encrypted_content"):
            item["encrypted_content"] = sealed(item["id"])


def sealed(item_id: str) -> str:
    """An ``encrypted_content`` shaped like a live one: a Fernet token (``gAAAAAB``, then
    url-safe base64 ending in ``=``) of some 1,000 to 1,800 characters."""
    length = 1000 + int(hashlib.sha256(item_id.encode()).hexdigest()[:4], 16) % 800
    return "gAAAAAB" + _noise("sealed", item_id, length=length, chars=_B64) + "="


def cut_usage(usage: dict[str, Any], max_output_tokens: int) -> None:
    """An answer cut by ``max_output_tokens`` used all of them (in place)."""
    spent = usage["output_tokens_details"]["reasoning_tokens"]
    if spent > max_output_tokens:
        raise RuntimeError(
            f"the step spends {spent} reasoning tokens, more than max_output_tokens="
            f"{max_output_tokens}: give reasoning(tokens=...) at most {max_output_tokens}"
        )
    usage["output_tokens"] = max_output_tokens
    usage["total_tokens"] = usage["input_tokens"] + max_output_tokens


def token_pieces(text: str) -> list[str]:
    """``text`` in pieces of about one token each; ``"".join()`` gives ``text`` back."""
    pieces = _TOKEN.findall(text)
    assert "".join(pieces) == text, "the token pattern must cover every character"
    return pieces or [text]


def _noise(*parts: object, length: int, chars: str = _CHARS) -> str:
    digest = hashlib.sha256("/".join(map(str, parts)).encode()).digest()
    while len(digest) < length:
        digest += hashlib.sha256(digest).digest()
    return "".join(chars[b % len(chars)] for b in digest[:length])


def decorate_events(events: list[dict[str, Any]], request: Mapping[str, Any]) -> None:
    """Give a response's events what live streams carry (in place)."""
    options = request.get("stream_options") or {}
    # A background response streams from what the API stored: no obfuscation in real traffic
    # (background_stream_resume), though a foreground stream of the same model has it.
    obfuscate = options.get("include_obfuscation", True) is not False
    obfuscate = obfuscate and not request.get("background")
    for event in events:
        if obfuscate and event["type"].endswith(".delta"):
            width = max(1, OBFUSCATION_WIDTH - len(event["delta"]))
            event["obfuscation"] = _noise(event["item_id"], event["sequence_number"], length=width)
        item = event.get("item")
        if event["type"] == "response.output_item.added" and item["type"] == "reasoning":
            done = next(
                e["item"]
                for e in events
                if e["type"] == "response.output_item.done" and e["item"]["id"] == item["id"]
            )
            if done.get("encrypted_content"):
                full = done["encrypted_content"]
                item["encrypted_content"] = full[:7] + _noise(
                    full, length=len(full) // 3, chars=_B64
                )


def _bodies(stored: StoredResponse) -> list[dict[str, Any]]:
    found = [stored.final]
    found += [e["response"] for e in stored.events if isinstance(e.get("response"), dict)]
    return found


def drop_cache_write(stored: StoredResponse) -> None:
    """Take ``cache_write_tokens`` out of every usage object of a response (in place)."""
    for body in _bodies(stored):
        usage = body.get("usage")
        if isinstance(usage, dict) and isinstance(usage.get("input_tokens_details"), dict):
            usage["input_tokens_details"].pop("cache_write_tokens", None)


def announce_search_without_action(stored: StoredResponse) -> None:
    """A web search is announced before it has run: its added item has no ``action`` (in place)."""
    for event in stored.events:
        item = event.get("item")
        if event["type"] == "response.output_item.added" and item["type"] == "web_search_call":
            item.pop("action", None)


def add_error_event(stored: StoredResponse) -> None:
    """Put the live API's ``error`` event before a failed stream's ``response.failed``."""
    error = stored.final.get("error") or {}
    terminal = stored.events.pop()
    stored.events.append(
        {
            "type": "error",
            "sequence_number": len(stored.events),
            "error": {
                "type": error.get("code"),
                "code": error.get("code"),
                "message": error.get("message"),
                "param": None,
            },
        }
    )
    terminal["sequence_number"] = len(stored.events)
    stored.events.append(terminal)
