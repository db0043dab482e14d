"""A malformed recording is one RecordingError at connect(), naming the file and the fix, whatever
is wrong with it: nested past any recording, answers with the wrong JSON types where the SDK would
build or iterate them (a body that is a string or null, `output` a string, usage a string), things
the SDK cannot send, or something that is not a regular file (a FIFO would block connect() forever).

Each case used to load, and then fail in the learner's cell as a RecursionError, an AttributeError
or a TypeError, or hang; the tests ask connect() for the message, quickly."""

from __future__ import annotations

import copy
import json
import os
import threading
import time
from pathlib import Path

import pytest
from bodies import interaction, message, response, usage, write_recording

from helpers import RecordingError, connect
from helpers.faults import explain
from helpers.recording import MAX_DEPTH, load

REPO = Path(__file__).resolve().parent.parent
RECORDINGS = REPO / "notebooks" / "recordings"
REAL = REPO.parent / "shared" / "real-traffic"
ASK = {"model": "gpt-5.4-mini", "input": "Say hi."}
FIX = "make record NB=notebooks/nb.ipynb"


@pytest.fixture
def recordings(tmp_path, monkeypatch):
    monkeypatch.setenv("TUTORIAL_RECORDINGS_DIR", str(tmp_path))
    return tmp_path


def refused(folder: Path) -> str:
    """connect("nb") fails at once with one RecordingError naming the file and the fix."""
    start = time.perf_counter()
    with pytest.raises(RecordingError) as info:
        connect("nb")
    assert time.perf_counter() - start < 0.5
    text = str(info.value)
    assert str(folder / "nb.json") in text and FIX in text, text
    assert explain(info.value) == text
    return text


def nested(depth: int) -> object:
    value: object = "deep"
    for _ in range(depth):
        value = {"a": [value]} if depth % 2 else [value]
    return value


def stream(*data: dict) -> list[dict]:
    return [{"event": d["type"], "data": d} for d in data]


def created() -> dict:
    return {"type": "response.created", "sequence_number": 0, "response": response()}


def delta(text: object) -> dict:
    return {"type": "response.output_text.delta", "sequence_number": 1, "item_id": "msg_1",
            "output_index": 0, "content_index": 0, "delta": text, "logprobs": []}  # fmt: skip


def with_text(answer: dict, **fields) -> dict:
    answer = copy.deepcopy(answer)
    answer["output"][0]["content"][0].update(fields)
    return answer


GOOD = response(message("Hi!"))
# Each: the recorded answer (a body, or events for a stream) and what the message must say.
MALFORMED = {
    "body-a-string": (interaction(ASK, "Hi!"), "response.body is a string, where the SDK expects an object"),
    "body-null": (interaction(ASK, None), "response.body is null, where the SDK expects an object"),
    "body-a-list": (interaction(ASK, [GOOD]), "response.body is a list"),
    "output-a-string": (interaction(ASK, {**GOOD, "output": "Hi!"}), "response.body.output is a string, where the SDK expects a list"),
    "output-null": (interaction(ASK, {**GOOD, "output": None}), "response.body.output is null"),
    "output-item-a-string": (interaction(ASK, {**GOOD, "output": ["Hi!"]}), "response.body.output[0] is a string"),
    "content-a-string": (interaction(ASK, {**GOOD, "output": [{**message("x"), "content": "Hi!"}]}), "response.body.output[0].content is a string"),
    "text-a-number": (interaction(ASK, with_text(GOOD, text=42)), "response.body.output[0].content[0].text is an integer, where the SDK expects a string"),
    "annotations-an-object": (interaction(ASK, with_text(GOOD, annotations={})), "content[0].annotations is an object, where the SDK expects a list"),
    "usage-a-string": (interaction(ASK, {**GOOD, "usage": "12 tokens"}), "response.body.usage is a string, where the SDK expects an object or null"),
    "token-count-a-string": (interaction(ASK, {**GOOD, "usage": {**usage(), "input_tokens": "12"}}), "response.body.usage.input_tokens is a string, where the SDK expects an integer"),
    "token-count-true": (interaction(ASK, {**GOOD, "usage": {**usage(), "output_tokens": True}}), "usage.output_tokens is true or false, where the SDK expects an integer"),
    "details-a-list": (interaction(ASK, {**GOOD, "usage": {**usage(), "input_tokens_details": []}}), "usage.input_tokens_details is a list"),
    "status-a-list": (interaction(ASK, {**GOOD, "status": ["completed"]}), "response.body.status is a list"),
    "polled-body-a-string": (interaction(None, "in_progress", method="GET", path="/responses/resp_1"), "interaction 1: response.body is a string"),
    "event-data-a-number": (interaction({**ASK, "stream": True}, events=[{"event": None, "data": 7}]), "event 0: 'data' is an integer; a streamed event is an object"),
    "event-data-not-json": (interaction({**ASK, "stream": True}, events=[{"event": None, "data": "Hi"}]), "event 0: 'data' is a string"),
    "event-delta-a-list": (interaction({**ASK, "stream": True}, events=stream(created(), delta(["Hi"]))), "event 1 data.delta is a list, where the SDK expects a string"),
    "event-response-a-string": (interaction({**ASK, "stream": True}, events=stream({**created(), "response": "x"})), "event 0 data.response is a string"),
    "event-name-two-lines": (interaction({**ASK, "stream": True}, events=[{"event": "a\ndata: {}", "data": created()}]), "event 0: 'event' must be a name on one line"),
    "status-true": (interaction(ASK, GOOD, status=True), "response.status True is not an HTTP status"),
    "status-1000": (interaction(ASK, GOOD, status=1000), "response.status 1000 is not an HTTP status"),
    "header-a-number": ({**interaction(ASK, GOOD), "response": {"status": 200, "headers": {"retry-after": 5}, "body": GOOD}}, "response.headers must map names to strings"),
}  # fmt: skip


@pytest.mark.parametrize(("recorded", "expected"), MALFORMED.values(), ids=MALFORMED)
def test_a_malformed_answer_is_one_message_at_connect(recordings, recorded, expected):
    write_recording(recordings, "nb", [interaction(ASK, GOOD), recorded])
    text = refused(recordings)
    assert "is not a recording this course can replay" in text
    assert expected in text, text


def test_a_model_name_that_is_not_a_string(recordings):
    write_recording(recordings, "nb", [], models={"default": ["gpt-5.4-mini"]})
    assert "meta.models.default is list, not a model name" in refused(recordings)


@pytest.mark.parametrize("depth", [2000, 200_000])
def test_a_recording_nested_too_deep_for_json(recordings, depth):
    path = write_recording(recordings, "nb", [interaction({**ASK, "input": "DEEP"}, GOOD)])
    # Written as text: json itself cannot write what it cannot read.
    path.write_text(path.read_text().replace('"DEEP"', "[" * depth + "]" * depth))
    text = refused(recordings)
    assert f"nested too deeply to read (a recording is at most {MAX_DEPTH} levels deep)" in text


@pytest.mark.parametrize("where", ["request", "answer"])
def test_a_recording_nested_deeper_than_any_recording(recordings, where):
    """Deep enough to load, too deep for the Python that walks it later (a miss's diff)."""
    deep = nested(900)
    recorded = (
        interaction({**ASK, "input": deep}, GOOD)
        if where == "request"
        else interaction(ASK, {**GOOD, "metadata": {"x": deep}})
    )
    write_recording(recordings, "nb", [recorded])
    assert f"interaction 0 is nested more than {MAX_DEPTH} levels deep" in refused(recordings)


def test_the_depth_allowed_is_far_above_what_recordings_hold():
    """Every shipped recording and every real exchange is well inside MAX_DEPTH."""

    def depth(value: object) -> int:
        if isinstance(value, dict | list):
            items = value.values() if isinstance(value, dict) else value
            return 1 + max((depth(v) for v in items), default=0)
        return 0

    files = sorted(RECORDINGS.glob("*.json")) + sorted(REAL.glob("*.json"))
    deepest = max(depth(json.loads(p.read_text())) for p in files)
    assert deepest * 4 < MAX_DEPTH, deepest


def test_a_fifo_in_place_of_the_recording_is_refused_without_blocking(recordings):
    fifo = recordings / "nb.json"
    os.mkfifo(fifo)

    # Should connect() open it for reading, it would wait for a writer for ever: this one comes
    # after 2 s and writes nothing, so the test ends either way.
    def writer() -> None:
        try:
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:  # no reader: nothing is blocked
            pass

    unblock = threading.Timer(2.0, writer)
    unblock.start()
    try:
        text = refused(recordings)
    finally:
        unblock.cancel()
    assert "cannot be read as a recording (it is a named pipe (FIFO), not a regular file)" in text


def test_a_device_in_place_of_the_recording_is_refused(recordings):
    (recordings / "nb.json").symlink_to("/dev/null")
    text = refused(recordings)
    assert "cannot be read as a recording (it is a device or socket, not a regular file)" in text


def test_a_file_larger_than_any_recording_is_refused_unread(recordings):
    with open(recordings / "nb.json", "wb") as fh:
        fh.truncate(65 * 1024 * 1024)  # sparse: nothing is written to disk
    assert "(it is 68,157,440 bytes, over the limit of 67,108,864)" in refused(recordings)


def test_every_shipped_recording_and_every_real_exchange_loads():
    """The check refuses no answer the live API or the course's recordings hold."""
    for path in sorted(RECORDINGS.glob("*.json")):
        load(path)
    real = sorted(REAL.glob("*.json"))
    if not real:
        pytest.skip(f"{REAL} is absent (a user's clone): the real exchanges are not checked")
    for path in real:
        load(path)


def test_loading_the_largest_recording_stays_fast():
    """Load parses, bounds and checks the largest recording (05, 180 KB) in a few milliseconds;
    the first load in a process also builds the checks for the SDK types it meets."""
    largest = max(RECORDINGS.glob("*.json"), key=lambda p: p.stat().st_size)
    load(largest)
    start = time.perf_counter()
    for _ in range(10):
        load(largest)
    assert (time.perf_counter() - start) / 10 < 0.05


def test_the_load_check_knows_the_routes_validate_knows():
    """helpers/shapes.py names its routes' types lazily; they must be validate.py's routes."""
    import importlib

    from helpers.shapes import ROUTES
    from helpers.validate import _routes

    named = [
        (method, pattern, getattr(importlib.import_module(f"openai.types.{module}"), name))
        if module
        else (method, pattern, None)
        for method, pattern, module, name in ROUTES
    ]
    assert named == [(m, p.pattern, k) for m, p, k in _routes() if m != "STREAM"]


def test_a_number_python_will_not_read(recordings):
    """Valid JSON that json.loads refuses with a ValueError of its own, not a JSONDecodeError."""
    path = write_recording(recordings, "nb", [interaction({**ASK, "input": "BIG"}, GOOD)])
    path.write_text(path.read_text().replace('"BIG"', "9" * 5000))
    assert "cannot be read as a recording (Exceeds the limit (4300 digits)" in refused(recordings)
