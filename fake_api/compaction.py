"""Compaction: a long context replaced by the user's messages and one opaque ``compaction`` item.

Two ways in, as the API documents them (the conversation-state and compaction guides; the SDK's
``responses.compact`` and the ``context_management`` parameter of ``responses.create``):

- ``POST /responses/compact`` (``compact_window``): the window (a ``previous_response_id`` chain
  and/or ``input``) comes back as a ``response.compaction`` object whose ``output`` is every user
  message of the window, then one compaction item (the SDK's docstring of
  ``CompactedResponse.output``). A client sends that output as the input of its next request.
- ``context_management=[{"type": "compaction", "compact_threshold": N}]`` on a create
  (``on_create``): when what the model would read passes ``N`` tokens, the server compacts first;
  the response's output starts with the compaction item, and the model reads the compacted window.

What the live API does not show, and the fake server decides (unverified, said so where taught):
a compaction item stands for a quarter of the tokens it replaces (at least 32), and its
``encrypted_content`` is as long as that cost times ``CHARS_PER_TOKEN``, so reading it back costs
the same without the server having to remember it; the compacted response's id is a ``resp_``
id and the item's a ``cmp_`` id; compacting on create reports the compacted window as the
request's input tokens. Items before the most recent compaction item of a stored chain are not
read again (the guide: the latest compaction item carries the context; do not prune a
``previous_response_id`` chain yourself, the server does).
"""

from __future__ import annotations

import copy
import hashlib
import string
from collections.abc import Mapping, Sequence
from typing import Any

from .errors import ApiError
from .state import State

CHARS_PER_TOKEN = 16
MIN_TOKENS = 32
_CHARS = string.ascii_letters + string.digits + "-_"


def read_tokens(item: Mapping[str, Any]) -> int:
    """The tokens a model reads for a compaction item sent back as input (0 for other items)."""
    if item.get("type") != "compaction":
        return 0
    return len(str(item.get("encrypted_content") or "")) // CHARS_PER_TOKEN


def latest_window(history: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """What the model reads of a stored chain: from its most recent compaction item on."""
    starts = [i for i, item in enumerate(history) if item.get("type") == "compaction"]
    return [dict(item) for item in history[starts[-1] :]] if starts else [dict(i) for i in history]


def _sealed(state: State, item_id: str, tokens: int) -> str:
    """An opaque, deterministic ``encrypted_content`` of ``tokens * CHARS_PER_TOKEN`` characters."""
    length = tokens * CHARS_PER_TOKEN
    digest = hashlib.sha256(f"{state.seed}/{item_id}".encode()).digest()
    out = []
    while len(out) < length:
        digest = hashlib.sha256(digest).digest()
        out.extend(_CHARS[b % len(_CHARS)] for b in digest)
    return "gAAAAAB" + "".join(out)[: length - 7]


def _is_user_message(item: Mapping[str, Any]) -> bool:
    return item.get("type", "message") == "message" and item.get("role", "user") == "user"


def compaction_item(state: State, replaced_tokens: int, created_at: int) -> dict[str, Any]:
    """A new compaction item standing for ``replaced_tokens`` tokens of context."""
    tokens = max(MIN_TOKENS, replaced_tokens // 4)
    item_id = state.new_id("cmp", created_at)
    return {
        "id": item_id,
        "type": "compaction",
        "encrypted_content": _sealed(state, item_id, tokens),
    }


def compact_window(
    state: State,
    window: Sequence[Mapping[str, Any]],
    created_at: int,
    count: Any,
) -> tuple[list[dict[str, Any]], int]:
    """(the compacted window: its user messages, then one compaction item; the tokens of what
    the item replaces). ``count(items)`` is the server's token count of a list of items."""
    users = [copy.deepcopy(dict(item)) for item in window if _is_user_message(item)]
    for item in users:
        item.setdefault("status", "completed")
    rest = [item for item in window if not _is_user_message(item)]
    replaced = count(rest)
    return [*users, compaction_item(state, replaced, created_at)], replaced


def threshold(body: Mapping[str, Any]) -> int | None:
    """The ``compact_threshold`` a create asks for, or None; the API's 400s for a malformed one."""
    entries = body.get("context_management")
    if entries is None:
        return None
    if not isinstance(entries, list):
        raise ApiError(
            400,
            "Invalid type for 'context_management': expected an array, but got an object instead.",
            param="context_management",
            code="invalid_type",
        )
    found = None
    for n, entry in enumerate(entries):
        kind = entry.get("type") if isinstance(entry, Mapping) else None
        if kind != "compaction":
            raise ApiError(
                400,
                f"Invalid value: '{kind}'. Supported values are: 'compaction'.",
                param=f"context_management[{n}].type",
                code="invalid_value",
            )
        value = entry.get("compact_threshold")
        if value is not None and (not isinstance(value, int) or value < 1):
            raise ApiError(
                400,
                f"Invalid 'context_management[{n}].compact_threshold': expected a positive "
                "integer.",
                param=f"context_management[{n}].compact_threshold",
                code="invalid_value",
            )
        found = value
    return found
