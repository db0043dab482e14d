"""`make record` end to end on a copy of notebook 01: live against a local Responses-compatible
server with a fake key and organisation, then nbval in replay against the new recording."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fake_api import FakeResponsesServer

REPO = Path(__file__).resolve().parent.parent
KEY = "sk-" + "recordtest" * 3
ORG = "org-" + "recordtestorg"


def scenario_steps(name: str) -> list:
    spec = importlib.util.spec_from_file_location(name, REPO / "scenarios" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.STEPS


@pytest.fixture
def copy_of_01(tmp_path, monkeypatch):
    notebooks = tmp_path / "notebooks"
    (notebooks / "recordings").mkdir(parents=True)
    shutil.copy(REPO / "notebooks" / "01_basics.ipynb", notebooks)
    monkeypatch.setenv("TUTORIAL_RECORDINGS_DIR", str(notebooks / "recordings"))
    return notebooks


def test_record_then_replay_under_nbval(copy_of_01, monkeypatch):
    from record import record

    notebook = copy_of_01 / "01_basics.ipynb"
    with FakeResponsesServer(
        scenario_steps("01_basics"), expect_key=KEY, organization=ORG
    ) as server:
        monkeypatch.setenv("OPENAI_API_KEY", KEY)
        monkeypatch.setenv("OPENAI_ORG_ID", ORG)
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("TUTORIAL_POLL_INTERVAL", "0")
        assert record(notebook) == 0
        assert server.requests[0].headers["openai-organization"] == ORG
        assert not server.unused_steps
    recording = (copy_of_01 / "recordings" / "01_basics.json").read_text()
    for secret in (KEY, ORG, "127.0.0.1"):
        assert secret not in recording
    assert '"source": "recorded"' in recording

    for name in ("OPENAI_API_KEY", "OPENAI_ORG_ID", "OPENAI_BASE_URL"):
        monkeypatch.delenv(name)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "scripts.pytest_startup", "-q", "-p", "no:cacheprovider",
         "--nbval", "--nbval-current-env", "--rootdir", str(REPO), "-c", str(REPO / "pyproject.toml"),
         str(notebook)],
        capture_output=True, text=True, cwd=REPO, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:]
    assert "passed" in result.stdout.splitlines()[-1]


def test_a_failed_recording_changes_nothing(copy_of_01, monkeypatch, capsys):
    from record import record

    from fake_api import error

    notebook = copy_of_01 / "01_basics.ipynb"
    before = notebook.read_bytes()
    steps = scenario_steps("01_basics")[:2] + [error(401, "Incorrect API key provided.")]
    with FakeResponsesServer(steps) as server:
        monkeypatch.setenv("OPENAI_API_KEY", KEY)
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        assert record(notebook) == 1
    assert notebook.read_bytes() == before
    assert not (copy_of_01 / "recordings" / "01_basics.json").exists()
    err = capsys.readouterr().err
    assert "Not recorded: code cell" in err and "AuthenticationError" in err
    assert "Nothing was changed" in err
