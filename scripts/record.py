"""make record NB=notebooks/NN_name.ipynb: run a notebook live and keep what the API answered.

1. Runs the notebook in record mode: requests go to the provider in .env, streams pass through as they
   arrive, and each finished exchange is written to a scratch folder of its own in the temp dir.
2. Checks the scratch recording against the SDK's types (helpers.validate): what a live API sent
   is never refused; where it differs from the SDK's types, a note says so.
3. Runs the notebook again in strict replay against the scratch recording, with no credentials, so the
   stored outputs are exactly what replay (and nbval) will produce.
   Refuses to save if the new notebook or recording holds a secret the run knows, in any form
   (scripts/secret_search.py: the key, organisation and project ids, endpoint host, URL password).
4. Only then replaces notebooks/NN_name.ipynb and notebooks/recordings/NN_name.json, together: both
   new files are written in full beside the old ones first, then renamed over them with SIGINT and
   SIGTERM held back, so an interruption leaves both old files or both new ones.
If any step fails, or the run is interrupted (Ctrl-C, SIGTERM), both files stay byte-identical, the
kernel is shut down, the scratch folder is removed, and it says why. Even SIGKILL changes neither file.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

sys.modules.setdefault("rfc3987_syntax", None)  # as in nbexec.py: a fast nbformat import

import nbformat  # noqa: E402
import secret_search  # noqa: E402
from nbexec import CREDENTIALS, REPO, execute, failing_cell  # noqa: E402

sys.path.insert(0, str(REPO))
from helpers import config  # noqa: E402
from helpers.recording import load, relative, stage, write_atomic  # noqa: E402
from helpers.validate import review  # noqa: E402


def fail(message: str, notebook: Path, recording: Path) -> int:
    print(f"Not recorded: {message}", file=sys.stderr)
    print(
        f"Nothing was changed: {relative(notebook)} and {relative(recording)} are as they were.",
        file=sys.stderr,
    )
    return 1


def record(notebook: Path, source: str = "recorded", provider: str | None = None) -> int:
    notebook = notebook.resolve()
    name = notebook.stem
    target = config.recordings_dir() / f"{name}.json"
    if not notebook.exists():
        print(f"No notebook at {notebook}", file=sys.stderr)
        return 2
    config.load_dotenv_once()
    if config.detect_provider() is None:
        return fail(f"no credentials. {config.HOW_TO_GO_LIVE}", notebook, target)

    with _sigterm_as_interrupt():
        scratch = Path(tempfile.mkdtemp(prefix=f"record-{name}-"))
        try:
            return _record(notebook, name, target, scratch, source, provider)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)


def _record(
    notebook: Path, name: str, target: Path, scratch: Path, source: str, provider: str | None
) -> int:
    partial = scratch / f"{name}.json"
    print(f"Recording {relative(notebook)} live ...", flush=True)
    live = execute(
        notebook,
        {
            "TUTORIAL_MODE": "record",
            "TUTORIAL_RECORD_TO": str(partial),
            "TUTORIAL_RECORD_SOURCE": source,
            "TUTORIAL_RECORD_PROVIDER": provider,
        },
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
    replay_env: dict[str, str | None] = {k: None for k in CREDENTIALS}
    # Replay exactly as the tests do: no caps or model overrides from .env in the stored outputs.
    replay_env.update(
        TUTORIAL_MAX_REQUESTS=None,
        TUTORIAL_MAX_TOKENS=None,
        TUTORIAL_MODEL=None,
        TUTORIAL_DEEP_RESEARCH_MODEL=None,
        TUTORIAL_MODE="replay",
        TUTORIAL_DOTENV="0",
        TUTORIAL_REPLAY_STRICT="1",
        TUTORIAL_RECORDINGS_DIR=str(scratch),
        TUTORIAL_REPORT_DIR=str(reports),
    )
    replay = execute(notebook, replay_env)
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

    files = {target: recording.to_json(), notebook: nbformat.writes(replay.notebook) + "\n"}
    leaked = secret_search.check(files)  # a key, id, host or password this run knows
    if leaked:
        return fail(leaked, notebook, target)
    late = _replace_together(files)
    if late:
        print("Interrupted while saving: the save was finished first.", file=sys.stderr)
    print(
        f"Saved {relative(target)} ({len(recording.interactions)} request"
        f"{'' if len(recording.interactions) == 1 else 's'}, source: {source}) "
        f"and {relative(notebook)} ({live.seconds:.0f} s live, {replay.seconds:.1f} s replay)."
    )
    return 0


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


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM (kill, a closed terminal, a cancelled CI job) stops a recording as Ctrl-C does, with
    KeyboardInterrupt, so that every clean-up runs. (While a notebook runs, nbclient handles both
    signals itself: it shuts the kernel down, and nbexec raises KeyboardInterrupt after it.)"""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


_HELD = (signal.SIGINT, signal.SIGTERM)


def _replace_together(files: dict[Path, str]) -> bool:
    """Replace every file or none: write each new text in full beside its target, then rename them
    all into place while SIGINT and SIGTERM wait. Only SIGKILL or a power cut in the microseconds
    between two renames could split them. Returns whether an interruption waited."""
    temps: dict[Path, Path] = {}
    try:
        for path, text in files.items():
            temps[path] = stage(path, text)
        waited: list[int] = []
        held = {}
        if threading.current_thread() is threading.main_thread():
            held = {s: signal.signal(s, lambda n, f: waited.append(n)) for s in _HELD}
        try:
            for path, tmp in temps.items():
                os.replace(tmp, path)
        finally:
            for sig, handler in held.items():
                signal.signal(sig, handler)
        return bool(waited)
    finally:
        for tmp in temps.values():
            tmp.unlink(missing_ok=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", type=Path)
    args = parser.parse_args()
    try:
        return record(args.notebook)
    except KeyboardInterrupt:
        print("Interrupted: nothing was changed.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    os.chdir(REPO)
    sys.exit(main())
