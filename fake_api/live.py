"""Shapes the live API sends where the SDK's types say otherwise (all seen in
../shared/real-traffic), for tests and recordings that must meet them:

- ``apply_live_shapes``, for a server started with ``live_shapes=True``: usage objects without
  ``input_tokens_details.cache_write_tokens`` (most real answers, every Azure one), and a
  ``web_search_call`` announced by ``response.output_item.added`` without its ``action``.
- ``add_error_event``, for ``reply(status="failed", error_event=True)``: before a stream's
  ``response.failed``, an ``error`` event whose fields are nested under ``error``
  (``{"type": "error", "sequence_number": N, "error": {"type", "code", "message", "param"}}``).
"""

from __future__ import annotations

from typing import Any

from .state import StoredResponse


def _bodies(stored: StoredResponse) -> list[dict[str, Any]]:
    found = [stored.final]
    found += [e["response"] for e in stored.events if isinstance(e.get("response"), dict)]
    return found


def apply_live_shapes(stored: StoredResponse) -> None:
    """Rewrite a response's body and events, in place, into the live API's shapes (above)."""
    for body in _bodies(stored):
        usage = body.get("usage")
        if isinstance(usage, dict) and isinstance(usage.get("input_tokens_details"), dict):
            usage["input_tokens_details"].pop("cache_write_tokens", None)
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
