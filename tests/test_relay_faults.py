"""The relay as a real service (``python -m relay``, Hypercorn) on loopback, killed and restarted.

The upstream is the fake Responses server in this process: it outlives the relays, as the real
API outlives a relay that crashes. The seed relay kept its state in a dict, so a restart lost
every invocation; these tests fail on that, and on anything lost or repeated across the restart.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time

import httpx2
import pytest
from relay_support import API, FAKE_KEY, events_of, relay_process, research, sse, token, wait_for

from fake_api import FakeResponsesServer, reply, text
from relay.launch import REPO

KEY = FAKE_KEY
REPORT = (
    "Sholes and Glidden patented the type-writer in 1868. The keyboard changed from one "
    "prototype to the next until, by 1873, when Remington bought the rights, its top row read "
    "QWERTY. Telegraph operators, who transcribed Morse code, were among its first users, and "
    "their needs shaped where several letters went. The story that the layout was made to slow "
    "typists down has no good evidence behind it."
)


def polls(server) -> int:
    return sum(1 for r in server.requests if r.method == "GET")


def clean(relay, *secrets: str) -> None:
    """The relay's log holds no secret and no traceback."""
    log = relay.log()
    for secret in (KEY, *secrets):
        assert secret not in log
    assert "Traceback" not in log, log


def read_events(
    client: httpx2.Client,
    url: str,
    headers: dict,
    stop_after: int | None = None,
    within: float = 30,
):
    """Frames of an event stream, up to ``stop_after`` events (then the connection is dropped),
    read for ``within`` seconds at most: a stream that never ends fails the test, not hangs it."""
    frames, buffer = [], ""
    deadline = time.monotonic() + within
    try:
        with client.stream("GET", url, headers=headers) as response:
            assert response.status_code == 200
            for chunk in response.iter_text():
                buffer += chunk
                while "\n\n" in buffer:
                    block, buffer = buffer.split("\n\n", 1)
                    frames += sse(block + "\n\n")
                    if stop_after is not None and len(events_of(frames)) >= stop_after:
                        return frames
                if time.monotonic() > deadline:
                    return frames
    except httpx2.TransportError:
        pass  # the relay died under us: that is what this test does
    return frames


def test_killed_during_a_background_job_and_a_stream_the_restarted_relay_finishes_both(tmp_path):
    steps = [
        reply(text(REPORT), background=["queued"] + ["in_progress"] * 8 + ["completed"]),
        reply(text(REPORT), background=["queued", "in_progress", "completed"]),
    ]
    with FakeResponsesServer(steps, words_per_delta=1, event_delay=0.02) as server:
        db = str(tmp_path / "relay.db")
        first = relay_process(server, db, tmp_path / "a", key=KEY, poll_interval=0.1)
        with httpx2.Client(base_url=first.url, timeout=10) as http:
            job = http.post(API, json=research("one", background=True)).json()
            streamed = http.post(API, json=research("two", stream=True)).json()
            url = f"{API}/{streamed['invocation_id']}/events"
            before = events_of(read_events(http, url, token(streamed), stop_after=12))
        wait_for(lambda: polls(server) >= 2)
        first.kill()  # SIGKILL, mid-job and mid-stream (about 70 upstream events to go)
        seen = polls(server)
        assert len(before) == 12 and before[-1]["event"] == "output_text"
        second = relay_process(server, db, tmp_path / "b", key=KEY, poll_interval=0.1)
        try:
            with httpx2.Client(base_url=second.url, timeout=30) as http:
                # The stream: a client resuming with Last-Event-ID gets every event once.
                resume = {**token(streamed), "Last-Event-ID": str(before[-1]["id"])}
                after = events_of(read_events(http, url, resume))
                whole = events_of(read_events(http, url, token(streamed)))
                # The background job: finished by the new relay.
                job_url = f"{API}/{job['invocation_id']}"
                done = http.get(
                    f"{job_url}/wait", params={"timeout": 20}, headers=token(job)
                ).json()
                frames = events_of(read_events(http, f"{job_url}/events", token(job)))
            got = before + after
            ids = [f["id"] for f in got]
            assert ids == list(range(1, len(got) + 1)), "an event was lost or repeated"
            assert got == whole
            assert [f["event"] for f in got].count("completed") == 1 and got[-1][
                "event"
            ] == "completed"
            streamed_text = "".join(f["data"]["text"] for f in got if f["event"] == "output_text")
            assert streamed_text == REPORT == got[-1]["data"]["output_text"]
            assert [r for r in server.requests if "starting_after" in r.path], "no stream resumed"

            assert done["status"] == "completed" and done["output_text"] == REPORT
            assert [(f["id"], f["event"]) for f in frames] == [
                (1, "status"),
                (2, "status"),
                (3, "output_text"),
                (4, "completed"),
            ]
            assert [f["data"].get("status") for f in frames[:2]] == ["queued", "in_progress"]
            assert polls(server) > seen  # the new relay polled the same upstream job
            log = second.log()
            assert f"took over {job['invocation_id']} (background" in log
            assert f"took over {streamed['invocation_id']} (stream" in log
            clean(second, job["invocation_token"], streamed["invocation_token"])
        finally:
            second.kill()
        clean(first, job["invocation_token"], streamed["invocation_token"])


def test_a_client_leaving_mid_stream_harms_nothing_and_sigterm_hands_the_jobs_back(tmp_path):
    steps = [
        reply(text(REPORT), background=["queued", "completed"]),
        reply(text(REPORT), background=["queued"] + ["in_progress"] * 100 + ["completed"]),
    ]
    with FakeResponsesServer(steps, words_per_delta=2, event_delay=0.01) as server:
        db = str(tmp_path / "relay.db")
        relay = relay_process(server, db, tmp_path / "a", key=KEY, access_log=1, poll_interval=0.2)
        try:
            with httpx2.Client(base_url=relay.url, timeout=30) as http:
                view = http.post(API, json=research(stream=True)).json()
                url = f"{API}/{view['invocation_id']}/events"
                early = events_of(read_events(http, url, token(view), stop_after=3))
                assert len(early) == 3  # and the connection is closed here, mid-stream
                done = http.get(
                    f"{API}/{view['invocation_id']}/wait",
                    params={"timeout": 20},
                    headers=token(view),
                ).json()
                assert done["status"] == "completed" and done["output_text"] == REPORT
                late = events_of(read_events(http, url, token(view)))
                assert late[:3] == early and late[-1]["event"] == "completed"
                health = wait_for(
                    lambda: (h := http.get("/api/v1/health").json())["subscribers"] == 0 and h
                )
                assert health["jobs"] == 0
                slow = http.post(API, json=research("slow", background=True)).json()

            # SIGTERM: a graceful stop, which hands the running job back at once.
            started = time.monotonic()
            relay.proc.terminate()
            assert relay.proc.wait(10) == 0
            assert time.monotonic() - started < 5
            log = relay.log()
            assert log.rstrip().endswith("relay: stopped")
            assert f"GET {API}/{view['invocation_id']}/events 200" in log  # the access log ran
            row = (
                sqlite3.connect(db)
                .execute(
                    "SELECT status, owner, lease_until FROM invocations WHERE id = ?",
                    (slow["invocation_id"],),
                )
                .fetchone()
            )
            assert row[0] in ("queued", "in_progress") and row[1] is None and row[2] == 0
            clean(relay, view["invocation_token"], slow["invocation_token"])
        finally:
            relay.kill()


def _immutable(paths, on: bool) -> bool:
    flag = "+i" if on else "-i"
    done = subprocess.run(["chattr", flag, *map(str, paths)], capture_output=True)
    return done.returncode == 0


def test_a_read_only_database_file_stops_the_relay_at_start_with_one_clear_message(tmp_path):
    db = tmp_path / "relay.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    if os.geteuid() == 0:
        # Permission bits do not stop root: make the file immutable instead.
        if not _immutable([db], True):
            pytest.skip("cannot make a file read-only for root here (chattr +i failed)")
    else:
        db.chmod(0o444)
        tmp_path.chmod(0o555)
    try:
        env = {
            **os.environ,
            "TUTORIAL_MODE": "live",
            "TUTORIAL_DOTENV": "0",
            "OPENAI_API_KEY": KEY,
            "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",
            "RELAY_DB": str(db),
            "RELAY_PORT": "0",
        }
        done = subprocess.run(
            [sys.executable, "-m", "relay"],
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        if os.geteuid() == 0:
            _immutable([db], False)
        else:
            tmp_path.chmod(0o755)
            db.chmod(0o644)
    assert done.returncode == 2
    message = done.stderr.strip()
    assert message.startswith(
        "relay: not started. The relay's database (SQLite) could not be written"
    )
    assert "attempt to write a readonly database" in message
    assert f"The file {db} (or its folder) is not writable by the relay" in message
    assert "make it writable, or point RELAY_DB at another file" in message
    assert "Traceback" not in done.stderr and len(message.splitlines()) == 1
    assert KEY not in done.stderr + done.stdout
