"""Errors that arrive inside a response, not as an HTTP status: a stream's ``error`` event (its
fields nested under ``error``, as the live API sends it) and a ``response.failed``. Each reaches the
learner as one explain() message with advice fit for its code, as an HTTP error does."""

from __future__ import annotations

import openai
import pytest
from bodies import interaction, response, write_recording
from openai._models import construct_type
from openai.types.responses import Response

from helpers import connect, explain, show
from helpers.background import why_unfinished
from helpers.faults import render

ASK = {"model": "gpt-5.4-mini", "input": "Hello", "stream": True}
QUOTA = "You exceeded your current quota, please check your plan and billing details."


def failed(code: str, message: str) -> dict:
    return response(status="failed", usage=None, error={"code": code, "message": message})


def stream(code: str, message: str) -> list[dict]:
    """A stream as the live API sends one that fails: an error event, then response.failed."""
    data = [
        {"type": "response.created", "sequence_number": 0,
         "response": response(status="in_progress", usage=None)},
        {"type": "error", "sequence_number": 1,
         "error": {"type": code, "code": code, "message": message, "param": None}},
        {"type": "response.failed", "sequence_number": 2, "response": failed(code, message)},
    ]  # fmt: skip
    return [{"event": d["type"], "data": d} for d in data]


@pytest.fixture
def replayed_error(tmp_path, monkeypatch):
    """The error the SDK raises while a notebook iterates a replayed stream that fails."""
    monkeypatch.setenv("TUTORIAL_RECORDINGS_DIR", str(tmp_path))

    def run(code: str, message: str) -> openai.APIError:
        write_recording(tmp_path, "nb", [interaction(ASK, events=stream(code, message))])
        client = connect("nb")
        with pytest.raises(openai.APIError) as info:
            for _ in client.responses.create(model="gpt-5.4-mini", input="Hello", stream=True):
                pass
        return info.value

    return run


def test_an_error_event_for_quota_says_waiting_will_not_help(replayed_error):
    err = replayed_error("insufficient_quota", QUOTA)
    assert type(err) is openai.APIError and err.code == "insufficient_quota"
    message = explain(err)
    assert message.splitlines()[0] == (
        "The server stopped the response while streaming: the account is out of credit or quota "
        "(insufficient_quota). Waiting will not help."
    )
    assert f"The server said: {QUOTA}" in message
    assert "What to do: Add credit in your OpenAI billing settings" in message
    assert "again" not in message


@pytest.mark.parametrize(
    ("code", "happened", "todo"),
    [
        ("rate_limit_exceeded", "this key is rate-limited (rate_limit_exceeded)", "Wait a minute"),
        ("server_error", "failed while streaming (server_error). This is not your code.",
         "Wait a little and run the cell again"),
        ("invalid_prompt", "refused to answer this prompt while streaming", "Rephrase the request"),
        ("invalid_image_url", "could not use an image in the input", "Send a PNG, JPEG"),
        ("some_new_code", "stopped the response while streaming with an error (some_new_code)",
         "The server's message says what went wrong"),
    ],
)  # fmt: skip
def test_each_code_gets_its_own_advice(replayed_error, code, happened, todo):
    message = explain(replayed_error(code, "Something went wrong."))
    assert happened in message.splitlines()[0]
    assert f"What to do: {todo}" in message


def test_the_notebook_hook_shows_it_as_one_message(replayed_error):
    err = replayed_error("insufficient_quota", QUOTA)
    shown = render(type(err), err)
    assert shown.startswith("openai.APIError: The server stopped the response while streaming")
    assert "Waiting will not help" in shown and "Run the cell again" not in shown


def test_a_failed_response_or_its_event_is_explained_the_same_way():
    answer = Response.model_validate(failed("rate_limit_exceeded", "Slow down."))
    event = {"type": "response.failed", "sequence_number": 2, "response": answer}
    for given in (answer, event):
        message = explain(given)
        assert "this key is rate-limited (rate_limit_exceeded)" in message
        assert "The server said: Slow down." in message
        assert "What to do: Wait a minute" in message
    flat = {"type": "error", "sequence_number": 1, "code": "insufficient_quota", "message": QUOTA}
    assert "Waiting will not help" in explain(flat)  # the shape the SDK's types declare
    ok = Response.model_validate(response())
    assert explain(ok).startswith("Nothing to explain: a completed response carries no error.")


def test_a_failed_background_job_and_show_give_the_same_advice():
    # As the client parses it: leniently, since the SDK's list of codes lacks insufficient_quota.
    answer = construct_type(type_=Response, value={**failed("insufficient_quota", QUOTA), "background": True})  # fmt: skip
    note = why_unfinished(answer)
    assert note.startswith(f"failed · insufficient_quota: {QUOTA} Nothing more will come")
    assert "Add credit in your OpenAI billing settings" in note
    assert "Send the request again" not in note
    assert "What to do: Add credit in your OpenAI billing settings" in str(show(answer))
