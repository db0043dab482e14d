"""Replay through the real SDK: matching, order, streams, misses, faults, and never waiting."""

from __future__ import annotations

import json
import time

import openai
import pytest
from bodies import interaction, message, response, usage, write_recording

from helpers import RecordingError, ReplayMiss, connect, current_session, model, session_report
from helpers.recording import load

ASK = {"model": "gpt-5.4-mini", "input": "Say hi."}


@pytest.fixture
def recordings(tmp_path, monkeypatch):
    monkeypatch.setenv("TUTORIAL_RECORDINGS_DIR", str(tmp_path))
    return tmp_path


def test_a_recorded_request_replays_through_the_sdk(recordings, capsys):
    write_recording(recordings, "nb", [interaction(ASK, response(message("Hi!")))])
    client = connect("nb")
    answer = client.responses.create(model=model(), input="Say hi.")
    assert isinstance(answer, openai.types.responses.Response)
    assert answer.output_text == "Hi!"
    assert capsys.readouterr().out.startswith("Mode: replay (no API key set). Answers come")


def test_azure_and_openai_paths_are_the_same_request(recordings):
    write_recording(recordings, "nb", [interaction(ASK, response(message("Hi!")))])
    client = connect("nb")
    azure_style = client.with_options(base_url="https://x.openai.azure.com/openai/v1/")
    assert azure_style.responses.create(**ASK).output_text == "Hi!"


def test_polling_the_same_url_replays_answers_in_order(recordings):
    statuses = ["queued", "in_progress", "completed"]
    polls = [
        interaction(None, response(id="resp_bg", status=s), method="GET", path="/responses/resp_bg")
        for s in statuses
    ]
    write_recording(recordings, "nb", polls)
    client = connect("nb")
    seen = [client.responses.retrieve("resp_bg").status for _ in statuses]
    assert seen == statuses


def test_strict_replay_refuses_a_used_up_request(recordings):
    write_recording(recordings, "nb", [interaction(ASK, response(message("Hi!")))])
    client = connect("nb")
    client.responses.create(**ASK)
    with pytest.raises(RecordingError, match="replay has used them all"):
        client.responses.create(**ASK)


def test_a_cell_run_again_in_jupyterlab_gets_the_same_answer(recordings, monkeypatch):
    monkeypatch.setenv("TUTORIAL_REPLAY_STRICT", "0")
    write_recording(recordings, "nb", [interaction(ASK, response(message("Hi!")))])
    client = connect("nb")
    first = client.responses.create(**ASK)
    again = client.responses.create(**ASK)
    assert first.output_text == again.output_text == "Hi!"
    assert current_session().replay.repeats == 1


def test_a_changed_prompt_is_a_clear_miss(recordings):
    write_recording(
        recordings,
        "nb",
        [
            interaction(ASK, response(message("Hi!"))),
            interaction({**ASK, "input": "Bye."}, response(message("Bye!"))),
        ],
    )
    client = connect("nb")
    with pytest.raises(ReplayMiss) as err:
        client.responses.create(model="gpt-5.4-mini", input="Say hello.", instructions="Be brief.")
    text = str(err.value)
    assert "not in the recording for nb" in text
    assert "POST /responses" in text
    assert "Closest recorded request (#1" in text
    assert 'body.input: recorded "Say hi.", now "Say hello."' in text
    assert 'body.instructions: not recorded, now "Be brief."' in text
    assert "make record NB=notebooks/nb.ipynb" in text and "OPENAI_API_KEY" in text


def test_a_miss_is_not_retried_or_wrapped_by_the_sdk(recordings):
    write_recording(recordings, "nb", [])
    client = connect("nb")
    start = time.perf_counter()
    with pytest.raises(ReplayMiss, match="No request to POST /responses was recorded"):
        client.responses.create(**ASK)
    assert time.perf_counter() - start < 0.2  # no retry back-off


def test_streams_replay_through_the_sdk_stream_classes(recordings):
    final = response(message("Hello world"))
    events = [
        {"event": "response.created", "data": {"type": "response.created", "sequence_number": 0,
                                               "response": {**final, "status": "in_progress"}}},
        {"event": "response.output_text.delta", "data": {
            "type": "response.output_text.delta", "sequence_number": 1, "item_id": "msg_1",
            "output_index": 0, "content_index": 0, "delta": "Hello", "logprobs": []}},
        {"event": "response.completed", "data": {"type": "response.completed", "sequence_number": 2,
                                                 "response": final}},
    ]  # fmt: skip
    write_recording(recordings, "nb", [interaction({**ASK, "stream": True}, events=events)])
    client = connect("nb")
    got = list(client.responses.create(**ASK, stream=True))
    assert [e.sequence_number for e in got] == [0, 1, 2]
    assert got[1].delta == "Hello"
    assert got[-1].response.output_text == "Hello world"


def test_recorded_errors_raise_the_sdk_errors_without_waiting(recordings):
    error = {"error": {"message": "Rate limit reached", "type": "requests", "param": None,
                       "code": "rate_limit_exceeded"}}  # fmt: skip
    write_recording(
        recordings,
        "nb",
        [interaction(ASK, error, status=429)] * 3 + [interaction(ASK, error, status=400)],
    )
    client = connect("nb")
    start = time.perf_counter()
    with pytest.raises(openai.RateLimitError, match="Rate limit reached"):
        client.responses.create(**ASK)  # the SDK retries twice: three recorded 429s
    assert time.perf_counter() - start < 0.2
    with pytest.raises(openai.BadRequestError):
        client.responses.create(**ASK)


def test_replayed_polling_that_took_minutes_live_takes_no_time(recordings):
    polls = [
        interaction(None, response(id="resp_bg", status="in_progress", created_at=1763629200 + i),
                    method="GET", path="/responses/resp_bg")
        for i in range(0, 600, 5)
    ]  # fmt: skip
    write_recording(recordings, "nb", polls)
    client = connect("nb")
    start = time.perf_counter()
    for _ in polls:
        client.responses.retrieve("resp_bg")
    assert time.perf_counter() - start < 1.0


def test_usage_counts_each_response_once_and_reports_unplayed(recordings, capsys):
    body = response(message("Hi!"), usage=usage(inp=12, out=3, cached=2, reasoning=1))
    write_recording(
        recordings,
        "nb",
        [
            interaction(ASK, body),
            interaction(None, body, method="GET", path="/responses/resp_1"),
            interaction({**ASK, "input": "again"}, body),
        ],
    )
    client = connect("nb")
    client.responses.create(**ASK)
    client.responses.retrieve("resp_1")
    capsys.readouterr()
    session_report()
    out = capsys.readouterr().out
    assert "Requests: 2 · tokens in: 12 (2 cached) · out: 3 (1 reasoning) over 1 response" in out
    assert "1 of 3 recorded requests" in out and "#3, POST /responses" in out


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "does not exist"),
        ("{not json", "is not valid JSON (line 1, column 2"),
        (json.dumps({"format": 1, "meta": {}, "interactions": []}), "meta.source is None"),
        (
            json.dumps(
                {
                    "format": 1,
                    "meta": {"source": "recorded", "models": {}},
                    "interactions": [{"request": {"method": "POST"}, "response": {}}],
                }
            ),
            "interaction 0: request.path is missing",
        ),  # fmt: skip
    ],
)
def test_a_broken_recording_names_the_file_and_the_fix(tmp_path, content, expected):
    path = tmp_path / "nb.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(RecordingError) as err:
        load(path, "nb")
    assert expected in str(err.value)
    assert "make record NB=notebooks/nb.ipynb" in str(err.value)
