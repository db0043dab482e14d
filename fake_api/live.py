"""The shapes the live API sends today (late 2026), which the server writes when it is started with
``FakeResponsesServer(live_shapes=True)`` (a scenario asks for it with ``SERVER = {"live_shapes":
True}``). Without it the server writes the shapes the course's first recordings were made with.

What changes, each seen in ../shared/real-traffic (the newest cases) unless said otherwise:

- bodies: the model's dated snapshot (``gpt-5.4-mini-2026-03-17``); ``top_p`` 0.98 for gpt-5
  models (gpt-5.2 and gpt-5.6 bodies); ``billing``, ``frequency_penalty`` and ``presence_penalty``,
  which the SDK does not declare; ``tool_usage``; the reasoning settings the model ran with
  (``fake_api.reasoning.effective``); ``phase: "final_answer"`` on the assistant messages of gpt-5
  models when the step does not set a phase (the SDK's ``phase`` docstring); an
  ``encrypted_content`` shaped like a live one (a Fernet token of over a thousand characters);
- usage: an answer cut by ``max_output_tokens`` used exactly that many output tokens;
- streams: deltas of about one token, each with an ``obfuscation`` field that pads it to 16
  characters (none when the request sets ``stream_options={"include_obfuscation": False}``); a
  reasoning item announced by ``response.output_item.added`` with an ``encrypted_content`` that
  differs from the finished one (the SDK's docstring: the added one "may be incomplete").
- a step that scripts a reasoning item for a request that does not reason is a scripting mistake
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

SNAPSHOTS = {"gpt-5.4-mini": "gpt-5.4-mini-2026-03-17"}
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


def decorate_body(final: dict[str, Any], request: Mapping[str, Any]) -> None:
    """Give a finished response body the fields and values live bodies carry (in place)."""
    model = str(request.get("model", ""))
    final["model"] = snapshot(model)
    if is_gpt5(model) and "top_p" not in request:
        final["top_p"] = 0.98
    final["billing"] = {"payer": "developer"}
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
    for item in final["output"]:
        if item["type"] == "message" and is_gpt5(model):
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
    obfuscate = options.get("include_obfuscation", True) is not False
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
