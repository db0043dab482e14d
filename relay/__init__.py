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

from .app import create_app
from .settings import Settings

__all__ = ["create_app", "Settings"]
