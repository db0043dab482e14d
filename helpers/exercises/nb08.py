"""Exercises of 08_reasoning."""

from __future__ import annotations

from typing import Any

from . import Hint, call, exercise


@exercise(
    "08.1",
    "the reasoning summary of a response",
    answer="summary_of",
    solution="""
def summary_of(response):
    parts = []
    for item in response.output:
        if item.type == "reasoning":
            for part in item.summary:
                parts.append(part.text)
    return "\\n\\n".join(parts)
""",
)
def _summary_of(summary_of, *responses):
    if not callable(summary_of):
        raise Hint("define a function summary_of(response) that returns a string.")
    for response in responses:
        expected = "\n\n".join(
            part.text
            for item in response.output
            if item.type == "reasoning"
            for part in item.summary
        )
        got = summary_of(response)
        if got is None:
            if expected:
                raise Hint("your function returns None: finish it with a return statement.")
            return "for a response without a summary, return the empty string, not None."
        if not isinstance(got, str):
            return f"return a string, not {type(got).__name__}."
        kinds = [item.type for item in response.output]
        if got != expected:
            count = sum(len(item.summary) for item in response.output if item.type == "reasoning")
            if not expected:
                return f"a response whose output items are {kinds} has no summary: return ''."
            return (
                f"for a response with {count} summary part(s), join the text of every part of "
                "every item of type 'reasoning' with a blank line ('\\n\\n')."
            )
    return None


def _plain(item: Any) -> dict:
    """An input item as the JSON the SDK sends: SDK objects dumped, dicts as they are."""
    if hasattr(item, "model_dump"):
        return item.model_dump(mode="json", exclude_none=True)
    return dict(item)


def _kind(item: dict) -> str:
    return item.get("type", "message")


@exercise(
    "08.2",
    "the next input of a stateless turn",
    answer="next_input",
    solution="""
def next_input(history, response, results):
    outputs = [
        {"type": "function_call_output", "call_id": item.call_id, "output": results[item.call_id]}
        for item in response.output
        if item.type == "function_call"
    ]
    return [*history, *response.output, *outputs]
""",
)
def _next_input(next_input, history, response, results):
    given = list(history)
    got = call(
        next_input,
        "next_input(history, response, results) that returns a list",
        given,
        response,
        results,
    )
    if not isinstance(got, list):
        return f"return a list of input items, not {type(got).__name__}."
    if given != list(history):
        return "your function changed the history it was given: build a new list."
    items = [_plain(item) for item in got]
    sent = [_plain(item) for item in history]
    if items[: len(sent)] != sent:
        return "start with the history, unchanged: the model needs the question again."
    rest = items[len(sent) :]
    output = [_plain(item) for item in response.output]
    if len(rest) < len(output):
        return (
            f"after the history come all {len(output)} items of response.output "
            f"({[_kind(i) for i in output]}), as they arrived; you gave {len(rest)} more item(s)."
        )
    for want, have in zip(output, rest[: len(output)], strict=True):
        if _kind(have) != _kind(want) or have.get("id") != want.get("id"):
            return (
                "after the history come the items of response.output in their order, "
                f"{[_kind(i) for i in output]}, each as it arrived."
            )
        if _kind(want) == "reasoning" and have.get("encrypted_content") != want.get(
            "encrypted_content"
        ):
            return (
                "a reasoning item must keep its encrypted_content: with store=False it is all the "
                "API has to read the reasoning from."
            )
        if _kind(want) == "message" and have.get("phase") != want.get("phase"):
            return "keep each assistant message's phase as it arrived (commentary, final_answer)."
    calls = [item for item in output if item.get("type") == "function_call"]
    outputs = rest[len(output) :]
    if len(outputs) != len(calls):
        return f"end with one function_call_output per function call: {len(calls)} here."
    for fc, out in zip(calls, outputs, strict=True):
        if out.get("type") != "function_call_output" or out.get("call_id") != fc["call_id"]:
            return (
                "each result is {'type': 'function_call_output', 'call_id': ..., 'output': ...}, "
                "in the order of the calls, with the call's call_id."
            )
        if out.get("output") != results[fc["call_id"]]:
            return "use the output in results for the call's call_id, as the string it is."
    return None


@exercise(
    "08.3",
    "live challenge: one task at low and high effort",
    answer="runs",
    live=True,
    solution="""
TASK = (
    "A train leaves at 9:40 and arrives at 13:05, with a 25-minute stop halfway. How long is it "
    "moving? Answer in one sentence."
)
low_run = client.responses.create(model=MODEL, input=TASK, reasoning={"effort": "low"})
high_run = client.responses.create(model=MODEL, input=TASK, reasoning={"effort": "high"})
for run in (low_run, high_run):
    print(
        run.reasoning.effort,
        run.usage.output_tokens_details.reasoning_tokens,
        run.completed_at - run.created_at,
        run.output_text,
    )
runs = (low_run, high_run)
""",
)
def _runs(low_run, high_run=None):
    if high_run is None and isinstance(low_run, (tuple, list)) and len(low_run) == 2:
        low_run, high_run = low_run
    for run, effort in ((low_run, "low"), (high_run, "high")):
        if not hasattr(run, "reasoning") or not hasattr(run, "usage"):
            raise Hint("pass the two responses: check('08.3', low_run, high_run).")
        if run.status != "completed":
            return f"the {effort} run is {run.status!r}: leave more max_output_tokens."
        asked = getattr(run.reasoning, "effort", None)
        if asked != effort:
            return f"the response passed as the {effort} run was made with effort {asked!r}."
    if low_run.output_text.strip() == "" or high_run.output_text.strip() == "":
        return "one of the runs has no answer text: ask for an answer in words."
    return None
