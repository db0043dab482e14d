"""Exercises of 06_tool_calling."""

from __future__ import annotations

import json

from . import call, exercise


def _calls(response):
    return [item for item in response.output if item.type == "function_call"]


@exercise(
    "06.1",
    "the function calls of a response",
    answer="calls_in",
    solution="""
def calls_in(response):
    return [
        (item.name, json.loads(item.arguments))
        for item in response.output
        if item.type == "function_call"
    ]
""",
)
def _calls_in(calls_in, *responses):
    for response in responses:
        got = call(calls_in, "calls_in(response) that returns a list", response)
        expected = [(c.name, json.loads(c.arguments)) for c in _calls(response)]
        kinds = [item.type for item in response.output]
        if not isinstance(got, list):
            return f"return a list, not {type(got).__name__}."
        if len(got) != len(expected):
            return (
                f"a response whose output items are {kinds} holds {len(expected)} function "
                f"call(s), and your function returned {len(got)}. Keep only items of type "
                "'function_call'."
            )
        for pair, want in zip(got, expected, strict=True):
            if not isinstance(pair, tuple) or len(pair) != 2:
                return "each entry should be a (name, arguments) pair."
            if isinstance(pair[1], str):
                return "arguments is a JSON string: decode it with json.loads."
            if tuple(pair) != want:
                return f"expected {want!r}, got {pair!r}: keep the order of response.output."
    return None


@exercise(
    "06.2",
    "the function_call_output items for parallel calls",
    answer="outputs",
    solution="""
outputs = []
for item in parallel.output:
    if item.type == "function_call":
        result = qwerty_rows(**json.loads(item.arguments))
        outputs.append(
            {"type": "function_call_output", "call_id": item.call_id, "output": json.dumps(result)}
        )
""",
)
def _outputs(outputs, response, function):
    calls = _calls(response)
    if not isinstance(outputs, list):
        return f"the answer should be a list of dicts, one per call, not {type(outputs).__name__}."
    if len(outputs) != len(calls):
        return f"there are {len(calls)} calls, so there should be {len(calls)} outputs."
    by_id = {}
    for output in outputs:
        if not isinstance(output, dict):
            return "each output is a dict with the keys type, call_id and output."
        if output.get("type") != "function_call_output":
            return "each item's type is 'function_call_output'."
        by_id[output.get("call_id")] = output
    missing = [c.call_id for c in calls if c.call_id not in by_id]
    if missing:
        return f"no output answers {missing[0]}: copy each call's call_id."
    for fc in calls:
        sent = by_id[fc.call_id].get("output")
        if not isinstance(sent, str):
            return "output must be a string: json.dumps the dict the function returns."
        try:
            value = json.loads(sent)
        except ValueError:
            return f"the output for {fc.call_id} is not JSON: use json.dumps."
        if value != function(**json.loads(fc.arguments)):
            return f"the output for {fc.call_id} is not what the function returns for its word."
    return None


@exercise(
    "06.3",
    "live challenge: one call per turn",
    answer="turns",
    live=True,
    solution="""
one_at_a_time = run_tools(
    client,
    model=MODEL,
    input=(
        "Which of these words can be typed with the top letter row of a QWERTY keyboard alone: "
        "typewriter, proprietor, keyboard?"
    ),
    tools=TOOLS,
    functions=FUNCTIONS,
    parallel_tool_calls=False,
)
turns = 4  # count the "turn N" lines it printed: one call per turn, then the answer
""",
)
def _turns(turns):
    if not isinstance(turns, int):
        return "count the 'turn N' lines run_tools printed: the answer is a whole number."
    if turns < 2:
        return (
            "with parallel_tool_calls=False each response holds at most one call, and the "
            "answer comes in a response of its own: that is at least two turns."
        )
    return None
