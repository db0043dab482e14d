"""The relay's endpoints, in process (FastAPI's TestClient) over the fake Responses server.

Each test names the seed relay's flaw it guards against where there was one (issue 17)."""

from __future__ import annotations

import hashlib
import json
import threading
import time

import httpx2
import pytest
from relay_support import API, events_of, relay_app, research, sse, token, wait_for

from fake_api import cut_stream, error, function_call, hang, reply, text, web_search
from relay import auth
from relay.runner import status_of
from relay.store import SQLiteStore, StoreError
from relay.upstream import data_source_tool

SLOW = ["queued"] + ["in_progress"] * 400 + ["completed"]  # a job that outlasts the test


def creates(server) -> list:
    return [r for r in server.requests if r.method == "POST" and r.path.endswith("/responses")]


def test_foreground_answers_200_with_the_report_and_the_token_only_once(tmp_path):
    with relay_app([reply(text("QWERTY came from the Sholes typewriter."))], tmp_path) as (
        c,
        server,
        _,
    ):
        r = c.post(API, json=research())
        assert r.status_code == 200
        view = r.json()
        assert view["status"] == "completed" and view["mode"] == "foreground"
        assert view["output_text"] == "QWERTY came from the Sholes typewriter."
        assert view["upstream_response_id"].startswith("resp_")
        assert view["invocation_token"].startswith("rit_")
        assert "retry-after" not in r.headers
        again = c.get(f"{API}/{view['invocation_id']}", headers=token(view))
        assert again.status_code == 200
        assert again.json()["invocation_token"] is None  # the seed returned it on every read
        assert again.json()["output_text"] == view["output_text"]


def test_background_answers_202_with_where_and_when_to_poll(tmp_path):
    steps = [reply(text("Done."), background=["queued", "in_progress", "completed"])]
    with relay_app(steps, tmp_path) as (c, server, _):
        r = c.post(API, json=research(background=True))
        assert r.status_code == 202
        view = r.json()
        assert view["status"] == "queued" and view["upstream_response_id"].startswith("resp_")
        assert r.headers["retry-after"] == "2"
        assert r.headers["location"] == f"{API}/{view['invocation_id']}"
        done = c.get(
            f"{API}/{view['invocation_id']}/wait", params={"timeout": 10}, headers=token(view)
        )
        assert done.status_code == 200 and done.json()["status"] == "completed"
        assert done.json()["output_text"] == "Done." and "retry-after" not in done.headers


@pytest.mark.parametrize("final", ["completed", "failed", "incomplete"])
def test_every_upstream_status_is_kept_and_the_last_three_are_terminal(tmp_path, final):
    # The seed turned in_progress into failed, and never treated incomplete as the end.
    extra = {"incomplete_reason": "max_output_tokens"} if final == "incomplete" else {}
    step = reply(
        text("Part of it."), background=["queued", "in_progress", "in_progress", final], **extra
    )
    with relay_app([step], tmp_path) as (c, server, _):
        view = c.post(API, json=research(background=True)).json()
        done = c.get(
            f"{API}/{view['invocation_id']}/wait", params={"timeout": 10}, headers=token(view)
        )
        assert done.json()["status"] == final
        body = c.get(f"{API}/{view['invocation_id']}/events", headers=token(view)).text
        names = [(f["event"], f["data"].get("status")) for f in events_of(sse(body))]
        terminal = ("completed", "completed") if final == "completed" else ("error", final)
        assert names[0] == ("status", "queued") and names[1] == ("status", "in_progress")
        assert names[-1] == terminal
        if final != "completed":
            assert done.json()["error_message"]


def test_status_of_keeps_each_of_the_six_responses_statuses():
    for status in ("queued", "in_progress", "completed", "failed", "cancelled", "incomplete"):
        assert status_of(status) == status
    assert status_of(None) == "in_progress"


def test_wait_is_a_bounded_long_poll_that_answers_the_current_view(tmp_path):
    # The seed polled for 30 s, then answered 500.
    with relay_app([reply(text("Late."), background=SLOW)], tmp_path, poll_interval=0.05) as (
        c,
        *_,
    ):
        view = c.post(API, json=research(background=True)).json()
        started = time.monotonic()
        r = c.get(
            f"{API}/{view['invocation_id']}/wait", params={"timeout": 0.3}, headers=token(view)
        )
        elapsed = time.monotonic() - started
        assert r.status_code == 200 and r.json()["status"] in ("queued", "in_progress")
        assert 0.25 <= elapsed < 2.5
        assert r.headers["retry-after"] == "2"
        too_long = c.get(
            f"{API}/{view['invocation_id']}/wait", params={"timeout": 999}, headers=token(view)
        )
        assert too_long.status_code == 422
        assert "timeout: must be at most 60 seconds (RELAY_WAIT_MAX)" in too_long.json()["message"]


def test_cancel_stops_a_running_job_and_ends_its_events(tmp_path):
    # The seed had no cancel.
    with relay_app([reply(text("Never."), background=SLOW)], tmp_path, poll_interval=0.05) as (
        c,
        server,
        _,
    ):
        view = c.post(API, json=research(background=True)).json()
        r = c.post(f"{API}/{view['invocation_id']}/cancel", headers=token(view))
        assert r.status_code == 200 and r.json()["status"] == "cancelled"
        assert "client's request" in r.json()["error_message"]
        assert any(q.path.endswith("/cancel") for q in server.requests)
        frames = events_of(
            sse(c.get(f"{API}/{view['invocation_id']}/events", headers=token(view)).text)
        )
        assert frames[-1]["event"] == "error" and frames[-1]["data"]["status"] == "cancelled"
        again = c.post(f"{API}/{view['invocation_id']}/cancel", headers=token(view))
        assert again.status_code == 200 and again.json()["status"] == "cancelled"


def test_cancelling_a_finished_invocation_is_409(tmp_path):
    with relay_app([reply(text("Done."))], tmp_path) as (c, *_):
        view = c.post(API, json=research()).json()
        r = c.post(f"{API}/{view['invocation_id']}/cancel", headers=token(view))
        assert r.status_code == 409 and "already ended (completed)" in r.json()["detail"]


STREAMED = "QWERTY was shaped by telegraph operators, typewriter salesmen and years of trial."


def test_events_carry_ids_and_retry_and_resume_after_last_event_id_once_each(tmp_path):
    # The seed's frames had no id: or retry:, and it ignored Last-Event-ID.
    step = reply(web_search("QWERTY history"), text(STREAMED), background=["queued", "completed"])
    with relay_app([step], tmp_path) as (c, *_):
        r = c.post(API, json=research(stream=True))
        assert r.status_code == 202 and r.json()["upstream_response_id"].startswith("resp_")
        view = r.json()
        url = f"{API}/{view['invocation_id']}/events"
        whole = c.get(url, headers=token(view))
        assert whole.headers["content-type"].startswith("text/event-stream")
        frames = sse(whole.text)
        assert frames[0] == {"retry": "2000"}
        events = events_of(frames)
        assert [f["id"] for f in events] == list(range(1, len(events) + 1))
        assert "".join(f["data"]["text"] for f in events if f["event"] == "output_text") == STREAMED
        assert events[-1]["event"] == "completed"
        assert {"event": "search", "data": {"query": "QWERTY history"}}.items() <= next(
            f for f in events if f["event"] == "search"
        ).items()
        for cut in (1, 3, len(events) - 1):
            rest = events_of(
                sse(c.get(url, headers={**token(view), "Last-Event-ID": str(cut)}).text)
            )
            assert rest == events[cut:], f"resumed after {cut}"
        after_end = c.get(url, headers={**token(view), "Last-Event-ID": str(len(events))})
        assert events_of(sse(after_end.text)) == []  # and the stream ends rather than hangs


def test_a_late_subscriber_follows_live_events_to_the_end(tmp_path):
    # The seed's subscriber that joined mid-stream never got the terminal event.
    step = reply(text(STREAMED), background=["queued", "completed"])
    with relay_app([step], tmp_path, server_options={"event_delay": 0.03}) as (c, *_):
        view = c.post(API, json=research(stream=True)).json()
        time.sleep(0.15)  # the stream is under way: some events are stored already
        frames = events_of(
            sse(c.get(f"{API}/{view['invocation_id']}/events", headers=token(view)).text)
        )
        assert frames[0]["data"] == {"status": "queued"} and frames[-1]["event"] == "completed"
        assert "".join(f["data"]["text"] for f in frames if f["event"] == "output_text") == STREAMED


def test_a_stream_runs_from_its_creation_even_if_nobody_subscribes(tmp_path):
    # The seed started the upstream stream only when someone subscribed.
    step = reply(text(STREAMED), background=["queued", "completed"])
    with relay_app([step], tmp_path) as (c, server, _):
        view = c.post(API, json=research(stream=True)).json()
        assert (
            json.loads(creates(server)[0].body and json.dumps(creates(server)[0].body))["stream"]
            is True
        )
        done = c.get(
            f"{API}/{view['invocation_id']}/wait", params={"timeout": 10}, headers=token(view)
        )
        assert done.json()["status"] == "completed" and done.json()["output_text"] == STREAMED


def test_heartbeats_keep_a_quiet_stream_alive(tmp_path):
    step = reply(text("Slow."), background=["queued"] + ["in_progress"] * 8 + ["completed"])
    with relay_app([step], tmp_path, poll_interval=0.1, heartbeat=0.2) as (c, *_):
        view = c.post(API, json=research(background=True)).json()
        frames = sse(c.get(f"{API}/{view['invocation_id']}/events", headers=token(view)).text)
        assert sum(1 for f in frames if f.get("comment") == "heartbeat") >= 2
        assert events_of(frames)[-1]["event"] == "completed"


def test_a_last_event_id_that_is_not_an_event_id_is_422(tmp_path):
    with relay_app([reply(text("x"))], tmp_path) as (c, *_):
        view = c.post(API, json=research()).json()
        r = c.get(
            f"{API}/{view['invocation_id']}/events", headers={**token(view), "Last-Event-ID": "abc"}
        )
        assert r.status_code == 422 and r.json()["message"].startswith("Last-Event-ID: must be")


KEY = "7d6f0c9e-4c55-4a38-9b8e-d1f3a1c2b001"


def test_an_idempotency_key_replays_the_same_invocation_and_token(tmp_path):
    steps = [reply(text("Once."), background=["queued", "completed"])]
    with relay_app(steps, tmp_path) as (c, server, _):
        first = c.post(API, json=research(background=True), headers={"Idempotency-Key": KEY})
        second = c.post(API, json=research(background=True), headers={"Idempotency-Key": KEY})
        assert first.status_code == second.status_code == 202
        assert second.headers["idempotent-replayed"] == "true"
        assert second.json()["invocation_id"] == first.json()["invocation_id"]
        assert second.json()["invocation_token"] == first.json()["invocation_token"]
        assert len(creates(server)) == 1
        other = c.post(
            API,
            json=research("Another question", background=True),
            headers={"Idempotency-Key": KEY},
        )
        assert other.status_code == 422 and "different request body" in other.json()["detail"]


def test_a_short_idempotency_key_is_422_naming_the_header(tmp_path):
    with relay_app([], tmp_path) as (c, *_):
        r = c.post(API, json=research(), headers={"Idempotency-Key": "1"})
        assert r.status_code == 422
        assert r.json()["message"].startswith("Idempotency-Key: must be 16 to 255")


def test_an_idempotency_key_still_in_flight_is_409_with_retry_after(tmp_path):
    with relay_app([hang(1.0, reply(text("Slow answer.")))], tmp_path) as (c, server, _):
        results = {}

        def first():
            results["first"] = c.post(API, json=research(), headers={"Idempotency-Key": KEY})

        thread = threading.Thread(target=first)
        thread.start()
        wait_for(lambda: creates(server))
        second = c.post(API, json=research(), headers={"Idempotency-Key": KEY})
        thread.join()
        assert second.status_code == 409 and second.headers["retry-after"] == "1"
        assert results["first"].status_code == 200
        third = c.post(API, json=research(), headers={"Idempotency-Key": KEY})
        assert third.json()["invocation_id"] == results["first"].json()["invocation_id"]


def test_a_request_that_failed_upstream_leaves_its_key_free_for_a_retry(tmp_path):
    steps = [error(500, "The server had an error."), reply(text("Second time lucky."))]
    with relay_app(steps, tmp_path) as (c, *_):
        assert c.post(API, json=research(), headers={"Idempotency-Key": KEY}).status_code == 502
        retry = c.post(API, json=research(), headers={"Idempotency-Key": KEY})
        assert retry.status_code == 200 and retry.json()["output_text"] == "Second time lucky."


def test_at_capacity_the_relay_answers_503_with_retry_after(tmp_path):
    # The seed's 503 had no Retry-After.
    with relay_app(
        [reply(text("x"), background=SLOW)], tmp_path, max_jobs=1, poll_interval=0.05
    ) as (c, *_):
        view = c.post(API, json=research(background=True)).json()
        r = c.post(API, json=research("Another"))
        assert r.status_code == 503 and r.headers["retry-after"] == "2"
        assert "RELAY_MAX_JOBS=1" in r.json()["detail"]
        c.post(f"{API}/{view['invocation_id']}/cancel", headers=token(view))


def test_tokens_are_stored_only_as_hashes(tmp_path):
    with relay_app([reply(text("x"))], tmp_path) as (c, *_):
        view = c.post(API, json=research()).json()
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("relay.db*"))
    secret = view["invocation_token"]
    assert secret.encode() not in stored
    assert hashlib.sha256(secret.encode()).hexdigest().encode() in stored


def test_tokens_are_compared_in_constant_time_for_known_and_unknown_ids(tmp_path, monkeypatch):
    seen = []
    original = auth.hmac.compare_digest

    def spy(a, b):
        seen.append((len(a), len(b)))
        return original(a, b)

    monkeypatch.setattr(auth.hmac, "compare_digest", spy)
    with relay_app([reply(text("x"))], tmp_path) as (c, *_):
        view = c.post(API, json=research()).json()
        c.get(f"{API}/{view['invocation_id']}", headers={"X-Invocation-Token": "rit_wrong"})
        c.get(f"{API}/inv_unknown", headers={"X-Invocation-Token": "rit_wrong"})
    assert seen == [(64, 64), (64, 64)]


def test_an_unknown_id_and_a_wrong_token_are_answered_alike(tmp_path):
    # The seed answered 404 for one and 403 for the other, telling a caller that the id exists.
    with relay_app([reply(text("x"))], tmp_path) as (c, *_):
        inv_id = c.post(API, json=research()).json()["invocation_id"]
        unknown = "inv_" + "0" * 24
        for suffix in ("", "/wait?timeout=0", "/events"):
            wrong = c.get(f"{API}/{inv_id}{suffix}", headers={"X-Invocation-Token": "rit_guess"})
            missing = c.get(f"{API}/{unknown}{suffix}", headers={"X-Invocation-Token": "rit_guess"})
            assert wrong.status_code == missing.status_code == 404
            assert wrong.json()["detail"].replace(inv_id, "ID") == missing.json()["detail"].replace(
                unknown, "ID"
            )
            assert dict(wrong.headers).keys() == dict(missing.headers).keys()
        cancel = c.post(f"{API}/{inv_id}/cancel", headers={"X-Invocation-Token": "rit_guess"})
        assert cancel.status_code == 404
        for target in (inv_id, unknown):
            assert c.get(f"{API}/{target}").status_code == 401


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            research(deliverable_format="pdf"),
            "arguments.deliverable_format: Input should be 'markdown_brief', 'markdown_report' or 'json_outline'",
        ),
        (
            {"tool_name": "web_search", "arguments": {"research_question": "q"}},
            "tool_name: Input should be 'deep_research'",
        ),
        (
            {"tool_name": "deep_research", "arguments": {}},
            "arguments.research_question: is required",
        ),
        (research(""), "arguments.research_question: String should have at least 1 character"),
        (
            research(deliverable="markdown_brief"),
            "arguments.deliverable: is not a field of this request",
        ),
        (research(background=True, stream=True), "background and stream cannot both be true"),
        (research(context="one string"), "arguments.context: Input should be a valid list"),
        (
            research(text_format="xml"),
            "arguments.text_format: Input should be 'text' or 'json_object'",
        ),
    ],
)
def test_bad_input_is_422_naming_the_field_and_what_it_allows(tmp_path, body, message):
    with relay_app([], tmp_path) as (c, server, app):
        r = c.post(API, json=body)
        assert r.status_code == 422
        assert message in r.json()["message"], r.json()["message"]
        assert r.json()["detail"]  # FastAPI's list, for clients that read it
        assert server.requests == [] and app.state.relay.store.running() == []


def test_a_body_over_the_limit_is_413_and_nothing_is_stored(tmp_path):
    with relay_app([], tmp_path, max_body=2048) as (c, server, app):
        big = research("x" * 4000)
        r = c.post(API, json=big)
        assert r.status_code == 413 and "2,048 bytes, RELAY_MAX_BODY" in r.json()["detail"]

        def chunks():  # no Content-Length: the limit holds for a streamed body too
            data = json.dumps(big).encode()
            for i in range(0, len(data), 500):
                yield data[i : i + 500]

        r = c.post(API, content=chunks(), headers={"content-type": "application/json"})
        assert r.status_code == 413
        assert server.requests == []
        assert app.state.relay.store.next_number() == 1  # no invocation was numbered


def test_upstream_500_at_creation_is_502_and_nothing_is_stored(tmp_path):
    with relay_app(
        [error(500, "The server had an error while processing your request.")], tmp_path
    ) as (c, server, app):
        r = c.post(API, json=research(background=True))
        assert r.status_code == 502
        assert "The model provider failed (500: The server had an error" in r.json()["detail"]
        assert app.state.relay.store.running() == []


def test_upstream_429_is_503_with_retry_after(tmp_path):
    step = error(429, "Rate limit reached for requests.", headers={"retry-after": "7"})
    with relay_app([step], tmp_path) as (c, *_):
        r = c.post(API, json=research())
        assert r.status_code == 503 and r.headers["retry-after"] == "7"
        assert "limiting the relay's requests (429: Rate limit reached" in r.json()["detail"]


def test_an_upstream_timeout_is_504(tmp_path):
    with relay_app([hang(2.0)], tmp_path, upstream_timeout=0.3) as (c, *_):
        r = c.post(API, json=research())
        assert r.status_code == 504 and "did not answer within 0.3 s" in r.json()["detail"]


class FailingPolls(httpx2.BaseTransport):
    """Answers the next GETs of /responses/... (polls, or stream resumes with ``resumes``) with the
    given statuses ("timeout": the read times out), then passes them through."""

    def __init__(self, statuses: list, resumes: bool = False):
        self.inner = httpx2.HTTPTransport()
        self.statuses = list(statuses)
        self.resumes = resumes

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        resume = "stream=true" in str(request.url)
        if request.method == "GET" and self.statuses and resume == self.resumes:
            status = self.statuses.pop(0)
            if status == "timeout":
                raise httpx2.ReadTimeout("injected timeout", request=request)
            body = {
                "error": {
                    "message": f"injected {status}",
                    "type": "server_error",
                    "param": None,
                    "code": None,
                }
            }
            return httpx2.Response(status, json=body, headers={"retry-after-ms": "1"})
        return self.inner.handle_request(request)


def test_failed_polls_are_retried_and_the_job_still_completes(tmp_path):
    steps = [reply(text("Made it."), background=["queued", "in_progress", "completed"])]
    with relay_app(steps, tmp_path, transport=FailingPolls([500, 429, "timeout", 503])) as (c, *_):
        view = c.post(API, json=research(background=True)).json()
        done = c.get(
            f"{API}/{view['invocation_id']}/wait", params={"timeout": 10}, headers=token(view)
        )
        assert done.json()["status"] == "completed" and done.json()["output_text"] == "Made it."


def test_an_upstream_stream_cut_midway_is_resumed_after_its_last_event(tmp_path):
    step = cut_stream(reply(text(STREAMED), background=["queued", "completed"]), after=6)
    with relay_app([step], tmp_path) as (c, server, _):
        view = c.post(API, json=research(stream=True)).json()
        frames = events_of(
            sse(c.get(f"{API}/{view['invocation_id']}/events", headers=token(view)).text)
        )
        assert [f["id"] for f in frames] == list(range(1, len(frames) + 1))
        assert "".join(f["data"]["text"] for f in frames if f["event"] == "output_text") == STREAMED
        assert frames[-1]["event"] == "completed"
        resumed = [r.path for r in server.requests if "starting_after" in r.path]
        assert len(resumed) == 1 and "starting_after=5&" in resumed[0]


def test_a_stream_that_cannot_be_resumed_is_polled_to_its_end_and_its_text_completed(tmp_path):
    step = cut_stream(reply(text(STREAMED), background=["queued", "completed"]), after=6)
    failing = FailingPolls([500, 500, 500], resumes=True)
    with relay_app([step], tmp_path, transport=failing) as (c, server, _):
        view = c.post(API, json=research(stream=True)).json()
        frames = events_of(
            sse(c.get(f"{API}/{view['invocation_id']}/events", headers=token(view)).text)
        )
        chunks = [f["data"]["text"] for f in frames if f["event"] == "output_text"]
        assert "".join(chunks) == STREAMED and frames[-1]["event"] == "completed"
        assert failing.statuses == []  # three resumes failed, then it polled


def test_polls_that_keep_failing_fail_the_job_with_a_message(tmp_path):
    steps = [reply(text("Never seen."), background=["queued", "completed"])]
    with relay_app(steps, tmp_path, transport=FailingPolls([500] * 10), poll_errors=3) as (c, *_):
        view = c.post(API, json=research(background=True)).json()
        done = c.get(
            f"{API}/{view['invocation_id']}/wait", params={"timeout": 10}, headers=token(view)
        )
        assert done.json()["status"] == "failed"
        assert done.json()["error_message"].startswith(
            "The relay lost track of the research: 3 polls"
        )


def test_a_read_only_database_refuses_writes_with_503_and_still_serves_reads(tmp_path):
    with relay_app([reply(text("Kept."))], tmp_path) as (c, server, app):
        view = c.post(API, json=research()).json()
        relay = app.state.relay
        writable = relay.store
        relay.store = relay.runner.store = SQLiteStore(writable.target, read_only=True)
        try:
            r = c.post(API, json=research("Another question"))
            assert r.status_code == 503 and r.headers["retry-after"] == "5"
            assert (
                "could not be written: attempt to write a readonly database" in r.json()["detail"]
            )
            assert "Nothing was stored" in r.json()["detail"]
            read = c.get(f"{API}/{view['invocation_id']}", headers=token(view))
            assert read.status_code == 200 and read.json()["output_text"] == "Kept."
        finally:
            relay.store = relay.runner.store = writable
        assert creates(server)[1:] == []  # refused before anything was sent upstream


def test_a_job_that_cannot_be_stored_is_cancelled_upstream_not_left_running(tmp_path, monkeypatch):
    with relay_app([reply(text("Never stored."), background=SLOW)], tmp_path) as (c, server, app):
        store = app.state.relay.store

        def disk_full(*args, **kwargs):
            raise StoreError("The relay's database (SQLite) could not be written: disk is full")

        monkeypatch.setattr(store, "insert", disk_full)
        r = c.post(API, json=research(background=True))
        assert r.status_code == 503 and "disk is full" in r.json()["detail"]
        assert server.requests[-1].method == "POST" and server.requests[-1].path.endswith("/cancel")
        assert store.running() == []


@pytest.mark.parametrize(
    ("model", "tool"),
    [
        ("gpt-5.5", "web_search"),
        ("gpt-5.4-mini-2026-03-17", "web_search"),
        ("o4-mini-deep-research", "web_search_preview"),
        ("o3-deep-research-2025-06-26", "web_search_preview"),
    ],
)
def test_the_research_request_carries_the_data_source_tool_its_model_needs(tmp_path, model, tool):
    # The seed sent no data-source tool at all, which deep research models refuse.
    assert data_source_tool(model) == {"type": tool}
    models = {"default": "gpt-5.4-mini", "deep_research": model}
    with relay_app([reply(text("x"))], tmp_path, models=models) as (c, server, _):
        c.post(API, json=research(context=["for a talk"], constraints=["after 1860"]))
        sent = creates(server)[0].body
        assert sent["model"] == model and sent["tools"] == [{"type": tool}]
        assert sent["store"] is True and sent["max_tool_calls"] == 12
        assert (
            "Context:\n- for a talk" in sent["input"]
            and "Constraints:\n- after 1860" in sent["input"]
        )


def test_the_research_model_is_the_deep_research_role_of_the_course_config(monkeypatch):
    from helpers import config
    from relay.settings import Settings
    from relay.upstream import Upstream

    upstream = Upstream.for_server(
        "http://127.0.0.1:9/v1", Settings.from_env({}, db=":memory:"), models={}
    )
    assert upstream.model("deep_research") == config.DEFAULT_MODELS["deep_research"]
    monkeypatch.setenv("TUTORIAL_DEEP_RESEARCH_MODEL", "my-research-deployment")
    upstream.models.clear()
    assert upstream.model("deep_research") == "my-research-deployment"


# ---- the chat loop --------------------------------------------------------------------------


def test_chat_runs_every_call_of_every_turn_and_returns_errors_to_the_model(tmp_path):
    # The seed ran only the first function call of a response.
    steps = [
        reply(
            function_call("deep_research", {"research_question": "Origins of QWERTY"}),
            function_call("deep_research", {"research_question": "Dvorak studies"}),
            function_call("weather", {"city": "Paris"}),
        ),
        reply(text("Report one."), background=["queued", "completed"]),
        reply(text("Report two."), background=["queued", "completed"]),
        reply(function_call("deep_research", "{not json")),
        reply(text("QWERTY came from telegraphy; Dvorak's advantage is unproven.")),
    ]
    with relay_app(steps, tmp_path) as (c, server, _):
        r = c.post("/api/v1/chat", json={"message": "Tell me about QWERTY and Dvorak."})
        assert r.status_code == 200, r.text
        answer = r.json()
        assert answer["content"].startswith("QWERTY came from telegraphy")
        assert answer["tool_called"] is True and answer["turns"] == 3
        assert answer["tool_name"] is None  # two different functions were asked for
        assert answer["research_summary"] == "Report two."
        calls = answer["tool_calls"]
        assert [c_["name"] for c_ in calls] == [
            "deep_research",
            "deep_research",
            "weather",
            "deep_research",
        ]
        assert [c_["status"] for c_ in calls[:2]] == ["completed", "completed"]
        assert all(c_["invocation_id"] and c_["upstream_response_id"] for c_ in calls[:2])
        assert "There is no function named 'weather'" in calls[2]["output"]
        assert "The arguments are not valid JSON" in calls[3]["output"]
        model_turns = [q.body for q in creates(server) if q.body.get("model") == "gpt-5.4-mini"]
        assert len(model_turns) == 3
        second = model_turns[1]
        assert second["previous_response_id"] and [i["call_id"] for i in second["input"]] == [
            c_["call_id"] for c_ in calls[:3]
        ]
        # The research invocations are ordinary ones, readable with the token the chat returned.
        one = c.get(
            f"{API}/{calls[0]['invocation_id']}",
            headers={"X-Invocation-Token": calls[0]["invocation_token"]},
        )
        assert one.json()["output_text"] == "Report one."


def test_chat_stops_after_max_turns_and_says_so(tmp_path):
    steps = [reply(function_call("weather", {"city": "Paris"})) for _ in range(3)]
    with relay_app(steps, tmp_path, max_turns=3) as (c, server, _):
        r = c.post("/api/v1/chat", json={"message": "Weather?"})
        assert r.status_code == 502
        assert (
            "still called functions (weather) in response 3 of at most 3 (RELAY_MAX_TURNS)"
            in r.json()["detail"]
        )
        assert len(creates(server)) == 3


def test_chat_without_tools_answers_directly(tmp_path):
    with relay_app([reply(text("Hello."))], tmp_path) as (c, server, _):
        r = c.post("/api/v1/chat", json={"message": "Hi", "auto_tool_call": False})
        assert r.json()["content"] == "Hello." and r.json()["tool_called"] is False
        assert "tools" not in creates(server)[0].body


def test_chat_research_that_fails_is_reported_to_the_model(tmp_path):
    steps = [
        reply(function_call("deep_research", {"research_question": "q"})),
        reply(text("x"), background=["queued", "failed"]),
        reply(text("The research failed, so here is what I know.")),
    ]
    with relay_app(steps, tmp_path) as (c, server, _):
        answer = c.post("/api/v1/chat", json={"message": "Research q"}).json()
        assert answer["tool_calls"][0]["status"] == "failed"
        assert (
            "deep_research raised RuntimeError: The research failed upstream"
            in answer["tool_calls"][0]["output"]
        )
        assert answer["content"].startswith("The research failed")


def test_health_says_how_the_relay_runs_and_nothing_secret(tmp_path):
    with relay_app([], tmp_path) as (c, *_):
        health = c.get("/api/v1/health").json()
        assert health["status"] == "ok" and health["database"] == "SQLite"
        assert health["upstream"]["mode"] == "live" and "sk-" not in json.dumps(health)
