"""Making an illustrative recording of an unchanged notebook again changes no byte: the recording
keeps the date it was made on while its exchanges are the same (``meta.recorded_at`` is the day
they last changed), and the stored notebook holds each cell's printed text as one stream output
per name, as Jupyter stores it, however the kernel happened to split it into messages."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from fake_api import FakeResponsesServer, reply, text

KEY = "sk-" + "determinism" * 3
STEPS = [reply(text("One, two, three.")), reply(text("Four."))]
CELLS = [
    'from helpers import connect, model\n\nclient = connect("again")\nMODEL = model()',
    'answer = client.responses.create(model=MODEL, input="Count to three.")\n'
    "print(answer.output_text)",
    # Printed text that reaches the notebook in several messages: the kernel flushes its buffer
    # at each flush=True and after each pause.
    "import time\n\n"
    "for n in range(6):\n"
    '    print(f"line {n}", flush=True)\n'
    "    time.sleep(0.06)\n"
    'stream = client.responses.create(model=MODEL, input="And then?", stream=True)\n'
    "for event in stream:\n"
    '    if event.type == "response.output_text.delta":\n'
    '        print(event.delta, end="", flush=True)\n'
    "        time.sleep(0.06)\n"
    "print()",
]


@pytest.fixture
def notebook(tmp_path, monkeypatch):
    folder = tmp_path / "notebooks"
    (folder / "recordings").mkdir(parents=True)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = folder / "again.ipynb"
    nbformat.write(nb, path)
    monkeypatch.setenv("TUTORIAL_RECORDINGS_DIR", str(folder / "recordings"))
    monkeypatch.setenv("TUTORIAL_POLL_INTERVAL", "0")
    return path


def illustrate(notebook: Path, monkeypatch) -> None:
    """What ``make illustrate`` does, with this test's notebook and steps."""
    from record import record

    with FakeResponsesServer(STEPS, seed="again", live_shapes=True, expect_key=KEY) as server:
        monkeypatch.setenv("OPENAI_API_KEY", KEY)
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        assert record(notebook, source="illustrative", provider="openai") == 0
        assert not server.unused_steps
    monkeypatch.delenv("OPENAI_API_KEY")
    monkeypatch.delenv("OPENAI_BASE_URL")


def test_illustrating_an_unchanged_notebook_twice_gives_byte_identical_files(notebook, monkeypatch):
    recording = notebook.parent / "recordings" / "again.json"
    illustrate(notebook, monkeypatch)
    # As if that was done on another day: the date is the one thing a new run would change.
    data = json.loads(recording.read_text())
    data["meta"]["recorded_at"] = "2026-01-05"
    recording.write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    first = (recording.read_bytes(), notebook.read_bytes())

    illustrate(notebook, monkeypatch)
    assert json.loads(recording.read_text())["meta"]["recorded_at"] == "2026-01-05"
    assert recording.read_bytes() == first[0]
    assert notebook.read_bytes() == first[1]

    cells = nbformat.read(notebook, as_version=4).cells
    printed = cells[2].outputs
    assert [(o.output_type, o.name) for o in printed] == [("stream", "stdout")]
    assert printed[0].text == "".join(f"line {n}\n" for n in range(6)) + "Four.\n"


def test_a_recording_whose_exchanges_changed_is_dated_the_day_it_was_made(tmp_path):
    from record import _keep_date

    from helpers.recording import Recording

    meta = {"notebook": "again.ipynb", "source": "illustrative", "models": {}, "note": "n"}
    exchange = {"request": {"method": "POST", "path": "/responses", "query": {}, "body": {}},
                "response": {"status": 200, "headers": {}, "body": {"id": "resp_1"}}}  # fmt: skip
    saved = tmp_path / "again.json"
    saved.write_text(Recording({**meta, "recorded_at": "2026-01-05"}, [exchange]).to_json())

    same = Recording({**meta, "recorded_at": "2026-12-02"}, [exchange])
    _keep_date(same, saved, "again")
    assert same.meta["recorded_at"] == "2026-01-05"
    changed = {**exchange, "response": {**exchange["response"], "body": {"id": "resp_2"}}}
    for new in (
        Recording({**meta, "recorded_at": "2026-12-02"}, [changed]),
        Recording({**meta, "recorded_at": "2026-12-02", "sdk_version": "3.55.0"}, [exchange]),
    ):
        _keep_date(new, saved, "again")
        assert new.meta["recorded_at"] == "2026-12-02"
    fresh = Recording({**meta, "recorded_at": "2026-12-02"}, [exchange])
    _keep_date(fresh, tmp_path / "none.json", "none")
    assert fresh.meta["recorded_at"] == "2026-12-02"


def test_a_recorded_notebook_stores_the_course_kernel(notebook, monkeypatch):
    """A notebook written with another kernelspec (here plain "Python 3") is stored with the
    course's, so that JupyterLab opens it without marking it modified."""
    from nbexec import course_kernelspec

    illustrate(notebook, monkeypatch)
    stored = nbformat.read(notebook, as_version=4).metadata["kernelspec"]
    assert stored == course_kernelspec()
    assert stored["display_name"] != "Python 3"  # the kernel make venv installs is named for us


def test_a_recorded_notebook_stores_its_worked_answers_collapsed(notebook, monkeypatch):
    nb = nbformat.read(notebook, as_version=4)
    nb.cells.append(
        nbformat.v4.new_code_cell('def solution(name):\n    print(name)\n\nsolution("x")')
    )
    nbformat.write(nb, notebook)
    illustrate(notebook, monkeypatch)
    stored = nbformat.read(notebook, as_version=4).cells
    assert stored[-1].metadata["collapsed"] is True
    assert stored[-1].metadata["jupyter"] == {"outputs_hidden": True}
    assert "hide-output" in stored[-1].metadata["tags"]
    assert not any(c.metadata.get("collapsed") for c in stored[:-1])
