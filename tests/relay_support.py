"""What the relay's tests share: bodies, an in-process relay on the fake Responses server, relay
processes on loopback, and a throwaway PostgreSQL cluster."""

from __future__ import annotations

import contextlib
import glob
import json
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

from fake_api import FakeResponsesServer
from relay.launch import RelayProcess, start
from relay.settings import Settings
from relay.upstream import Upstream

API = "/api/v1/tool-invocations"
MODELS = {"default": "gpt-5.4-mini", "deep_research": "gpt-5.5"}
# Long enough to look like a key (so a leak would show), built here so that no key-like literal
# is stored in the repository.
FAKE_KEY = "sk-" + "relay-test-key-" + "0" * 16


def research(question: str = "How did the QWERTY layout come about?", **arguments: Any) -> dict:
    return {"tool_name": "deep_research", "arguments": {"research_question": question, **arguments}}


def token(view: dict) -> dict[str, str]:
    return {"X-Invocation-Token": view["invocation_token"]}


def sse(text: str) -> list[dict[str, Any]]:
    """Parse an SSE body into frames: {"id", "event", "data", "retry", "comment"} as present."""
    frames = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        frame: dict[str, Any] = {}
        for line in block.split("\n"):
            if not line:
                continue
            if line.startswith(":"):
                frame["comment"] = line[1:].strip()
                continue
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "data":
                frame["data"] = json.loads(value)
            elif name == "id":
                frame["id"] = int(value)
            else:
                frame[name] = value
        if frame:
            frames.append(frame)
    return frames


def events_of(frames: list[dict]) -> list[dict]:
    return [f for f in frames if "event" in f]


# ---- in process -----------------------------------------------------------------------------


@contextlib.contextmanager
def relay_app(
    steps: list,
    tmp_path: Path,
    *,
    server_options: dict | None = None,
    transport: httpx2.BaseTransport | None = None,
    models: dict[str, str] | None = None,
    **settings: Any,
) -> Iterator[tuple[Any, FakeResponsesServer, Any]]:
    """A relay app (FastAPI's TestClient) whose upstream is a fake Responses server."""
    from fastapi.testclient import TestClient

    from relay.app import create_app

    settings.setdefault("poll_interval", 0.01)
    settings.setdefault("upstream_retries", 0)
    settings.setdefault("db", str(tmp_path / "relay.db"))
    with FakeResponsesServer(steps, **(server_options or {})) as server:
        config = Settings.from_env({}, **settings)
        inner = transport(server) if callable(transport) else transport
        upstream = Upstream.for_server(
            server.base_url, config, transport=inner, models=models or MODELS
        )
        app = create_app(config, upstream=upstream)
        with TestClient(app) as client:
            yield client, server, app


def wait_for(predicate, timeout: float = 10.0, every: float = 0.01) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s")


# ---- processes ------------------------------------------------------------------------------


def relay_process(
    server: FakeResponsesServer,
    db: str,
    folder: Path,
    *,
    key: str = FAKE_KEY,
    **settings: Any,
) -> RelayProcess:
    """``python -m relay`` on loopback, live against the fake server."""
    env: dict[str, str | None] = {
        "TUTORIAL_MODE": "live",
        "TUTORIAL_DOTENV": "0",
        "OPENAI_API_KEY": key,
        "OPENAI_BASE_URL": server.base_url,
        "RELAY_UPSTREAM_RETRIES": "0",
        "RELAY_POLL_INTERVAL": "0.05",
        "RELAY_RECOVER_EVERY": "0.5",
        "RELAY_HEARTBEAT": "1",
    }
    for name, value in settings.items():
        env[f"RELAY_{name.upper()}"] = str(value)
    return start(env, db=db, folder=folder)


# ---- a throwaway PostgreSQL -----------------------------------------------------------------


def postgres_bin() -> Path | None:
    found = shutil.which("initdb")
    if found and Path(found).resolve().parent.joinpath("pg_ctl").exists():
        return Path(found).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    return Path(candidates[-1]).parent if candidates else None


def _version(path: str) -> tuple[int, ...]:
    part = Path(path).parent.parent.name
    return tuple(int(p) for p in part.split(".") if p.isdigit())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Postgres:
    """A PostgreSQL cluster of its own in a temporary folder, on a free loopback port: not the
    system's service. PostgreSQL refuses to run as root, so as root it runs as the ``postgres``
    user of Debian's package (or ``nobody``)."""

    def __init__(self, bin_dir: Path):
        self.bin = bin_dir
        self.folder = Path(tempfile.mkdtemp(prefix="relay-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.user: int | None = None
        self.group: int | None = None
        self.seconds: dict[str, float] = {}
        if os.geteuid() == 0:
            for name in ("postgres", "nobody"):
                with contextlib.suppress(KeyError):
                    entry = pwd.getpwnam(name)
                    self.user, self.group = entry.pw_uid, entry.pw_gid
                    break
            os.chown(self.folder, self.user, self.group)

    @property
    def url(self) -> str:
        return f"postgresql://relay@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        kwargs: dict[str, Any] = {}
        if self.user is not None:
            kwargs.update(user=self.user, group=self.group, extra_groups=[])
        done = subprocess.run(
            [str(self.bin / args[0]), *args[1:]],
            capture_output=True,
            text=True,
            cwd=self.folder,
            **kwargs,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {done.stdout[-800:]}{done.stderr[-800:]}")

    def start(self) -> Postgres:
        t = time.perf_counter()
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "relay",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--no-instructions",
        )
        self.seconds["initdb"] = time.perf_counter() - t
        t = time.perf_counter()
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -F "
            "-c full_page_writes=off -c synchronous_commit=off -c max_connections=200"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.folder / "log"),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )
        self.seconds["start"] = time.perf_counter() - t
        return self

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


def postgres_or_skip() -> Postgres:
    bin_dir = postgres_bin()
    if bin_dir is None:
        message = (
            "PostgreSQL is not installed, so the relay's PostgreSQL tests did not run. Install "
            "Debian's package (as root: bash scripts/ensure_postgres.sh, or apt-get install "
            "postgresql)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message + " [CI=true, so this is a failure]", pytrace=False)
        pytest.skip(message)
    return Postgres(bin_dir).start()
