"""``/api/v1/tool-invocations``: create, read, wait for, follow and cancel research invocations.

Reading an invocation needs its ``X-Invocation-Token``. An unknown id and a wrong token are
answered alike (404), so a caller without the token cannot tell whether the id exists.
"""

from __future__ import annotations

import asyncio
import time
from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse

from .. import auth
from ..events import stream_events
from ..models import TERMINAL, InvocationRequest, InvocationView
from ..runner import RelayError, view_of
from ..store import Invocation

PATH = "/api/v1/tool-invocations"
router = APIRouter(prefix=PATH, tags=["tool-invocations"])


def relay_of(request: Request):
    return request.app.state.relay


def authorized(
    request: Request,
    invocation_id: str,
    x_invocation_token: Annotated[str | None, Header()] = None,
) -> Invocation:
    """The invocation, if the token is its own; the same 404 for a wrong token and an unknown id."""
    if x_invocation_token is None:
        raise auth.missing_token()
    inv = relay_of(request).store.get(invocation_id) if len(invocation_id) <= 64 else None
    if not auth.token_matches(x_invocation_token, inv.token_hash if inv else None):
        raise auth.not_found(invocation_id)
    assert inv is not None
    return inv


Authorized = Annotated[Invocation, Depends(authorized)]


def _poll_headers(request: Request, inv_id: str, status: str) -> dict[str, str]:
    """Where to look and when, while a job runs (Azure's long-running operation pattern)."""
    if status in TERMINAL:
        return {}
    return {
        "Retry-After": str(relay_of(request).settings.retry_after),
        "Location": f"{PATH}/{inv_id}",
    }


@router.post(
    "",
    response_model=InvocationView,
    status_code=200,
    responses={202: {"model": InvocationView}, 409: {}, 413: {}, 422: {}, 502: {}, 503: {}},
)
def create(
    request: Request,
    body: InvocationRequest,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    """Run ``deep_research``: in the foreground (200 when it has ended), in the background (202:
    poll it or /wait), or as a stream (202: subscribe to /events). The answer holds the
    ``invocation_token``: keep it, it is never shown again."""
    if idempotency_key is not None:
        problem = auth.check_key(idempotency_key)
        if problem:
            raise invalid("header", "Idempotency-Key", problem)
    created = relay_of(request).runner.create(body.arguments, idempotency_key)
    headers = _poll_headers(request, created.view.invocation_id, created.view.status)
    if created.status_code == 200:
        headers.pop("Retry-After", None)
    if created.replayed:
        headers["Idempotent-Replayed"] = "true"
    return JSONResponse(created.view.model_dump(), status_code=created.status_code, headers=headers)


def invalid(where: str, name: str, message: str) -> RequestValidationError:
    """A 422 for a header or a query parameter, shaped like FastAPI's own."""
    return RequestValidationError([{"loc": (where, name), "msg": message, "type": "value_error"}])


@router.get("/{invocation_id}", response_model=InvocationView)
def read(request: Request, inv: Authorized, response: Response) -> InvocationView:
    """The invocation as it is now (its token is not shown: only its creation showed it)."""
    response.headers.update(_poll_headers(request, inv.id, inv.status))
    return view_of(inv)


@router.get("/{invocation_id}/wait", response_model=InvocationView)
async def wait(
    request: Request,
    inv: Authorized,
    response: Response,
    timeout: Annotated[
        float,
        Query(ge=0, description="Seconds to wait at most; the answer comes earlier if it ends."),
    ] = 30.0,
) -> InvocationView:
    """Wait until the invocation ends or ``timeout`` seconds pass, then answer its view as it is
    then (200 either way; a Retry-After says it is still running). Waiting costs nothing
    upstream: the relay's own job polls, whoever waits."""
    relay = relay_of(request)
    limit = relay.settings.wait_max
    if timeout > limit:
        raise invalid(
            "query",
            "timeout",
            f"must be at most {limit:g} seconds (RELAY_WAIT_MAX); it was {timeout:g}",
        )
    deadline = time.monotonic() + timeout
    wake = relay.bus.subscribe(inv.id)
    poll = relay.settings.event_poll if relay.store.kind == "PostgreSQL" else 1.0
    try:
        current = inv
        while current.status not in TERMINAL and not relay.stopping:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            wake.clear()
            current = await anyio.to_thread.run_sync(relay.store.get, inv.id) or current
            if current.status in TERMINAL:
                break
            try:
                await asyncio.wait_for(wake.wait(), timeout=min(left, poll))
            except asyncio.TimeoutError:
                pass
            current = await anyio.to_thread.run_sync(relay.store.get, inv.id) or current
    finally:
        relay.bus.unsubscribe(inv.id, wake)
    response.headers.update(_poll_headers(request, current.id, current.status))
    return view_of(current)


@router.get("/{invocation_id}/events")
async def events(
    request: Request,
    inv: Authorized,
    last_event_id: Annotated[str | None, Header()] = None,
) -> StreamingResponse:
    """The invocation's events as server-sent events: ``status``, ``output_text`` (``{"text":
    chunk}``), ``search``, then ``completed`` or ``error``, each with an ``id:``. Reconnect with
    ``Last-Event-ID`` to get the events after that one, each exactly once."""
    after = 0
    if last_event_id is not None and last_event_id.strip():
        if not last_event_id.strip().isdigit():
            raise invalid(
                "header",
                "Last-Event-ID",
                f"must be the id: of an event this stream sent (a whole number), not {last_event_id[:40]!r}",
            )
        after = int(last_event_id.strip())
    relay = relay_of(request)
    poll = (
        relay.settings.event_poll if relay.store.kind == "PostgreSQL" else relay.settings.heartbeat
    )

    async def read(fn, *args):
        return await anyio.to_thread.run_sync(fn, *args)

    body = stream_events(
        relay.store,
        relay.bus,
        inv.id,
        after,
        retry_ms=relay.settings.retry_ms,
        heartbeat=relay.settings.heartbeat,
        poll=poll,
        stopping=lambda: relay.stopping,
        read=read,
    )
    return StreamingResponse(
        body,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.post("/{invocation_id}/cancel", response_model=InvocationView)
async def cancel(request: Request, inv: Authorized, response: Response) -> InvocationView:
    """Cancel a running invocation: 200 with its view once it is cancelled (or 202 while the
    cancel is on its way). Cancelling a cancelled one is harmless; one that has ended otherwise
    answers 409."""
    relay = relay_of(request)
    if inv.status in TERMINAL:
        if inv.status == "cancelled":
            return view_of(inv)
        raise RelayError(
            409,
            f"Invocation {inv.id} has already ended ({inv.status}): there is nothing to cancel.",
            view=view_of(inv),
        )
    await anyio.to_thread.run_sync(relay.runner.request_cancel, inv)
    deadline = time.monotonic() + 30
    wake = relay.bus.subscribe(inv.id)
    try:
        current = inv
        while time.monotonic() < deadline and not relay.stopping:
            wake.clear()
            current = await anyio.to_thread.run_sync(relay.store.get, inv.id) or current
            if current.status in TERMINAL:
                break
            try:
                await asyncio.wait_for(wake.wait(), timeout=min(1.0, deadline - time.monotonic()))
            except asyncio.TimeoutError:
                pass
    finally:
        relay.bus.unsubscribe(inv.id, wake)
    if current.status not in TERMINAL:
        response.status_code = 202
        response.headers.update(_poll_headers(request, current.id, current.status))
    return view_of(current)
