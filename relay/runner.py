"""Running research invocations: the upstream request, the jobs that follow it, and their recovery.

- **foreground**: one ``responses.create``; the invocation is stored when it has ended (200).
- **background**: ``responses.create(background=True)``; a job thread polls it until it ends (202
  at once, with the upstream response id).
- **stream**: ``responses.create(background=True, stream=True)``, read from the moment the
  invocation is created, whether anyone subscribes or not; a cut upstream stream is resumed with
  ``starting_after``, and when that fails too the job falls back to polling.

Every job belongs to one relay process at a time (``owner``, with a lease it renews). A relay that
starts, and every ``recover_every`` seconds after, takes over the running jobs whose owner has
stopped (its process is gone, or its lease ran out) and carries on by the upstream response id:
a background job is polled again, a stream is resumed after the last upstream event stored.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import openai

from . import auth
from .events import Bus
from .models import RUNNING, TERMINAL, InvocationView, ResearchArguments
from .settings import Settings
from .store import Invocation, Store, StoreError
from .upstream import Upstream, data_source_tool, failure

log = logging.getLogger("relay")

HOST = socket.gethostname()

INSTRUCTIONS = {
    "markdown_brief": (
        "Write a concise research brief in Markdown, under 300 words: the answer first, then "
        "the evidence for it."
    ),
    "markdown_report": (
        "Write a research report in Markdown with the headings Summary, Findings and Open "
        "questions."
    ),
    "json_outline": (
        "Answer with a JSON object with the keys question, answer, findings (a list of objects "
        "with claim and sources) and open_questions."
    ),
}
CITE = " Cite a source for every claim, as an inline Markdown link."
# In replay, how long a job whose recording holds a cancel waits for the client to send it.
REPLAY_WAIT = 60.0


class RelayError(Exception):
    """An answer other than success: HTTP status, message, optional Retry-After and body."""

    def __init__(
        self,
        status: int,
        message: str,
        retry_after: int | None = None,
        view: InvocationView | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after = retry_after
        self.view = view


@dataclass
class Created:
    status_code: int
    view: InvocationView
    replayed: bool = False


def status_of(upstream_status: str | None) -> str:
    """The relay status for a Responses status: each of the six is kept as it is (queued and
    in_progress run; completed, failed, cancelled and incomplete are terminal). Anything else, which
    the API does not send today, counts as still running."""
    if upstream_status in RUNNING or upstream_status in TERMINAL:
        return upstream_status
    return "in_progress"


def why(response: Any, status: str) -> str | None:
    """The error_message of a terminal invocation that did not complete."""
    if status == "failed":
        err = getattr(response, "error", None)
        if err is not None:
            return f"The research failed upstream ({err.code}: {err.message})."
        return "The research failed upstream, without details."
    if status == "incomplete":
        details = getattr(response, "incomplete_details", None)
        reason = getattr(details, "reason", None) or "no reason given"
        hint = " Raise the output budget, or ask for less." if reason == "max_output_tokens" else ""
        return f"The research stopped before it finished ({reason}).{hint}"
    if status == "cancelled":
        return "The research was cancelled before it finished."
    return None


def research_request(args: ResearchArguments, model: str, settings: Settings) -> dict[str, Any]:
    """The body of the upstream ``responses.create`` for a research invocation."""
    instructions = args.system_prompt or INSTRUCTIONS[args.deliverable_format]
    if args.require_citations:
        instructions += CITE
    parts = [args.research_question]
    if args.context:
        parts.append("Context:\n" + "\n".join(f"- {c}" for c in args.context))
    if args.constraints:
        parts.append("Constraints:\n" + "\n".join(f"- {c}" for c in args.constraints))
    body: dict[str, Any] = {
        "model": model,
        "input": "\n\n".join(parts),
        "instructions": instructions,
        "tools": [data_source_tool(model, settings.research_tool)],
        "store": True,
    }
    if settings.max_tool_calls:
        body["max_tool_calls"] = settings.max_tool_calls
    if args.text_format:
        body["text"] = {"format": {"type": args.text_format}}
    return body


def view_of(inv: Invocation, token: str | None = None) -> InvocationView:
    return InvocationView(
        invocation_id=inv.id,
        tool_name=inv.tool_name,
        mode=inv.mode,  # type: ignore[arg-type]
        status=inv.status,  # type: ignore[arg-type]
        deliverable_format=inv.deliverable_format,  # type: ignore[arg-type]
        invocation_token=token,
        upstream_response_id=inv.upstream_response_id,
        output_text=inv.output_text,
        response=json.loads(inv.response) if inv.response else None,
        error_message=inv.error_message,
        model=inv.model,
    )


def terminal_events(status: str, text: str, error: str | None, upstream_id: str | None) -> list:
    if status == "completed":
        data = {"status": status, "output_text": text, "upstream_response_id": upstream_id}
        return [("completed", data)]
    data = {"status": status, "error_message": error, "upstream_response_id": upstream_id}
    return [("error", data)]


def _dump(response: Any) -> str:
    return json.dumps(response.model_dump(mode="json", exclude_unset=True), ensure_ascii=False)


class Runner:
    """Creates invocations and runs their jobs, in threads, for one relay process."""

    def __init__(self, settings: Settings, store: Store, upstream: Upstream, bus: Bus):
        self.settings = settings
        self.store = store
        self.upstream = upstream
        self.bus = bus
        self.owner = f"{HOST}:{os.getpid()}:{secrets.token_hex(4)}"
        self.jobs: dict[str, threading.Thread] = {}
        self.streams: dict[str, Any] = {}  # upstream streams being read, to close on shutdown
        self.active = 0  # jobs of any mode running in this process
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self._recoverer: threading.Thread | None = None

    # ---- life cycle -----------------------------------------------------------------------

    @property
    def poll_interval(self) -> float:
        if self.settings.poll_interval is not None:
            return self.settings.poll_interval
        return 0.0 if self.upstream.mode == "replay" else 2.0

    def start(self) -> None:
        self.recover()
        self._recoverer = threading.Thread(
            target=self._recover_loop, name="relay-recover", daemon=True
        )
        self._recoverer.start()

    def stop(self, timeout: float = 3.0) -> None:
        """Stop following jobs and hand them back (their leases end now), so that the next relay
        takes them over at once."""
        self.stopping.set()
        with self.lock:
            jobs = dict(self.jobs)
            streams = list(self.streams.values())
        for inv_id in jobs:
            self.bus.notify(inv_id)
        for stream in streams:
            with contextlib.suppress(Exception):
                stream.response.close()
        deadline = time.monotonic() + timeout
        for thread in jobs.values():
            thread.join(max(0.0, deadline - time.monotonic()))

    def _recover_loop(self) -> None:
        while not self.stopping.wait(self.settings.recover_every):
            try:
                self.recover()
            except StoreError as err:
                log.warning("relay: could not look for jobs to take over: %s", err)

    # ---- capacity -------------------------------------------------------------------------

    @contextlib.contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one of the ``max_jobs`` places, or refuse with 503 and Retry-After."""
        with self.lock:
            if self.active >= self.settings.max_jobs:
                raise RelayError(
                    503,
                    f"The relay is running {self.active} jobs, its limit (RELAY_MAX_JOBS="
                    f"{self.settings.max_jobs}). Try again in a few seconds.",
                    retry_after=max(1, self.settings.retry_after),
                )
            self.active += 1
        try:
            yield
        finally:
            with self.lock:
                self.active -= 1

    def _take(self) -> None:
        with self.lock:
            self.active += 1

    # ---- ownership ------------------------------------------------------------------------

    def _lease(self) -> float:
        return time.time() + self.settings.lease

    def owner_gone(self, owner: str | None, lease_until: float = 0.0) -> bool:
        """Whether a job's owner has stopped: nobody owns it, its lease ran out, or it was a
        process on this machine that no longer exists."""
        if owner is None or lease_until < time.time():
            return True
        if owner == self.owner:
            return False
        host, _, rest = owner.partition(":")
        pid_text, _, _nonce = rest.partition(":")
        if host != HOST or not pid_text.isdigit():
            return False  # another machine: only its lease tells
        pid = int(pid_text)
        if pid == os.getpid():
            return True  # an earlier relay in this same process (an app built again)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False

    def _stale_key(self, owner: str | None, created_at: float) -> bool:
        limit = self.settings.upstream_timeout * (self.settings.upstream_retries + 1) + 60
        return self.owner_gone(owner, created_at + limit)

    def recover(self) -> int:
        """Take over the running jobs whose owner has stopped; returns how many."""
        taken = 0
        for inv in self.store.running():
            with self.lock:
                if inv.id in self.jobs or self.stopping.is_set():
                    continue
                if self.active >= self.settings.max_jobs:
                    break
            if not self.owner_gone(inv.owner, inv.lease_until):
                continue
            if inv.upstream_response_id is None:
                continue  # cannot happen: a job is stored with its upstream id
            if self.store.claim(inv.id, self.owner, self._lease(), inv.owner):
                log.info(
                    "relay: took over %s (%s, %s upstream)",
                    inv.id,
                    inv.mode,
                    inv.status,
                )
                self._take()
                self._spawn(inv.id, resume=True)
                taken += 1
        return taken

    # ---- creating -------------------------------------------------------------------------

    def make_id(self, number: int) -> str:
        # Deterministic when the upstream is a recording (the notebook prints these ids), random
        # when live.
        if self.upstream.mode in ("replay", "record"):
            return "inv_" + hashlib.sha256(f"relay-invocation:{number}".encode()).hexdigest()[:24]
        return "inv_" + secrets.token_hex(12)

    def create(self, args: ResearchArguments, key: str | None) -> Created:
        """Create an invocation (answered 200 in the foreground, 202 otherwise)."""
        key_hash = None
        if key is not None:
            key_hash = auth.digest(key)
            body = json.dumps(args.model_dump(mode="json"), sort_keys=True)
            claim = self.store.claim_key(
                key_hash,
                auth.digest(body),
                self.owner,
                time.time(),
                self.settings.idempotency_ttl,
                self._stale_key,
            )
            if claim.state == "mismatch":
                raise RelayError(
                    422,
                    "This Idempotency-Key was already used with a different request body. Use a "
                    "new key for a new request; send exactly the same body to retry one.",
                )
            if claim.state == "in_flight":
                raise RelayError(
                    409,
                    "A request with this Idempotency-Key is still running. Retry it after the "
                    "Retry-After delay to get its answer.",
                    retry_after=1,
                )
            if claim.state == "replay":
                inv = self.store.get(claim.invocation_id or "")
                if inv is not None:
                    token = auth.keyed_token(key, inv.token_salt or "")
                    return Created(claim.status_code or 200, view_of(inv, token), replayed=True)
        try:
            return self._create(args, key, key_hash)
        except BaseException:
            if key_hash is not None:
                with contextlib.suppress(StoreError):
                    self.store.release_key(key_hash, self.owner)
            raise

    def _create(self, args: ResearchArguments, key: str | None, key_hash: str | None) -> Created:
        mode = args.mode
        with self.slot():
            number = self.store.next_number()
            salt = secrets.token_hex(16) if key else None
            token = auth.keyed_token(key, salt) if key and salt else auth.new_token()
            model = self.upstream.model("deep_research")
            body = research_request(args, model, self.settings)
            now = time.time()
            inv = Invocation(
                id=self.make_id(number),
                number=number,
                tool_name="deep_research",
                mode=mode,
                status="queued",
                deliverable_format=args.deliverable_format,
                token_hash=auth.digest(token),
                token_salt=salt,
                arguments=json.dumps(args.model_dump(mode="json"), ensure_ascii=False),
                model=model,
                upstream_response_id=None,
                output_text=None,
                response=None,
                error_message=None,
                upstream_cursor=-1,
                streamed_chars=0,
                last_seq=0,
                cancel_requested=0,
                owner=None,
                lease_until=0.0,
                created_at=now,
                updated_at=now,
            )
            if mode == "foreground":
                return self._foreground(inv, body, token, key_hash)
            if mode == "background":
                created = self._background(inv, body, token, key_hash)
            else:
                created = self._stream(inv, body, token, key_hash)
            if not inv.terminal:
                self._take()  # the job thread's own place, held until it ends
                self._spawn(inv.id, resume=False)
            return created

    def _call(self, fn: Any, *a: Any, **kw: Any) -> Any:
        try:
            return fn(*a, **kw)
        except (openai.OpenAIError, OSError) as err:
            found = failure(err, self.upstream)
            log.warning("relay: upstream request failed: %s", found.message)
            raise RelayError(found.status, found.message, found.retry_after) from None

    def _finish_fields(self, inv: Invocation, response: Any) -> list:
        status = status_of(response.status)
        inv.status = status
        inv.upstream_response_id = response.id
        inv.response = _dump(response)
        text = response.output_text
        inv.output_text = text if status in TERMINAL else None
        inv.error_message = why(response, status)
        if status not in TERMINAL:
            return [("status", {"status": status})]
        events = [("output_text", {"text": text})] if text else []
        inv.streamed_chars = len(text)
        return events + terminal_events(status, text, inv.error_message, response.id)

    def _foreground(self, inv: Invocation, body: dict, token: str, key_hash: str | None) -> Created:
        response = self._call(self.upstream.client.responses.create, **body)
        events = self._finish_fields(inv, response)
        if not inv.terminal:  # a provider that answers a plain create unfinished
            inv.status = "failed"
            inv.error_message = (
                f"The provider answered a foreground request with status {response.status}; "
                "send it again with background=true."
            )
            events = terminal_events("failed", "", inv.error_message, response.id)
        self.store.insert(inv, events, key_hash, 200)
        self.bus.notify(inv.id)
        return Created(200, view_of(inv, token))

    def _background(self, inv: Invocation, body: dict, token: str, key_hash: str | None) -> Created:
        response = self._call(self.upstream.client.responses.create, **body, background=True)
        events = self._finish_fields(inv, response)
        inv.owner, inv.lease_until = self.owner, self._lease()
        self._insert_or_cancel(inv, events, key_hash)
        return Created(202, view_of(inv, token))

    def _insert_or_cancel(self, inv: Invocation, events: list, key_hash: str | None) -> None:
        """Store a job that runs upstream; if it cannot be stored, cancel it there (best effort),
        so that nothing runs, and costs, that no invocation stands for."""
        try:
            self.store.insert(inv, events, key_hash, 202)
        except StoreError:
            if not inv.terminal:
                with contextlib.suppress(Exception):
                    self.upstream.client.responses.cancel(inv.upstream_response_id)
            raise

    def _stream(self, inv: Invocation, body: dict, token: str, key_hash: str | None) -> Created:
        stream = self._call(
            self.upstream.client.responses.create, **body, background=True, stream=True
        )
        events: list = []
        state = _StreamState()
        try:
            iterator = iter(stream)
            while inv.upstream_response_id is None:
                event = self._call(next, iterator, None)
                if event is None:
                    raise RelayError(
                        502,
                        "The model provider ended the stream before it said which response it "
                        "started. Send the request again.",
                    )
                found, updates = state.translate(event)
                events += found
                if getattr(event, "response", None) is not None:
                    inv.upstream_response_id = event.response.id
                    inv.status = state.status or "queued"
                inv.upstream_cursor = state.cursor
        except BaseException:
            with contextlib.suppress(Exception):
                stream.close()
            raise
        inv.owner, inv.lease_until = self.owner, self._lease()
        try:
            self._insert_or_cancel(inv, events, key_hash)
        except StoreError:
            with contextlib.suppress(Exception):
                stream.close()
            raise
        with self.lock:
            self.streams[inv.id] = stream
        return Created(202, view_of(inv, token))

    # ---- cancelling -----------------------------------------------------------------------

    def request_cancel(self, inv: Invocation) -> None:
        """Ask for a running job to be cancelled. A background job's own thread sends the cancel
        upstream (so its requests keep one order); a stream's cancel is sent from here."""
        self.store.request_cancel(inv.id)
        self.bus.notify(inv.id)
        if inv.mode == "stream":
            response = self._call(self.upstream.client.responses.cancel, inv.upstream_response_id)
            self.apply(inv.id, response)
            return
        with self.lock:
            followed = inv.id in self.jobs
        if not followed and self.owner_gone(inv.owner, inv.lease_until):
            # Nobody follows it (its relay stopped): follow it here, and that cancels it.
            if self.store.claim(inv.id, self.owner, self._lease(), inv.owner):
                self._take()
                self._spawn(inv.id, resume=True)

    # ---- following jobs -------------------------------------------------------------------

    def _spawn(self, inv_id: str, resume: bool) -> None:
        thread = threading.Thread(
            target=self._run_job, args=(inv_id, resume), name=f"relay-job-{inv_id}", daemon=True
        )
        with self.lock:
            self.jobs[inv_id] = thread
        thread.start()

    def _run_job(self, inv_id: str, resume: bool) -> None:
        try:
            inv = self.store.get(inv_id)
            if inv is None:
                return
            if inv.mode == "stream":
                self._follow_stream(inv, resume)
            else:
                self._poll(inv)
        except StoreError as err:
            log.error("relay: %s stopped, its state cannot be saved: %s", inv_id, err)
        except Exception:
            log.exception("relay: %s stopped on an unexpected error", inv_id)
        finally:
            with self.lock:
                self.jobs.pop(inv_id, None)
                stream = self.streams.pop(inv_id, None)
                self.active -= 1
            if stream is not None:
                with contextlib.suppress(Exception):
                    stream.close()
            with contextlib.suppress(StoreError):
                self.store.release(inv_id, self.owner)
            self.bus.notify(inv_id)

    def apply(self, inv_id: str, response: Any) -> Invocation | None:
        """Store what a retrieved (or cancelled) upstream response says, if anything changed."""
        current = self.store.get(inv_id)
        if current is None or current.terminal:
            return current
        status = status_of(response.status)
        if status not in TERMINAL:
            if status == current.status:
                return current
            row = self.store.append(inv_id, [("status", {"status": status})], {"status": status})
        else:
            text = response.output_text or ""
            events = []
            # What no output_text event has carried yet (a stream job that fell back to polling
            # has sent part of it already).
            rest = text[current.streamed_chars :]
            if rest:
                events.append(("output_text", {"text": rest}))
            error = why(response, status)
            if status == "cancelled" and current.cancel_requested:
                error = "Cancelled at a client's request (POST .../cancel) before it finished."
            events += terminal_events(status, text, error, response.id)
            row = self.store.append(
                inv_id,
                events,
                {
                    "status": status,
                    "output_text": text,
                    "response": _dump(response),
                    "error_message": error,
                    "streamed_chars": len(text),
                },
            )
        self.bus.notify(inv_id)
        return row

    def _fail(self, inv_id: str, message: str) -> None:
        inv = self.store.get(inv_id)
        upstream_id = inv.upstream_response_id if inv else None
        self.store.append(
            inv_id,
            terminal_events("failed", "", message, upstream_id),
            {"status": "failed", "error_message": message},
        )
        self.bus.notify(inv_id)

    def _keep_lease(self, inv: Invocation) -> bool:
        if inv.lease_until - time.time() > self.settings.lease / 2:
            return True
        until = self._lease()
        if not self.store.renew(inv.id, self.owner, until):
            log.warning("relay: %s is followed by another relay now", inv.id)
            return False
        inv.lease_until = until
        return True

    def _poll(self, inv: Invocation) -> None:
        """Follow a background job until it ends: poll, and send the cancel when asked.

        Live, it polls every ``poll_interval`` seconds (longer after errors), and a cancel wakes
        it at once. In replay it follows the recording instead: it makes the recorded polls of its
        job, in order and without waiting, and where the recording holds a cancel it waits for
        the client's cancel before sending it; so replay makes the same requests every time,
        however fast the client and the relay run.
        """
        upstream_id = inv.upstream_response_id
        assert upstream_id is not None
        errors = 0
        replay = self.upstream.replay
        seen = self.bus.version(inv.id)
        rest_first = True  # live, the first poll comes an interval after the create
        waiting_since: float | None = None
        while not self.stopping.is_set():
            current = self.store.get(inv.id)
            if current is None or current.terminal or current.owner != self.owner:
                return
            if not self._keep_lease(current):
                return
            if replay is not None:
                upcoming = replay.next_for(upstream_id)
                if upcoming == "cancel":
                    if current.cancel_requested:
                        self._send_cancel(current)
                        return
                    waiting_since = waiting_since or time.monotonic()
                    if time.monotonic() - waiting_since > REPLAY_WAIT:
                        self._fail(
                            inv.id,
                            f"Replay: the recording cancels {upstream_id} here, and no cancel "
                            f"came within {REPLAY_WAIT} s. Run the notebook's cells in order.",
                        )
                        return
                    seen = self.bus.wait_thread(inv.id, seen, 1.0)
                    continue
                if upcoming != "poll":
                    self._fail(
                        inv.id,
                        f"Replay: the recording has no more polls of {upstream_id}, which has "
                        "not ended. Re-record the notebook: make record NB=notebooks/10_relay.ipynb",
                    )
                    return
            else:
                if current.cancel_requested:
                    self._send_cancel(current)
                    return
                if rest_first:
                    delay = self.poll_interval * (2 ** min(errors, 4))
                    seen = self.bus.wait_thread(inv.id, seen, delay)  # a cancel wakes it early
                    rest_first = False
                    continue  # look at the job again (a cancel, the end) before polling
            rest_first = True
            try:
                response = self.upstream.client.responses.retrieve(upstream_id)
            except (openai.OpenAIError, OSError) as err:
                errors += 1
                found = failure(err, self.upstream)
                log.warning(
                    "relay: polling %s failed (%d in a row): %s", inv.id, errors, found.message
                )
                if errors >= self.settings.poll_errors:
                    self._fail(
                        inv.id,
                        f"The relay lost track of the research: {errors} polls in a row failed. "
                        f"The last: {found.message}",
                    )
                    return
                continue
            errors = 0
            self.apply(inv.id, response)

    def _send_cancel(self, inv: Invocation) -> None:
        try:
            response = self.upstream.client.responses.cancel(inv.upstream_response_id)
        except (openai.OpenAIError, OSError) as err:
            found = failure(err, self.upstream)
            self.store.append(
                inv.id,
                terminal_events(
                    "cancelled",
                    "",
                    f"Cancelled by the relay, which stopped following it; the provider did not "
                    f"confirm the cancel ({found.message}), so it may still finish there.",
                    inv.upstream_response_id,
                ),
                {"status": "cancelled"},
            )
            self.bus.notify(inv.id)
            return
        self.apply(inv.id, response)

    def _follow_stream(self, inv: Invocation, resume: bool) -> None:
        """Read a stream job's upstream events into its log, resuming a cut stream."""
        state = _StreamState(
            status=inv.status, cursor=inv.upstream_cursor, streamed=inv.streamed_chars
        )
        with self.lock:
            stream = self.streams.get(inv.id)
        failed_resumes = breaks = 0
        while not self.stopping.is_set():
            if stream is None:
                try:
                    stream = self.upstream.client.responses.retrieve(
                        inv.upstream_response_id, stream=True, starting_after=state.cursor
                    )
                except (openai.OpenAIError, OSError) as err:
                    failed_resumes += 1
                    log.warning(
                        "relay: resuming the stream of %s failed (%d): %s",
                        inv.id,
                        failed_resumes,
                        failure(err).message,
                    )
                    if failed_resumes >= 3:
                        break  # fall back to polling
                    time.sleep(0 if self.upstream.mode == "replay" else 0.5 * failed_resumes)
                    continue
                with self.lock:
                    self.streams[inv.id] = stream
            try:
                for event in stream:
                    found, updates = state.translate(event)
                    if not found and not updates:
                        continue
                    current = self.store.append(
                        inv.id,
                        found,
                        {**updates, "upstream_cursor": state.cursor},
                        owner=self.owner,
                    )
                    self.bus.notify(inv.id)
                    if current is None or current.terminal:
                        return
                    if not self._keep_lease(current):
                        return
            except (openai.OpenAIError, OSError) as err:
                if self.stopping.is_set():
                    return
                log.warning(
                    "relay: the upstream stream of %s broke: %s", inv.id, failure(err).message
                )
            with contextlib.suppress(Exception):
                stream.close()
            stream = None
            with self.lock:
                self.streams.pop(inv.id, None)
            current = self.store.get(inv.id)
            if current is None or current.terminal:
                return
            breaks += 1
            if breaks >= 5:
                break  # a stream that keeps breaking: poll instead
        if self.stopping.is_set():
            return
        # The stream could not be read to its end: poll until the job ends, then store the text
        # the stream did not deliver, so that its output_text events still add up to the whole.
        current = self.store.get(inv.id)
        if current is not None and not current.terminal:
            self._poll(current)


@dataclass
class _StreamState:
    """What a stream job has seen so far, to turn upstream events into relay events."""

    status: str | None = None
    cursor: int = -1
    streamed: int = 0  # characters of text sent as output_text events by this reader
    error: str | None = None

    def translate(self, event: Any) -> tuple[list, dict[str, Any]]:
        kind = getattr(event, "type", "")
        seq = getattr(event, "sequence_number", None)
        if isinstance(seq, int):
            self.cursor = seq
        found: list = []
        updates: dict[str, Any] = {}
        response = getattr(event, "response", None)
        if kind in ("response.created", "response.queued", "response.in_progress") and response:
            status = status_of(response.status)
            if status != self.status:
                self.status = status
                found.append(("status", {"status": status}))
                updates["status"] = status
        elif kind == "response.output_text.delta" and event.delta:
            found.append(("output_text", {"text": event.delta}))
            self.streamed += len(event.delta)
            updates["streamed_chars"] = self.streamed
        elif (
            kind == "response.output_item.done"
            and getattr(event.item, "type", "") == "web_search_call"
        ):
            action = getattr(event.item, "action", None)
            query = getattr(action, "query", None) if action is not None else None
            if query:
                found.append(("search", {"query": query}))
        elif kind == "error":
            self.error = getattr(event, "message", None) or "the provider sent an error event"
        elif kind in ("response.completed", "response.failed", "response.incomplete") and response:
            status = status_of(response.status)
            text = response.output_text or ""
            error = why(response, status)
            if status == "failed" and self.error:
                error = f"The research failed upstream ({self.error})."
            updates.update(
                status=status,
                output_text=text,
                response=_dump(response),
                error_message=error,
            )
            self.status = status
            rest = text[self.streamed :]
            if rest:  # text the deltas did not carry, so that the events add up to the whole
                found.append(("output_text", {"text": rest}))
            found += terminal_events(status, text, error, response.id)
            self.streamed = len(text)
            updates["streamed_chars"] = self.streamed
        return found, updates
