"""Managing the context of a long conversation: ``POST /responses/input_tokens`` counts what a
request would read before it is sent (``client.responses.input_tokens.count``), and ``POST
/responses/compact`` compacts a window (``client.responses.compact``; fake_api.compaction).

Both read the window as a create would: the ``previous_response_id`` chain or the conversation,
then ``input``. Neither takes a step of the script, and neither stores a response. The count is
the ``usage.input_tokens`` that a create of the same body reports (the live count's agreement with
usage is not verified here).
"""

from __future__ import annotations

from typing import Any

from .. import compaction
from ..bodies import input_to_items, input_tokens_of, items_tokens
from ..errors import ApiError
from ..routing import Call, Json, Route
from .responses import history_of


def _window(call: Call) -> list[dict[str, Any]]:
    state, body = call.state, call.body
    history, _ = history_of(state, body)
    created_at = state.tick(0)
    return compaction.latest_window(history) + input_to_items(state, body.get("input"), created_at)


def count(call: Call) -> Json:
    with call.state.lock:
        window = _window(call)
        tokens = input_tokens_of(call.body, window)
    return Json(
        "response.input_tokens", {"object": "response.input_tokens", "input_tokens": tokens}
    )


def compact(call: Call) -> Json:
    body = call.body
    if not body.get("model"):
        raise ApiError(
            400,
            "Missing required parameter: 'model'.",
            param="model",
            code="missing_required_parameter",
        )
    if body.get("input") is None and not body.get("previous_response_id"):
        raise ApiError(
            400,
            "Missing required parameter: provide 'input' or 'previous_response_id'.",
            param="input",
            code="missing_required_parameter",
        )
    state = call.state
    with state.lock:
        window = _window(call)
        created_at = state.tick(0)
        state.new_response_ids()  # live ids: the compaction and its item share a prefix
        resp_id = state.new_id("resp", created_at)
        output, replaced = compaction.compact_window(state, window, created_at, items_tokens)
        input_tokens = input_tokens_of(body, window)
        output_tokens = compaction.read_tokens(output[-1])
        state.tick(1 + output_tokens // 60)
    usage = {
        "input_tokens": input_tokens,
        "input_tokens_details": {"cache_write_tokens": 0, "cached_tokens": 0},
        "output_tokens": output_tokens,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": input_tokens + output_tokens,
    }
    if not call.server.cache_write:
        del usage["input_tokens_details"]["cache_write_tokens"]
    result = {
        "id": resp_id,
        "object": "response.compaction",
        "created_at": created_at,
        "output": output,
        "usage": usage,
    }
    return Json("response.compaction", result, processing_ms=220 + 7 * output_tokens)


ROUTES = [
    Route("POST", "/responses/input_tokens", count),
    Route("POST", "/responses/compact", compact),
]
