"""The live challenges' checkers check what the API says, not only the answer's type: 01.3 the
usage of the two responses, retrieved by id; 06.3 the number of responses in the tool loop's chain,
walked back with retrieve. Each runs here against the fake server, through the real SDK."""

from __future__ import annotations

import contextlib
import io

import pytest
from live_strict import MODEL, client_for, live_servers

from fake_api import function_call, reply, text
from helpers.exercises import check
from helpers.tools import run_tools

QUESTION = "Explain what a token is."
PIRATE = "Answer like a pirate."


@pytest.fixture
def serve():
    yield from live_servers()


def persona_pair(client, *, plain_kwargs=None, pirate_kwargs=None):
    plain = client.responses.create(model=MODEL, input=QUESTION, **(plain_kwargs or {}))
    pirate = client.responses.create(
        model=MODEL, instructions=PIRATE, input=QUESTION, **(pirate_kwargs or {})
    )
    return plain, pirate


def test_0103_takes_the_difference_the_api_reports_and_nothing_else(serve) -> None:
    answers = [reply(text("A token is a piece of text.")), reply(text("Arr, a token be a piece."))]
    server = serve(answers)
    client = client_for(server)
    plain, pirate = persona_pair(client)
    billed = pirate.usage.input_tokens - plain.usage.input_tokens
    assert billed > 0
    assert check("01.3", billed, plain, pirate, client).passed
    for wrong in (billed + 1, 1, 100):  # a made-up positive number is not the answer
        verdict = check("01.3", wrong, plain, pirate, client)
        assert not verdict and "not what the API reports" in verdict.hint
    assert "whole number" in check("01.3", float(billed), plain, pirate, client).hint
    assert "pass the two responses" in check("01.3", billed, client).hint


def test_0103_says_what_is_wrong_with_the_two_requests(serve) -> None:
    steps = [reply(text("A token is a piece of text."))] * 8
    server = serve(steps)
    client = client_for(server)
    plain, pirate = persona_pair(client)
    swapped = check(
        "01.3", plain.usage.input_tokens - pirate.usage.input_tokens, pirate, plain, client
    )
    assert "first request without instructions" in swapped.hint
    other = client.responses.create(model=MODEL, instructions=PIRATE, input="What is a byte?")
    assert "same question" in check("01.3", 3, plain, other, client).hint
    unstored, kept = persona_pair(client, plain_kwargs={"store": False})
    hint = check("01.3", 3, unstored, kept, client).hint
    assert "could not retrieve" in hint and "store" in hint


WORDS = ("typewriter", "proprietor", "keyboard")
TOOLS = [
    {
        "type": "function",
        "name": "qwerty_rows",
        "parameters": {
            "type": "object",
            "properties": {"word": {"type": "string"}},
            "required": ["word"],
            "additionalProperties": False,
        },
        "strict": True,
    }
]


def rows(word: str) -> dict:
    return {"top": sum(c in "qwertyuiop" for c in word)}


def loop(client, **options):
    with contextlib.redirect_stdout(io.StringIO()):
        return run_tools(
            client,
            model=MODEL,
            input="Which of these words can be typed with the top row alone?",
            tools=TOOLS,
            functions={"qwerty_rows": rows},
            **options,
        )


def test_0603_wants_exactly_the_responses_of_the_chain(serve) -> None:
    one_by_one = [reply(function_call("qwerty_rows", {"word": w})) for w in WORDS]
    server = serve([*one_by_one, reply(text("typewriter and proprietor."))])
    client = client_for(server)
    final = loop(client, parallel_tool_calls=False)
    assert check("06.3", 4, final, client).passed
    for wrong in (2, 3, 5):  # at least two turns is not enough: it is exactly four
        verdict = check("06.3", wrong, final, client)
        assert not verdict and "turn N" in verdict.hint
    assert "pass the response run_tools returned" in check("06.3", 4, client).hint


def test_0603_notices_parallel_calls(serve) -> None:
    together = reply(*(function_call("qwerty_rows", {"word": w}) for w in WORDS))
    server = serve([together, reply(text("typewriter and proprietor."))])
    client = client_for(server)
    final = loop(client)
    assert "parallel_tool_calls=False" in check("06.3", 2, final, client).hint
