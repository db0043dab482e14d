"""make record NB=notebooks/NN_name.ipynb: run a notebook live and keep what the API answered.

1. Checks first what can be known before spending anything: that NB is a notebook, that there are
   credentials, that the folders can be written and the disk has room, and that no other make
   record of this notebook is running (a lock with its pid; one left by a killed run is taken over).
2. Runs the notebook in record mode: requests go to the provider in .env, streams pass through as they
   arrive, and each finished exchange is written to a scratch folder of its own in the temp dir.
3. Checks the scratch recording against the SDK's types (helpers.validate): what a live API sent
   is never refused; where it differs from the SDK's types, a note says so.
4. Runs the notebook again in strict replay against the scratch recording, with no credentials, so the
   stored outputs are exactly what replay (and nbval) will produce.
   Refuses to save if the new notebook or recording holds a secret the run knows, in any form
   (scripts/secret_search.py: the key, organisation and project ids, endpoint host, URL password).
5. Only then replaces notebooks/NN_name.ipynb and notebooks/recordings/NN_name.json, together: both
   new files are written in full beside the old ones, a journal naming the two renames is written,
   the renames are made with the stop signals held back, and the journal is removed. A run killed
   between the renames (SIGKILL, a power cut) leaves the journal, and the next run completes them.
If any step fails, or the run is stopped (Ctrl-C, SIGTERM, SIGHUP from a closed terminal, SIGQUIT),
both files stay byte-identical, the kernel is shut down, the scratch folder is removed, and it says
why in one message. Even SIGKILL changes neither file (or, between the renames, both).
"""

from __future__ import annotations

if __name__ == "__main__":
    # Before the slow imports below (1-2 s): a stop signal while they run is noted, not raised.
    import signal as _signal

    _EARLY: list[int] = []
    for _name in ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"):
        if hasattr(_signal, _name):
            _signal.signal(getattr(_signal, _name), lambda signum, frame: _EARLY.append(signum))

import argparse
import contextlib
import json
import os
import shutil
import sys
from pathlib import Path

sys.modules.setdefault("rfc3987_syntax", None)  # as in nbexec.py: a fast nbformat import

import nbformat  # noqa: E402
import record_guard as guard  # noqa: E402
import secret_search  # noqa: E402
from nbexec import (  # noqa: E402
    FRESH_CLONE,
    REPO,
    Execution,
    collapse_solutions,
    course_kernelspec,
    failing_cell,
    merge_streams,
)

sys.path.insert(0, str(REPO))
from helpers import config  # noqa: E402
from helpers.errors import RecordingError, SetupError  # noqa: E402
from helpers.recording import Recording, load, relative, stage, write_atomic  # noqa: E402
from helpers.validate import review  # noqa: E402


def fail(message: str, notebook: Path, recording: Path) -> int:
    print(f"Not recorded: {message}", file=sys.stderr)
    print(
        f"Nothing was changed: {relative(notebook)} and {relative(recording)} are as they were.",
        file=sys.stderr,
    )
    return 1


def record(notebook: Path, source: str = "recorded", provider: str | None = None) -> int:
    with guard.Stop(globals().get("_EARLY")) as stop:
        return _guarded(notebook, source, provider, stop)


def _guarded(notebook: Path, source: str, provider: str | None, stop: guard.Stop) -> int:
    notebook = Path(notebook).resolve()
    name = notebook.stem
    target = config.recordings_dir() / f"{name}.json"
    wrong = not_a_notebook(notebook)
    if wrong:
        guard.say(wrong, err=True)
        return 2
    stop.check()
    # First, whatever else happens: a save a killed run left between its two renames.
    for line in guard.finish_interrupted_saves(target.parent):
        guard.say(line, err=True)
    try:
        config.load_dotenv_once()
        found = config.detect_provider()
    except SetupError as err:
        return fail(str(err), notebook, target)
    if found is None:
        return fail(f"no credentials. {config.HOW_TO_GO_LIVE}", notebook, target)
    problem = guard.preflight([target, notebook])
    if problem:
        return fail(problem, notebook, target)
    with contextlib.ExitStack() as held:
        try:
            note = held.enter_context(guard.locked(target, notebook))
        except guard.AlreadyRunning as running:
            return fail(
                f"another make record of {relative(notebook)} is running ({running.holder}). "
                "Wait for it to finish, or stop it, then run again",
                notebook,
                target,
            )
        except OSError as err:
            return fail(guard.disk_message(err, target.parent), notebook, target)
        if note:
            guard.say(note, err=True)
        guard.remove_strays([target, notebook])
        scratch = guard.scratch_folder(name)
        try:
            stop.check()
            return _record(notebook, name, target, scratch, source, provider, stop)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)


def not_a_notebook(path: Path) -> str | None:
    """Why ``path`` cannot be recorded, in one line with the command that would work; or None."""
    usage = "make record NB=notebooks/NN_name.ipynb"
    shown = relative(path)
    if path.suffix == ".json" and (path.parent.parent / f"{path.stem}.ipynb").exists():
        return (
            f"{shown} is a recording, not a notebook. Record its notebook: make record "
            f"NB={relative(path.parent.parent / f'{path.stem}.ipynb')}"
        )
    if not path.exists():
        return f"No notebook at {shown}. Usage: {usage}"
    if path.is_dir():
        return f"{shown} is a folder, not a notebook. Usage: {usage}"
    if path.suffix != ".ipynb":
        return f"{shown} is not a notebook (a notebook's name ends in .ipynb). Usage: {usage}"
    from helpers.files import read_regular_file

    try:
        text = read_regular_file(path, 64 * 1024 * 1024).decode("utf-8")
    except OSError as err:
        return f"{shown} cannot be read as a notebook ({err.strerror or err}). Usage: {usage}"
    except UnicodeDecodeError:
        return f"{shown} is not a notebook Jupyter can open (it is not UTF-8 text). Usage: {usage}"
    try:
        data = json.loads(text)
    except ValueError as err:
        return f"{shown} is not a notebook Jupyter can open (not valid JSON: {err}). Usage: {usage}"
    try:
        nbformat.validate(nbformat.reads(text, 4) if isinstance(data, dict) else data)
    except Exception as err:  # nbformat's ValidationError, or its reader failing on the shape
        first = (str(err).strip().splitlines() or [type(err).__name__])[0][:160]
        return (
            f"{shown} is not a notebook Jupyter can open (not a notebook's structure: {first}). "
            f"Usage: {usage}"
        )
    return None


def _execute(notebook: Path, env: dict[str, str | None], stop: guard.Stop):
    """Run the notebook in a thread, so that a stop signal shuts its kernel down at any moment."""
    run = Execution(notebook, env)
    with stop.cancelling(run.cancel):
        run.start()
        result = run.wait()
    stop.check()
    return result


def _record(
    notebook: Path,
    name: str,
    target: Path,
    scratch: Path,
    source: str,
    provider: str | None,
    stop: guard.Stop,
) -> int:
    partial = scratch / f"{name}.json"
    print(f"Recording {relative(notebook)} live ...", flush=True)
    live = _execute(
        notebook,
        {
            "TUTORIAL_MODE": "record",
            "TUTORIAL_RECORD_TO": str(partial),
            "TUTORIAL_RECORD_SOURCE": source,
            "TUTORIAL_RECORD_PROVIDER": provider,
        },
        stop,
    )
    if live.error:
        cell = failing_cell(live.notebook)
        return fail(f"code cell {cell} failed while recording:\n{live.error}", notebook, target)
    if not partial.exists():
        return fail("the notebook made no request through connect()", notebook, target)
    recording = load(partial, name)
    merged = _merge_parts(recording, partial, name)
    if isinstance(merged, str):
        return fail(merged, notebook, target)
    write_atomic(partial, recording.to_json())  # the replay run reads both parts from here
    checked = review(recording)
    if checked.problems:
        listed = "\n  ".join(checked.problems[:10])
        return fail(
            f"the answers do not validate against the SDK types:\n  {listed}", notebook, target
        )
    if checked.notes:
        print(_notes(checked.notes), flush=True)

    print(
        f"Recorded {len(recording.interactions)} requests; replaying to store outputs ...",
        flush=True,
    )
    reports = scratch / "reports"
    # Replay exactly as the tests do, as a fresh clone: the stored outputs show what a learner
    # without a key sees, with no caps or model overrides from .env.
    replay_env = dict(FRESH_CLONE)
    replay_env.update(
        TUTORIAL_REPLAY_STRICT="1",
        TUTORIAL_RECORDINGS_DIR=str(scratch),
        TUTORIAL_REPORT_DIR=str(reports),
    )
    replay = _execute(notebook, replay_env, stop)
    if replay.error:
        cell = failing_cell(replay.notebook)
        return fail(
            f"replaying the new recording failed at code cell {cell}:\n{replay.error}",
            notebook,
            target,
        )
    report = json.loads((reports / f"{name}.json").read_text())
    if report["unplayed"]:
        return fail(f"replay left recorded requests unused: {report['unplayed']}", notebook, target)
    if merged:
        problem = _part_replayed(reports, name)
        if problem:
            return fail(problem, notebook, target)

    _keep_date(recording, target, name)
    # Stored as Jupyter would store it: the course's kernel, each cell's printed text in one piece,
    # worked answers collapsed.
    replay.notebook.metadata["kernelspec"] = course_kernelspec()
    stored = nbformat.writes(collapse_solutions(merge_streams(replay.notebook))) + "\n"
    files = {target: recording.to_json(), notebook: stored}
    leaked = secret_search.check(files)  # a key, id, host or password this run knows
    if leaked:
        return fail(leaked, notebook, target)
    try:
        late = _replace_together(files, before_commit=stop.check)
    except guard.SaveError as err:
        if err.partial:
            guard.say(
                f"Not fully saved: {guard.disk_message(err.err, err.path)}. The next make record "
                "into this folder (or make test) completes the save.",
                err=True,
            )
            return 1
        return fail(guard.disk_message(err.err, err.path), notebook, target)
    if late or stop.signum is not None:
        guard.say("Interrupted while saving: the save was finished first.", err=True)
    print(
        f"Saved {relative(target)} ({len(recording.interactions)} request"
        f"{'' if len(recording.interactions) == 1 else 's'}, source: {source}) "
        f"and {relative(notebook)} ({live.seconds:.0f} s live, {replay.seconds:.1f} s replay)."
    )
    return 0


def _keep_date(recording: Recording, target: Path, name: str) -> None:
    """``meta.recorded_at`` is the day the recorded exchanges last changed: a recording whose
    exchanges and other metadata equal the saved one's keeps its date, so making an unchanged
    recording again (make illustrate) changes no byte of it."""
    try:
        saved = load(target, name)
    except RecordingError:
        return  # none yet, or one that cannot be read: the new one is dated today

    def undated(meta: dict) -> dict:
        return {k: v for k, v in meta.items() if k != "recorded_at"}

    if (
        saved.interactions == recording.interactions
        and undated(saved.meta) == undated(recording.meta)
        and "recorded_at" in saved.meta
    ):
        recording.meta["recorded_at"] = saved.meta["recorded_at"]


def _merge_parts(recording, partial: Path, name: str) -> bool | str:
    """Add the part a relay started by the notebook recorded (notebook 10) to the kernel's, its
    interactions marked ``"process": "relay"``. True when there was one; a message when the two
    parts disagree about a model."""
    from relay.upstream import part_path

    extra = part_path(partial)
    if not extra.exists():
        return False
    part = load(extra, name)
    models = recording.meta.setdefault("models", {})
    for role, used in part.meta.get("models", {}).items():
        if models.get(role, used) != used:
            return (
                f"the notebook used {models[role]} for the role {role!r} and its relay used "
                f"{used}: set one model for that role"
            )
        models[role] = used
    recording.interactions += part.interactions
    return True


def _part_replayed(reports: Path, name: str) -> str | None:
    """Why the relay's part of the recording did not replay in full, or None."""
    from relay.upstream import PROCESS

    path = reports / f"{name}.{PROCESS}.json"
    if not path.exists():
        return "the notebook's relay never replayed its part of the recording"
    unplayed = json.loads(path.read_text()).get("unplayed")
    if unplayed:
        return f"the relay's replay left recorded requests unused: {unplayed}"
    return None


def _notes(notes: list[str], limit: int = 10) -> str:
    """What the live answers hold that the SDK's types do not expect: kept as sent, never refused."""
    lines = [
        f"Note: the answers differ from the openai SDK's types in {len(notes)} way"
        f"{'' if len(notes) == 1 else 's'}; they are kept as the API sent them:"
    ]
    lines += [f"  - {note}" for note in notes[:limit]]
    if len(notes) > limit:
        lines.append(f"  ... and {len(notes) - limit} more")
    return "\n".join(lines)


def _replace_together(files: dict[Path, str], before_commit=lambda: None) -> bool:
    """Replace every file or none (see record_guard.replace_together); the journal lives beside
    the first file, the recording. Returns whether a stop signal waited for the renames."""
    first = next(iter(files))
    return guard.replace_together(files, guard.journal_path(first), stage, before_commit)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", type=Path)
    args = parser.parse_args()
    try:
        return record(args.notebook)
    except KeyboardInterrupt:  # guard.Interrupted: a stop signal, seen at a check
        guard.say("Interrupted: nothing was changed.", err=True)
        return 130


if __name__ == "__main__":
    os.chdir(REPO)
    status = main()
    # Ended here, not by interpreter shutdown: during shutdown Python puts back the default
    # handlers, and a Ctrl-C then would kill the process after its message.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(status)
