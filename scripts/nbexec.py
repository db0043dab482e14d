"""Run a notebook headless in a fresh kernel, with extra environment for that kernel only."""

from __future__ import annotations

import asyncio
import atexit
import json
import os
import re
import signal
import sys
import tempfile
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
from traitlets.config import Config  # noqa: E402

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
# A fresh clone with no key and no .env, as `make test` and conftest.py run: TUTORIAL_MODE unset
# (auto, which replays without credentials), .env not read (a file that cannot exist, as
# helpers.config.NO_DOTENV), no caps or model overrides. Stored outputs are made in it, so they show
# what a learner sees.
FRESH_CLONE: dict[str, str | None] = {
    **dict.fromkeys(CREDENTIALS),
    "TUTORIAL_MODE": None,
    "TUTORIAL_DOTENV": os.path.join(os.devnull, ".env"),
    "TUTORIAL_MODEL": None,
    "TUTORIAL_DEEP_RESEARCH_MODEL": None,
    "TUTORIAL_MAX_REQUESTS": None,
    "TUTORIAL_MAX_TOKENS": None,
}


# The kernel manager gives each kernel CurveZMQ keys (jupyter_client's transport_encryption; "auto"
# when the kernelspec declares support, as ipykernel's does), so the kernel's connection is
# encrypted and ipykernel does not warn "Kernel is running over TCP without encryption" on stderr,
# once per kernel, in the middle of `make run`'s table. scripts/lab.py does the same for JupyterLab.
KERNEL_CONFIG = {"KernelManager": {"transport_encryption": "auto"}}


@dataclass
class Run:
    notebook: nbformat.NotebookNode
    seconds: float
    cells: int
    error: str | None  # None when every cell ran
    cancelled: bool = False  # stopped by Execution.cancel()


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
        config=Config(KERNEL_CONFIG),
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


class Execution:
    """``execute()`` in a thread of its own, for a caller that must stay in charge of signals
    (scripts/record.py). nbclient sets its SIGINT and SIGTERM handlers only in the main thread,
    and resets them to the defaults when it is done, so while a notebook runs here the caller's
    handlers stay in place, always. ``cancel()``, safe from a signal handler, stops the run at
    any point: the kernel is shut down (as nbclient does on a signal) even when it was still
    starting, and ``wait()`` returns a Run whose ``cancelled`` is true."""

    def __init__(self, path: Path, env: dict[str, str | None], timeout: int = 900):
        self.path, self.env, self.timeout = path, env, timeout
        self.cancelled = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task | None = None
        self._result: Run | None = None
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._main, name=f"nbexec {path.name}", daemon=True)

    def start(self) -> Execution:
        self._thread.start()
        return self

    def cancel(self) -> None:
        self.cancelled = True
        loop, task = self._loop, self._task
        if loop is not None and task is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(task.cancel)
            except RuntimeError:  # the loop closed in between: the run is over
                pass

    def wait(self) -> Run:
        while self._thread.is_alive():
            self._thread.join(0.1)  # short waits: the main thread runs signal handlers between
        if self._failure is not None:
            raise self._failure
        assert self._result is not None
        return self._result

    def _main(self) -> None:
        try:
            self._result = self._run()
        except BaseException as err:  # handed to wait(), in the caller's thread
            self._failure = err

    def _run(self) -> Run:
        nb = nbformat.read(self.path, as_version=4)
        cells = sum(1 for c in nb.cells if c.cell_type == "code")
        client = NotebookClient(
            nb,
            timeout=self.timeout,
            kernel_name="python3",
            record_timing=False,
            resources={"metadata": {"path": str(Path(self.path).parent)}},
        )
        _finish_cleanup_when_cancelled(client)
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        start = time.perf_counter()
        error = None
        # The kernel's own stderr (its start-up warnings, and the tracebacks of a kernel stopped
        # while it starts) goes to a file, not to the terminal; its last lines join an error.
        log = tempfile.TemporaryFile()
        try:
            with environment(self.env):
                self._task = loop.create_task(client.async_execute(stdout=log, stderr=log))
                self._loop = loop
                if self.cancelled:  # cancelled before the task existed
                    self._task.cancel()
                try:
                    loop.run_until_complete(self._task)
                except CellExecutionError as err:
                    error = _last_lines(str(err))
                except (Exception, asyncio.CancelledError) as err:  # a dead kernel, a timeout
                    error = f"{type(err).__name__}: {err}"
        finally:
            try:
                _stop_kernel(loop, client)
                atexit.unregister(client._cleanup_kernel)  # nbclient leaves it when cancelled early
                pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
                for task in pending:
                    task.cancel()
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
                loop.run_until_complete(loop.shutdown_asyncgens())
            finally:
                self._loop = None
                loop.close()
                asyncio.set_event_loop(None)
        if error and not self.cancelled and "DeadKernelError" in error:
            log.seek(0)
            said = _last_lines(log.read().decode("utf-8", "replace"), keep=6)
            error += f"\nThe kernel said:\n{said}" if said else ""
        log.close()
        return Run(nb, time.perf_counter() - start, cells, error, cancelled=self.cancelled)


def _finish_cleanup_when_cancelled(client: NotebookClient) -> None:
    """A cancel that comes while nbclient shuts its kernel down (at the end of a run) must not cut
    the shutdown short, or the kernel outlives the run: let it finish, then pass the cancel on."""
    original = client._async_cleanup_kernel

    async def cleanup() -> None:
        shutdown = asyncio.ensure_future(original())
        try:
            await asyncio.shield(shutdown)
        except asyncio.CancelledError:
            await shutdown
            raise

    client._async_cleanup_kernel = cleanup  # type: ignore[method-assign]


def _stop_kernel(loop: asyncio.AbstractEventLoop, client: NotebookClient) -> None:
    """Shut down a kernel nbclient left running: one cancelled while it was still starting."""
    km = client.km
    if km is None or not km.has_kernel:
        return
    try:
        loop.run_until_complete(client._async_cleanup_kernel())
    except Exception:  # it died on its own in between
        pass


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


# A worked answer's cell, `solution("NN.k")`: its output is collapsed where the notebook is read, in
# JupyterLab (`collapsed`, `jupyter.outputs_hidden`) and on the docs site (myst-nb's `hide-output`).
SOLUTION_CELL = re.compile(r"^\s*solution\(", re.M)


def collapse_solutions(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Mark every worked-answer cell collapsed, so a learner meets the exercise before its answer."""
    for cell in nb.cells:
        if cell.cell_type == "code" and SOLUTION_CELL.search(cell.source):
            cell.metadata["collapsed"] = True
            cell.metadata.setdefault("jupyter", {})["outputs_hidden"] = True
            tags = cell.metadata.get("tags", [])
            cell.metadata["tags"] = list(dict.fromkeys([*tags, "hide-output"]))
    return nb


def course_kernelspec() -> dict[str, str]:
    """The kernelspec of the course's kernel, as `make venv` installs it (``python3`` in this
    Python's prefix): what every notebook stores, so that JupyterLab opens it unchanged."""
    path = Path(sys.prefix) / "share" / "jupyter" / "kernels" / "python3" / "kernel.json"
    spec = json.loads(path.read_text(encoding="utf-8"))
    return {"display_name": spec["display_name"], "language": spec["language"], "name": "python3"}


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
