"""``POST /api/v1/chat``: one message in, the model's answer out; the relay runs the tool loop."""

from __future__ import annotations

from fastapi import APIRouter, Request

from ..chat import chat as run_chat
from ..models import ChatAnswer, ChatRequest

router = APIRouter(prefix="/api/v1", tags=["chat"])


@router.post("/chat", response_model=ChatAnswer, responses={413: {}, 422: {}, 502: {}, 503: {}})
def chat(request: Request, body: ChatRequest) -> ChatAnswer:
    """Ask the model; when it calls ``deep_research``, the relay runs the research (a background
    invocation it waits for), sends the report back with ``previous_response_id``, and so on for
    every call of every turn, up to RELAY_MAX_TURNS responses."""
    relay = request.app.state.relay
    with relay.runner.slot():
        return run_chat(relay.runner, body)
