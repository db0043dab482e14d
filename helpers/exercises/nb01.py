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
def _extra_tokens(extra_tokens, plain=None, pirate=None, client=None):
    """Checked against what the API says: both responses are retrieved by id, so the usage is the
    one the server billed, and the two requests must differ only by their instructions."""
    if not isinstance(extra_tokens, int) or isinstance(extra_tokens, bool):
        return "subtract one usage.input_tokens from the other: the answer is a whole number."
    if client is None or any(not isinstance(getattr(r, "id", None), str) for r in (plain, pirate)):
        return (
            "pass the two responses you created, plain first, and your client: "
            'check("01.3", extra_tokens, plain, pirate, client).'
        )
    try:
        sent = [client.responses.retrieve(r.id) for r in (plain, pirate)]
    except Exception as err:  # noqa: BLE001 - any failure to fetch them is the hint
        return (
            f"the checker could not retrieve your responses ({type(err).__name__}): send them "
            "with store left at its default (true), so the API keeps them."
        )
    asked = [_asked(client, r.id) for r in sent]
    if asked[0] != asked[1]:
        return "send the same question both times: only the instructions should differ."
    if sent[0].instructions:
        return "send the first request without instructions, the second with them."
    if not sent[1].instructions:
        return 'send the second request with instructions="Answer like a pirate.".'
    if sent[0].model != sent[1].model:
        return "use the same model for both requests: models count tokens differently."
    billed = sent[1].usage.input_tokens - sent[0].usage.input_tokens
    if extra_tokens != billed:
        return (
            "that is not what the API reports: subtract plain's usage.input_tokens from "
            "pirate's, as the two responses carry them."
        )
    return None


def _asked(client, response_id):
    """The text of the user input a stored response was given."""
    items = client.responses.input_items.list(response_id, order="asc")
    return [
        part.text
        for item in items
        if getattr(item, "role", None) == "user"
        for part in item.content
        if getattr(part, "type", None) == "input_text"
    ]
