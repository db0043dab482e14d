"""What keeps `make record` safe whatever happens around it (used by scripts/record.py):

- ``Stop``: SIGINT (Ctrl-C), SIGTERM (kill, a cancelled CI job), SIGHUP (a closed terminal) and
  SIGQUIT (Ctrl-\\) only set a flag, and stop a running notebook through its ``cancel``; the work
  stops at the next check with ``Interrupted``. Nothing is raised at a random point, so clean-up
  always runs whole and a signal never ends in a traceback.
- ``locked``: one `make record` of a notebook at a time. The lock file beside the recording holds
  the pid of the run that holds it; a lock left by a run that was killed is detected and taken over.
- ``replace_together``: the new notebook and recording are written in full beside the old ones,
  then a journal naming both renames is written, then the renames are made, then the journal is
  removed. Killed between the two renames (SIGKILL, a power cut), the pair is completed by
  ``finish_interrupted_saves`` at the start of the next run, which is as if it had not been split.
- ``preflight``: a folder that cannot be written, or a disk too full, is said before the live run.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: the lock falls back to a pid check
    fcntl = None  # type: ignore[assignment]

STOP_SIGNALS = tuple(
    getattr(signal, name)
    for name in ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT")
    if hasattr(signal, name)
)
JOURNAL = ".{name}.save-journal.json"
LOCK = ".{name}.record-lock"
SCRATCH = "record-{name}-{pid}-"
# Free space a save needs beyond twice the old files' size: the new files, written beside the old.
SPARE_BYTES = 8 * 1024 * 1024


class Interrupted(KeyboardInterrupt):
    """A stop signal arrived; raised at the next check, never from the signal handler."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class SaveError(Exception):
    """A new file could not be written or put in place; ``path`` names it. ``partial``: some of
    the renames were made, and the journal that lets the next run complete them is left."""

    def __init__(self, path: Path, err: OSError, partial: bool = False):
        super().__init__(f"{path}: {err.strerror or err}")
        self.path, self.err, self.partial = path, err, partial


class Stop:
    """Turns the stop signals into a flag for as long as it is entered (main thread only)."""

    def __init__(self, early: list[int] | None = None):
        self.signum: int | None = early[0] if early else None
        self._cancel: Callable[[], None] | None = None
        self._previous: dict[int, object] = {}

    def __enter__(self) -> Stop:
        if threading.current_thread() is threading.main_thread():
            for sig in STOP_SIGNALS:
                self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)  # type: ignore[arg-type]
        self._previous.clear()

    def _handle(self, signum: int, frame: object) -> None:
        if self.signum is None:
            self.signum = signum
        cancel = self._cancel
        if cancel is not None:
            cancel()

    def check(self) -> None:
        if self.signum is not None:
            raise Interrupted(self.signum)

    @contextlib.contextmanager
    def cancelling(self, cancel: Callable[[], None]) -> Iterator[None]:
        """While inside, a stop signal also calls ``cancel`` (at once if one came already)."""
        self._cancel = cancel
        try:
            if self.signum is not None:
                cancel()
            yield
        finally:
            self._cancel = None


def say(text: str, err: bool = False) -> None:
    """Print, even to a terminal that has gone away (after SIGHUP a write fails with EIO)."""
    try:
        print(text, file=sys.stderr if err else sys.stdout, flush=True)
    except (OSError, ValueError):
        pass


# --- one run per notebook ---------------------------------------------------------------------


class AlreadyRunning(Exception):
    def __init__(self, holder: str):
        super().__init__(holder)
        self.holder = holder


def _holder(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _describe(holder: dict) -> str:
    since = holder.get("started")
    when = f", started {time.strftime('%H:%M:%S', time.localtime(since))}" if since else ""
    return f"pid {holder.get('pid', '?')}{when}"


def _pid_alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        return True
    return True


@contextlib.contextmanager
def locked(target: Path, notebook: Path) -> Iterator[str | None]:
    """Hold the lock of the notebook recorded into ``target``; yields a note when a lock left by
    a killed run was taken over. Raises AlreadyRunning naming the run that holds it."""
    path = target.parent / LOCK.format(name=target.stem)
    mine = {"pid": os.getpid(), "started": time.time(), "notebook": str(notebook)}
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            if fcntl is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    raise AlreadyRunning(_describe(_holder(path))) from None
            else:
                old = _holder(path)
                if old.get("pid") not in (None, os.getpid()) and _pid_alive(old.get("pid")):
                    raise AlreadyRunning(_describe(old))
            # Its last holder may have removed the file between our open and our lock: retry.
            if os.fstat(fd).st_ino != os.stat(path).st_ino:
                raise FileNotFoundError
        except FileNotFoundError:
            os.close(fd)
            continue
        except BaseException:
            os.close(fd)
            raise
        break
    old = _holder(path)
    stale = f"pid {old['pid']}" if old.get("pid") and old.get("pid") != os.getpid() else None
    os.ftruncate(fd, 0)
    os.write(fd, json.dumps(mine).encode())
    try:
        yield (
            f"(A lock left by an earlier make record of this notebook, {stale}, which is no "
            "longer running, was taken over.)"
            if stale
            else None
        )
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
        os.close(fd)


def scratch_folder(name: str) -> Path:
    """A scratch folder for this run, after removing those of runs of this notebook that died
    (SIGKILL) without removing theirs: each name carries its run's pid."""
    root = Path(tempfile.gettempdir())
    for old in root.glob(SCRATCH.format(name=name, pid="*") + "*"):
        pid = old.name[len(f"record-{name}-") :].split("-", 1)[0]
        if pid.isdigit() and not _pid_alive(int(pid)):
            shutil.rmtree(old, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=SCRATCH.format(name=name, pid=os.getpid())))


# --- before the live run ----------------------------------------------------------------------


def _existing(folder: Path) -> Path:
    while not folder.exists() and folder.parent != folder:
        folder = folder.parent
    return folder


def _shown(path: Path) -> str:
    from helpers.recording import relative

    return relative(path)


def preflight(files: list[Path]) -> str | None:
    """Why the new ``files`` could not be saved beside the old ones, known before the live run:
    a folder (or the temp folder, where the run keeps its scratch files) that cannot be written,
    or a disk with too little free space. None when none is known."""
    folders: dict[Path, int] = {}
    for path in files:
        size = path.stat().st_size if path.is_file() else 0
        folder = _existing(path.parent)
        folders[folder] = folders.get(folder, 0) + 2 * size
    folders.setdefault(Path(tempfile.gettempdir()), 0)
    temp = Path(tempfile.gettempdir())
    for folder, needed in folders.items():
        needed += SPARE_BYTES
        what = f"the temp folder ({folder})" if folder == temp else _shown(folder)
        try:
            fd, probe = tempfile.mkstemp(dir=folder, prefix=".record-probe-")
            os.close(fd)
            os.unlink(probe)
        except OSError as err:
            if err.errno in (errno.EACCES, errno.EPERM):
                fix = f"chmod u+w {folder}" if folder != temp else "or set TMPDIR to one that is"
                return f"{what} cannot be written ({err.strerror}): make it writable ({fix}), then run again"
            if err.errno == errno.EROFS:
                return f"{what} cannot be written ({err.strerror}): record in a checkout on a writable disk"
            if err.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
                return f"the disk holding {what} is full ({err.strerror}). Free some space, then run again"
            return f"{what} cannot be written ({err.strerror or err})"
        free = shutil.disk_usage(folder).free
        if free < needed:
            return (
                f"the disk holding {what} is full: {free / 1e6:.1f} MB free, and saving needs "
                f"about {needed / 1e6:.0f} MB. Free some space, then run again"
            )
    return None


def disk_message(err: OSError, path: Path) -> str:
    """One line for an OSError met while saving ``path``."""
    if err.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1), errno.EFBIG):
        return (
            f"{_shown(path)} could not be written: the disk is full ({err.strerror}). Free "
            "some space, then run again"
        )
    if err.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return (
            f"{_shown(path)} could not be written ({err.strerror}): make its folder writable, "
            "then run again"
        )
    return f"{_shown(path)} could not be written ({err.strerror or err})"


# --- the pair's replacement -------------------------------------------------------------------


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # not every file system syncs folders
        pass
    finally:
        os.close(fd)


def journal_path(target: Path) -> Path:
    return target.parent / JOURNAL.format(name=target.stem)


def replace_together(
    files: dict[Path, str],
    journal: Path,
    stage: Callable[[Path, str], Path],
    before_commit: Callable[[], None] = lambda: None,
) -> bool:
    """Replace every file or, to anyone who looks before the next run, none: write each new text
    in full beside its target (``stage``), call ``before_commit`` (the last point to stop), write
    the journal, rename each into place, remove the journal. While the journal exists, the stop
    signals wait; only SIGKILL or a power cut can stop the renames part-way, and then the next
    run completes them (``finish_interrupted_saves``). Returns whether a signal waited."""
    temps: dict[Path, Path] = {}
    try:
        for path, text in files.items():
            try:
                temps[path] = stage(path, text)
            except OSError as err:
                raise SaveError(path, err) from None
        before_commit()
        waited: list[int] = []
        held = {}
        if threading.current_thread() is threading.main_thread():
            held = {s: signal.signal(s, lambda n, f: waited.append(n)) for s in STOP_SIGNALS}
        try:
            entry = {"replace": [[str(tmp), str(path)] for path, tmp in temps.items()]}
            try:
                _write_journal(journal, entry)
            except OSError as err:
                raise SaveError(journal, err) from None
            for n, (path, tmp) in enumerate(temps.items()):
                try:
                    os.replace(tmp, path)
                except OSError as err:
                    if n == 0:  # nothing renamed yet: as if the journal had never been written
                        journal.unlink(missing_ok=True)
                    raise SaveError(path, err, partial=n > 0) from None
            for folder in {p.parent for p in temps}:
                _fsync_folder(folder)
            with contextlib.suppress(OSError):  # saved; a journal left names no file to move
                journal.unlink()
            _fsync_folder(journal.parent)
        finally:
            for sig, handler in held.items():
                signal.signal(sig, handler)
        return bool(waited)
    except SaveError as err:
        if err.partial:
            temps.clear()  # the journal names the rest: the next run renames them
        raise
    finally:
        for tmp in temps.values():
            tmp.unlink(missing_ok=True)


def _write_journal(journal: Path, entry: dict) -> None:
    fd, tmp = tempfile.mkstemp(dir=journal.parent, prefix=f"{journal.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(entry, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, journal)
        _fsync_folder(journal.parent)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def finish_interrupted_saves(folder: Path) -> list[str]:
    """Complete every save in ``folder`` that a killed run left between its renames, and remove
    the temporary files such runs left beside their targets. A save whose notebook is being
    recorded right now (its lock is held) is left to that run. Returns a line per save finished."""
    done = []
    if not folder.is_dir():
        return done
    for journal in sorted(folder.glob(JOURNAL.format(name="*"))):
        name = journal.name[1 : -len(".save-journal.json")]
        target = folder / f"{name}.json"
        try:
            with locked(target, Path("(finishing an interrupted save)")):
                done += _finish(journal)
        except AlreadyRunning:
            continue
    for stray in folder.glob(f"{JOURNAL.format(name='*')}.*.tmp"):
        stray.unlink(missing_ok=True)
    return done


def _finish(journal: Path) -> list[str]:
    try:
        entry = json.loads(journal.read_text(encoding="utf-8"))
        pairs = [(Path(tmp), Path(dest)) for tmp, dest in entry["replace"]]
    except (OSError, ValueError, KeyError, TypeError):
        journal.unlink(missing_ok=True)  # written atomically: never half; unreadable is foreign
        return []
    moved = []
    for tmp, dest in pairs:
        if tmp.exists():
            os.replace(tmp, dest)
            moved.append(dest)
    for folder in {dest.parent for _, dest in pairs}:
        _fsync_folder(folder)
    journal.unlink()
    if not moved:
        return []
    names = " and ".join(_shown(dest) for _, dest in pairs)
    return [f"Finished saving {names}: the run that saved them was killed part-way."]


def remove_strays(paths: list[Path]) -> None:
    """Remove the temporary files ``stage`` leaves beside ``paths`` when a run is killed while
    writing them (no journal names them: they were never to be renamed)."""
    for path in paths:
        for stray in path.parent.glob(f".{path.name}.*.tmp"):
            stray.unlink(missing_ok=True)
