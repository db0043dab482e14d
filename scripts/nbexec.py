"""Run a notebook headless in a fresh kernel, with extra environment for that kernel only."""

from __future__ import annotations

import os
import re
import signal
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

# nbformat imports jsonschema, which imports rfc3987_syntax (about 40 lark grammars, 1-2 s) for IRI
# format checks nbformat never makes: marked absent, jsonschema skips only those checks.
sys.modules.setdefault("rfc3987_syntax", None)

import nbformat  # noqa: E402
from nbclient import NotebookClient  # noqa: E402
from nbclient.exceptions import CellExecutionError  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
CREDENTIALS = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "OPENAI_ORG_ID",
    "OPENAI_PROJECT_ID",
    "AZURE_OPENAI_API_KEY",
    "AZURE_OPENAI_KEY",
    "AZURE_OPENAI_ENDPOINT",
)


@dataclass
class Run:
    notebook: nbformat.NotebookNode
    seconds: float
    cells: int
    error: str | None  # None when every cell ran


@contextmanager
def environment(changes: dict[str, str | None]):
    """Set (or, with None, remove) variables while a kernel starts; it inherits them."""
    saved = {k: os.environ.get(k) for k in changes}
    try:
        for key, value in changes.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def execute(path: Path, env: dict[str, str | None], timeout: int = 900) -> Run:
    nb = nbformat.read(path, as_version=4)
    cells = sum(1 for c in nb.cells if c.cell_type == "code")
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(Path(path).parent)}},
    )
    start = time.perf_counter()
    error = None
    # nbclient handles SIGINT and SIGTERM itself while it runs (it shuts the kernel down and the
    # cell fails), then leaves both at their defaults: put back the caller's handlers, and report
    # the signal as the interruption it was, not as a failing cell.
    main = threading.current_thread() is threading.main_thread()
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)} if main else {}
    with environment(env):
        try:
            client.execute()
        except CellExecutionError as err:
            error = _last_lines(str(err))
        except Exception as err:  # a dead kernel, a timeout
            error = f"{type(err).__name__}: {err}"
        finally:
            for sig, handler in handlers.items():
                if handler is not None:
                    signal.signal(sig, handler)
    if getattr(client, "_async_cleanup_kernel_future", None) is not None:  # set by its handler
        raise KeyboardInterrupt
    return Run(nb, time.perf_counter() - start, cells, error)


def merge_streams(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Join each cell's consecutive stream outputs of one name (stdout, stderr) into one, as
    Jupyter does when it saves a notebook. A kernel splits printed text into messages as its
    buffer happens to flush, so without this the same run can be stored in different pieces."""
    for cell in nb.cells:
        merged: list = []
        for output in cell.get("outputs", []):
            last = merged[-1] if merged else None
            if (
                last is not None
                and output.get("output_type") == last.get("output_type") == "stream"
                and output.get("name") == last.get("name")
            ):
                last["text"] = _text(last["text"]) + _text(output["text"])
            else:
                merged.append(output)
        if "outputs" in cell:
            cell["outputs"] = merged
    return nb


def _text(value: str | list[str]) -> str:
    return value if isinstance(value, str) else "".join(value)


def failing_cell(nb: nbformat.NotebookNode) -> int | None:
    for n, cell in enumerate((c for c in nb.cells if c.cell_type == "code"), 1):
        if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            return n
    return None


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _last_lines(text: str, keep: int = 12) -> str:
    text = ANSI.sub("", text)
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return "\n".join(lines[-keep:])
