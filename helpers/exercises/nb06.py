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
def _turns(turns, final=None, client=None):
    """Checked against the chain itself: the final response's ``previous_response_id`` is followed
    back with ``retrieve``, so the expected number is the number of responses the loop made."""
    if not isinstance(turns, int) or isinstance(turns, bool):
        return "count the 'turn N' lines run_tools printed: the answer is a whole number."
    if not isinstance(getattr(final, "id", None), str) or client is None:
        return (
            "pass the response run_tools returned, and the client: "
            'check("06.3", turns, one_at_a_time, client).'
        )
    chain = []
    response_id = final.id
    try:
        while response_id is not None and len(chain) < 50:
            response = client.responses.retrieve(response_id)
            chain.append(response)
            response_id = response.previous_response_id
    except Exception as err:  # noqa: BLE001 - any failure to fetch them is the hint
        return (
            f"the checker could not retrieve the turns ({type(err).__name__}): run_tools stores "
            "every turn, so pass the response it returned and the client you used."
        )
    chain.reverse()
    calls = [len(_calls(r)) for r in chain]
    if calls[-1]:
        return "the response you passed still calls functions: pass the one run_tools returned."
    if any(r.parallel_tool_calls for r in chain) or any(n > 1 for n in calls):
        return (
            "some turns ran with parallel tool calls: pass parallel_tool_calls=False to "
            "run_tools, which sends it on every turn."
        )
    if turns != len(chain):
        return (
            "count the 'turn N' lines run_tools printed: each is one response of the chain, "
            "from the first call to the answer."
        )
    return None
