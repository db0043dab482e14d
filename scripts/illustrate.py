"""make illustrate NB=notebooks/NN_name.ipynb: write the notebook's illustrative recording.

No one here can reach the real API, so the recordings shipped with the course are written by us:
scenarios/NN_name.py scripts what a local fake Responses server (the fake_api package) answers,
and the notebook is recorded against it exactly as `make record` records a live provider. The result
is marked `"source": "illustrative"` and the docs say so. Anyone with a key replaces it with
`make record NB=...`.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from pathlib import Path

from nbexec import CREDENTIALS, REPO, environment

sys.path.insert(0, str(REPO))  # fake_api and helpers live at the repository root
from record import record  # noqa: E402

from fake_api import FakeResponsesServer  # noqa: E402


def load_scenario(name: str) -> tuple[list, dict]:
    """The scenario's ``STEPS``, and its options for FakeResponsesServer: what its ``SERVER``
    says (``seed``, ``live_shapes``, ...) over the defaults of an illustration, which are today's
    live shapes and a seed of the notebook's own name, so that no two notebooks share an id."""
    path = REPO / "scenarios" / f"{name}.py"
    if not path.exists():
        raise SystemExit(
            f"No scenario for {name}: write {path.relative_to(REPO)} with STEPS = [...]"
        )
    spec = importlib.util.spec_from_file_location(f"scenario_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.STEPS, {"seed": name, "live_shapes": True, **getattr(module, "SERVER", {})}


def illustrate(notebook: Path) -> int:
    steps, options = load_scenario(notebook.stem)
    with FakeResponsesServer(steps, **options) as server:
        env: dict[str, str | None] = {k: None for k in CREDENTIALS}
        env.update(
            OPENAI_BASE_URL=server.base_url,
            OPENAI_API_KEY="sk-illustrative",  # the fake server takes any key
            TUTORIAL_DOTENV="0",
            TUTORIAL_POLL_INTERVAL="0",
            TUTORIAL_MODEL=None,
            TUTORIAL_DEEP_RESEARCH_MODEL=None,
        )
        with environment(env):
            return record(notebook, source="illustrative", provider="openai")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", type=Path, nargs="+")
    args = parser.parse_args()
    status = 0
    for nb in args.notebooks:
        try:
            status |= illustrate(nb)
        except KeyboardInterrupt:  # a stop signal, seen by record() at a check
            print(f"Interrupted: nothing was changed in {nb} or its recording.", file=sys.stderr)
            return 130
    return status


if __name__ == "__main__":
    os.chdir(REPO)
    sys.exit(main())
