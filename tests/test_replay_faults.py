"""Replay faults through connect(), as a notebook meets them: the recording is missing, unreadable,
not JSON or not a recording; replay runs out of a request; requests are left unplayed. Each is one
RecordingError (or report line) naming the file and the way out."""

from __future__ import annotations

import json
import time

import pytest
from bodies import interaction, message, response, write_recording

from helpers import RecordingError, connect, model, session_report
from helpers.faults import explain

ASK = {"model": "gpt-5.4-mini", "input": "Say hi."}
FIX = "make record NB=notebooks/nb.ipynb"


@pytest.fixture
def recordings(tmp_path, monkeypatch):
    monkeypatch.setenv("TUTORIAL_RECORDINGS_DIR", str(tmp_path))
    return tmp_path


def refused(folder):
    """connect("nb") must fail at once with one RecordingError; return its message."""
    start = time.perf_counter()
    with pytest.raises(RecordingError) as info:
        connect("nb")
    assert time.perf_counter() - start < 0.5
    text = str(info.value)
    assert str(folder / "nb.json") in text, text  # names the file
    assert FIX in text and "git checkout -- " in text, text  # and the ways out
    assert explain(info.value) == text  # already the clear message: the hook shows it as is
    return text


def valid(**overrides):
    data = {
        "format": 1,
        "meta": {"notebook": "nb.ipynb", "source": "recorded", "models": {"default": "m"}},
        "interactions": [interaction(ASK, response(message("Hi!")))],
    }
    data.update(overrides)
    return data


def test_missing_recording(recordings):
    text = refused(recordings)
    assert "No recording for nb:" in text and "does not exist" in text
    assert "set OPENAI_API_KEY in .env" in text


def test_a_folder_where_the_recording_should_be(recordings):
    (recordings / "nb.json").mkdir()
    assert "cannot be read as a recording (Is a directory)" in refused(recordings)


def test_a_recording_that_is_not_text(recordings):
    (recordings / "nb.json").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    assert "cannot be read as a recording (UnicodeDecodeError)" in refused(recordings)


def test_not_valid_json(recordings):
    (recordings / "nb.json").write_text('{"format": 1,\n  "meta": }\n')
    assert "is not valid JSON (line 2, column 11: Expecting value)" in refused(recordings)


def test_a_merge_conflict_is_named(recordings):
    text = json.dumps(valid(), indent=2)
    head, tail = text.split('"interactions"', 1)
    (recordings / "nb.json").write_text(
        f'{head.rstrip(" ")}<<<<<<< HEAD\n"interactions"{tail}\n=======\n{{}}\n>>>>>>> other\n'
    )
    assert "git merge-conflict markers" in refused(recordings)


def test_an_empty_file(recordings):
    (recordings / "nb.json").write_text("")
    assert "is not valid JSON (line 1, column 1" in refused(recordings)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ([], "the top level is not an object"),
        (valid(format=2), "'format' is 2, expected 1 (written by a newer version of the course"),
        (valid(meta={"source": "recorded"}), "meta.models is missing"),
        (valid(interactions={}), "'interactions' is not a list"),
        (
            valid(interactions=[{"request": {"method": "POST", "path": "/responses", "query": {}},
                                 "response": {"status": 200, "body": {}}}]),
            "interaction 0: request.body is missing",
        ),
        (
            valid(interactions=[{"request": {"method": "POST", "path": "/responses", "query": {},
                                             "body": None},
                                 "response": {"status": 200, "events": [{"event": "x"}]}}]),
            "interaction 0: response.events must be a list of {'event', 'data'} objects",
        ),
    ],
    ids=["not-an-object", "newer-format", "no-models", "interactions", "no-body", "events"],
)  # fmt: skip
def test_wrong_schema(recordings, data, expected):
    (recordings / "nb.json").write_text(json.dumps(data))
    text = refused(recordings)
    assert "is not a recording this course can replay" in text and expected in text


def test_exhausted_in_strict_replay(recordings):
    write_recording(recordings, "nb", [interaction(ASK, response(message("Hi!")))])
    client = connect("nb")
    client.responses.create(**ASK)
    with pytest.raises(RecordingError) as info:
        client.responses.create(**ASK)
    text = str(info.value)
    assert f"POST /responses is in {recordings / 'nb.json'} only 1 time(s)" in text
    assert "Restart Kernel and Run All" in text and FIX in text


def test_interactions_left_unplayed_are_reported(recordings, capsys):
    write_recording(
        recordings,
        "nb",
        [
            interaction(ASK, response(message("Hi!"))),
            interaction({**ASK, "input": "Bye."}, response(message("Bye!"))),
        ],
    )
    client = connect("nb")
    client.responses.create(**ASK)
    capsys.readouterr()
    session_report()
    line = capsys.readouterr().out.splitlines()[-1]
    assert line.startswith(f"1 of 2 recorded requests in {recordings / 'nb.json'} were not")
    assert "(the first is #2, POST /responses)" in line
    assert "Restart Kernel and Run All" in line and line.endswith(FIX)


def test_a_model_role_the_recording_never_named(recordings):
    write_recording(recordings, "nb", [])
    connect("nb")
    with pytest.raises(RecordingError) as info:
        model("deep_research")
    text = str(info.value)
    assert "names no model for role 'deep_research'" in text and FIX in text
