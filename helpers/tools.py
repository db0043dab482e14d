"""The function-call loop, reusable: ``run_tools(client, model=..., input=..., tools=...,
functions=...)`` asks the model, runs the functions it calls, sends their results back with
``previous_response_id``, and repeats until the model answers without calling a function.

Defined in 06_tool_calling.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from .errors import TutorialError

__all__ = ["run_tools", "run_call", "ToolLoopError"]


class ToolLoopError(TutorialError):
    """The model still asked for functions after ``max_turns`` responses. ``response`` is the last
    one, whose function calls were not run."""

    def __init__(self, message: str, response: Any):
        super().__init__(message)
        self.response = response


def _short(text: str, limit: int = 72) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _error(message: str) -> str:
    return json.dumps({"error": message}, ensure_ascii=False)


def run_call(call: Any, functions: Mapping[str, Callable[..., Any]]) -> str:
    """Run one ``function_call`` item and return the ``output`` string to send back.

    Whatever goes wrong is returned to the model as ``{"error": "..."}`` so it can recover: a
    function name it made up, arguments that are not a JSON object, or a function that raises.
    A result that is not a string is sent as JSON.
    """
    function = functions.get(call.name)
    if function is None:
        known = ", ".join(sorted(functions)) or "none"
        return _error(f"There is no function named {call.name!r}. Available: {known}.")
    try:
        arguments = json.loads(call.arguments or "{}")
    except json.JSONDecodeError as err:
        return _error(
            f"The arguments are not valid JSON ({err.msg} at character {err.pos}). "
            f"Call {call.name} again with a JSON object."
        )
    if not isinstance(arguments, dict):
        return _error(f"The arguments must be a JSON object, not {type(arguments).__name__}.")
    try:
        result = function(**arguments)
    except Exception as err:  # the model gets the error and may try again
        return _error(f"{call.name} raised {type(err).__name__}: {err}")
    return result if isinstance(result, str) else json.dumps(result, ensure_ascii=False)


def run_tools(
    client: Any,
    *,
    model: str,
    input: Any,  # noqa: A002 - the API's own name
    tools: list[dict[str, Any]],
    functions: Mapping[str, Callable[..., Any]],
    max_turns: int = 6,
    **options: Any,
) -> Any:
    """Run the function-call loop and return the model's final Response.

    Each turn is one ``responses.create``; every ``function_call`` in it is run through
    ``run_call`` and answered with a ``function_call_output`` carrying its ``call_id``, sent with
    ``previous_response_id`` so the model sees its own calls. Every step prints one line.
    ``options`` (``instructions``, ``reasoning``, ``parallel_tool_calls``, ...) are sent on every
    turn: ``instructions`` in particular are not carried over by ``previous_response_id``.
    Raises ToolLoopError when the model still calls functions in its ``max_turns``-th response.
    """
    if max_turns < 1:
        raise ValueError(f"max_turns must be at least 1, not {max_turns}.")
    if options.get("stream"):
        raise ValueError("run_tools reads whole responses: leave out stream=True.")
    if options.get("store") is False:
        raise ValueError(
            "run_tools chains turns with previous_response_id, which needs stored responses: "
            "leave out store=False."
        )
    response = client.responses.create(model=model, input=input, tools=tools, **options)
    for turn in range(1, max_turns + 1):
        calls = [item for item in response.output if item.type == "function_call"]
        if not calls:
            ended = "" if response.status == "completed" else f" ({response.status})"
            print(
                f"turn {turn} · {response.id} · answer{ended}, "
                f"{len(response.output_text):,} characters"
            )
            return response
        print(f"turn {turn} · {response.id} · {len(calls)} function call(s)")
        if turn == max_turns:
            asked = ", ".join(f"{c.name}({_short(c.arguments, 40)})" for c in calls)
            raise ToolLoopError(
                f"The model still called functions in response {turn} of max_turns={max_turns} "
                f"({asked}), so the loop stopped without running them. If each turn asks for the "
                "same thing, check that your functions' outputs answer it; if the task needs "
                "more steps, raise max_turns. The last response is on this error's .response.",
                response,
            )
        outputs = []
        for call in calls:
            print(f"  {call.name}({_short(call.arguments, 56)}) · {call.call_id}")
            output = run_call(call, functions)
            print(f"    → {_short(output, 100)}")
            outputs.append(
                {"type": "function_call_output", "call_id": call.call_id, "output": output}
            )
        kwargs = {**options, "previous_response_id": response.id}
        response = client.responses.create(model=model, input=outputs, tools=tools, **kwargs)
    raise AssertionError("unreachable: the last turn returns or raises")
