"""Server-sent events, as the WHATWG spec has them, over the invocation's event log.

Every event an invocation has is stored (``relay/store.py``) with a sequence number, its ``id:``.
A subscriber gets the log after the ``Last-Event-ID`` it sends (all of it without one), then follows
new events live until the terminal one (``completed``, or ``error`` for failed, cancelled and
incomplete), and the stream ends. So a client that reconnects after a cut, or that joins late,
loses nothing and sees nothing twice. The first frame carries ``retry:``, the reconnection delay;
a comment (``: heartbeat``) goes out after every ``heartbeat`` seconds of silence, so proxies and
clients can tell a quiet job from a dead connection.

New events are announced in-process (``Bus``) by the thread that stored them. Events that another
relay process stores (a shared PostgreSQL) are found by reading the database every
``event_poll`` seconds.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Callable

from .store import Event, Store

__all__ = ["Bus", "TERMINAL_EVENTS", "frame", "stream_events"]

TERMINAL_EVENTS = ("completed", "error")
PAGE = 500  # events read from the log at once


def frame(event: Event) -> bytes:
    # Event data is compact JSON: one line, so one data: field.
    return f"id: {event.seq}\nevent: {event.event}\ndata: {event.data}\n\n".encode()


class Bus:
    """Wakes whoever waits on an invocation when its log or status changes. Threads call
    ``notify``; waiters are asyncio tasks on the server's loop, or threads (``wait_thread``)."""

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self._waiters: dict[str, set[asyncio.Event]] = {}
        self._cond = threading.Condition()
        self._versions: dict[str, int] = {}

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop

    def notify(self, inv_id: str) -> None:
        with self._cond:
            self._versions[inv_id] = self._versions.get(inv_id, 0) + 1
            self._cond.notify_all()
        loop = self.loop
        if loop is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(self._wake, inv_id)
        except RuntimeError:  # the loop closed meanwhile
            pass

    def _wake(self, inv_id: str) -> None:
        for event in self._waiters.get(inv_id, ()):
            event.set()

    def wake_all(self) -> None:
        """Wake every waiter (on the loop): the relay is stopping."""
        for waiters in self._waiters.values():
            for event in waiters:
                event.set()

    def subscribe(self, inv_id: str) -> asyncio.Event:
        event = asyncio.Event()
        self._waiters.setdefault(inv_id, set()).add(event)
        return event

    def unsubscribe(self, inv_id: str, event: asyncio.Event) -> None:
        waiters = self._waiters.get(inv_id)
        if waiters is not None:
            waiters.discard(event)
            if not waiters:
                del self._waiters[inv_id]

    @property
    def subscribers(self) -> int:
        return sum(len(w) for w in self._waiters.values())

    def version(self, inv_id: str) -> int:
        with self._cond:
            return self._versions.get(inv_id, 0)

    def wait_thread(self, inv_id: str, seen: int, timeout: float) -> int:
        """Block a thread until the invocation changes after version ``seen`` (or timeout)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._versions.get(inv_id, 0) == seen:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            return self._versions.get(inv_id, 0)


def ended(store: Store, inv_id: str, last: int) -> bool:
    """Whether a subscriber who has seen event ``last`` has seen the terminal one."""
    inv = store.get(inv_id)
    return inv is None or (inv.terminal and inv.last_seq <= last)


async def stream_events(
    store: Store,
    bus: Bus,
    inv_id: str,
    after: int,
    *,
    retry_ms: int,
    heartbeat: float,
    poll: float,
    stopping: Callable[[], bool],
    read: Callable,
) -> AsyncIterator[bytes]:
    """The bytes of one SSE response: ``retry:``, then every event after ``after`` to the end."""
    yield f"retry: {retry_ms}\n\n".encode()
    wake = bus.subscribe(inv_id)
    try:
        last = after
        quiet_since = time.monotonic()
        while True:
            wake.clear()  # before reading, so an event stored meanwhile is not missed
            events = await read(store.events_after, inv_id, last, PAGE)
            for event in events:
                yield frame(event)
                last = event.seq
                if event.event in TERMINAL_EVENTS:
                    return
            if len(events) == PAGE:
                continue  # there may be more
            if events:
                quiet_since = time.monotonic()
            elif await read(ended, store, inv_id, last):
                return  # resumed after the terminal event: nothing more will come
            if stopping():
                return  # the relay is shutting down: the client reconnects with Last-Event-ID
            silent = time.monotonic() - quiet_since
            if silent >= heartbeat:
                yield b": heartbeat\n\n"
                quiet_since = time.monotonic()
                silent = 0.0
            try:
                await asyncio.wait_for(wake.wait(), timeout=min(poll, heartbeat - silent))
            except asyncio.TimeoutError:
                pass
    finally:
        bus.unsubscribe(inv_id, wake)
