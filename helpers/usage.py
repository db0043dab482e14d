"""Token and request accounting, and the live budget guard for workshops.

Defined in 01_basics (reading usage) and 00_start_here (the budget guard).
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass, field
from typing import Any

import httpx2

from .errors import BudgetExceeded, SetupError
from .recording import api_path

FIELDS = ("input_tokens", "output_tokens", "cached_tokens", "reasoning_tokens")

# The SDK call that sends each kind of model request, to name it in a refusal (paths as the SDK
# writes them). Counting does not depend on this list: see FREE_POSTS.
COSTLY_CALLS = {
    "/responses": "responses.create",
    "/responses/compact": "responses.compact",
    "/chat/completions": "chat.completions.create",
    "/completions": "completions.create",
    "/embeddings": "embeddings.create",
    "/images/generations": "images.generate",
    "/images/edits": "images.edit",
    "/images/variations": "images.create_variation",
    "/audio/speech": "audio.speech.create",
    "/audio/transcriptions": "audio.transcriptions.create",
    "/audio/translations": "audio.translations.create",
    "/videos": "videos.create",
    "/batches": "batches.create",
    "/fine_tuning/jobs": "fine_tuning.jobs.create",
}
# POSTs that run no model and cost no tokens. Every other POST counts as a model request: the
# guard errs on the side of counting, so an endpoint it does not know cannot spend unmetered.
FREE_POSTS = re.compile(
    r"/responses/input_tokens"  # tokenizes the input, runs no model
    r"|/moderations"  # free of charge
    r"|/conversations(/.*)?"  # stores items; a model runs only in responses.create
    r"|/files|/uploads(/.*)?|/vector_stores(/.*)?"  # storage
    r"|/containers(/.*)?"  # a code interpreter container: billed by the session, in no tokens
    r"|/chat/completions/[^/]+"  # updates a stored completion's metadata
    r"|/.+/(cancel|pause)"  # stops spending
)
# The examples in .env.example, quoted by the message about a malformed cap.
EXAMPLE_CAPS = {"TUTORIAL_MAX_REQUESTS": "50", "TUTORIAL_MAX_TOKENS": "200000"}


def _cap(name: str) -> int | None:
    """A cap from the environment: None when unset, else a whole number of 0 or more."""
    value = (os.environ.get(name) or "").strip()
    if not value:
        return None
    try:
        cap = int(value)
    except ValueError:
        cap = -1
    if cap < 0:
        raise SetupError(
            f"{name}={value!r} is not a cap: use a whole number of 0 or more, such as "
            f"{name}={EXAMPLE_CAPS[name]}, in .env (or remove it for no cap), then restart the kernel."
        )
    return cap


@dataclass
class Ticket:
    """One request the meter let through: whether it may cost tokens, what its answer told."""

    costly: bool
    ids: set[str] = field(default_factory=set)  # the responses it made or named
    usage_seen: bool = False
    settled: bool = False


@dataclass
class Meter:
    """Counts requests, and the tokens of each distinct response (a polled response counts once).

    The caps apply to model requests, the ones that may cost tokens (``responses.create`` and
    every other POST that runs a model; see ``costs_tokens``); polling, retrieving, cancelling
    and listing are free and never refused, so a job already paid for is never stranded.

    A request is counted when it is sent, under a lock, so requests made at once from several
    threads cannot all pass a cap; one that could not be sent (nothing accepted the connection)
    is given back. Tokens are known only from answers: a model request whose answer never told
    them (a stream closed before its end, a background job not polled to its end, a request that
    timed out) is counted in ``unknown_usage``, and the token cap cannot see what it cost.
    """

    max_requests: int | None = None
    max_tokens: int | None = None
    requests: int = 0
    model_requests: int = 0
    by_response: dict[str, dict[str, int]] = field(default_factory=dict)
    unknown_requests: int = 0  # model requests sent whose answers named no response
    pending: set[str] = field(default_factory=set)  # responses made, usage not seen yet
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)

    @classmethod
    def from_env(cls) -> Meter:
        return cls(_cap("TUTORIAL_MAX_REQUESTS"), _cap("TUTORIAL_MAX_TOKENS"))

    # ---- a request's life: sent (or refused), then answered, or lost -----------------------

    def send(self, request: httpx2.Request, enforce: bool) -> Ticket:
        """Count a request about to be sent; with ``enforce``, refuse a model request that would
        pass a cap (raising ``BudgetExceeded``), counted and checked in one step."""
        costly = self.costs_tokens(request)
        with self._lock:
            if costly and enforce:
                self._check(request)
            self.requests += 1
            self.model_requests += costly
        return Ticket(costly)

    def unsent(self, ticket: Ticket) -> None:
        """The request never left (the connection could not be opened): give its place back."""
        with self._lock:
            if not ticket.settled:
                ticket.settled = True
                self.requests -= 1
                self.model_requests -= ticket.costly

    def lost(self, ticket: Ticket) -> None:
        """Sent, but no answer came (a timeout, a cut connection): what it cost is unknown."""
        with self._lock:
            if not ticket.settled:
                ticket.settled = True
                self.unknown_requests += ticket.costly

    def answered(self, ticket: Ticket, status: int, bodies: list[Any]) -> None:
        """The whole answer (or as much of it as was read): take the usage it tells."""
        with self._lock:
            for body in bodies:
                self._observe(body, ticket)
            if ticket.settled:
                return
            ticket.settled = True
            if not ticket.costly or not 200 <= status < 300 or ticket.usage_seen:
                return  # an error answer runs no model
            if ticket.ids:
                self.pending |= ticket.ids
            else:
                self.unknown_requests += 1

    def observe(self, body: Any) -> None:
        """Take usage from a response body or a streamed event that carries one."""
        with self._lock:
            self._observe(body, Ticket(False))

    def _observe(self, body: Any, ticket: Ticket) -> None:
        if not isinstance(body, dict):
            return
        if isinstance(body.get("response"), dict):  # response.completed and friends
            body = body["response"]
        key = body.get("id") if isinstance(body.get("id"), str) else None
        if key and str(body.get("object", "")).startswith("response"):
            ticket.ids.add(key)
        usage = body.get("usage")
        if not isinstance(usage, dict):
            return
        counted = _tokens(usage)
        if counted is None:
            return
        ticket.usage_seen = True
        key = key or f"#{len(self.by_response) + 1}"  # embeddings and images carry no id
        self.by_response[key] = counted
        self.pending.discard(key)

    def totals(self) -> dict[str, int]:
        with self._lock:
            out = {name: 0 for name in FIELDS}
            for usage in self.by_response.values():
                for name in FIELDS:
                    out[name] += usage[name]
            unknown = self.unknown_requests + len(self.pending - self.by_response.keys())
            return {
                "requests": self.requests,
                "model_requests": self.model_requests,
                "responses": len(self.by_response),
                **out,
                "unknown_usage": unknown,
            }

    @staticmethod
    def costs_tokens(request: httpx2.Request) -> bool:
        """A request that may run a model: any POST but those known to be free (``FREE_POSTS``),
        whatever its spelling (``/responses/`` is ``/responses``)."""
        return request.method == "POST" and not FREE_POSTS.fullmatch(_route(request))

    def _check(self, request: httpx2.Request) -> None:
        call = COSTLY_CALLS.get(_route(request)) or f"POST {_route(request)}"
        tokens = sum(u["input_tokens"] + u["output_tokens"] for u in self.by_response.values())
        if self.max_requests is not None and self.model_requests >= self.max_requests:
            raise BudgetExceeded(
                f"Budget guard: this would be model request {self.model_requests + 1} "
                f"({call}), past TUTORIAL_MAX_REQUESTS={self.max_requests}. Nothing was "
                "sent. Raise the cap in .env (or unset it), restart the kernel, or switch to replay "
                "with TUTORIAL_MODE=replay."
            )
        if self.max_tokens is not None and tokens >= self.max_tokens:
            raise BudgetExceeded(
                f"Budget guard: this kernel has used {tokens:,} tokens, the cap is "
                f"TUTORIAL_MAX_TOKENS={self.max_tokens}, so this model request ({call}) "
                "was not sent. Raise the cap in .env (or unset it), restart the kernel, or switch to "
                "replay with TUTORIAL_MODE=replay."
            )


def _route(request: httpx2.Request) -> str:
    """The provider-independent path, spelled one way: no /v1 prefix, no doubled or final slash."""
    path = re.sub("/{2,}", "/", api_path(request.url.path))
    return path.rstrip("/") or "/"


def _tokens(usage: dict[str, Any]) -> dict[str, int] | None:
    """Usage in the Responses API's terms, from any endpoint's shape (Responses and images:
    input/output tokens; chat, completions and embeddings: prompt/completion tokens)."""

    def number(*names: str, within: Any = None) -> int:
        source = usage if within is None else within
        if not isinstance(source, dict):
            return 0
        for name in names:
            if isinstance(source.get(name), int):
                return source[name]
        return 0

    if not any(isinstance(usage.get(n), int) for n in ("input_tokens", "prompt_tokens")):
        return None  # audio's {"type": "duration", "seconds": ...}: no tokens to count
    inputs = usage.get("input_tokens_details") or usage.get("prompt_tokens_details")
    outputs = usage.get("output_tokens_details") or usage.get("completion_tokens_details")
    return {
        "input_tokens": number("input_tokens", "prompt_tokens"),
        "output_tokens": number("output_tokens", "completion_tokens"),
        "cached_tokens": number("cached_tokens", within=inputs),
        "reasoning_tokens": number("reasoning_tokens", within=outputs),
    }


# --------------------------------------------------------------------------------------------
# One meter per kernel
# --------------------------------------------------------------------------------------------

_METERS: dict[bool, Meter] = {}


def kernel_meter(live: bool) -> Meter:
    """This process's meter, live or replay, with the caps the environment sets now. Running
    the setup cell again (``connect()``) keeps what was counted: only a new kernel starts over.
    Replay has its own, so what replay counted never uses up a live budget."""
    caps = Meter.from_env()
    meter = _METERS.setdefault(live, Meter())
    with meter._lock:
        meter.max_requests, meter.max_tokens = caps.max_requests, caps.max_tokens
    return meter


def reset_kernel_meters() -> None:
    """Forget every count, as a new kernel would (tests: each one is a fresh kernel)."""
    _METERS.clear()
