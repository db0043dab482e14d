"""Recording is all-or-nothing: `scripts/record.py` stopped part-way, during the live run or during
the replay run, by SIGINT (Ctrl-C), SIGTERM, SIGHUP (a closed terminal), SIGQUIT (Ctrl-\\) or
SIGKILL, leaves the old notebook and recording byte-identical, no temporary file beside them, and
no kernel running; and a signal at a random moment of a run ends in one message, never a traceback.

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
SIGNALS = [signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT]  # all that stop a run

# Added after the setup cell of the copy: in the replay run it marks the point and waits there.
GATE = """import os, pathlib, time
from helpers import current_session
if current_session().mode == "replay":
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


def catches(pid: int, sig: int) -> bool:
    """Whether process ``pid`` has a handler for ``sig`` (Linux: SigCgt in /proc/PID/status)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    mask = next(
        (line.split()[1] for line in status.splitlines() if line.startswith("SigCgt:")), "0"
    )
    return bool(int(mask, 16) >> (sig - 1) & 1)


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
        ("live", signal.SIGHUP),
        ("replay", signal.SIGTERM),
        ("replay", signal.SIGKILL),
        ("replay", signal.SIGQUIT),
    ],
    ids=[
        "live-SIGINT",
        "live-SIGTERM",
        "live-SIGKILL",
        "live-SIGHUP",
        "replay-SIGTERM",
        "replay-SIGKILL",
        "replay-SIGQUIT",
    ],
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
        # Nothing can remove the run's lock, which the next run takes over (test_record_lock.py).
        stale = recordings / f".{NAME}.record-lock"
        assert stale.exists()
        stale.unlink()
    else:
        assert proc.returncode == 130, (out, err)
        assert "Interrupted: nothing was changed." in err, err
        assert not any(alive(p) for p in kernels), "record.py left a kernel running"
        assert not [p.name for p in scratch.iterdir() if p.name.startswith("record-")]

    for path, content in before.items():
        assert path.read_bytes() == content, f"{path.name} changed"
    assert listing(notebooks, recordings) == files_before  # no temporary file left beside them


@pytest.mark.parametrize("sig", SIGNALS)
def test_both_files_are_replaced_together_even_if_a_signal_comes_between(
    tmp_path, monkeypatch, sig
):
    """The one step that cannot be killed part-way by a test (it takes microseconds): a stop
    signal between the two renames waits until both are done (SIGKILL there:
    test_record_guard.py)."""
    import record

    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signal handlers can only be set in the main thread")
    old = {tmp_path / "a.json": "old a", tmp_path / "b.ipynb": "old b"}
    for path, text in old.items():
        path.write_text(text)
    leaked = []

    def note(signum, frame):
        leaked.append(signum)

    previous = signal.signal(sig, note)
    renames = []
    real_replace = os.replace

    def replace(src, dst):
        if Path(dst) in old:
            if renames:  # between the first rename of the pair and the second
                os.kill(os.getpid(), sig)
            renames.append(dst)
        real_replace(src, dst)

    monkeypatch.setattr(record.os, "replace", replace)
    try:
        waited = record._replace_together({p: p.read_text().replace("old", "new") for p in old})
        time.sleep(0.05)  # let a leaked signal reach its handler
        assert waited and not leaked
    finally:
        handler = signal.signal(sig, previous)
    assert handler is note  # put back as it was
    assert {p.name: p.read_text() for p in old} == {"a.json": "new a", "b.ipynb": "new b"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "b.ipynb"]


# --- signals at random moments, and the signals a closed terminal or Ctrl-\ sends ---------------

TINY = "09_tiny"
TINY_CELLS = [
    f'from helpers import connect, model, session_report\n\nclient = connect("{TINY}")',
    'answer = client.responses.create(model=model(), input="Say hi.")\nprint(answer.output_text)',
    "session_report()",
]
RUNS = int(os.environ.get("RECORD_INTERRUPT_RUNS", "4"))  # make test: 4; the report ran 22


@pytest.fixture
def tiny(tmp_path):
    """A three-cell notebook and an old recording of it that a new one visibly replaces: the old
    notebook has no outputs and the old recording an old date."""
    notebooks = tmp_path / "notebooks"
    recordings = notebooks / "recordings"
    recordings.mkdir(parents=True)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in TINY_CELLS]
    nbformat.write(nb, notebooks / f"{TINY}.ipynb")
    from bodies import interaction, message, response, write_recording

    write_recording(
        recordings,
        TINY,
        [interaction({"model": "gpt-5.4-mini", "input": "Say hi."}, response(message("Hi.")))],
        recorded_at="2000-01-01",
    )
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    return notebooks, recordings, scratch


def record_env(recordings: Path, scratch: Path, server) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_OPENAI"))}
    env.pop("TUTORIAL_MODE", None)
    env.update(
        OPENAI_API_KEY=KEY,
        OPENAI_BASE_URL=server.base_url,
        TUTORIAL_RECORDINGS_DIR=str(recordings),
        TUTORIAL_POLL_INTERVAL="0",
        TMPDIR=str(scratch),
        PYTHONUNBUFFERED="1",
    )
    return env


def interrupted_at(tiny, delay: float, sig: int) -> dict:
    """record.py on the tiny notebook, sent ``sig`` after ``delay`` seconds (or never, when it
    has finished by then); what it said and left behind."""
    from fake_api import reply, text

    notebooks, recordings, scratch = tiny
    notebook, recording = notebooks / f"{TINY}.ipynb", recordings / f"{TINY}.json"
    before = {notebook: notebook.read_bytes(), recording: recording.read_bytes()}
    with FakeResponsesServer([reply(text("Hello there."))]) as server:
        env = record_env(recordings, scratch, server)
        start = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, str(REPO / "scripts" / "record.py"), str(notebook)],
            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        kernels: set[int] = set()
        # The clock starts when record.py's first lines run (they catch SIGHUP): before that,
        # for some 30 ms, the interpreter itself is starting and has Python's own handlers.
        wait_for(lambda: catches(proc.pid, signal.SIGHUP) or proc.poll() is not None, 30,
                 "record.py to start", None)  # fmt: skip
        deadline = time.monotonic() + delay
        while time.monotonic() < deadline and proc.poll() is None:
            kernels |= children(proc.pid)
            time.sleep(0.01)
        sent = proc.poll() is None
        if sent:
            kernels |= children(proc.pid)
            proc.send_signal(sig)
        try:
            out, err = proc.communicate(timeout=90)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    changed = {path.name: path.read_bytes() != content for path, content in before.items()}
    return {
        "sent": sent,
        "code": proc.returncode,
        "out": out,
        "err": err,
        "changed": changed,
        "left": sorted(p.name for p in scratch.iterdir())
        + sorted(p.name for p in [*notebooks.iterdir(), *recordings.iterdir()] if p.name[0] == "."),
        "kernels": sorted(p for p in kernels if alive(p)),
        "before": before,
        "seconds": time.monotonic() - start,
    }


def reset(tiny, result: dict) -> None:
    """Put the old pair back and clear what a wrong run left, so that runs stay independent."""
    notebooks, recordings, scratch = tiny
    for path, content in result["before"].items():
        path.write_bytes(content)
    for path in [*scratch.iterdir(), *notebooks.iterdir(), *recordings.iterdir()]:
        if path.parent == scratch or path.name.startswith("."):
            shutil.rmtree(path) if path.is_dir() else path.unlink()


def check_outcome(result: dict) -> str | None:
    """None when the run ended as it must; else what went wrong."""
    code, err, changed = result["code"], result["err"], result["changed"]
    if "Traceback" in err or "Error" in err.replace("Not recorded", ""):
        return f"a traceback or an error on stderr: {err[-1500:]}"
    if result["left"]:
        return f"left behind: {result['left']}"
    if result["kernels"]:
        return f"kernels still running: {result['kernels']}"
    if len(set(changed.values())) != 1:
        return f"the pair was split: {changed}"
    if code == 0:
        if not all(changed.values()) or "Saved " not in result["out"]:
            return f"exit 0 without saving both: {changed} {result['out']}"
        return None
    if code == 130:
        if any(changed.values()):
            return f"exit 130 but files changed: {changed}"
        if "Interrupted: nothing was changed." not in err:
            return f"exit 130 without the message: {err}"
        return None
    return f"exit code {code}: {err[-1500:]}"


def test_signals_at_random_moments_end_in_one_message_and_change_nothing_or_everything(tiny):
    """RUNS runs of record.py, each sent a signal (SIGINT, SIGTERM, SIGHUP, SIGQUIT in turn) at a
    random moment of a run, from its first import to its last rename. Each ends with both files
    old and "Interrupted: nothing was changed." (exit 130), or both new (exit 0): never a
    traceback, a scratch folder, a temporary file, a lock, or a kernel left running."""
    import random

    seed = int(os.environ.get("RECORD_INTERRUPT_SEED", str(time.time_ns() % 10_000)))
    rng = random.Random(seed)
    full = interrupted_at(tiny, 600, signal.SIGINT)  # uninterrupted: how long a run takes
    assert full["code"] == 0 and not check_outcome(full), full
    reset(tiny, full)
    wrong = []
    for n in range(RUNS):
        delay = rng.uniform(0.05, full["seconds"])
        sig = SIGNALS[n % len(SIGNALS)]
        result = interrupted_at(tiny, delay, sig)
        problem = check_outcome(result)
        if problem:
            wrong.append(f"{signal.Signals(sig).name} at {delay:.2f} s: {problem}")
        reset(tiny, result)
    assert not wrong, f"seed {seed}: {len(wrong)} of {RUNS} runs ended wrongly:\n" + "\n".join(
        wrong
    )


def test_closing_the_terminal_mid_run_changes_nothing(tiny):
    """For real: record.py runs on a pseudo-terminal, as its controlling terminal, and the
    terminal is closed while a request is in flight. The kernel sends SIGHUP; afterwards every
    write to the terminal fails (EIO), so the outcome shows in the files and the exit status."""
    import fcntl
    import pty
    import termios

    from fake_api import reply, text

    notebooks, recordings, scratch = tiny
    notebook, recording = notebooks / f"{TINY}.ipynb", recordings / f"{TINY}.json"
    before = {notebook: notebook.read_bytes(), recording: recording.read_bytes()}
    master, slave = pty.openpty()

    def own_terminal() -> None:  # in the child: a session of its own, this terminal its own
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    with FakeResponsesServer([hang(60, then=reply(text("Hello there.")))]) as server:
        proc = subprocess.Popen(
            [sys.executable, str(REPO / "scripts" / "record.py"), str(notebook)],
            cwd=REPO, env=record_env(recordings, scratch, server),
            stdin=slave, stdout=slave, stderr=slave, preexec_fn=own_terminal,
        )  # fmt: skip
        os.close(slave)
        try:
            wait_for(lambda: server.requests, 120, "the request in flight", proc)
            kernels = children(proc.pid)
            os.close(master)  # the terminal goes away: SIGHUP to its session
            proc.wait(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert proc.returncode == 130
    assert not any(alive(p) for p in kernels), "record.py left a kernel running"
    for path, content in before.items():
        assert path.read_bytes() == content, f"{path.name} changed"
    assert list(scratch.iterdir()) == []
    assert sorted(p.name for p in recordings.iterdir()) == [recording.name]
