"""The relay's ASGI app, built by a function so that each test (and each process) gets its own.

``create_app()`` opens the database and the upstream client at once, so a bad setting (a read-only
database, missing credentials) stops the relay at start-up with one clear message, not at its
first request. Routers, one per resource, are in ``relay/routers/``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from .events import Bus
from .runner import RelayError, Runner
from .settings import Settings
from .store import Store, StoreError, open_store
from .upstream import Upstream

log = logging.getLogger("relay")


@dataclass
class Relay:
    """Everything one app instance holds; the routers reach it as ``request.app.state.relay``."""

    settings: Settings
    store: Store
    upstream: Upstream
    bus: Bus
    runner: Runner
    stopping: bool = False


def create_app(
    settings: Settings | None = None,
    *,
    upstream: Upstream | None = None,
    store: Store | None = None,
) -> FastAPI:
    settings = settings or Settings.from_env()
    store = store or open_store(settings.db, pool_size=16)
    store.check_writable()
    upstream = upstream or Upstream.from_env(settings)
    bus = Bus()
    relay = Relay(settings, store, upstream, bus, Runner(settings, store, upstream, bus))

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        bus.bind(asyncio.get_running_loop())
        # Foreground research holds a worker thread for its whole run: leave room for the rest.
        limiter = anyio.to_thread.current_default_thread_limiter()
        limiter.total_tokens = max(limiter.total_tokens, settings.max_jobs + 32)
        await anyio.to_thread.run_sync(relay.runner.start)
        try:
            yield
        finally:
            relay.stopping = True
            await anyio.to_thread.run_sync(relay.runner.stop)
            upstream.close()
            store.close()

    app = FastAPI(
        title="Research relay",
        summary="Runs deep research for clients that hold no API key; see notebook 10.",
        version="1.0",
        lifespan=lifespan,
    )
    app.state.relay = relay
    app.add_middleware(BodyLimit, limit=settings.max_body)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        lines = [_describe(e) for e in errors]
        return JSONResponse(
            status_code=422,
            content={
                "detail": [
                    {"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")}
                    for e in errors
                ],
                "message": "; ".join(lines),
            },
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail
        if exc.status_code == 413:
            detail = (
                f"The request body is larger than the relay accepts ({settings.max_body:,} "
                "bytes, RELAY_MAX_BODY). Send a shorter question or context."
            )
        return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RelayError)
    async def relay_error(request: Request, exc: RelayError) -> JSONResponse:
        headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
        content: dict = {"detail": exc.message}
        if exc.view is not None:
            content["invocation"] = exc.view.model_dump()
        return JSONResponse(content, status_code=exc.status, headers=headers)

    @app.exception_handler(StoreError)
    async def store_error(request: Request, exc: StoreError) -> JSONResponse:
        log.error("relay: %s", exc)
        return JSONResponse(
            {"detail": f"{exc} Nothing was stored by this request; try again later."},
            status_code=503,
            headers={"Retry-After": "5"},
        )

    from .routers import chat, health, invocations

    app.include_router(invocations.router)
    app.include_router(chat.router)
    app.include_router(health.router)
    return app


class BodyLimit:
    """413 for a request body over ``limit`` bytes, announced (Content-Length) or streamed, before
    any of it reaches a route: nothing is validated, sent upstream or stored."""

    def __init__(self, app, limit: int):
        self.app = app
        self.limit = limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or ()).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            return await self._refuse(scope, receive, send)
        seen = 0

        async def limited():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    # FastAPI passes an HTTPException raised while reading the body on as it is.
                    raise StarletteHTTPException(413)
            return message

        await self.app(scope, limited, send)

    async def _refuse(self, scope, receive, send):
        response = JSONResponse({"detail": self.message()}, status_code=413)
        await response(scope, receive, send)

    def message(self) -> str:
        return (
            f"The request body is larger than the relay accepts ({self.limit:,} bytes, "
            "RELAY_MAX_BODY). Send a shorter question or context."
        )


def _describe(error: dict) -> str:
    """'arguments.deliverable_format: Input should be ...' for one validation error."""
    loc = [str(part) for part in error.get("loc", ())]
    if loc and loc[0] in ("body", "query", "header", "path"):
        loc = loc[1:]
    where = ".".join(loc) or "body"
    message = error.get("msg", "invalid")
    if error.get("type") == "extra_forbidden":
        message = "is not a field of this request (check its spelling)"
    elif error.get("type") == "missing":
        message = "is required"
    return f"{where}: {message}"
