"""The relay records its upstream exchanges and replays them, as notebook 10 needs: the same
requests, the same event logs and the same ids on every run, however the threads interleave.

A background job that is cancelled is the hard case: while it was recorded, the relay polled it a
number of times that depended on timing before the cancel came; in replay the poller follows the
recording (its polls, then a wait for the client's cancel), so every recorded exchange is played,
in order, every time.
"""

from __future__ import annotations

import time

from fastapi.testclient import TestClient
from relay_support import API, events_of, research, sse, token

from fake_api import FakeResponsesServer, reply, text, web_search
from helpers.recording import Recording, load
from relay.app import create_app
from relay.settings import Settings
from relay.upstream import PROCESS, RelayReplay, Upstream

SLOW = ["queued"] + ["in_progress"] * 300 + ["completed"]
STEPS = [
    reply(
        web_search("QWERTY 1873 Remington"),
        text("The brief."),
        background=["queued", "in_progress", "completed"],
    ),
    reply(text("Cancelled before it ended."), background=SLOW),
    reply(text("Streamed word by word."), background=["queued", "completed"]),
]


def scenario(c: TestClient, pause: float) -> list:
    """What notebook 10 does, in short; returns everything a notebook would print."""
    seen = []
    done = c.post(API, json=research("one", background=True)).json()
    waited = c.get(
        f"{API}/{done['invocation_id']}/wait", params={"timeout": 10}, headers=token(done)
    ).json()
    seen.append((done["invocation_id"], waited["status"], waited["upstream_response_id"]))
    slow = c.post(API, json=research("two", background=True)).json()
    time.sleep(pause)  # recorded: some polls happen before the cancel
    cancelled = c.post(f"{API}/{slow['invocation_id']}/cancel", headers=token(slow)).json()
    seen.append((slow["invocation_id"], cancelled["status"]))
    streamed = c.post(API, json=research("three", stream=True)).json()
    for view in (done, slow, streamed):
        body = c.get(f"{API}/{view['invocation_id']}/events", headers=token(view)).text
        seen.append([(f["id"], f["event"], f["data"]) for f in events_of(sse(body))])
    return seen


def run(tmp_path, name: str, pause: float) -> tuple[list, dict]:
    settings = Settings.from_env({}, db=str(tmp_path / f"{name}.db"), poll_interval=0.02)
    upstream = Upstream.from_env(settings)
    with TestClient(create_app(settings, upstream=upstream)) as c:
        seen = scenario(c, pause)
        report = upstream.report()
    return seen, report


def test_replay_makes_the_recorded_requests_in_order_every_time(tmp_path, monkeypatch):
    recording_path = tmp_path / "10_relay.json"
    part = tmp_path / "scratch" / f"10_relay.{PROCESS}.json"
    monkeypatch.setenv("RELAY_RECORDING", str(recording_path))
    with FakeResponsesServer(STEPS) as server:
        monkeypatch.setenv("TUTORIAL_MODE", "record")
        monkeypatch.setenv("OPENAI_API_KEY", "sk-recording")
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("RELAY_RECORD_TO", str(part))
        monkeypatch.setenv("TUTORIAL_RECORD_SOURCE", "illustrative")
        recorded, _ = run(tmp_path, "record", pause=0.15)
    written = load(part)
    polls_of_cancelled = sum(1 for it in written.interactions if it["request"]["method"] == "GET")
    assert polls_of_cancelled >= 3  # timing decided how many: replay must not care
    assert all(it["process"] == PROCESS for it in written.interactions)
    assert written.meta["models"]["deep_research"]
    # As make record merges it: the kernel's part (none here) and the relay's.
    recording_path.write_text(Recording(written.meta, written.interactions).to_json())

    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "RELAY_RECORD_TO"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("TUTORIAL_MODE", "replay")
    monkeypatch.setenv("TUTORIAL_REPLAY_STRICT", "1")
    original = RelayReplay.handle_request

    def slow(self, request):  # a poller slower than the client: the cancel comes first
        if request.method == "GET":
            time.sleep(0.03)
        return original(self, request)

    for attempt, (pause, slow_polls) in enumerate(((0.0, False), (0.3, False), (0.0, True))):
        monkeypatch.setattr(RelayReplay, "handle_request", slow if slow_polls else original)
        replayed, report = run(tmp_path, f"replay{attempt}", pause)
        assert replayed == recorded, f"replay {attempt} differs from the recorded run"
        assert report["mode"] == "replay" and report["unplayed"] == []
        assert report["recorded"] == len(written.interactions)
