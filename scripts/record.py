"""make record NB=notebooks/NN_name.ipynb: run a notebook live and keep what the API answered.

1. Runs the notebook in record mode: requests go to the provider in .env, streams pass through as they
   arrive, and each finished exchange is written to a scratch file under build/record/.
2. Checks the scratch recording against the SDK's types (helpers.validate).
3. Runs the notebook again in strict replay against the scratch recording, with no credentials, so the
   stored outputs are exactly what replay (and nbval) will produce.
4. Only then replaces notebooks/NN_name.ipynb and notebooks/recordings/NN_name.json.
If any step fails, or the run is interrupted, both files stay byte-identical and it says why.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

import nbformat
from nbexec import CREDENTIALS, REPO, execute, failing_cell

sys.path.insert(0, str(REPO))
from helpers import config  # noqa: E402
from helpers.recording import load, relative, write_atomic  # noqa: E402
from helpers.validate import problems  # noqa: E402


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

    scratch = REPO / "build" / "record" / name
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
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
    found = problems(recording)
    if found:
        listed = "\n  ".join(found[:10])
        return fail(
            f"the answers do not validate against the SDK types:\n  {listed}", notebook, target
        )

    print(
        f"Recorded {len(recording.interactions)} requests; replaying to store outputs ...",
        flush=True,
    )
    reports = scratch / "reports"
    replay_env: dict[str, str | None] = {k: None for k in CREDENTIALS}
    replay_env.update(
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

    write_atomic(target, recording.to_json())
    write_atomic(notebook, nbformat.writes(replay.notebook) + "\n")
    shutil.rmtree(scratch, ignore_errors=True)
    print(
        f"Saved {relative(target)} ({len(recording.interactions)} requests, source: {source}) "
        f"and {relative(notebook)} ({live.seconds:.0f} s live, {replay.seconds:.1f} s replay)."
    )
    return 0


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
