"""The research relay: a small FastAPI service, served by Hypercorn, that runs ``deep_research``
for clients that hold no API key, and runs the function-call loop for them.

Start it with ``make relay`` (or ``python -m relay``); notebook 10 teaches it. One module per job:

- ``settings``: the ``RELAY_*`` settings;
- ``models``: request and response bodies (pydantic);
- ``app`` and ``routers/``: the app factory and one router per resource;
- ``runner``: research invocations and the jobs that follow them upstream, and their recovery;
- ``chat``: the server-side function-call loop;
- ``events``: the event log as server-sent events;
- ``store``: the state, in SQLite or PostgreSQL;
- ``auth``: invocation tokens and Idempotency-Keys;
- ``upstream``: the client for the model, live, recorded or replayed;
- ``launch``: starting a relay from a notebook, and stopping it with the kernel;
- ``__main__``: serving with Hypercorn.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app", "Settings"]


def __getattr__(name: str) -> Any:
    # Imported on first use: a notebook that only starts a relay (relay.launch) does not load
    # FastAPI into its kernel.
    if name == "create_app":
        from .app import create_app

        return create_app
    if name == "Settings":
        from .settings import Settings

        return Settings
    raise AttributeError(name)
