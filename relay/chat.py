"""``POST /api/v1/chat``: the function-call loop, run by the relay.

The model gets the user's message and a ``deep_research`` function tool. Every ``function_call`` in
every turn is run (``helpers.tools.run_call``: an unknown function, arguments that are not JSON, or
a research job that fails become an ``{"error": ...}`` output the model can read and recover from),
the outputs go back with ``previous_response_id``, and the loop stops when the model answers, or
after ``max_turns`` responses. A research call is a background invocation of this relay, stored
like any other, so the chat answer can name it (``invocation_id``, ``upstream_response_id``).
"""

from __future__ import annotations

import json
import time
from typing import Any

from helpers.tools import run_call

from .models import TERMINAL, ChatAnswer, ChatRequest, ResearchArguments, ToolCall
from .runner import RelayError, Runner
from .store import Invocation

INSTRUCTIONS = (
    "You are a helpful assistant. When a question needs current facts, sources or a careful "
    "look at evidence, call deep_research with a complete, self-contained research question, "
    "then answer from its report and cite its sources. Answer simple questions directly."
)

DEEP_RESEARCH_TOOL = {
    "type": "function",
    "name": "deep_research",
    "description": (
        "Research a question on the web in depth and return a report with sources. It takes "
        "minutes: use it only when the answer needs sources or details you do not have."
    ),
    "parameters": {
        "type": "object",
        "properties": {
            "research_question": {
                "type": "string",
                "description": "The research question, complete and self-contained.",
            }
        },
        "required": ["research_question"],
        "additionalProperties": False,
    },
    "strict": True,
}


def _input(request: ChatRequest) -> Any:
    if not request.context:
        return request.message
    context = "\n".join(f"- {c}" for c in request.context)
    return f"{request.message}\n\nContext:\n{context}"


def chat(runner: Runner, request: ChatRequest) -> ChatAnswer:
    client = runner.upstream.client
    model = runner.upstream.model("default")
    options: dict[str, Any] = {"instructions": request.system_prompt or INSTRUCTIONS}
    tools = [DEEP_RESEARCH_TOOL] if request.auto_tool_call else []
    if tools:
        options["tools"] = tools
    calls: list[ToolCall] = []
    summary: str | None = None

    def deep_research(research_question: str) -> str:
        nonlocal summary
        args = ResearchArguments(
            research_question=research_question,
            deliverable_format=request.deliverable_format,
            background=True,
        )
        created = runner.create(args, None)
        inv = wait_terminal(runner, created.view.invocation_id)
        record = calls[-1]
        record.invocation_id = inv.id
        record.invocation_token = created.view.invocation_token
        record.upstream_response_id = inv.upstream_response_id
        record.status = inv.status  # type: ignore[assignment]
        if inv.status != "completed":
            raise RuntimeError(inv.error_message or f"the research ended {inv.status}")
        summary = inv.output_text
        return json.dumps({"report": inv.output_text}, ensure_ascii=False)

    functions = {"deep_research": deep_research}
    response = runner._call(client.responses.create, model=model, input=_input(request), **options)
    for turn in range(1, runner.settings.max_turns + 1):
        pending = [item for item in response.output if item.type == "function_call"]
        if not pending:
            tool_names = sorted({c.name for c in calls})
            return ChatAnswer(
                content=response.output_text,
                tool_called=bool(calls),
                tool_name=tool_names[0] if len(tool_names) == 1 else None,
                research_summary=summary,
                response_id=response.id,
                turns=turn,
                tool_calls=calls,
            )
        if turn == runner.settings.max_turns:
            break
        outputs = []
        for item in pending:
            calls.append(
                ToolCall(call_id=item.call_id, name=item.name, arguments=item.arguments, output="")
            )
            try:
                output = run_call(item, functions)
            except RelayError as err:  # the research could not even start
                output = json.dumps({"error": err.message}, ensure_ascii=False)
            calls[-1].output = output
            outputs.append(
                {"type": "function_call_output", "call_id": item.call_id, "output": output}
            )
        response = runner._call(
            client.responses.create,
            model=model,
            input=outputs,
            previous_response_id=response.id,
            **options,
        )
    asked = ", ".join(item.name for item in response.output if item.type == "function_call")
    raise RelayError(
        502,
        f"The model still called functions ({asked}) in response {runner.settings.max_turns} of "
        f"at most {runner.settings.max_turns} (RELAY_MAX_TURNS), so the relay stopped the loop "
        f"without running them. The last response was {response.id}.",
    )


def wait_terminal(runner: Runner, inv_id: str, timeout: float | None = None) -> Invocation:
    """Block this thread until an invocation of this relay ends."""
    limit = timeout if timeout is not None else runner.settings.upstream_timeout * 3
    seen = runner.bus.version(inv_id)
    deadline = time.monotonic() + limit
    while True:
        inv = runner.store.get(inv_id)
        if inv is None:
            raise RelayError(500, f"The research invocation {inv_id} disappeared.")
        if inv.status in TERMINAL:
            return inv
        left = deadline - time.monotonic()
        if left <= 0:
            raise RelayError(504, f"The research invocation {inv_id} did not end in {limit:g} s.")
        seen = runner.bus.wait_thread(inv_id, seen, min(left, 1.0))
