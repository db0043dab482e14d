"""A relay started from a notebook (``helpers.relay.start_relay``) ends with its kernel, however the
kernel ends, and survives what a kernel survives (an interrupt): no relay is ever left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx2
import pytest

REPO = Path(__file__).resolve().parent.parent

START = """
from helpers import connect
from helpers.relay import start_relay

client = connect("10_relay")
relay = start_relay()
print("RELAY", relay.pid, relay.url, relay.folder)
"""


def alive(pid: int) -> bool:
    """Whether a process exists and is not a zombie (a container's init may never reap it)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def gone(pid: int, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.05)
    return not alive(pid)


def kernel_with_relay():
    from jupyter_client import KernelManager

    manager = KernelManager(kernel_name="python3")
    manager.start_kernel(cwd=str(REPO / "notebooks"))
    client = manager.client()
    client.start_channels()
    client.wait_for_ready(timeout=60)
    lines: list[str] = []

    def hook(message):
        if message["msg_type"] == "stream":
            lines.extend(message["content"]["text"].splitlines())
        elif message["msg_type"] == "error":
            lines.append("ERROR " + message["content"]["evalue"])

    client.execute_interactive(START, timeout=90, output_hook=hook)
    found = [line for line in lines if line.startswith("RELAY ")]
    assert found, lines
    _, pid, url, folder = found[0].split()
    return manager, client, int(pid), url, Path(folder)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads process states from /proc (Linux)")
def test_a_notebooks_relay_survives_an_interrupt_and_stops_with_its_kernel_even_a_killed_one():
    manager, client, pid, url, folder = kernel_with_relay()
    try:
        assert httpx2.get(f"{url}/api/v1/health").json()["upstream"]["mode"] == "replay"
        manager.interrupt_kernel()  # SIGINT to the kernel's process group: not the relay's
        time.sleep(0.5)
        assert alive(pid) and httpx2.get(f"{url}/api/v1/health").status_code == 200
        os.kill(manager.provisioner.process.pid, signal.SIGKILL)  # no atexit, no clean-up
        assert gone(pid, within=10), "the relay outlived its killed kernel"
        assert not folder.exists(), "its temporary folder (state, log) was left behind"
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)

    # A process that exits normally stops its relay itself (atexit), as a kernel that is shut
    # down does: here a plain Python process, which starts faster than a second kernel.
    done = subprocess.run(
        [sys.executable, "-c", START],
        cwd=REPO / "notebooks",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    pid = int(
        next(line for line in done.stdout.splitlines() if line.startswith("RELAY ")).split()[1]
    )
    assert not alive(pid), "the relay outlived the process that started it"


def test_a_relay_that_cannot_start_is_one_clear_message(capsys):
    from helpers import SetupError, connect
    from helpers.relay import start_relay

    connect("10_relay")
    capsys.readouterr()
    with pytest.raises(SetupError) as raised:
        start_relay(max_jobs="many")
    message = str(raised.value)
    assert message.startswith("The relay exited with code 2. Its log ends with:\n")
    assert "relay: not started. RELAY_MAX_JOBS='many' is not a whole number." in message
    assert message.endswith("Fix what it says, then run this cell again.")
