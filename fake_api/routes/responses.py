"""``/responses``: create (answered by the script's next step), retrieve (which moves a
background job on by one status), stream resume, cancel, delete and input items."""

from __future__ import annotations

import copy
import json
from typing import Any

from .. import compaction, formats, hosted, live, reasoning
from ..bodies import build_response, page
from ..errors import ApiError, not_found
from ..events import LIFECYCLE_START
from ..routing import Call, Close, Json, Route, Stream
from ..state import State, StoredResponse
from ..steps import TERMINAL, Disconnect, Error, Reply, Step


def create(call: Call) -> Json | Stream | Close:
    body = call.body
    with call.state.lock:
        step, stored = _prepare_create(
            call.state, body, call.server.words_per_delta, call.server.live_shapes
        )
        if stored is not None and call.server.live_shapes:
            live.announce_search_without_action(stored)
        if stored is not None and not call.server.cache_write:
            live.drop_cache_write(stored)
        if stored is not None and step.error_event:
            live.add_error_event(stored)
    if step.delay:
        call.server.pause(step.delay)
    if isinstance(step, Disconnect) or (
        isinstance(step, Reply) and step.cut_after is not None and not body.get("stream")
    ):
        return Close()
    if isinstance(step, Error):
        raise ApiError(
            step.status,
            step.message,
            step.type or "invalid_request_error",
            param=step.param,
            code=step.code,
            headers=step.headers,
        )
    assert isinstance(step, Reply) and stored is not None
    ms = 180 + 7 * (stored.final.get("usage") or {}).get("output_tokens", 0)
    if body.get("stream"):
        with call.state.lock:
            stored.poll = len(stored.statuses) - 1  # the stream ran it to its end
        return Stream(stored.events, step.cut_after, step.headers, ms)
    return Json("response", stored.body(), 200, step.headers, ms)


def _prepare_create(
    state: State, body: dict, words_per_delta: int, live_shapes: bool = False
) -> tuple[Step, StoredResponse | None]:
    if not body.get("model"):
        raise ApiError(
            400,
            "Missing required parameter: 'model'.",
            param="model",
            code="missing_required_parameter",
        )
    history, conv_id = history_of(state, body)
    formats.check_request(body)
    reasoning.check_request(state, body)
    hosted.check_request(state, body)
    compaction.threshold(body)  # a malformed context_management is refused before any step
    _check_background_options(body)
    if not state.steps:
        raise RuntimeError(
            "the script has no step left for this POST /responses (input: "
            f"{json.dumps(body.get('input'), ensure_ascii=False)[:200]}); add a step to it"
        )
    step = state.steps.pop(0)
    if not isinstance(step, Reply):
        return step, None
    if step.background and not body.get("background"):
        raise RuntimeError(
            "the step has background=[...] but the request did not set background=True"
        )
    stored = build_response(state, step, body, history, conv_id, words_per_delta, live_shapes)
    state.add_response(stored, conv_id)
    return step, stored


WINDOWS = ("soonest", "2h", "8h")


def _check_background_options(body: dict) -> None:
    """The SDK's rules for ``background_options``: a ``completion_window`` of soonest, 2h or 8h;
    2h and 8h need ``background: true``, standard processing and no streaming (the wording of
    these 400s is the fake server's own)."""
    options = body.get("background_options")
    if options is None:
        return
    window = options.get("completion_window", "soonest") if isinstance(options, dict) else None
    if window not in WINDOWS:
        raise ApiError(
            400,
            f"Invalid value: '{window}'. Supported values are: 'soonest', '2h', and '8h'.",
            param="background_options.completion_window",
            code="invalid_value",
        )
    if window == "soonest":
        return
    tier = body.get("service_tier")
    if not body.get("background") or body.get("stream") or tier not in (None, "auto", "default"):
        raise ApiError(
            400,
            f"A completion_window of '{window}' requires background: true, standard processing "
            "and stream: false.",
            param="background_options.completion_window",
            code="invalid_value",
        )


def history_of(state: State, body: dict) -> tuple[list[dict[str, Any]], str | None]:
    """(what the model saw before this request's input, the conversation id): the stored chain
    up to ``previous_response_id``, or the conversation's items; the API's errors for a missing
    or unstored previous response, a missing conversation, or both named at once."""
    prev_id = body.get("previous_response_id")
    conv = body.get("conversation")
    if prev_id and conv:
        raise ApiError(
            400,
            "Mutually exclusive parameters. Ensure you are only providing one of: "
            "'previous_response_id' or 'conversation'.",
            param="conversation",
            code="mutually_exclusive_parameters",
        )
    if prev_id:
        prev = state.responses.get(prev_id)
        if prev is None or prev.deleted or not prev.store:
            raise ApiError(
                400,
                f"Previous response with id '{prev_id}' not found.",
                param="previous_response_id",
                code="previous_response_not_found",
            )
        return prev.history + prev.input_items + prev.final["output"], None
    if conv:
        conv_id = conv if isinstance(conv, str) else conv.get("id")
        record = state.conversations.get(conv_id)
        if record is None:
            raise not_found("Conversation", str(conv_id), param="conversation")
        return list(record["items"]), conv_id
    return [], None


def retrieve(call: Call) -> Json | Stream:
    """``GET /responses/{id}``; with ``?stream=true``, its events again (after
    ``starting_after``)."""
    resp_id = call.params["response_id"]
    if call.query.get("stream") == "true":
        return _stream_existing(call.state, resp_id, call.query)
    with call.state.lock:
        stored = call.state.response(resp_id)
        if not stored.cancelled and stored.poll < len(stored.statuses) - 1:
            stored.poll += 1  # the create answered statuses[0]; each retrieve the next
        return Json("response", stored.body())


def _stream_existing(state: State, resp_id: str, query: dict) -> Stream:
    with state.lock:
        stored = state.response(resp_id)
        events = stored.events
        if stored.cancelled:  # it never got further than its start
            events = [e for e in events if e["type"] in LIFECYCLE_START]
    try:
        after = int(query.get("starting_after", -1))
    except ValueError:
        raise ApiError(400, "Invalid 'starting_after': expected an integer.") from None
    return Stream([e for e in events if e["sequence_number"] > after], None, {}, 40)


def cancel(call: Call) -> Json:
    with call.state.lock:
        stored = call.state.response(call.params["response_id"])
        if not stored.background:
            raise ApiError(400, "Cannot cancel a synchronous response.")
        if stored.status_now() not in TERMINAL:
            stored.cancelled = True
        return Json("response", stored.body())


def delete(call: Call) -> Json:
    resp_id = call.params["response_id"]
    with call.state.lock:
        call.state.response(resp_id).deleted = True
    return Json("response.deleted", {"id": resp_id, "object": "response.deleted", "deleted": True})


def input_items(call: Call) -> Json:
    with call.state.lock:
        stored = call.state.response(call.params["response_id"])
        items = copy.deepcopy(stored.history + stored.input_items)
    return Json("response.input_items", page(items, call.query))


ROUTES = [
    Route("POST", "/responses", create),
    Route("GET", "/responses/{response_id}", retrieve),
    Route("DELETE", "/responses/{response_id}", delete),
    Route("POST", "/responses/{response_id}/cancel", cancel),
    Route("GET", "/responses/{response_id}/input_items", input_items),
]
