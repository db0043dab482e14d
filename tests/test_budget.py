"""The live budget guard: against a local fake server, the request past a cap is refused before it is
sent, with a message saying which cap and what to do; replay is never capped; a malformed cap is a
clear set-up error."""

from __future__ import annotations

import pytest

from fake_api import FakeResponsesServer, reply, text
from helpers import BudgetExceeded, SetupError, connect, current_session

# Built at run time so no literal in the repository looks like a key.
FAKE_KEY = "sk-" + "budget" + "test" * 6
MODEL = "gpt-5.4-mini"
# Every answer costs exactly 150 tokens: 100 in, 50 out.
USAGE = {"input_tokens": 100, "output_tokens": 50}


def answers(n: int):
    return [reply(text(f"Answer {i}."), usage=USAGE) for i in range(1, n + 1)]


@pytest.fixture
def live(monkeypatch):
    """Start a fake server and point a live session at it; yields (server, setenv)."""
    with FakeResponsesServer(answers(5), expect_key=FAKE_KEY) as server:
        for name in ("AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_KEY"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("TUTORIAL_MODE", "live")
        yield server, monkeypatch


def ask(client, n: int):
    return client.responses.create(model=MODEL, input=f"Question {n}?")


def test_the_request_past_the_request_cap_is_refused_before_it_is_sent(live):
    server, env = live
    env.setenv("TUTORIAL_MAX_REQUESTS", "2")
    client = connect("budget_check")
    assert ask(client, 1).output_text == "Answer 1."
    assert ask(client, 2).output_text == "Answer 2."
    with pytest.raises(BudgetExceeded) as refused:
        ask(client, 3)
    assert len(server.requests) == 2, "the refused request reached the server"
    assert str(refused.value) == (
        "Budget guard: this would be model request 3 (responses.create), past TUTORIAL_MAX_REQUESTS=2. "
        "Nothing was sent. Raise the cap in .env (or unset it), restart the kernel, or switch to "
        "replay with TUTORIAL_MODE=replay."
    )
    # Refused, not retried: asking again is refused again, and still nothing is sent.
    with pytest.raises(BudgetExceeded):
        ask(client, 3)
    assert len(server.requests) == 2
    assert current_session().meter.totals()["requests"] == 2


def test_the_request_after_the_token_cap_is_reached_is_refused(live):
    server, env = live
    env.setenv("TUTORIAL_MAX_TOKENS", "250")
    client = connect("budget_check")
    ask(client, 1)  # 150 tokens used: under the cap
    ask(client, 2)  # sent, since its size was unknown until it was answered: 300 used
    with pytest.raises(BudgetExceeded) as refused:
        ask(client, 3)
    assert len(server.requests) == 2
    message = str(refused.value)
    assert "has used 300 tokens" in message
    assert "TUTORIAL_MAX_TOKENS=250" in message
    assert "so this model request (responses.create) was not sent" in message
    assert "Raise the cap in .env" in message


def test_a_streamed_answer_counts_once_its_stream_has_ended(live):
    server, env = live
    env.setenv("TUTORIAL_MAX_TOKENS", "300")
    client = connect("budget_check")
    for n in (1, 2):
        stream = client.responses.create(model=MODEL, input=f"Question {n}?", stream=True)
        assert [e.type for e in stream][-1] == "response.completed"
    with pytest.raises(BudgetExceeded, match="has used 300 tokens"):
        ask(client, 3)
    assert len(server.requests) == 2


def test_under_both_caps_every_request_is_sent(live):
    server, env = live
    env.setenv("TUTORIAL_MAX_REQUESTS", "3")
    env.setenv("TUTORIAL_MAX_TOKENS", "451")
    client = connect("budget_check")
    for n in (1, 2, 3):
        ask(client, n)
    assert len(server.requests) == 3


def test_a_zero_cap_sends_nothing(live):
    server, env = live
    env.setenv("TUTORIAL_MAX_REQUESTS", "0")
    client = connect("budget_check")
    with pytest.raises(
        BudgetExceeded,
        match="would be model request 1 \\(responses.create\\), past TUTORIAL_MAX_REQUESTS=0",
    ):
        ask(client, 1)
    assert server.requests == []


def test_replay_is_never_capped(monkeypatch):
    monkeypatch.setenv("TUTORIAL_MAX_REQUESTS", "0")
    monkeypatch.setenv("TUTORIAL_MAX_TOKENS", "0")
    client = connect("01_basics")
    answer = client.responses.create(
        model=MODEL, input="Tell me a one-sentence joke about version control."
    )
    assert answer.output_text.startswith("I told my partner")


@pytest.mark.parametrize("value", ["ten", "2.5", "-1", "200,000"])
@pytest.mark.parametrize("name", ["TUTORIAL_MAX_REQUESTS", "TUTORIAL_MAX_TOKENS"])
def test_a_malformed_cap_says_what_is_wrong_and_how_to_fix_it(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(SetupError) as err:
        connect("01_basics")
    message = str(err.value)
    assert f"{name}={value!r} is not a cap" in message
    assert "whole number of 0 or more" in message
    assert "in .env (or remove it for no cap)" in message


def test_a_cap_may_be_written_with_spaces_or_underscores(monkeypatch):
    monkeypatch.setenv("TUTORIAL_MAX_TOKENS", " 200_000 ")
    connect("01_basics")
    assert current_session().meter.max_tokens == 200_000


def test_polling_a_paid_job_is_never_refused(live):
    """The caps count model requests only: a job already paid for can always be collected."""
    _, env = live
    job_steps = [reply(text("Done."), background=["queued", "in_progress", "completed"])]
    with FakeResponsesServer(job_steps + answers(1), expect_key=FAKE_KEY) as server:
        env.setenv("OPENAI_BASE_URL", server.base_url)
        env.setenv("TUTORIAL_MAX_REQUESTS", "1")
        client = connect("budget_check")
        job = client.responses.create(model=MODEL, input="Slow.", background=True, store=True)
        while job.status != "completed":
            job = client.responses.retrieve(job.id)
        assert job.output_text == "Done."
        with pytest.raises(BudgetExceeded, match="model request 2"):
            ask(client, 2)
        assert len(server.requests) == 3  # one create and two polls
