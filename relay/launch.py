"""Starting a relay as a child process, and making sure it ends.

``start()`` runs ``python -m relay`` on 127.0.0.1 on a free port, with its state and its log in a
temporary folder, and returns once it accepts connections. The relay ends when ``stop()`` is
called, when this process exits (``atexit``), and, since it watches its standard input and this
process holds the other end, when this process dies in any other way, even killed: no relay is
ever left running behind a kernel, and its temporary folder goes with it. It runs in a session of its own, so that interrupting a
notebook's kernel (SIGINT to its process group) does not stop it.

Defined in 10_relay (through ``helpers.relay.start_relay``); the tests start relays with it too.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

__all__ = ["RelayProcess", "RelayStartError", "start"]


class RelayStartError(RuntimeError):
    """The relay exited, or did not answer, before it was ready."""


class RelayProcess:
    """A running relay: ``url`` to call it, ``stop()`` to end it. Printing it shows no port."""

    def __init__(self, proc: subprocess.Popen, url: str, folder: Path, owns_folder: bool):
        self.proc = proc
        self.url = url
        self.folder = folder
        self.owns_folder = owns_folder
        self.log_path = folder / "relay.log"
        self._exit_code: int | None = None

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def running(self) -> bool:
        return self.proc.poll() is None

    def log(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def stop(self, timeout: float = 8.0) -> int | None:
        """Stop the relay gracefully (it hands its running jobs back), then for good."""
        atexit.unregister(self.stop)
        if self.proc.poll() is None:
            if self.proc.stdin is not None:
                try:
                    self.proc.stdin.close()  # the relay stops when its input ends
                except OSError:
                    pass
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.terminate()
                try:
                    self.proc.wait(3)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
        elif self.proc.stdin is not None:
            self.proc.stdin.close()
        self._exit_code = self.proc.returncode
        if self.owns_folder:
            shutil.rmtree(self.folder, ignore_errors=True)
        return self._exit_code

    def kill(self) -> None:
        """SIGKILL, as a crash would: nothing is cleaned up (for the tests)."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        atexit.unregister(self.stop)

    def __repr__(self) -> str:
        state = "running" if self.running else f"stopped (exit code {self.proc.returncode})"
        return f"<relay on 127.0.0.1, {state}; it stops with this process>"


def start(
    env: dict[str, str | None] | None = None,
    *,
    db: str | None = None,
    folder: str | Path | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    timeout: float = 30.0,
) -> RelayProcess:
    """Start ``python -m relay`` and return when it accepts connections.

    ``env`` adds to (or, with None, removes from) this process's environment. ``db`` is RELAY_DB
    (default: a file in the temporary ``folder``, which is removed by ``stop()`` unless given).
    """
    owns = folder is None
    folder = Path(folder) if folder is not None else Path(tempfile.mkdtemp(prefix="relay-"))
    folder.mkdir(parents=True, exist_ok=True)
    ready = folder / "ready.json"
    ready.unlink(missing_ok=True)
    child = dict(os.environ)
    for key, value in (env or {}).items():
        if value is None:
            child.pop(key, None)
        else:
            child[key] = value
    child.update(
        RELAY_HOST=host,
        RELAY_PORT=str(port),
        RELAY_DB=db or str(folder / "relay.db"),
        RELAY_READY_FILE=str(ready),
        RELAY_EXIT_WITH_STDIN="1",
        PYTHONUNBUFFERED="1",
    )
    if owns:
        child["RELAY_REMOVE_ON_EXIT"] = str(folder)  # its state and log go with it
    with open(folder / "relay.log", "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "relay"],
            stdin=subprocess.PIPE,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=child,
            cwd=REPO,
            start_new_session=True,
        )
    relay = RelayProcess(proc, "", folder, owns)
    atexit.register(relay.stop)
    deadline = time.monotonic() + timeout
    while True:
        if ready.exists():
            try:
                relay.url = json.loads(ready.read_text())["url"]
                return relay
            except (ValueError, KeyError):
                pass  # written atomically, so this is only a reader's race: read again
        if proc.poll() is not None or time.monotonic() > deadline:
            reason = (
                f"exited with code {proc.returncode}"
                if proc.poll() is not None
                else f"did not start within {timeout:g} s"
            )
            lines = [line for line in relay.log().splitlines() if line.strip()][-8:]
            relay.stop(timeout=2)
            said = "\n".join(lines) or "(nothing in its log)"
            raise RelayStartError(f"The relay {reason}. Its log ends with:\n{said}")
        time.sleep(0.02)
