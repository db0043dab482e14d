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

from . import FakeResponsesServer
from .steps import Step


def load_scenario(path: str) -> list[Step]:
    """The ``STEPS`` list of a scenario file (which imports its builders from fake_api)."""
    return load_scenario_and_options(path)[0]


def load_scenario_and_options(path: str) -> tuple[list[Step], dict]:
    """The ``STEPS`` of a scenario file and its ``SERVER`` options (``seed``, ``live_shapes``)."""
    namespace = runpy.run_path(path)
    if "STEPS" not in namespace:
        raise SystemExit(f"{path} defines no STEPS list")
    return list(namespace["STEPS"]), dict(namespace.get("SERVER") or {})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m fake_api", description=__doc__.splitlines()[0].partition(": ")[2]
    )
    parser.add_argument("scenario", help="a Python file defining STEPS = [...]")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--expect-key", default=None)
    parser.add_argument("--event-delay", type=float, default=0.0)
    parser.add_argument(
        "--live-shapes",
        action="store_true",
        help="answer with the shapes the live API sends today (fake_api.live)",
    )
    args = parser.parse_args(argv)
    steps, options = load_scenario_and_options(args.scenario)
    if args.live_shapes:
        options["live_shapes"] = True
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
