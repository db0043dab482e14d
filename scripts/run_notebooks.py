"""make run: execute every notebook headless, in the mode the environment selects (replay when no key
is set), and print a line per notebook and the tokens a live run would use. Executed copies go to
build/run/; the notebooks themselves are never changed.

Notebooks run side by side, as many at once as the machine has cores (at most 4; ``--jobs 1`` runs
them one after another): each has its own kernel, so they share nothing but the machine. The lines
are printed in notebook order all the same."""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import queue
import shutil
import signal
import sys
import time
from pathlib import Path

sys.modules.setdefault("rfc3987_syntax", None)  # as in nbexec.py: a fast nbformat import

import nbformat  # noqa: E402
from nbexec import REPO, execute, failing_cell  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", type=Path, nargs="*")
    parser.add_argument(
        "--jobs", type=int, default=0, help="notebooks run at once (default: the cores, at most 4)"
    )
    args = parser.parse_args()
    notebooks = args.notebooks or sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    notebooks = [path.resolve() for path in notebooks]
    jobs = max(1, min(args.jobs or min(os.cpu_count() or 1, 4), len(notebooks)))
    out = REPO / "build" / "run"
    reports = out / "reports"
    shutil.rmtree(out, ignore_errors=True)
    reports.mkdir(parents=True)

    header = f"{'notebook':<28} {'mode':<7} {'cells':>5} {'requests':>8} {'seconds':>7}  result"
    print(header)
    failures = 0
    totals = dict.fromkeys(
        ("requests", "input_tokens", "output_tokens", "cached_tokens", "reasoning_tokens"), 0
    )
    replayed = False
    rows = []
    start = time.perf_counter()
    env = {"TUTORIAL_REPORT_DIR": str(reports)}
    for path, run in zip(notebooks, executed(notebooks, env, jobs), strict=True):
        nbformat.write(run.notebook, out / path.name)
        report_file = reports / f"{path.stem}.json"
        report = json.loads(report_file.read_text()) if report_file.exists() else {}
        usage = report.get("usage", {})
        # A relay the notebook started (10_relay) reports its own requests and tokens.
        relay_file = reports / f"{path.stem}.relay.json"
        relay = json.loads(relay_file.read_text()) if relay_file.exists() else {}
        for key, value in relay.get("usage", {}).items():
            usage[key] = usage.get(key, 0) + value
        result = "ok"
        if run.error:
            failures += 1
            result = (
                f"FAILED at code cell {failing_cell(run.notebook)}: {run.error.splitlines()[-1]}"
            )
        elif report.get("unplayed"):
            failures += 1
            result = f"FAILED: recorded requests left unplayed: {report['unplayed']}"
        elif relay.get("unplayed"):
            failures += 1
            result = f"FAILED: the relay left recorded requests unplayed: {relay['unplayed']}"
        print(
            f"{path.stem:<28} {report.get('mode', '?'):<7} {run.cells:>5} "
            f"{usage.get('requests', 0):>8} {run.seconds:>7.1f}  {result}",
            flush=True,
        )
        rows.append((path.stem, usage))
        replayed = replayed or report.get("mode") == "replay"
        for key in totals:
            totals[key] += usage.get(key, 0)

    print("\nTokens per notebook (what a live run of the course uses):")
    print(f"{'notebook':<28} {'requests':>8} {'in':>8} {'cached':>8} {'out':>8} {'reasoning':>9}")
    for name, usage in rows:
        print(
            f"{name:<28} {usage.get('requests', 0):>8,} {usage.get('input_tokens', 0):>8,} "
            f"{usage.get('cached_tokens', 0):>8,} {usage.get('output_tokens', 0):>8,} "
            f"{usage.get('reasoning_tokens', 0):>9,}"
        )
    print(
        f"{'total':<28} {totals['requests']:>8,} {totals['input_tokens']:>8,} "
        f"{totals['cached_tokens']:>8,} {totals['output_tokens']:>8,} "
        f"{totals['reasoning_tokens']:>9,}"
    )
    print(per_learner(rows, totals, replayed))
    print(
        f"\n{len(notebooks) - failures} of {len(notebooks)} notebooks ran in "
        f"{time.perf_counter() - start:.1f} s; executed copies are in build/run/."
    )
    return 1 if failures else 0


def executed(notebooks: list[Path], env: dict[str, str], jobs: int):
    """Each notebook's Run, in order; with ``jobs`` > 1 from that many worker processes, forked
    so that they start at once, each taking the next notebook when it is done with one.

    Ctrl-C reaches the workers with the rest of the process group: each stops its kernel, as a
    single run would, and takes no further notebook; a SIGINT sent to this process alone is passed
    on to them. Either way this raises KeyboardInterrupt once every worker has ended."""
    if jobs == 1:
        yield from (execute(path, env) for path in notebooks)
        return
    context = multiprocessing.get_context("fork")
    taken, done = context.Value("i", 0), context.Queue()
    workers = [
        context.Process(target=_work, args=(notebooks, env, taken, done)) for _ in range(jobs)
    ]
    for worker in workers:
        worker.start()
    results: dict[int, object] = {}
    try:
        for index in range(len(notebooks)):
            while index not in results:
                try:
                    got, run = done.get(timeout=1)
                except queue.Empty:
                    if not any(worker.is_alive() for worker in workers) and done.empty():
                        raise RuntimeError("make run: a worker process died") from None
                    continue
                if run is None:  # that worker was interrupted
                    raise KeyboardInterrupt
                results[got] = run
            yield results.pop(index)
    except KeyboardInterrupt:
        for worker in workers:
            if worker.is_alive():
                os.kill(worker.pid, signal.SIGINT)
        _wait(workers, done, 30)
        raise
    finally:
        _wait(workers, done, None)


def _wait(workers: list, done, seconds: float | None) -> None:
    """Wait for the workers to end, reading what they still send so that none blocks on a full
    pipe; after ``seconds``, end those left (a kernel notices its parent is gone and exits)."""
    deadline = None if seconds is None else time.monotonic() + seconds
    while any(worker.is_alive() for worker in workers):
        if deadline is not None and time.monotonic() > deadline:
            for worker in workers:
                worker.terminate()
            deadline = None
        try:
            done.get(timeout=0.2)
        except queue.Empty:
            pass
    for worker in workers:
        worker.join()


def _work(notebooks: list[Path], env: dict[str, str], taken, done) -> None:
    """A worker: run the next notebook nobody has taken, until none is left or it is interrupted."""
    try:
        while True:
            with taken.get_lock():
                index = taken.value
                taken.value += 1
            if index >= len(notebooks):
                return
            done.put((index, execute(notebooks[index], env)))
    except KeyboardInterrupt:
        signal.signal(
            signal.SIGINT, signal.SIG_IGN
        )  # stopping already: a second ^C changes nothing
        done.put((None, None))


def per_learner(rows: list[tuple[str, dict]], totals: dict[str, int], replayed: bool) -> str:
    """What one learner's live run of every notebook costs, and what the caps are measured against."""
    spent = totals["input_tokens"] + totals["output_tokens"]
    lines = [
        f"\nOne learner running every notebook once live: about {totals['requests']:,} requests "
        f"and {spent:,} tokens (in + out). Re-run cells and live challenges add to that; multiply "
        "by the learners who have a key."
    ]
    if replayed:
        lines.append(
            "These numbers come from the recordings: live answers, and so their tokens, differ."
        )
    if rows:

        def tokens(usage: dict) -> int:
            return usage.get("input_tokens", 0) + usage.get("output_tokens", 0)

        by_requests = max(rows, key=lambda row: row[1].get("model_requests", 0))
        by_tokens = max(rows, key=lambda row: tokens(row[1]))
        lines.append(
            "TUTORIAL_MAX_REQUESTS (model requests, polls not counted) and TUTORIAL_MAX_TOKENS "
            "count per notebook; the most one notebook used: "
            f"{by_requests[1].get('model_requests', 0):,} model requests ({by_requests[0]}) "
            f"and {tokens(by_tokens[1]):,} tokens ({by_tokens[0]})."
        )
    unknown = [(name, usage["unknown_usage"]) for name, usage in rows if usage.get("unknown_usage")]
    if unknown:
        count = sum(n for _, n in unknown)
        lines.append(
            f"The tokens of {count} model request{'' if count == 1 else 's'} "
            f"({', '.join(name for name, _ in unknown)}) are not known (a stream closed before its "
            "end, a background job cancelled or not polled to its end, or a request that got no "
            "answer): the totals above leave them out."
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
