"""Exercises of 01_basics."""

from __future__ import annotations

from . import call, exercise


@exercise(
    "01.1",
    "the text of a response without output_text",
    answer="text_of",
    solution="""
def text_of(response):
    parts = []
    for item in response.output:
        if item.type == "message":
            for part in item.content:
                if part.type == "output_text":
                    parts.append(part.text)
    return "".join(parts)
""",
)
def _text_of(text_of, *responses):
    for response in responses:
        got = call(text_of, "text_of(response) that returns a string", response)
        kinds = [item.type for item in response.output]
        if got != response.output_text:
            return (
                f"for a response whose output items are {kinds}, your function returned "
                f"{got[:40]!r}... Look only at items of type 'message', and inside them at parts "
                "of type 'output_text'."
            )
    return None


@exercise(
    "01.2",
    "rebuild the streamed text from its events",
    answer="streamed_text",
    solution="""
streamed_text = "".join(
    event.delta for event in events if event.type == "response.output_text.delta"
)
""",
)
def _streamed_text(streamed_text, events):
    final = next(e.response for e in events if e.type == "response.completed")
    if not isinstance(streamed_text, str):
        return f"the answer should be a string, not {type(streamed_text).__name__}."
    if streamed_text != final.output_text:
        return (
            "join the `delta` of every event whose type is 'response.output_text.delta', in the "
            "order they arrived."
        )
    return None


@exercise(
    "01.3",
    "live challenge: the cost of a persona",
    answer="extra_tokens",
    live=True,
    solution="""
plain = client.responses.create(model=MODEL, input="Explain what a token is.")
pirate = client.responses.create(
    model=MODEL,
    instructions="Answer like a pirate.",
    input="Explain what a token is.",
)
extra_tokens = pirate.usage.input_tokens - plain.usage.input_tokens
""",
)
def _extra_tokens(extra_tokens):
    if not isinstance(extra_tokens, int):
        return "subtract one usage.input_tokens from the other: the answer is a whole number."
    if extra_tokens <= 0:
        return "the request with instructions should use more input tokens, not fewer."
    return None
