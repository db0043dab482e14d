"""What a server holds: the script left to answer, the stored responses (with the progress of
background jobs), conversations and items, and the deterministic ids and clock.

Every id is derived from the seed and a counter, every timestamp from a clock that starts at
``BASE_EPOCH`` and moves only when the server says so, so the same script gives the same bytes.
Callers hold ``State.lock`` while they read or change anything here.
"""

from __future__ import annotations

import copy
import hashlib
import string
import threading
from dataclasses import dataclass
from typing import Any

from .errors import not_found
from .steps import Step

BASE_EPOCH = 1795165200  # 2026-11-20T09:00:00Z: created_at of the first object a server makes

_B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase


@dataclass
class StoredResponse:
    id: str
    final: dict[str, Any]
    events: list[dict[str, Any]]
    input_items: list[dict[str, Any]]
    history: list[dict[str, Any]]  # items the model saw before this response's own input
    store: bool
    background: bool
    statuses: tuple[str, ...] = ("completed",)
    poll: int = 0
    cancelled: bool = False
    deleted: bool = False

    def status_now(self) -> str:
        return "cancelled" if self.cancelled else self.statuses[self.poll]

    def body(self) -> dict[str, Any]:
        status = self.status_now()
        if status == self.final["status"]:
            return copy.deepcopy(self.final)
        return snapshot(self.final, status)


def snapshot(final: dict[str, Any], status: str) -> dict[str, Any]:
    """The response as it looks before it has finished (or once cancelled)."""
    body = copy.deepcopy(final)
    body.update(
        status=status,
        output=[],
        usage=None,
        completed_at=None,
        error=None,
        incomplete_details=None,
    )
    return body


class State:
    """The server's memory. ``seed`` changes every id (same seed, same script: same bytes)."""

    def __init__(self, seed: str, live_ids: bool = False) -> None:
        self.seed = seed
        # Ids shaped as live ones are (fake_api.live): prefix_ + "0" and 15 hex digits shared by
        # a response and its items, "00", the time in hex, then 24 hex digits (50 in all).
        self.live_ids = live_ids
        self._group: str | None = None
        self.lock = threading.RLock()
        self.steps: list[Step] = []
        self.responses: dict[str, StoredResponse] = {}
        self.conversations: dict[str, dict[str, Any]] = {}
        self.items: dict[str, dict[str, Any]] = {}
        self._collections: dict[str, dict[str, Any]] = {}
        self._counter = 0
        self._request_counter = 0
        self._clock = BASE_EPOCH

    # ---- ids and clock -------------------------------------------------------------------

    def hash(self, *parts: object) -> str:
        return hashlib.sha256("/".join(map(str, (self.seed, *parts))).encode()).hexdigest()

    def new_id(self, prefix: str, when: int) -> str:
        self._counter += 1
        digest = self.hash(prefix, self._counter)
        if not self.live_ids:
            return f"{prefix}_{when:08x}{digest[:40]}"
        group = self._group or self._new_group()
        return f"{prefix}_{group}{when:08x}{digest[:6]}819{digest[6:21]}"

    def new_response_ids(self) -> None:
        """Live ids: the ids made from now on (a response's, its items') share a new prefix."""
        if self.live_ids:
            self._group = self._new_group()

    def _new_group(self) -> str:
        return "0" + self.hash("group", self._counter)[:15] + "00"

    def new_call_id(self) -> str:
        self._counter += 1
        digest = int(self.hash("call", self._counter), 16)
        chars = []
        for _ in range(24):
            digest, rem = divmod(digest, 62)
            chars.append(_B62[rem])
        return "call_" + "".join(chars)

    def new_request_number(self) -> int:
        with self.lock:
            self._request_counter += 1
            return self._request_counter

    def tick(self, seconds: int) -> int:
        """The clock's time now; then move it on by ``seconds``."""
        now = self._clock
        self._clock += seconds
        return now

    def collection(self, name: str) -> dict[str, Any]:
        """The store a route module keeps its own objects in (``files``, ...), by id; empty at
        first. Responses, conversations and items have their attributes above."""
        return self._collections.setdefault(name, {})

    # ---- lookups -------------------------------------------------------------------------

    def response(self, resp_id: str) -> StoredResponse:
        """A stored response, or the API's 404 (deleted and ``store=False`` ones are gone)."""
        stored = self.responses.get(resp_id)
        if stored is None or stored.deleted or not stored.store:
            raise not_found("Response", resp_id)
        return stored

    def add_response(self, stored: StoredResponse, conv_id: str | None) -> None:
        """Keep a new response, its items (for ``item_reference``) and, in a conversation, add
        its input and output to the conversation's items."""
        self.responses[stored.id] = stored
        for item in stored.input_items + stored.final["output"]:
            self.items.setdefault(item["id"], item)
        if conv_id:
            self.conversations[conv_id]["items"].extend(
                copy.deepcopy(stored.input_items + stored.final["output"])
            )
