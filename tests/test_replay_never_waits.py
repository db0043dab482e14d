"""Replay never waits, whatever the status or headers of a recorded answer: the SDK retries a
replayed answer exactly as often as it retried the live one, and is asked to wait 1 µs each time.

The live reference is the SDK itself against a mock server that sends the same answer every time,
with its sleep recorded instead of slept: it reads `x-should-retry`, `retry-after-ms` and
`retry-after` (seconds or an HTTP date) on any status that is not a success
(openai/_base_client.py `_should_retry`, `_calculate_retry_timeout`)."""

from __future__ import annotations

import email.utils
import itertools
import time

import httpx2
import openai
import pytest
from bodies import interaction, message, response, write_recording

from helpers import connect, current_session

ASK = {"model": "gpt-5.4-mini", "input": "Say hi."}
ERROR = {"error": {"message": "Try again.", "type": "server_error", "param": None, "code": None}}
STATUSES = (200, 400, 429, 500)  # a success, one not retried by status, two that are
SHOULD_RETRY = (None, "true", "false")
DELAYS = (
    {},
    {"retry-after": "20"},
    {"retry-after": "3600"},  # past the SDK's two minutes: it does not retry
    {"retry-after": "1e400"},  # overflows: the SDK treats it as too long
    {"retry-after": "inf"},
    {"retry-after": "soon"},  # unreadable: the SDK backs off on its own
    {"retry-after-ms": "20000"},
    {"retry-after-ms": "20000", "retry-after": "3600"},  # milliseconds win
    {"Retry-After": "20"},  # any case
    {"retry-after": email.utils.formatdate(time.time() + 3600, usegmt=True)},
    {"retry-after": email.utils.formatdate(time.time() + 30, usegmt=True)},
)
CASES = [
    (status, {**delay, **({"x-should-retry": said} if said else {})})
    for status, said, delay in itertools.product(STATUSES, SHOULD_RETRY, DELAYS)
]


@pytest.fixture
def recordings(tmp_path, monkeypatch):
    monkeypatch.setenv("TUTORIAL_RECORDINGS_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def waits(monkeypatch):
    """Every delay the SDK asks time.sleep for, recorded instead of slept."""
    asked: list[float] = []
    monkeypatch.setattr(openai._base_client.time, "sleep", asked.append)
    return asked


def body_for(status: int) -> dict:
    return response(message("Hi!")) if status < 300 else ERROR


def ask(client: openai.OpenAI) -> None:
    try:
        client.responses.create(**ASK)
    except openai.APIStatusError:
        pass


def live_attempts(status: int, headers: dict[str, str]) -> int:
    """How many requests the SDK makes against a server that always answers this way."""
    sent = []

    def answer(request: httpx2.Request) -> httpx2.Response:
        sent.append(request)
        return httpx2.Response(status, headers=headers, json=body_for(status))

    client = openai.OpenAI(
        api_key="replay-needs-no-key",
        base_url="http://mock.invalid/v1",
        http_client=httpx2.Client(transport=httpx2.MockTransport(answer)),
    )
    ask(client)
    return len(sent)


def test_the_cases_cover_retries_with_long_waits_and_none(waits):
    """The grid holds what the finding needs: answers the SDK retries after a long wait, answers
    it retries though their status is not retryable, and answers it does not retry at all."""
    attempts = {}
    for status, headers in CASES:
        waits.clear()
        attempts[status, tuple(headers.items())] = live_attempts(status, headers), sum(waits)
    assert attempts[400, (("retry-after", "20"), ("x-should-retry", "true"))] == (3, 40.0)
    assert attempts[500, (("retry-after", "3600"),)] == (1, 0)
    assert attempts[429, (("x-should-retry", "false"),)] == (1, 0)
    assert sum(1 for n, slept in attempts.values() if n == 3 and slept >= 1) > 20


def test_replay_retries_as_live_did_and_never_waits(recordings, waits):
    """Every case of the grid (one test, not 132: each is a millisecond)."""
    wrong = []
    for status, headers in CASES:
        expected = live_attempts(status, headers)
        waits.clear()
        recorded = interaction(ASK, body_for(status), status=status)
        recorded["response"]["headers"].update(headers)
        write_recording(recordings, "nb", [recorded] * 3)
        client = connect("nb")
        ask(client)
        played = sum(current_session().replay.played)
        if played != expected or any(w > 0.001 for w in waits):
            wrong.append(f"{status} {headers}: {played} requests (live {expected}), waits {waits}")
    assert not wrong, f"{len(wrong)} of {len(CASES)} cases:\n" + "\n".join(wrong)


def test_a_replayed_400_that_asks_for_retries_after_20_s_takes_no_time(recordings):
    """The finding as a learner met it, with real sleeps: it used to take 40 s."""
    recorded = interaction(ASK, ERROR, status=400)
    recorded["response"]["headers"].update({"x-should-retry": "true", "retry-after": "20"})
    write_recording(recordings, "nb", [recorded] * 3)
    client = connect("nb")
    start = time.perf_counter()
    with pytest.raises(openai.BadRequestError, match="Try again."):
        client.responses.create(**ASK)
    assert time.perf_counter() - start < 0.5
    assert all(current_session().replay.played)
