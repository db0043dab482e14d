"""The workshop layer: the environment check of 00_start_here, what a learner who edits a prompt in
replay is told, and the exercises at the end of every notebook."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from nbexec import ANSI, CREDENTIALS, execute, failing_cell

from helpers import ReplayMiss, connect
from helpers.doctor import check_environment
from helpers.exercises import _REGISTRY, _load_all, check, get
from helpers.exercises.nb00 import MODE_VARIABLES, mode_in

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"
RECORDINGS = NOTEBOOKS / "recordings"
START = NOTEBOOKS / "00_start_here.ipynb"
# Built at run time so no literal in the repository looks like a key.
FAKE_KEY = "sk-" + "workshop" + "test" * 6


def code_cells(path: Path) -> list:
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def markdown(path: Path) -> str:
    cells = nbformat.read(path, as_version=4).cells
    return "\n".join(c.source for c in cells if c.cell_type == "markdown")


# --- a learner edits a prompt in replay ------------------------------------------------------


def test_a_changed_prompt_in_01_stops_at_that_cell_with_a_message_for_the_learner(tmp_path):
    """Notebook 01 with one prompt changed, run headless against the real recording: the cell that
    sends the changed request fails, and the message names the request, the field and the ways out."""
    nb = nbformat.read(NOTEBOOKS / "01_basics.ipynb", as_version=4)
    cells = [c for c in nb.cells if c.cell_type == "code"]
    old = "Tell me a one-sentence joke about version control."
    new = "Tell me a one-sentence joke about databases."
    changed = [n for n, c in enumerate(cells, 1) if old in c.source]
    assert len(changed) == 1, "01_basics no longer sends the prompt this test changes"
    cells[changed[0] - 1].source = cells[changed[0] - 1].source.replace(old, new)
    copy = tmp_path / "01_basics.ipynb"
    nbformat.write(nb, copy)

    env: dict[str, str | None] = {name: None for name in CREDENTIALS}
    env.update(
        TUTORIAL_MODE="replay",
        TUTORIAL_DOTENV="0",
        TUTORIAL_RECORDINGS_DIR=str(RECORDINGS),
    )
    run = execute(copy, env, timeout=120)

    assert run.error is not None, "the changed notebook ran to the end"
    assert failing_cell(run.notebook) == changed[0]
    cell = [c for c in run.notebook.cells if c.cell_type == "code"][changed[0] - 1]
    error = next(o for o in cell.outputs if o.output_type == "error")
    assert error.ename == "ReplayMiss"
    message = error.evalue
    assert "This request is not in the recording for 01_basics" in message
    assert "\n  POST /responses\n" in message
    assert "Closest recorded request (#1 in notebooks/recordings/01_basics.json)" in message
    assert f'body.input: recorded "{old}", now "{new}"' in message
    for way_out in (
        "If you changed a prompt",
        "Undo the change",
        "run live with a key",
        "then restart the kernel: .env is read when the kernel starts",
    ):
        assert way_out in message
    assert "make record NB=notebooks/01_basics.ipynb" in message
    # What the learner reads under the cell: the same message, not a screen of traceback.
    shown = ANSI.sub("", "\n".join(error.traceback))
    assert shown.startswith(
        "helpers.ReplayMiss: This request is not in the recording for 01_basics"
    )
    assert f'body.input: recorded "{old}", now "{new}"' in shown


def test_00_quotes_the_miss_message_as_replay_prints_it():
    """00_start_here shows a learner the message a changed prompt gets: it must be the real one."""
    text = markdown(START)
    quoted = re.search(r"```text\n(helpers\.ReplayMiss: .*?)```", text, re.S)
    assert quoted, "00_start_here no longer quotes a ReplayMiss"
    changed = re.search(r'now "([^"]+)"', quoted[1])[1]
    client = connect("00_start_here")
    with pytest.raises(ReplayMiss) as miss:
        client.responses.create(model="gpt-5.4-mini", input=changed)
    real = f"helpers.ReplayMiss: {miss.value}"
    assert quoted[1].split() == real.split()


# --- the environment check ------------------------------------------------------------------


@pytest.fixture
def clean(monkeypatch):
    for name in (*MODE_VARIABLES, "TUTORIAL_MODEL", "TUTORIAL_RECORD_TO"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def problems(report) -> list[str]:
    return [f"{p.topic}: {p.fix}" for p in report.problems]


def test_the_test_environment_has_no_problems():
    report = check_environment()
    assert problems(report) == []
    text = str(report)
    assert "replay (no API key set)" in text
    assert "none yet: copy .env.example to .env" in text  # what a fresh clone shows
    assert "matches the pinned version (openai==" in text
    listed = {f.topic for f in report.recordings}
    assert {p.stem for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")} <= listed


def test_00_stores_the_environment_check_of_this_repository():
    """nbval compares 00's stored output too, but this says why it differs and how to refresh it:
    the report lists every notebook, so adding or removing one changes it."""
    stored = code_cells(START)
    cell = next(c for c in stored if c.source.strip() == "doctor()")
    shown = cell.outputs[0]["data"]["text/plain"]
    assert shown == str(check_environment()), (
        "00_start_here's stored environment check is out of date (a notebook or recording was "
        "added or removed). Refresh it: make illustrate NB=notebooks/00_start_here.ipynb"
    )


def test_re_recording_a_notebook_leaves_00s_stored_check_as_it_is(tmp_path, monkeypatch):
    """Re-recording any notebook, live or illustrative, on any day, through any provider, with more
    or fewer requests, must not make 00's stored environment check stale (and make test fail)."""
    stored = code_cells(START)
    cell = next(c for c in stored if c.source.strip() == "doctor()")
    monkeypatch.setenv("TUTORIAL_RECORDINGS_DIR", str(tmp_path))
    for n, path in enumerate(sorted(RECORDINGS.glob("[0-9][0-9]_*.json"))):
        data = json.loads(path.read_text())
        data["meta"].update(
            source="recorded", recorded_at=f"2027-01-{n + 10}", provider=["openai", "azure"][n % 2]
        )
        data["meta"].pop("note", None)
        data["interactions"] = data["interactions"][: len(data["interactions"]) // 2 + 1]
        (tmp_path / path.name).write_text(json.dumps(data))
        report = check_environment()
        assert str(report) == cell.outputs[0]["data"]["text/plain"], path.name
        assert report._repr_markdown_() == cell.outputs[0]["data"]["text/markdown"], path.name


@pytest.mark.parametrize(
    "variables",
    [
        {"OPENAI_API_KEY": FAKE_KEY, "OPENAI_BASE_URL": "http://gpu-box.internal:4000/v1"},
        {
            "AZURE_OPENAI_ENDPOINT": "https://contoso.openai.azure.com",
            "AZURE_OPENAI_API_KEY": FAKE_KEY,
        },
        {"OPENAI_API_KEY": FAKE_KEY, "TUTORIAL_MODE": "replay"},
    ],
)
def test_the_report_never_shows_a_key_or_a_host(clean, variables):
    for name, value in variables.items():
        clean.setenv(name, value)
    report = check_environment()
    for shown in (str(report), report._repr_markdown_()):
        assert FAKE_KEY not in shown and FAKE_KEY[:12] not in shown
        assert "gpu-box" not in shown and "contoso" not in shown
        assert "is set (its value is never shown)" in shown


def test_live_with_a_key_reports_the_provider_and_no_problem(clean):
    clean.setenv("OPENAI_API_KEY", FAKE_KEY)
    clean.setenv("OPENAI_BASE_URL", "http://localhost:4000/v1")
    report = check_environment()
    text = str(report)
    assert "live (OPENAI_API_KEY is set): requests go to a Responses-compatible server" in text
    assert re.search(r"\n  Model +gpt-5.4-mini \(the default in helpers/config.py\)\n", text)
    assert problems(report) == []


@pytest.mark.parametrize(
    ("variables", "topic", "fix"),
    [
        ({"OPENAI_API_KEY": "sk-..."}, "API key", "put your real key in OPENAI_API_KEY"),
        ({"TUTORIAL_MODE": "lvie"}, "Mode", "Use one of: auto, replay, live, record"),
        ({"TUTORIAL_MODE": "live"}, "Mode", "needs credentials, and none are set"),
        (
            {"TUTORIAL_MODE": "record", "OPENAI_API_KEY": FAKE_KEY},
            "Mode",
            "set for you by `make record NB=...`",
        ),
        (
            {"AZURE_OPENAI_ENDPOINT": "https://<your-resource>.openai.azure.com"},
            "Provider",
            "AZURE_OPENAI_API_KEY is not set",
        ),
        (
            {"AZURE_OPENAI_ENDPOINT": "https://x.openai.azure.com", "AZURE_OPENAI_KEY": FAKE_KEY},
            "Model",
            "on Azure, the model is your deployment's name: set TUTORIAL_MODEL",
        ),
        ({"OPENAI_BASE_URL": "http://localhost:4000/v1"}, "API key", "set OPENAI_API_KEY"),
        ({"TUTORIAL_MAX_TOKENS": "lots"}, "Budget caps", "TUTORIAL_MAX_TOKENS='lots' is not"),
    ],
)
def test_each_problem_comes_with_its_fix(clean, variables, topic, fix):
    for name, value in variables.items():
        clean.setenv(name, value)
    report = check_environment()
    assert [p.topic for p in report.problems] == [topic]
    assert fix in report.problems[0].fix
    text = str(report)
    assert "1 problem to fix:" in text and f"1. {topic}: " in text
    assert "**problem:** " in report._repr_markdown_()


def test_budget_caps_are_reported(clean):
    clean.setenv("TUTORIAL_MAX_REQUESTS", "50")
    clean.setenv("TUTORIAL_MAX_TOKENS", "200000")
    text = str(check_environment())
    assert "at most 50 model requests and 200,000 tokens per notebook" in text


def test_an_sdk_other_than_the_pinned_one_is_a_problem(monkeypatch):
    import helpers.doctor as doc

    monkeypatch.setattr(doc.metadata, "version", lambda name: "0.0.1")
    report = check_environment()
    (problem,) = report.problems
    assert problem.topic == "openai SDK"
    assert problem.found.startswith("0.0.1 is installed, the course pins ")
    assert "pip install -r requirements.txt" in problem.fix


def test_a_python_older_than_the_course_needs_is_a_problem(monkeypatch):
    import helpers.doctor as doc

    monkeypatch.setattr(doc, "python_needed", lambda: (99, 0))
    (problem,) = check_environment().problems
    assert problem.topic == "Python" and "use Python 99.0 or newer" in problem.fix


def test_recordings_missing_or_unreadable_are_problems_in_replay_only(tmp_path, monkeypatch):
    import helpers.doctor as doc

    notebooks = tmp_path / "notebooks"
    recordings = notebooks / "recordings"
    recordings.mkdir(parents=True)
    for name in ("01_basics", "02_missing", "03_broken"):
        (notebooks / f"{name}.ipynb").write_text("{}")
    shutil.copy(RECORDINGS / "01_basics.json", recordings)
    (recordings / "03_broken.json").write_text("{not json")
    (recordings / "09_orphan.json").write_text("{}")
    monkeypatch.setattr(doc, "NOTEBOOKS", notebooks)
    monkeypatch.setattr(doc, "SHIPPED_RECORDINGS", recordings)
    monkeypatch.setenv("TUTORIAL_RECORDINGS_DIR", str(recordings))

    report = check_environment()
    found = {f.topic: f for f in report.recordings}
    assert found["01_basics"].ok and found["01_basics"].found == "ready to replay"
    assert "git checkout -- notebooks/recordings/02_missing.json" in found["02_missing"].fix
    assert "is not valid JSON" in found["03_broken"].fix
    assert found["09_orphan"].ok and "no notebook" in found["09_orphan"].found

    monkeypatch.setenv("TUTORIAL_MODE", "live")
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    live = {f.topic: f for f in check_environment().recordings}
    assert live["02_missing"].ok  # live, a notebook makes its own requests


# --- exercises -------------------------------------------------------------------------------


def exercises() -> dict:
    _load_all()
    return dict(_REGISTRY)


def notebook_for(exercise_id: str) -> Path | None:
    found = sorted(NOTEBOOKS.glob(f"{exercise_id.split('.')[0]}_*.ipynb"))
    return found[0] if found else None


EXERCISES = sorted(exercises())


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_every_exercise_is_in_its_notebook_and_offline_ones_are_checked_there(exercise_id):
    ex = get(exercise_id)
    assert re.fullmatch(r"\d\d\.\d+", ex.id), f"exercise id {ex.id!r} is not NN.k"
    path = notebook_for(ex.id)
    assert path is not None, f"exercise {ex.id} has no notebook {ex.id[:2]}_*.ipynb"
    code = "\n".join(c.source for c in code_cells(path))
    text = markdown(path)
    assert f"Exercise {ex.id}" in text, f"{path.name} never states exercise {ex.id}"
    if ex.live:
        assert re.search(rf"Exercise {re.escape(ex.id)}\W*\(live challenge\)", text), (
            f"{path.name}: exercise {ex.id} needs new requests: mark it (live challenge)"
        )
    else:
        assert f'check("{ex.id}"' in code, f"{path.name} never checks exercise {ex.id}"
        assert f'check_solution("{ex.id}"' in code, (
            f"{path.name} never proves that exercise {ex.id}'s solution passes its checker"
        )


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_a_wrong_answer_gets_a_hint_and_a_pointer_to_the_solution(exercise_id):
    verdict = check(exercise_id, ...)
    assert not verdict.passed
    assert f'solution("{exercise_id}") shows one answer' in str(verdict)


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")), ids=lambda p: p.name)
def test_solutions_come_after_the_exercises(path):
    headings = [
        line.strip()
        for c in nbformat.read(path, as_version=4).cells
        if c.cell_type == "markdown"
        for line in c.source.splitlines()
        if line.startswith("## ")
    ]
    assert "## Exercises" in headings and "## Solutions" in headings, path.name
    assert headings.index("## Exercises") < headings.index("## Solutions"), path.name
    has_exercises = {eid for eid in EXERCISES if eid.startswith(path.name[:2] + ".")}
    assert has_exercises, f"{path.name} has no exercises in helpers/exercises/nb{path.name[:2]}.py"


# --- the exercises of 00 --------------------------------------------------------------------


def test_working_out_a_mode_leaves_the_environment_as_it_was(clean):
    clean.setenv("TUTORIAL_MODE", "replay")
    before = dict(os.environ)
    assert mode_in({"OPENAI_API_KEY": "your key"}) == "live"
    assert mode_in({"TUTORIAL_MODE": "live"}) == "error"
    assert mode_in({"AZURE_OPENAI_KEY": "your key"}) == "error"
    assert mode_in({}) == "replay"
    assert dict(os.environ) == before


def test_the_mode_quiz_names_the_situation_a_wrong_answer_is_about():
    situations = {"a": {}, "b": {"OPENAI_API_KEY": "your key"}}
    assert check("00.1", {"a": "replay", "b": "live"}, situations).passed
    hint = check("00.1", {"a": "replay", "b": "replay"}, situations).hint
    assert hint.startswith("situation b is not 'replay'. Remember: with TUTORIAL_MODE unset")
    assert "missing: b" in check("00.1", {"a": "replay"}, situations).hint
    wrong = check("00.1", {"a": "offline", "b": "live"}, situations).hint
    assert "situation a: 'offline' is not one of 'replay', 'live', 'error'" in wrong


def test_the_recording_exercise_reads_the_notebooks_own_recording():
    recording = json.loads((RECORDINGS / "00_start_here.json").read_text())
    body = recording["interactions"][0]["request"]["body"]
    assert check("00.2", body["input"], recording).passed
    assert "take the value of its 'input' field" in check("00.2", body, recording).hint


def test_the_budget_challenge_wants_the_guards_exception():
    from helpers import BudgetExceeded

    assert check("00.3", "BudgetExceeded").passed
    assert check("00.3", BudgetExceeded).passed
    assert "the request was sent" in check("00.3", None).hint
    assert "Mode: live" in check("00.3", "AuthenticationError").hint


# --- make run's usage table ------------------------------------------------------------------


def test_make_run_estimates_a_learners_live_run_and_what_the_caps_face():
    from run_notebooks import per_learner

    rows = [
        (
            "00_start_here",
            {"requests": 1, "model_requests": 1, "input_tokens": 27, "output_tokens": 47},
        ),
        (
            "03_web_search",
            {"requests": 9, "model_requests": 9, "input_tokens": 30_000, "output_tokens": 1_000},
        ),
        (
            "05_background",
            {"requests": 86, "model_requests": 12, "input_tokens": 100, "output_tokens": 5},
        ),
    ]
    totals = {"requests": 96, "input_tokens": 30_127, "output_tokens": 1_052}
    text = per_learner(rows, totals, replayed=True)
    assert "every notebook once live: about 96 requests and 31,179 tokens (in + out)" in text
    assert "come from the recordings" in text
    # The request cap counts model requests (polls are free), so that is the figure to size it by.
    assert "12 model requests (05_background) and 31,000 tokens (03_web_search)" in text
    assert "come from the recordings" not in per_learner(rows, totals, replayed=False)
