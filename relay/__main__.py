"""``python -m relay`` (``make relay``): serve the relay with Hypercorn on RELAY_HOST:RELAY_PORT.

RELAY_PORT=0 takes any free port; the address is printed on stderr and, with RELAY_READY_FILE set,
written to that file as JSON once the relay accepts connections. With RELAY_EXIT_WITH_STDIN=1 the
relay stops when its standard input closes: a notebook that starts a relay keeps the other end,
so the relay ends with the kernel however the kernel ends, even killed.
SIGTERM and SIGINT stop it gracefully: open event streams end (clients resume with
Last-Event-ID), and running jobs are handed back for the next relay to take over.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import signal
import socket
import sys
import threading
from pathlib import Path

from .settings import Settings, SettingsError
from .store import StoreError, open_store

log = logging.getLogger("relay")


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as err:
        sock.close()
        what = "is in use" if err.errno in (98, 48) else f"cannot be used ({err.strerror})"
        raise SettingsError(
            f"{host}:{port} {what}. Set RELAY_PORT to another port (0 takes any free one), "
            "or stop what listens there."
        ) from None
    sock.listen(1024)
    sock.set_inheritable(True)
    return sock


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    logging.getLogger("httpx2").setLevel(logging.WARNING)
    logging.getLogger("openai").setLevel(logging.WARNING)
    try:
        # The settings and the database first: a relay that cannot start says so at once,
        # before the SDK and the web framework are loaded.
        settings = Settings.from_env()
        store = open_store(settings.db, pool_size=16)
        store.check_writable()
    except (SettingsError, StoreError) as err:
        print(f"relay: not started. {err}", file=sys.stderr)
        return 2

    from hypercorn.asyncio import serve
    from hypercorn.config import Config

    from helpers.errors import TutorialError
    from helpers.recording import write_atomic

    from .app import create_app

    try:
        app = create_app(settings, store=store)
        sock = _listen(settings.host, settings.port)
    except (SettingsError, StoreError, TutorialError) as err:
        print(f"relay: not started. {err}", file=sys.stderr)
        return 2
    relay = app.state.relay
    host, port = sock.getsockname()[:2]
    url = f"http://{host}:{port}" if ":" not in host else f"http://[{host}]:{port}"

    config = Config()
    config.bind = [f"fd://{sock.fileno()}"]
    config.accesslog = logging.getLogger("relay.access") if settings.access_log else None
    config.access_log_format = "%(m)s %(U)s %(s)s %(b)s"  # no query string, no headers
    config.errorlog = logging.getLogger("relay.server")
    config.errorlog.setLevel(logging.WARNING)  # not "Running on ...": the relay says where
    config.loglevel = "WARNING"
    config.graceful_timeout = 3.0

    stop = asyncio.Event()

    async def run() -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        if os.environ.get("RELAY_EXIT_WITH_STDIN") == "1":
            threading.Thread(target=_watch_stdin, args=(loop, stop), daemon=True).start()

        async def shutdown_trigger() -> None:
            await stop.wait()
            relay.stopping = True  # open event streams end now, not after the grace period
            relay.bus.wake_all()

        async def announce() -> None:
            await asyncio.sleep(0)
            log.info(
                "relay: serving on %s · upstream: %s (%s) · research model: %s · state: %s",
                url,
                relay.upstream.label,
                relay.upstream.mode,
                _model(relay),
                settings.db_label(),
            )
            if relay.upstream.mode == "replay" and not os.environ.get("RELAY_READY_FILE"):
                log.info(
                    "relay: replaying, it can answer only the requests notebook 10 made when it "
                    "was recorded; put OPENAI_API_KEY in .env to go live"
                )
            ready = os.environ.get("RELAY_READY_FILE")
            if ready:
                write_atomic(Path(ready), json.dumps({"url": url, "pid": os.getpid()}) + "\n")

        loop.create_task(announce())
        await serve(app, config, shutdown_trigger=shutdown_trigger)

    asyncio.run(run())
    log.info("relay: stopped")
    folder = os.environ.get("RELAY_REMOVE_ON_EXIT")
    if folder:
        # A notebook's relay lives in a temporary folder: when its kernel was killed, nobody else
        # is left to remove it.
        shutil.rmtree(folder, ignore_errors=True)
    return 0


def _model(relay) -> str:
    from helpers.errors import TutorialError

    try:
        return relay.upstream.model("deep_research")
    except TutorialError:
        return "(none recorded)"


def _watch_stdin(loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> None:
    """Stop when standard input reaches its end: the process that started us is gone."""
    # os.read, not sys.stdin: a thread blocked in a buffered read holds a lock that the
    # interpreter needs at exit.
    try:
        while os.read(0, 1024):
            pass
    except OSError:
        pass
    try:
        loop.call_soon_threadsafe(stop.set)
    except RuntimeError:
        pass


if __name__ == "__main__":
    sys.exit(main())
