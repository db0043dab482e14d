#!/usr/bin/env python3
"""make lab: JupyterLab on the repository, opened at notebooks/00_start_here.ipynb, with the course's
kernel.

    .venv/bin/python scripts/lab.py [more jupyter lab options]

- The server's root is the repository, not notebooks/: the notebooks' links then resolve as they do
  on the docs site, on GitHub and in VS Code (../images/x.png, ../docs/recordings.md, ../README.md).
  With notebooks/ as the root they pointed outside the server and JupyterLab showed alt text.
- It listens on 127.0.0.1 only.
- Kernels are the course's: .venv's `python3` kernelspec comes first on JUPYTER_PATH, so another
  `python3` kernel installed for the user does not replace it (the notebooks store this kernelspec).
- Kernel connections are encrypted: the kernel manager gives each kernel CurveZMQ keys, so ipykernel
  does not warn "Kernel is running over TCP without encryption" (nbexec.py does the same for
  `make run`).

tests/test_lab.py starts JupyterLab with `command()` and `environment()` from here.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START = Path("notebooks") / "00_start_here.ipynb"


def command(root: Path = ROOT, *options: str) -> list[str]:
    """The `jupyter lab` command line serving ``root``, with ``options`` added."""
    return [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        f"--ServerApp.root_dir={root}",
        "--ServerApp.ip=127.0.0.1",
        "--KernelManager.transport_encryption=auto",
        *options,
        str(root / START),
    ]


def environment(base: dict[str, str] | None = None) -> dict[str, str]:
    """``base`` (default: this process's environment) with .venv's Jupyter data first on the path."""
    env = dict(os.environ if base is None else base)
    ours = str(Path(sys.prefix) / "share" / "jupyter")
    rest = [p for p in env.get("JUPYTER_PATH", "").split(os.pathsep) if p and p != ours]
    env["JUPYTER_PATH"] = os.pathsep.join([ours, *rest])
    return env


def main(argv: list[str]) -> int:
    cmd = command(ROOT, *argv)
    os.execve(cmd[0], cmd, environment())
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
