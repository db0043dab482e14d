"""What keeps the offline suite fast, checked so that it stays so.

Already covered elsewhere, not repeated here: replayed polls never wait (test_replay.py: 120 polls;
test_background.py: wait() over a recording whose polls span ten minutes, with no sleep at all),
retry back-offs are not waited for in replay, whatever the status and headers (test_replay.py,
test_replay_never_waits.py), and matplotlib loads only when a figure is drawn (test_background.py,
test_figures_tree.py).
The timings themselves are printed by `make bench` (scripts/bench.py).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import bench

REPO = Path(__file__).resolve().parent.parent

# Modules a notebook kernel should not pay for when it only imports helpers: plotting and data
# libraries, notebook and schema tooling, the docs and browser stack.
HEAVY = (
    "matplotlib",
    "numpy",
    "PIL",
    "pandas",
    "nbformat",
    "jsonschema",
    "rfc3987_syntax",
    "nbclient",
    "jupyter_client",
    "zmq",
    "sphinx",
    "playwright",
)


def python(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_importing_any_helpers_module_loads_nothing_heavy():
    """Every module of helpers, and every exercise module (check() loads them all), imports
    without matplotlib, nbformat/jsonschema or the like: only the SDK (openai, pydantic, httpx2)."""
    code = f"""
import importlib, pkgutil, sys
import helpers, helpers.exercises
names = [f"helpers.{{m.name}}" for m in pkgutil.iter_modules(helpers.__path__)]
names += [f"helpers.exercises.{{m.name}}" for m in pkgutil.iter_modules(helpers.exercises.__path__)]
for name in names:
    importlib.import_module(name)
print(len(names), sorted(h for h in {HEAVY!r} if sys.modules.get(h) is not None))
"""
    count, loaded = python(code).split(" ", 1)
    assert int(count) >= 10
    assert loaded.strip() == "[]", f"importing helpers loads {loaded.strip()}"


def test_pytest_startup_keeps_nbformat_from_importing_rfc3987_syntax():
    """With scripts/pytest_startup.py loaded first, nbformat imports without rfc3987_syntax (which
    compiles ~40 grammars, 1-2 s) and still reads and validates every notebook."""
    code = """
import sys
sys.path.insert(0, "scripts")
import pytest_startup
import glob, nbformat
for path in sorted(glob.glob("notebooks/[0-9][0-9]_*.ipynb")):
    nbformat.validate(nbformat.read(path, as_version=4))
print(sys.modules["rfc3987_syntax"] is None, "jsonschema" in sys.modules)
"""
    assert python(code).split() == ["True", "True"]


def test_make_test_loads_pytest_startup_before_any_plugin():
    """A conftest.py runs after pytest has imported its installed plugins (nbval imports
    nbformat): only `-p` on the command line comes before them."""
    options = bench.make_test_options()
    assert options[:2] == ["-p", "scripts.pytest_startup"], options
    assert "--nbval" in options and "--nbval-current-env" in options


def test_bench_runs_the_floor_the_way_make_test_runs_the_suite(tmp_path):
    paths = bench.write_floor(3, tmp_path / "floor")
    assert [p.name for p in paths] == ["floor_00.ipynb", "floor_01.ipynb", "floor_02.ipynb"]
    notebook = json.loads(paths[0].read_text())
    (cell,) = notebook["cells"]
    assert cell["source"] == ["1 + 1"] and cell["outputs"][0]["data"]["text/plain"] == ["2"]
    (sdk,) = bench.write_floor(1, tmp_path / "sdk", "import helpers")
    assert json.loads(sdk.read_text())["cells"][0]["outputs"] == []
    assert bench.without_xdist(["-p", "x", "-n", "2", "--dist", "loadfile", "--nbval"]) == [
        "-p",
        "x",
        "--nbval",
    ]
    assert bench.without_xdist(["-n2", "--dist=loadfile", "-q"]) == ["-q"]


def test_bench_sums_each_notebooks_cells_from_the_junit_report(tmp_path):
    report = tmp_path / "junit.xml"
    cases = "".join(
        f'<testcase classname="notebooks.{nb}.ipynb" name="Cell {n}" time="{t}" />'
        for nb, n, t in [("01_basics", 0, 1.25), ("01_basics", 1, 0.5), ("02_state", 0, 2)]
    )
    report.write_text(f'<testsuites><testsuite name="pytest">{cases}</testsuite></testsuites>')
    assert bench.per_notebook(report) == {"01_basics": 1.75, "02_state": 2.0}


def test_no_notebook_sleeps_except_for_the_sessions_poll_interval():
    """In replay nothing waits: a notebook's own polling loop sleeps only for a value it took from
    the session's poll_interval(), which is 0 in replay."""
    for path in sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        code = "\n".join(
            "".join(c["source"])
            for c in json.loads(path.read_text())["cells"]
            if c["cell_type"] == "code"
        )
        for call in re.findall(r"\bsleep\(([^)]*)\)", code):
            name = call.strip()
            assert re.fullmatch(r"\w+", name) and re.search(
                rf"^\s*{name}\s*=.*\bpoll_interval\(", code, re.M
            ), f"{path.name}: sleep({call}) waits for something other than poll_interval()"
