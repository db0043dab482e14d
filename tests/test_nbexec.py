"""scripts/nbexec.py runs the kernels of `make run`, `make record` and `make illustrate`: a run prints
its results and nothing else. (ipykernel warned "Kernel is running over TCP without encryption" on
stderr once per kernel, seven times inside `make run`'s table, until nbexec had the kernel manager
provision CurveZMQ keys.)"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parent.parent


def test_a_kernel_started_by_nbexec_writes_nothing_to_the_terminal(tmp_path):
    notebook = tmp_path / "one.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("print('ran')")]
    nbformat.write(nb, notebook)
    script = (
        "import sys, nbexec\n"
        f"run = nbexec.execute(__import__('pathlib').Path({str(notebook)!r}), {{}})\n"
        "assert run.error is None, run.error\n"
        "print(run.notebook.cells[0].outputs[0]['text'], end='')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO / "scripts",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "ran\n"
    assert done.stderr == "", f"the kernel wrote to the terminal:\n{done.stderr}"
