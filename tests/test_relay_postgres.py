"""The relay's store, the same on SQLite and on PostgreSQL, and two relay processes sharing one
PostgreSQL: a job one relay runs is read, waited for and cancelled through the other, and taken
over by it when its own relay is killed.

PostgreSQL is a throwaway cluster in a temporary folder on a free loopback port (``make test``
installs Debian's package first, as it installs Chromium); without it these tests are skipped,
saying why, except under CI=true, where that is a failure.
"""

from __future__ import annotations

import itertools
import threading
import time

import httpx2
import pytest
from relay_support import (
    API,
    events_of,
    postgres_or_skip,
    relay_process,
    research,
    sse,
    token,
)

from fake_api import FakeResponsesServer, reply, text
from relay.store import Invocation, StoreError, open_store

_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def postgres():
    cluster = postgres_or_skip()
    yield cluster
    cluster.stop()


def fresh_database(cluster) -> str:
    import psycopg

    name = f"relay_{next(_numbers)}"
    with psycopg.connect(cluster.url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return cluster.url.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(params=["sqlite", "postgres"])
def store(request, tmp_path):
    if request.param == "sqlite":
        target = str(tmp_path / "relay.db")
    else:
        target = fresh_database(request.getfixturevalue("postgres"))
    opened = open_store(target)
    yield opened
    opened.close()


def invocation(inv_id: str, number: int, **fields) -> Invocation:
    now = time.time()
    values = dict(
        id=inv_id, number=number, tool_name="deep_research", mode="background", status="queued",
        deliverable_format="markdown_brief", token_hash="h", token_salt=None, arguments="{}",
        model="m", upstream_response_id="resp_1", output_text=None, response=None,
        error_message=None, upstream_cursor=-1, streamed_chars=0, last_seq=0,
        cancel_requested=0, owner="me", lease_until=now + 30, created_at=now, updated_at=now,
    )  # fmt: skip
    values.update(fields)
    return Invocation(**values)


def test_an_invocation_and_its_events_are_stored_together(store):
    store.insert(invocation("inv_a", 1), [("status", {"status": "queued"})])
    row = store.get("inv_a")
    assert row.status == "queued" and row.last_seq == 1
    store.append("inv_a", [("status", {"status": "in_progress"})], {"status": "in_progress"})
    store.append(
        "inv_a",
        [("output_text", {"text": "é"}), ("completed", {"status": "completed"})],
        {"status": "completed"},
    )
    assert [(e.seq, e.event) for e in store.events_after("inv_a", 0)] == [
        (1, "status"), (2, "status"), (3, "output_text"), (4, "completed"),
    ]  # fmt: skip
    assert store.events_after("inv_a", 2)[0].data == '{"text":"é"}'
    # Exactly one terminal event, whoever comes second:
    assert (
        store.append("inv_a", [("error", {"status": "cancelled"})], {"status": "cancelled"}) is None
    )
    assert store.get("inv_a").status == "completed" and store.get("inv_a").last_seq == 4


def test_concurrent_appends_get_distinct_consecutive_ids(store):
    store.insert(invocation("inv_c", 1), [])
    errors = []

    def add(n):
        try:
            for _ in range(10):
                store.append("inv_c", [("output_text", {"text": str(n)})])
        except Exception as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [threading.Thread(target=add, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert [e.seq for e in store.events_after("inv_c", 0)] == list(range(1, 41))


def test_a_failed_transaction_leaves_nothing_half_written(store):
    store.insert(invocation("inv_d", 1), [("status", {"status": "queued"})])
    with pytest.raises(StoreError):
        store.insert(invocation("inv_d", 2), [("status", {"status": "queued"})])  # same id
    with pytest.raises(ValueError):
        store.append("inv_d", [("status", {})], {"token_hash": "x"})  # not updatable
    assert [e.seq for e in store.events_after("inv_d", 0)] == [1]
    assert store.get("inv_d").number == 1


def test_jobs_are_claimed_renewed_and_released_by_one_owner_at_a_time(store):
    store.insert(invocation("inv_e", 1, owner=None, lease_until=0), [])
    assert store.claim("inv_e", "a", time.time() + 30, None)
    assert not store.claim("inv_e", "b", time.time() + 30, None)  # a holds it
    assert store.renew("inv_e", "a", time.time() + 60) and not store.renew("inv_e", "b", 1)
    assert store.append("inv_e", [("status", {"status": "in_progress"})], owner="b") is None
    store.release("inv_e", "a")
    assert store.get("inv_e").owner is None
    assert [r.id for r in store.running()] == ["inv_e"]
    assert store.next_number() == 1 and store.next_number() == 2


def test_idempotency_keys_stand_for_one_request(store):
    never = lambda owner, created: False  # noqa: E731
    assert store.claim_key("k", "body", "a", 100.0, 60, never).state == "new"
    assert store.claim_key("k", "body", "b", 101.0, 60, never).state == "in_flight"
    assert store.claim_key("k", "other", "b", 101.0, 60, never).state == "mismatch"
    store.insert(invocation("inv_k", 1), [], key_hash="k", status_code=202)
    claim = store.claim_key("k", "body", "b", 102.0, 60, never)
    assert (claim.state, claim.invocation_id, claim.status_code) == ("replay", "inv_k", 202)
    assert store.claim_key("k", "body", "b", 200.0, 60, never).state == "new"  # expired
    store.release_key("k", "b")
    assert store.claim_key("k", "other", "c", 201.0, 60, never).state == "new"


def test_two_relays_share_one_postgres(postgres, tmp_path):
    url = fresh_database(postgres)
    slow = ["queued"] + ["in_progress"] * 200 + ["completed"]
    steps = [
        reply(
            text("Streamed across two relays, word by word."), background=["queued", "completed"]
        ),
        reply(text("Never finished."), background=slow),
        reply(
            text("Finished by the survivor."),
            background=["queued"] + ["in_progress"] * 6 + ["completed"],
        ),
    ]
    with FakeResponsesServer(steps, words_per_delta=1, event_delay=0.05) as server:
        # Heartbeats every 15 s: only event_poll (reading what the other relay stored) can make
        # relay b follow relay a's stream promptly.
        options = {"poll_interval": 0.1, "event_poll": 0.05, "heartbeat": 15}
        a = relay_process(server, url, tmp_path / "a", **options)
        b = relay_process(server, url, tmp_path / "b", **options)
        try:
            with (
                httpx2.Client(base_url=a.url, timeout=30) as on_a,
                httpx2.Client(base_url=b.url, timeout=30) as on_b,
            ):
                # A stream run by relay a, followed live through relay b, to its end.
                started = time.monotonic()
                streamed = on_a.post(API, json=research("one", stream=True)).json()
                url_b = f"{API}/{streamed['invocation_id']}"
                frames = events_of(sse(on_b.get(f"{url_b}/events", headers=token(streamed)).text))
                assert time.monotonic() - started < 10  # the upstream stream takes about 1 s
                assert frames[-1]["event"] == "completed"
                assert [f["id"] for f in frames] == list(range(1, len(frames) + 1))
                assert "".join(
                    f["data"]["text"] for f in frames if f["event"] == "output_text"
                ) == ("Streamed across two relays, word by word.")
                done = on_b.get(
                    f"{url_b}/wait", params={"timeout": 10}, headers=token(streamed)
                ).json()
                assert done["status"] == "completed"

                # A background job of relay a, cancelled through relay b: a sends the cancel.
                job = on_a.post(API, json=research("two", background=True)).json()
                cancelled = on_b.post(f"{API}/{job['invocation_id']}/cancel", headers=token(job))
                assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
                assert sum(r.path.endswith("/cancel") for r in server.requests) == 1

                # Relay a killed during a job: relay b takes it over and finishes it.
                last = on_a.post(API, json=research("three", background=True)).json()
                a.kill()
                finished = on_b.get(
                    f"{API}/{last['invocation_id']}/wait",
                    params={"timeout": 20},
                    headers=token(last),
                ).json()
                assert finished["status"] == "completed"
                assert finished["output_text"] == "Finished by the survivor."
                assert f"took over {last['invocation_id']}" in b.log()
        finally:
            a.kill()
            b.kill()
        for relay in (a, b):
            assert "Traceback" not in relay.log()
