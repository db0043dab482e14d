"""helpers.background: wait() never waits in replay, however long the recorded job took; live it
polls at the session's interval and honours its timeout; failed, cancelled and incomplete jobs end
with a line saying what happened and what to do."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from bodies import interaction, message, response, write_recording

from fake_api import FakeResponsesServer, reasoning, reply, text
from helpers import connect
from helpers.background import plot_timeline, wait

MODEL = "gpt-5.4-mini"
START = 1795165200
FAKE_KEY = "sk-" + "unit" + "test" * 6  # built at run time: no literal here looks like a key


class Clock:
    """Stands in for the time module inside helpers.background: sleeping advances it, instantly."""

    def __init__(self):
        self.now = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr("helpers.background.time", fake)
    return fake


def ten_minute_job(polls: int = 120) -> list[dict]:
    """A background job polled every 5 s for ten minutes: create, then ``polls`` retrieves."""
    job = {"id": "resp_long", "background": True, "created_at": START, "usage": None}
    create = {"model": MODEL, "input": "A long job.", "background": True, "store": True}
    recorded = [interaction(create, response(status="queued", **job))]
    for _ in range(1, polls):
        recorded.append(
            interaction(
                None,
                response(status="in_progress", **job),
                method="GET",
                path="/responses/resp_long",
            )
        )
    done = response(
        message("Done."),
        id="resp_long",
        background=True,
        created_at=START,
        completed_at=START + 600,
    )
    recorded.append(interaction(None, done, method="GET", path="/responses/resp_long"))
    return recorded


def test_replayed_wait_over_ten_minutes_of_polls_takes_no_time(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TUTORIAL_RECORDINGS_DIR", str(tmp_path))
    write_recording(tmp_path, "nb", ten_minute_job())
    slept = []
    monkeypatch.setattr("helpers.background.time.sleep", slept.append)
    client = connect("nb")
    capsys.readouterr()
    job = client.responses.create(model=MODEL, input="A long job.", background=True, store=True)
    statuses: list[str] = []
    started = time.perf_counter()
    final = wait(client, job, interval=5, timeout=60, statuses=statuses)
    elapsed = time.perf_counter() - started  # about 0.07 s here, on an idle machine
    assert elapsed < 1.0, f"replaying ten minutes of polls took {elapsed:.2f} s"
    assert slept == [], "replay must never sleep"
    assert final.status == "completed" and final.completed_at - final.created_at == 600
    assert statuses == ["queued"] + ["in_progress"] * 119 + ["completed"]
    assert capsys.readouterr().out.splitlines() == [
        "poll 0 · queued",
        "poll 1 · in_progress",
        "poll 120 · completed",
    ]


@pytest.fixture
def live(monkeypatch, capsys):
    """Start a fake server and connect() to it live, as a learner with a key would."""
    servers: list[FakeResponsesServer] = []

    def start(steps):
        server = FakeResponsesServer(steps).start()
        servers.append(server)
        monkeypatch.setenv("TUTORIAL_MODE", "live")
        monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        client = connect("nb")
        capsys.readouterr()
        return client

    yield start
    for server in servers:
        server.stop()
        assert server.errors == []


def background(*items, polls: int = 3, end: str = "completed", **kwargs):
    return reply(*items, background=["queued"] + ["in_progress"] * polls + [end], **kwargs)


def test_live_wait_polls_at_the_interval_and_the_environment_overrides_it(live, clock, monkeypatch):
    client = live([background(text("One.")), background(text("Two."))])
    job = client.responses.create(model=MODEL, input="One", background=True, store=True)
    assert wait(client, job, interval=5).output_text == "One."
    assert clock.sleeps == [5, 5, 5, 5]
    monkeypatch.setenv("TUTORIAL_POLL_INTERVAL", "0.5")
    job = client.responses.create(model=MODEL, input="Two", background=True, store=True)
    assert wait(client, job.id, interval=5).output_text == "Two."  # an id will do
    assert clock.sleeps[4:] == [0.5] * 3  # the first retrieve, for the id, is not waited for


def test_live_timeout_returns_the_unfinished_job_and_says_how_to_go_on(live, clock, capsys):
    client = live([background(text("Late."), polls=50)])
    job = client.responses.create(model=MODEL, input="Slow", background=True, store=True)
    late = wait(client, job, interval=5, timeout=12)
    assert late.status == "in_progress" and clock.sleeps == [5, 5, 5]
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == (
        f"Stopped waiting after 12 s (poll 3): {job.id} is still in_progress. The job keeps "
        "running on the server: call wait() with it again to keep waiting, or "
        "client.responses.cancel(id) to stop it."
    )
    assert wait(client, late, interval=5).output_text == "Late."


def test_failed_cancelled_and_incomplete_end_with_what_to_do(live, clock, capsys):
    client = live(
        [
            background(
                status="failed",
                end="failed",
                failure={"code": "server_error", "message": "The server had an error."},
            ),
            background(text("never written")),
            background(
                reasoning(tokens=16), incomplete_reason="max_output_tokens", end="incomplete"
            ),
        ]
    )
    failed = client.responses.create(model=MODEL, input="Fail", background=True, store=True)
    assert wait(client, failed).status == "failed"
    assert capsys.readouterr().out.splitlines()[-2:] == [
        "poll 4 · failed",
        "failed · server_error: The server had an error. Nothing more will come from this job. "
        "Wait a little and run the cell again (status.openai.com lists OpenAI outages; Azure "
        "shows them under Service Health). Or run offline with TUTORIAL_MODE=replay.",
    ]

    doomed = client.responses.create(model=MODEL, input="Stop", background=True, store=True)
    cancelled = client.responses.cancel(doomed.id)
    assert wait(client, cancelled).status == "cancelled"
    assert capsys.readouterr().out.splitlines() == [
        "poll 0 · cancelled",
        "cancelled · the job was stopped with client.responses.cancel before it finished, and "
        "kept 0 output item(s). Send the request again to run it.",
    ]

    cut = client.responses.create(
        model=MODEL, input="Long", background=True, store=True, max_output_tokens=16
    )
    assert wait(client, cut).status == "incomplete"
    assert capsys.readouterr().out.splitlines()[-1] == (
        "incomplete · the job reached max_output_tokens (16 output tokens, 16 of them reasoning) "
        "and kept 0 characters of text. Raise max_output_tokens, or lower the reasoning effort "
        "so less of the budget goes to thinking."
    )
    assert clock.sleeps  # live, it did wait between polls


def test_the_timeline_is_a_figure_and_matplotlib_loads_only_when_drawing():
    fig = plot_timeline(["queued", "in_progress", "in_progress", "completed"], title="A job")
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == [
        "queued",
        "in_progress",
        "completed",
    ]
    code = "import sys, helpers.background; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
