"""`make record` refuses what it can know is wrong before the live run, in one message: NB that
is a recording or not a notebook, a folder it cannot write, a disk without room, another run of
the same notebook. What it can only meet later (a disk that fills during the run) is one message
too. And a run killed between its two final renames is completed by the next run."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import nbformat
import pytest
import record_guard as guard
from bodies import interaction, message, response, write_recording

from fake_api import FakeResponsesServer, hang, reply, text

REPO = Path(__file__).resolve().parent.parent
KEY = "sk-" + "guardtest" * 4  # built at run time: no literal looks like a key
NAME = "09_tiny"
CELLS = [
    f'from helpers import connect, model, session_report\n\nclient = connect("{NAME}")',
    'answer = client.responses.create(model=model(), input="Say hi.")\nprint(answer.output_text)',
]
ASK = {"model": "gpt-5.4-mini", "input": "Say hi."}


@pytest.fixture
def tiny(tmp_path, monkeypatch):
    """A two-cell notebook with an old recording, in a folder of its own; the environment of a
    make record against a local server (added by ``live``)."""
    notebooks = tmp_path / "notebooks"
    recordings = notebooks / "recordings"
    recordings.mkdir(parents=True)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in CELLS]
    nbformat.write(nb, notebooks / f"{NAME}.ipynb")
    write_recording(recordings, NAME, [interaction(ASK, response(message("Hi.")))])
    monkeypatch.setenv("TUTORIAL_RECORDINGS_DIR", str(recordings))
    monkeypatch.setenv("TUTORIAL_POLL_INTERVAL", "0")
    return notebooks / f"{NAME}.ipynb", recordings / f"{NAME}.json"


def snapshot(*folders: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for f in folders for p in sorted(f.iterdir()) if p.is_file()}


def live(monkeypatch, server) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)


# --- NB= something that is not a notebook -------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda nb, rec: rec, "is a recording, not a notebook. Record its notebook: make record NB="),
        (lambda nb, rec: nb.parent, "is a folder, not a notebook. Usage: make record NB="),
        (lambda nb, rec: nb.with_name("README.md"), "is not a notebook (a notebook's name ends in .ipynb)"),
        (lambda nb, rec: nb.with_name("08_missing.ipynb"), "No notebook at "),
        (lambda nb, rec: nb.with_name("08_broken.ipynb"), "is not a notebook Jupyter can open ("),
        (lambda nb, rec: nb.with_name("08_list.ipynb"), "is not a notebook Jupyter can open ("),
        (lambda nb, rec: nb.with_name("08_fifo.ipynb"), "cannot be read as a notebook (it is a named pipe (FIFO)"),
    ],
    ids=["a-recording", "a-folder", "markdown", "missing", "not-json", "not-a-notebook", "a-fifo"],
)  # fmt: skip
def test_nb_that_is_not_a_notebook_is_one_message(tiny, capsys, make, expected):
    from record import record

    notebook, recording = tiny
    notebook.with_name("README.md").write_text("# not a notebook\n")
    notebook.with_name("08_broken.ipynb").write_text('{"cells": [')
    notebook.with_name("08_list.ipynb").write_text("[1, 2]")
    os.mkfifo(notebook.with_name("08_fifo.ipynb"))
    before = snapshot(notebook.parent, recording.parent)
    start = time.perf_counter()
    assert record(make(notebook, recording)) == 2
    assert time.perf_counter() - start < 5
    err = capsys.readouterr().err
    assert expected in err and len(err.strip().splitlines()) == 1, err
    assert snapshot(notebook.parent, recording.parent) == before


def test_make_record_of_a_recording_names_the_notebook_to_record(tiny):
    """As a user types it: the message, exit status 2, and no traceback."""
    notebook, recording = tiny
    done = subprocess.run(
        [sys.executable, "scripts/record.py", str(recording)],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().endswith(
        f"is a recording, not a notebook. Record its notebook: make record NB={notebook}"
    ), done.stderr
    assert "Traceback" not in done.stderr


# --- a folder that cannot be written, a full disk -------------------------------------------------


def test_a_full_disk_is_said_before_the_live_run(tiny, monkeypatch, capsys):
    from record import record

    notebook, recording = tiny
    real = shutil.disk_usage
    monkeypatch.setattr(
        guard.shutil,
        "disk_usage",
        lambda p: real(p)._replace(free=300_000) if Path(p) == recording.parent else real(p),
    )
    with FakeResponsesServer([reply(text("Hi."))]) as server:
        live(monkeypatch, server)
        assert record(notebook) == 1
        assert server.requests == []  # nothing was spent
    err = capsys.readouterr().err
    assert "Not recorded: the disk holding " in err and "is full: 0.3 MB free" in err, err
    assert "Free some space, then run again" in err and "Nothing was changed" in err


def test_a_disk_that_fills_during_the_run_is_one_message(tiny, monkeypatch, capsys):
    """Only known after the live run: the new recording cannot be written beside the old one."""
    import record

    notebook, recording = tiny
    before = snapshot(notebook.parent, recording.parent)
    real_stage = record.stage

    def stage(path, text):
        if path == recording:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_stage(path, text)

    monkeypatch.setattr(record, "stage", stage)
    with FakeResponsesServer([reply(text("Hi."))]) as server:
        live(monkeypatch, server)
        assert record.record(notebook) == 1
        assert len(server.requests) == 1
    err = capsys.readouterr().err
    assert f"Not recorded: {recording} could not be written: the disk is full" in err, err
    assert "Traceback" not in err
    assert snapshot(notebook.parent, recording.parent) == before


@pytest.mark.parametrize("errno_", [errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EACCES])
def test_a_file_that_cannot_be_written_at_the_end_leaves_no_temporary_file(tmp_path, errno_):
    """The recording is staged, the notebook cannot be: the staged recording is removed, both
    old files stay, and the error names the file that could not be written."""
    import record

    recording, notebook = tmp_path / "nb.json", tmp_path / "nb.ipynb"
    recording.write_text("old recording")
    notebook.write_text("old notebook")

    def stage(path, text):
        if path == notebook:
            raise OSError(errno_, os.strerror(errno_))
        return record.stage(path, text)

    with pytest.raises(guard.SaveError) as failed:
        guard.replace_together(
            {recording: "new", notebook: "new"}, guard.journal_path(recording), stage
        )
    assert failed.value.path == notebook
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nb.ipynb", "nb.json"]
    assert (recording.read_text(), notebook.read_text()) == ("old recording", "old notebook")
    said = guard.disk_message(failed.value.err, notebook)
    full = errno_ != errno.EACCES
    assert said.startswith(f"{notebook} could not be written: the disk is full") == full, said
    assert ("make its folder writable" in said) != full, said


def as_nobody() -> tuple[list[str], tuple[int, int] | None]:
    """A command prefix that runs a command as an unprivileged user, and that user's ids: root
    writes anywhere, so a read-only folder is only read-only to someone else."""
    if os.geteuid() != 0:
        return [], None
    try:
        import pwd

        nobody = pwd.getpwnam("nobody")
    except (ImportError, KeyError):
        pytest.skip("running as root, with no 'nobody' user to make a folder read-only for")
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root, without setpriv to run record.py as 'nobody'")
    prefix = [setpriv, f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups"]
    probe = subprocess.run(
        [*prefix, sys.executable, "-c", "import helpers, nbclient, nbformat"],
        cwd=REPO, capture_output=True, timeout=60,
    )  # fmt: skip
    if probe.returncode != 0:
        pytest.skip(f"'nobody' cannot run this Python: {probe.stderr.decode()[-300:]}")
    return prefix, (nobody.pw_uid, nobody.pw_gid)


def test_a_read_only_recordings_folder_is_said_before_the_live_run():
    """For real: the folder is chmod 555 and record.py runs as a user it is read-only to."""
    prefix, user = as_nobody()
    root = Path(tempfile.mkdtemp(prefix="record-readonly-"))
    try:
        notebooks, recordings = root / "notebooks", root / "notebooks" / "recordings"
        recordings.mkdir(parents=True)
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(src) for src in CELLS]
        nbformat.write(nb, notebooks / f"{NAME}.ipynb")
        write_recording(recordings, NAME, [interaction(ASK, response(message("Hi.")))])
        (root / "tmp").mkdir()
        if user:
            for path in [root, *root.rglob("*")]:
                os.chown(path, *user)
        root.chmod(0o755)
        recordings.chmod(0o555)
        before = snapshot(notebooks, recordings)
        with FakeResponsesServer([reply(text("Hi."))]) as server:
            env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
            env.update(
                OPENAI_API_KEY=KEY,
                OPENAI_BASE_URL=server.base_url,
                TUTORIAL_RECORDINGS_DIR=str(recordings),
                TMPDIR=str(root / "tmp"),
                HOME=str(root / "tmp"),
            )
            env.pop("TUTORIAL_MODE", None)
            done = subprocess.run(
                [*prefix, sys.executable, str(REPO / "scripts" / "record.py"),
                 str(notebooks / f"{NAME}.ipynb")],
                cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
            )  # fmt: skip
            assert server.requests == []  # said before anything was spent
        assert done.returncode == 1, done.stderr
        assert f"Not recorded: {recordings} cannot be written (Permission denied)" in done.stderr
        assert f"make it writable (chmod u+w {recordings})" in done.stderr
        assert "Recording " not in done.stdout and "Traceback" not in done.stderr
        assert snapshot(notebooks, recordings) == before
    finally:
        recordings.chmod(0o755)
        shutil.rmtree(root)


def test_preflight_names_each_folder_it_cannot_write(tmp_path, monkeypatch):
    monkeypatch.setattr(guard.tempfile, "mkstemp", _refuse_in(tmp_path / "ro"))
    (tmp_path / "ro").mkdir()
    problem = guard.preflight([tmp_path / "ro" / "x.json", tmp_path / "ok.ipynb"])
    assert problem.startswith(f"{tmp_path / 'ro'} cannot be written (Read-only file system)")
    assert guard.preflight([tmp_path / "x.json"]) is None
    # a folder that does not exist yet is checked where it would be made
    assert guard.preflight([tmp_path / "ro" / "new" / "x.json"]).startswith(str(tmp_path / "ro"))


def _refuse_in(folder: Path):
    real = tempfile.mkstemp

    def mkstemp(*args, dir=None, **kwargs):
        if dir is not None and Path(dir) == folder:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS))
        return real(*args, dir=dir, **kwargs)

    return mkstemp


# --- one run of a notebook at a time ------------------------------------------------------------


def test_a_second_run_of_the_same_notebook_refuses_naming_the_first(tiny):
    notebook, recording = tiny
    before = snapshot(notebook.parent, recording.parent)
    with FakeResponsesServer([hang(60, then=reply(text("Hi.")))]) as server:
        env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
        env.update(OPENAI_API_KEY=KEY, OPENAI_BASE_URL=server.base_url, PYTHONUNBUFFERED="1")
        env.pop("TUTORIAL_MODE", None)
        command = [sys.executable, str(REPO / "scripts" / "record.py"), str(notebook)]
        first = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        try:
            deadline = time.monotonic() + 120
            while not server.requests:
                assert first.poll() is None and time.monotonic() < deadline, first.communicate()
                time.sleep(0.05)
            second = subprocess.run(
                command, cwd=REPO, env=env, capture_output=True, text=True, timeout=120
            )
            first.send_signal(2)
            first.communicate(timeout=60)
        finally:
            if first.poll() is None:
                first.kill()
                first.communicate()
    assert second.returncode == 1, second.stderr
    assert (
        f"Not recorded: another make record of {notebook} is running (pid {first.pid}, started "
        in second.stderr
    ), second.stderr
    assert "Wait for it to finish, or stop it, then run again" in second.stderr
    assert "Recording " not in second.stdout
    assert len(server.requests) == 1  # the second run sent nothing
    assert snapshot(notebook.parent, recording.parent) == before


def test_a_lock_held_by_another_process_is_refused_and_released_after(tmp_path):
    target, notebook = tmp_path / "nb.json", tmp_path / "nb.ipynb"
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time; sys.path.insert(0, {str(REPO / "scripts")!r})
            from pathlib import Path
            import record_guard
            with record_guard.locked(Path({str(target)!r}), Path({str(notebook)!r})):
                print("held", flush=True)
                time.sleep(60)
        """)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(guard.AlreadyRunning) as running:
            with guard.locked(target, notebook):
                pass
        assert running.value.holder.startswith(f"pid {holder.pid}, started ")
    finally:
        holder.kill()
        holder.wait()
    with guard.locked(target, notebook) as note:  # the kernel released it with the process
        assert note == (
            f"(A lock left by an earlier make record of this notebook, pid {holder.pid}, which is "
            "no longer running, was taken over.)"
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_lock_released_normally_leaves_nothing(tmp_path):
    with guard.locked(tmp_path / "nb.json", tmp_path / "nb.ipynb") as note:
        assert note is None
        assert [p.name for p in tmp_path.iterdir()] == [".nb.record-lock"]
        assert json.loads((tmp_path / ".nb.record-lock").read_text())["pid"] == os.getpid()
    assert list(tmp_path.iterdir()) == []


def test_scratch_folders_of_killed_runs_are_removed_not_those_of_running_ones(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(guard.tempfile, "tempdir", str(tmp_path))
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()  # fmt: skip
    (tmp_path / f"record-{NAME}-{dead}-abc").mkdir()
    running = tmp_path / f"record-{NAME}-{os.getppid()}-def"
    running.mkdir()
    mine = guard.scratch_folder(NAME)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([running.name, mine.name])


# --- killed between the two renames -------------------------------------------------------------

KILL_BETWEEN = """
import os, signal, sys
sys.path.insert(0, {scripts!r})
from pathlib import Path
import record
pair = {{Path(p) for p in {pair!r}}}
renamed = []
real = os.replace
def replace(src, dst):
    if Path(dst) in pair:
        if renamed:
            os.kill(os.getpid(), signal.SIGKILL)
        renamed.append(dst)
    real(src, dst)
os.replace = replace
record._replace_together({{Path(p): t for p, t in {texts!r}.items()}})
"""


def kill_between_the_renames(texts: dict[Path, str]) -> int:
    code = KILL_BETWEEN.format(
        scripts=str(REPO / "scripts"),
        pair=[str(p) for p in texts],
        texts={str(p): t for p, t in texts.items()},
    )
    return subprocess.run([sys.executable, "-c", code], cwd=REPO, timeout=60).returncode


def test_a_pair_split_by_sigkill_between_the_renames_is_completed_by_the_next_run(tmp_path):
    recording, notebook = tmp_path / "nb.json", tmp_path / "nb.ipynb"
    recording.write_text("old recording")
    notebook.write_text("old notebook")
    code = kill_between_the_renames({recording: "new recording", notebook: "new notebook"})
    assert code == -9
    # What SIGKILL leaves: the first file new, the second old, and the journal that says so.
    assert (recording.read_text(), notebook.read_text()) == ("new recording", "old notebook")
    assert (tmp_path / ".nb.save-journal.json").exists()

    done = guard.finish_interrupted_saves(tmp_path)
    assert done == [f"Finished saving {recording} and {notebook}: the run that saved them was "
                    "killed part-way."]  # fmt: skip
    assert (recording.read_text(), notebook.read_text()) == ("new recording", "new notebook")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nb.ipynb", "nb.json"]
    assert guard.finish_interrupted_saves(tmp_path) == []  # once only


def test_record_py_completes_a_split_pair_first_whatever_else_it_then_does(tiny):
    """The next `make record` of any notebook recorded into that folder, even one that goes no
    further (here: no credentials), finishes the save first and says so."""
    notebook, recording = tiny
    new = {recording: recording.read_text().replace("Hi.", "Hello."), notebook: "{}"}
    new[notebook] = nbformat.writes(nbformat.v4.new_notebook()) + "\n"
    assert kill_between_the_renames(new) == -9
    assert notebook.read_text() != new[notebook]
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    env.pop("TUTORIAL_MODE", None)
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "record.py"), str(notebook)],
        cwd=REPO, env={**env, "TUTORIAL_DOTENV": "0"}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.stderr.startswith(f"Finished saving {recording} and {notebook}: "), done.stderr
    assert "Not recorded: no credentials" in done.stderr
    assert {p: p.read_text() for p in new} == new
    assert sorted(p.name for p in recording.parent.iterdir()) == [recording.name]


def test_a_journal_for_a_notebook_being_recorded_is_left_to_its_run(tmp_path):
    target = tmp_path / "nb.json"
    (tmp_path / ".nb.save-journal.json").write_text(json.dumps({"replace": []}))
    with guard.locked(target, tmp_path / "nb.ipynb"):
        holder = subprocess.run(
            [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(REPO / 'scripts')!r});"
             f"import record_guard, pathlib; print(record_guard.finish_interrupted_saves("
             f"pathlib.Path({str(tmp_path)!r})))"],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert holder.stdout.strip() == "[]", holder.stderr
    assert (tmp_path / ".nb.save-journal.json").exists()


def test_the_test_suite_completes_a_split_pair_before_it_runs(tmp_path, monkeypatch, capsys):
    """make test (the root conftest.py) finishes a half-saved pair first, as make record does."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("root_conftest", REPO / "conftest.py")
    root = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(root)
    recording, notebook = tmp_path / "nb.json", tmp_path / "nb.ipynb"
    recording.write_text("old recording")
    notebook.write_text("old notebook")
    assert kill_between_the_renames({recording: "new recording", notebook: "new notebook"}) == -9
    monkeypatch.setattr(root, "SHIPPED_RECORDINGS", tmp_path)
    root.pytest_sessionstart(None)
    assert (recording.read_text(), notebook.read_text()) == ("new recording", "new notebook")
    assert capsys.readouterr().err.startswith(f"Finished saving {recording} and {notebook}")


def test_a_second_rename_that_fails_leaves_the_journal_the_next_run_completes(
    tmp_path, monkeypatch
):
    import record

    recording, notebook = tmp_path / "nb.json", tmp_path / "nb.ipynb"
    recording.write_text("old recording")
    notebook.write_text("old notebook")
    real = os.replace

    def replace(src, dst):
        if Path(dst) == notebook:
            raise OSError(errno.EACCES, os.strerror(errno.EACCES))
        real(src, dst)

    monkeypatch.setattr(guard.os, "replace", replace)
    with pytest.raises(guard.SaveError) as failed:
        record._replace_together({recording: "new recording", notebook: "new notebook"})
    assert failed.value.partial and failed.value.path == notebook
    monkeypatch.setattr(guard.os, "replace", real)
    assert guard.finish_interrupted_saves(tmp_path)
    assert (recording.read_text(), notebook.read_text()) == ("new recording", "new notebook")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nb.ipynb", "nb.json"]


def test_a_first_rename_that_fails_leaves_both_files_and_nothing_else(tmp_path, monkeypatch):
    import record

    recording, notebook = tmp_path / "nb.json", tmp_path / "nb.ipynb"
    recording.write_text("old recording")
    notebook.write_text("old notebook")
    real = os.replace

    def replace(src, dst):
        if Path(dst) == recording:
            raise OSError(errno.EACCES, os.strerror(errno.EACCES))
        real(src, dst)

    monkeypatch.setattr(guard.os, "replace", replace)
    with pytest.raises(guard.SaveError) as failed:
        record._replace_together({recording: "new recording", notebook: "new notebook"})
    assert not failed.value.partial
    assert (recording.read_text(), notebook.read_text()) == ("old recording", "old notebook")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nb.ipynb", "nb.json"]
