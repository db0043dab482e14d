"""make run: execute every notebook headless, in the mode the environment selects (replay when no key
is set), and print a line per notebook and the tokens a live run would use. Executed copies go to
build/run/; the notebooks themselves are never changed."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

sys.modules.setdefault("rfc3987_syntax", None)  # as in nbexec.py: a fast nbformat import

import nbformat  # noqa: E402
from nbexec import REPO, execute, failing_cell  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", type=Path, nargs="*")
    args = parser.parse_args()
    notebooks = args.notebooks or sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
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
    for path in notebooks:
        path = path.resolve()
        run = execute(path, {"TUTORIAL_REPORT_DIR": str(reports)})
        nbformat.write(run.notebook, out / path.name)
        report_file = reports / f"{path.stem}.json"
        report = json.loads(report_file.read_text()) if report_file.exists() else {}
        usage = report.get("usage", {})
        result = "ok"
        if run.error:
            failures += 1
            result = (
                f"FAILED at code cell {failing_cell(run.notebook)}: {run.error.splitlines()[-1]}"
            )
        elif report.get("unplayed"):
            failures += 1
            result = f"FAILED: recorded requests left unplayed: {report['unplayed']}"
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
