"""Recording is all-or-nothing: `scripts/record.py` killed part-way, during the live run or during
the replay run, by SIGINT (Ctrl-C), SIGTERM or SIGKILL, leaves the old notebook and recording
byte-identical, no temporary file beside them, and no kernel running.

Each case runs record.py as a subprocess on a copy of 01_basics in a temp folder, live against the
fake server, with TUTORIAL_RECORDINGS_DIR pointing at a copy of the old recording. The kill points
are deterministic: in the live run a fake-server `hang` step holds one request open; in the replay
run a cell added to the copy marks that it was reached and then waits (it does nothing live)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest

from fake_api import FakeResponsesServer, hang

REPO = Path(__file__).resolve().parent.parent
NAME = "01_basics"
KEY = "sk-" + "interruptkey" * 3  # built at run time: no literal looks like a key
HANG_AT = 2  # the third create of the notebook hangs in the live run

# Added after the setup cell of the copy: in the replay run it marks the point and waits there.
GATE = """import os, pathlib, time
if os.environ.get("TUTORIAL_MODE") == "replay":
    pathlib.Path(os.environ["INTERRUPT_TEST_MARK"]).touch()
    time.sleep(120)"""


def scenario_steps() -> list:
    spec = importlib.util.spec_from_file_location(NAME, REPO / "scenarios" / f"{NAME}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.STEPS)


def children(pid: int) -> set[int]:
    """Every process descended from ``pid`` (the notebook kernels record.py starts)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int(
                    (entry / "stat").read_text().rsplit(")", 1)[1].split()[1]
                )
            except (OSError, IndexError, ValueError):
                pass
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_for(condition, timeout: float, what: str, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if proc is not None and proc.poll() is not None:
            out, err = proc.communicate()
            raise AssertionError(f"record.py ended before {what}:\n{out}\n{err}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def listing(*folders: Path) -> dict[str, list[str]]:
    return {str(f): sorted(p.name for p in f.iterdir()) for f in folders}


@pytest.fixture
def workspace(tmp_path):
    notebooks = tmp_path / "notebooks"
    recordings = notebooks / "recordings"
    recordings.mkdir(parents=True)
    nb = nbformat.read(REPO / "notebooks" / f"{NAME}.ipynb", as_version=4)
    setup = next(i for i, c in enumerate(nb.cells) if "connect(" in c.source)
    nb.cells.insert(setup + 1, nbformat.v4.new_code_cell(GATE))
    nbformat.write(nb, notebooks / f"{NAME}.ipynb")
    shutil.copy(REPO / "notebooks" / "recordings" / f"{NAME}.json", recordings)
    scratch = tmp_path / "tmp"  # record.py's scratch folder and the kernel's temp files go here
    scratch.mkdir()
    return notebooks, recordings, scratch, tmp_path / "mark"


@pytest.mark.parametrize(
    ("phase", "sig"),
    [
        ("live", signal.SIGINT),
        ("live", signal.SIGTERM),
        ("live", signal.SIGKILL),
        ("replay", signal.SIGTERM),
        ("replay", signal.SIGKILL),
    ],
    ids=["live-SIGINT", "live-SIGTERM", "live-SIGKILL", "replay-SIGTERM", "replay-SIGKILL"],
)
def test_an_interrupted_recording_changes_nothing(workspace, phase, sig):
    notebooks, recordings, scratch, mark = workspace
    notebook = notebooks / f"{NAME}.ipynb"
    recording = recordings / f"{NAME}.json"
    before = {notebook: notebook.read_bytes(), recording: recording.read_bytes()}
    files_before = listing(notebooks, recordings)

    steps = scenario_steps()
    if phase == "live":
        steps[HANG_AT] = hang(120, then=steps[HANG_AT])
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_OPENAI"))}
    with FakeResponsesServer(steps) as server:
        env.update(
            OPENAI_API_KEY=KEY,
            OPENAI_BASE_URL=server.base_url,
            TUTORIAL_RECORDINGS_DIR=str(recordings),
            TUTORIAL_POLL_INTERVAL="0",
            TMPDIR=str(scratch),
            INTERRUPT_TEST_MARK=str(mark),
            PYTHONUNBUFFERED="1",
        )
        env.pop("TUTORIAL_MODE", None)
        proc = subprocess.Popen(
            [sys.executable, str(REPO / "scripts" / "record.py"), str(notebook)],
            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            if phase == "live":
                wait_for(lambda: len(server.requests) > HANG_AT, 120, "the hanging request", proc)
            else:
                wait_for(mark.exists, 180, "the replay run to reach the gate cell", proc)
            assert proc.poll() is None, proc.communicate()
            kernels = children(proc.pid)
            assert kernels, "no kernel found under record.py"
            proc.send_signal(sig)
            out, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()

    if sig == signal.SIGKILL:
        assert proc.returncode == -signal.SIGKILL
        # A kernel notices that its parent is gone and exits on its own.
        wait_for(lambda: not any(alive(p) for p in kernels), 15, "the orphaned kernel to exit")
    else:
        assert proc.returncode == 130, (out, err)
        assert "Interrupted: nothing was changed." in err, err
        assert not any(alive(p) for p in kernels), "record.py left a kernel running"
        assert not [p.name for p in scratch.iterdir() if p.name.startswith("record-")]

    for path, content in before.items():
        assert path.read_bytes() == content, f"{path.name} changed"
    assert listing(notebooks, recordings) == files_before  # no temporary file left beside them


def test_both_files_are_replaced_together_even_if_a_signal_comes_between(tmp_path, monkeypatch):
    """The one step that cannot be killed part-way by a test (it takes microseconds): a SIGTERM
    between the two renames waits until both are done."""
    import record

    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signal handlers can only be set in the main thread")
    old = {tmp_path / "a.json": "old a", tmp_path / "b.ipynb": "old b"}
    for path, text in old.items():
        path.write_text(text)
    leaked = []

    def note(signum, frame):
        leaked.append(signum)

    previous = signal.signal(signal.SIGTERM, note)
    renames = []
    real_replace = os.replace

    def replace(src, dst):
        if renames:  # between the first rename and the second
            os.kill(os.getpid(), signal.SIGTERM)
        renames.append(dst)
        real_replace(src, dst)

    monkeypatch.setattr(record.os, "replace", replace)
    try:
        waited = record._replace_together({p: p.read_text().replace("old", "new") for p in old})
        time.sleep(0.05)  # let a leaked signal reach its handler
        assert waited and not leaked
    finally:
        handler = signal.signal(signal.SIGTERM, previous)
    assert handler is note  # put back as it was
    assert {p.name: p.read_text() for p in old} == {"a.json": "new a", "b.ipynb": "new b"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "b.ipynb"]
