"""python -m fake_api scenarios/NN_name.py: serve a scenario file's STEPS until interrupted.

The first line of output is the base URL (``http://127.0.0.1:PORT/v1``); on exit, steps the
script never used and any scripting mistakes are reported on stderr (exit status 1 for a mistake).
"""

from __future__ import annotations

import argparse
import runpy
import signal
import sys
import threading
from pathlib import Path

from . import FakeResponsesServer
from .steps import Step


def load_scenario(path: str) -> list[Step]:
    """The ``STEPS`` list of a scenario file (which imports its builders from fake_api)."""
    return load_scenario_and_options(path)[0]


def load_scenario_and_options(path: str | Path) -> tuple[list[Step], dict]:
    """The ``STEPS`` of a scenario file and the options to serve it with: an illustration's
    defaults (today's live shapes, and the file's own name as the seed, so that no two notebooks
    share an id), with the file's ``SERVER`` dict over them. ``make illustrate`` and this command
    both serve a scenario with exactly these."""
    path = Path(path)
    if not path.is_file():
        raise SystemExit(f"No scenario at {path}: write it with STEPS = [...]")
    namespace = runpy.run_path(str(path))
    if "STEPS" not in namespace:
        raise SystemExit(f"{path} defines no STEPS list")
    options = {"seed": path.stem, "live_shapes": True, **(namespace.get("SERVER") or {})}
    return list(namespace["STEPS"]), options


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m fake_api", description=__doc__.splitlines()[0].partition(": ")[2]
    )
    parser.add_argument("scenario", help="a Python file defining STEPS = [...]")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--expect-key", default=None)
    parser.add_argument("--event-delay", type=float, default=0.0)
    args = parser.parse_args(argv)
    steps, options = load_scenario_and_options(args.scenario)
    server = FakeResponsesServer(
        steps,
        expect_key=args.expect_key,
        event_delay=args.event_delay,
        port=args.port,
        **options,
    )

    def interrupt(*_: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    with server:
        print(server.base_url, flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
    if server.unused_steps:
        print(f"fake_api: {len(server.unused_steps)} step(s) never used", file=sys.stderr)
    for message in server.errors:
        print(message, file=sys.stderr)
    return 1 if server.errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
