"""The live budget guard: against a local fake server, the request past a cap is refused before it is
sent, with a message saying which cap and what to do; replay is never capped; a malformed cap is a
clear set-up error."""

from __future__ import annotations

import json
import socket
import threading

import bodies
import openai
import pytest
from rawserver import RawServer
from rawserver import answer as raw_answer

from fake_api import FakeResponsesServer, hang, reply, text
from helpers import BudgetExceeded, SetupError, connect, current_session, session_report

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


@pytest.fixture
def quick_backoff(monkeypatch):
    monkeypatch.setattr("openai._base_client.INITIAL_RETRY_DELAY", 0.001)


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


# --------------------------------------------------------------------------------------------
# Counted when sent, once per kernel, whatever the endpoint
# --------------------------------------------------------------------------------------------


def test_ten_threads_at_once_send_no_more_than_the_cap(live):
    """Counted when sent, under a lock: requests that overlap cannot all pass a cap of 2."""
    _, env = live
    slow = [hang(0.3, reply(text(f"Answer {i}."), usage=USAGE)) for i in range(10)]
    with FakeResponsesServer(slow, expect_key=FAKE_KEY) as server:
        env.setenv("OPENAI_BASE_URL", server.base_url)
        env.setenv("TUTORIAL_MAX_REQUESTS", "2")
        client = connect("budget_check")
        start = threading.Barrier(10)
        outcomes = []

        def one(n):
            start.wait()
            try:
                outcomes.append(ask(client, n).output_text)
            except BudgetExceeded:
                outcomes.append("refused")

        threads = [threading.Thread(target=one, args=(n,)) for n in range(10)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        assert len(server.requests) == 2, f"{len(server.requests)} of 10 were sent"
        assert sorted(outcomes).count("refused") == 8


def test_running_the_setup_cell_again_keeps_the_count(live):
    """The meter belongs to the kernel: connect() again must not give a fresh budget."""
    server, env = live
    env.setenv("TUTORIAL_MAX_REQUESTS", "2")
    client = connect("budget_check")
    ask(client, 1)
    ask(client, 2)
    client = connect("budget_check")  # the setup cell, run again
    with pytest.raises(BudgetExceeded, match="would be model request 3"):
        ask(client, 3)
    assert len(server.requests) == 2
    assert current_session().meter.totals()["model_requests"] == 2


def test_what_replay_counted_does_not_use_up_a_live_budget(live):
    """Going live in a kernel that replayed (a key added to .env, the setup cell run again)."""
    server, env = live
    env.setenv("TUTORIAL_MODE", "replay")
    client = connect("01_basics")
    client.responses.create(model=MODEL, input="Tell me a one-sentence joke about version control.")
    env.setenv("TUTORIAL_MODE", "live")
    env.setenv("TUTORIAL_MAX_REQUESTS", "1")
    client = connect("budget_check")
    assert ask(client, 1).output_text == "Answer 1."
    assert len(server.requests) == 1


def test_a_request_that_never_left_does_not_use_up_the_cap(monkeypatch, quick_backoff):
    """Reserved before it is sent, given back when it could not be sent (nothing listens)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("TUTORIAL_MODE", "live")
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{port}/v1")
    monkeypatch.setenv("TUTORIAL_MAX_REQUESTS", "1")
    client = connect("budget_check")
    for n in (1, 2):  # each with the SDK's two retries: none of them reached a server
        with pytest.raises(openai.APIConnectionError):
            ask(client, n)
    assert current_session().meter.totals()["model_requests"] == 0


CHAT = {
    "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": MODEL,
    "choices": [{"index": 0, "finish_reason": "stop",
                 "message": {"role": "assistant", "content": "Hi."}}],
    "usage": {"prompt_tokens": 80, "completion_tokens": 40, "total_tokens": 120},
}  # fmt: skip
BODIES = {
    "/v1/chat/completions": CHAT,
    "/v1/completions": {
        "id": "cmpl-1", "object": "text_completion", "created": 1, "model": "gpt-3.5-turbo-instruct",
        "choices": [{"index": 0, "text": "Hi.", "finish_reason": "stop", "logprobs": None}],
        "usage": {"prompt_tokens": 80, "completion_tokens": 40, "total_tokens": 120},
    },
    "/v1/embeddings": {
        "object": "list", "model": "text-embedding-3-small",
        "data": [{"object": "embedding", "index": 0, "embedding": [0.1, 0.2]}],
        "usage": {"prompt_tokens": 120, "total_tokens": 120},
    },
    "/v1/images/generations": {"created": 1, "data": [{"b64_json": "aGk="}],
                               "usage": {"input_tokens": 80, "output_tokens": 40,
                                         "total_tokens": 120}},
    "/v1/responses/compact": {"id": "cmp_1", "object": "response.compaction", "created_at": 1,
                              "output": [], "usage": bodies.usage(80, 40)},
    "/v1/responses/input_tokens": {"object": "response.input_tokens", "input_tokens": 3},
    "/v1/moderations": {"id": "modr-1", "model": "omni-moderation-latest", "results": []},
    "/v1/conversations": {"id": "conv_1", "object": "conversation", "created_at": 1,
                          "metadata": {}},
}  # fmt: skip


def served(request):
    path = request.path.split("?")[0]
    if path in BODIES:
        return json.dumps(BODIES[path]).encode()
    return json.dumps(bodies.response(bodies.message("Hi."), id="resp_9")).encode()


@pytest.fixture
def any_endpoint(monkeypatch):
    """A live client against a server that answers every endpoint with a 200."""
    with RawServer(raw_answer(served)) as server:
        monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("TUTORIAL_MODE", "live")
        yield server, monkeypatch


COSTLY = {
    "responses.create": lambda c: c.responses.create(model=MODEL, input="Hi"),
    "POST /responses/": lambda c: c.post(
        "/responses/", body={"model": MODEL, "input": "Hi"}, cast_to=openai.types.responses.Response
    ),
    "responses.compact": lambda c: c.responses.compact(model=MODEL, input="Hi"),
    "chat.completions.create": lambda c: c.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": "Hi"}]
    ),
    "completions.create": lambda c: c.completions.create(
        model="gpt-3.5-turbo-instruct", prompt="Hi"
    ),
    "embeddings.create": lambda c: c.embeddings.create(model="text-embedding-3-small", input="Hi"),
    "images.generate": lambda c: c.images.generate(model="gpt-image-1", prompt="A lighthouse."),
}


@pytest.mark.parametrize("call", COSTLY)
def test_every_request_that_costs_tokens_is_counted(any_endpoint, call):
    server, env = any_endpoint
    env.setenv("TUTORIAL_MAX_REQUESTS", "1")
    client = connect("budget_check")
    COSTLY[call](client)
    with pytest.raises(BudgetExceeded, match="would be model request 2"):
        COSTLY[call](client)
    assert len(server.requests) == 1, "the request past the cap was sent"


def test_the_refusal_names_the_call_it_refused(any_endpoint):
    _, env = any_endpoint
    env.setenv("TUTORIAL_MAX_REQUESTS", "0")
    client = connect("budget_check")
    with pytest.raises(BudgetExceeded) as refused:
        COSTLY["chat.completions.create"](client)
    assert "would be model request 1 (chat.completions.create), past TUTORIAL_MAX_REQUESTS=0" in (
        str(refused.value)
    )


def test_free_requests_are_never_refused(any_endpoint):
    """Counting tokens, moderating, and managing conversations run no model: never capped."""
    server, env = any_endpoint
    env.setenv("TUTORIAL_MAX_REQUESTS", "0")
    env.setenv("TUTORIAL_MAX_TOKENS", "0")
    client = connect("budget_check")
    client.responses.input_tokens.count(model=MODEL, input="Hi")
    client.moderations.create(input="Hi")
    client.conversations.create()
    client.responses.retrieve("resp_9")
    client.responses.cancel("resp_9")
    assert len(server.requests) == 5


def test_the_tokens_of_other_endpoints_count_toward_the_token_cap(any_endpoint):
    _, env = any_endpoint
    env.setenv("TUTORIAL_MAX_TOKENS", "100")
    client = connect("budget_check")
    COSTLY["chat.completions.create"](client)  # 80 in, 40 out
    with pytest.raises(BudgetExceeded, match="has used 120 tokens"):
        COSTLY["embeddings.create"](client)
    totals = current_session().meter.totals()
    assert (totals["input_tokens"], totals["output_tokens"]) == (80, 40)


# --------------------------------------------------------------------------------------------
# What the meter cannot know, it says
# --------------------------------------------------------------------------------------------


def test_a_stream_closed_early_counts_what_is_known_and_says_so(live, capsys):
    _, env = live
    env.setenv("TUTORIAL_MAX_TOKENS", "1000")
    client = connect("budget_check")
    stream = client.responses.create(model=MODEL, input="Question 1?", stream=True)
    next(iter(stream))  # response.created, then the learner stops reading
    stream.close()
    totals = current_session().meter.totals()
    assert totals["unknown_usage"] == 1 and totals["input_tokens"] == 0
    capsys.readouterr()
    session_report()
    report = capsys.readouterr().out
    assert "The tokens of 1 model request are not known" in report
    assert "not in these totals, nor in what TUTORIAL_MAX_TOKENS counts" in report


def test_a_background_job_never_polled_says_its_tokens_are_unknown_until_it_is(live, capsys):
    _, env = live
    steps = [reply(text("Done."), usage=USAGE, background=["queued", "completed"])]
    with FakeResponsesServer(steps, expect_key=FAKE_KEY) as server:
        env.setenv("OPENAI_BASE_URL", server.base_url)
        client = connect("budget_check")
        job = client.responses.create(model=MODEL, input="Slow.", background=True, store=True)
        assert current_session().meter.totals()["unknown_usage"] == 1
        while job.status != "completed":
            job = client.responses.retrieve(job.id)
        totals = current_session().meter.totals()
        assert totals["unknown_usage"] == 0 and totals["input_tokens"] == 100
        capsys.readouterr()
        session_report()
        assert "not known" not in capsys.readouterr().out


def test_make_run_says_which_notebooks_used_tokens_no_answer_reported():
    from run_notebooks import per_learner

    rows = [
        ("01_basics", {"requests": 5, "model_requests": 5, "input_tokens": 90}),
        ("05_background", {"requests": 86, "model_requests": 7, "unknown_usage": 1}),
    ]
    text = per_learner(rows, {"requests": 91, "input_tokens": 90, "output_tokens": 0}, True)
    assert (
        "The tokens of 1 model request (05_background) are not known (a stream closed before its "
        "end, a background job cancelled or not polled to its end, or a request that got no "
        "answer): the totals above leave them out."
    ) in text
    assert "not known" not in per_learner(rows[:1], {"requests": 5, "input_tokens": 90,
                                                     "output_tokens": 0}, True)  # fmt: skip
