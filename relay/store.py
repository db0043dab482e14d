"""Where the relay keeps its state: invocations, their events and idempotency keys.

One small layer over two databases: SQLite (the default, a file named by ``RELAY_DB``) and PostgreSQL
(``RELAY_DB=postgresql://...``), which several relay processes can share. Nothing outside this
module writes SQL. Every change is one transaction, so a relay killed at any moment leaves either
the state before a change or the state after it, never half of it: an event and the upstream
cursor it advances are written together, and so are a terminal status and its terminal event.
"""

from __future__ import annotations

import contextlib
import json
import queue
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .models import RUNNING, TERMINAL

__all__ = ["Store", "StoreError", "Invocation", "KeyClaim", "open_store"]


class StoreError(RuntimeError):
    """The database cannot be read or written; the message says which and what to do."""


SCHEMA = [
    """CREATE TABLE IF NOT EXISTS invocations (
        id TEXT PRIMARY KEY,
        number BIGINT NOT NULL,
        tool_name TEXT NOT NULL,
        mode TEXT NOT NULL,
        status TEXT NOT NULL,
        deliverable_format TEXT NOT NULL,
        token_hash TEXT NOT NULL,
        token_salt TEXT,
        arguments TEXT NOT NULL,
        model TEXT,
        upstream_response_id TEXT,
        output_text TEXT,
        response TEXT,
        error_message TEXT,
        upstream_cursor BIGINT NOT NULL DEFAULT -1,
        streamed_chars BIGINT NOT NULL DEFAULT 0,
        last_seq BIGINT NOT NULL DEFAULT 0,
        cancel_requested INTEGER NOT NULL DEFAULT 0,
        owner TEXT,
        lease_until DOUBLE PRECISION NOT NULL DEFAULT 0,
        created_at DOUBLE PRECISION NOT NULL,
        updated_at DOUBLE PRECISION NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS invocations_by_status ON invocations (status)",
    """CREATE TABLE IF NOT EXISTS events (
        invocation_id TEXT NOT NULL,
        seq BIGINT NOT NULL,
        event TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (invocation_id, seq)
    )""",
    """CREATE TABLE IF NOT EXISTS idempotency_keys (
        key_hash TEXT PRIMARY KEY,
        request_hash TEXT NOT NULL,
        invocation_id TEXT,
        status_code INTEGER,
        owner TEXT,
        created_at DOUBLE PRECISION NOT NULL
    )""",
    "CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL)",
]

COLUMNS = (
    "id number tool_name mode status deliverable_format token_hash token_salt arguments model "
    "upstream_response_id output_text response error_message upstream_cursor streamed_chars "
    "last_seq cancel_requested owner lease_until created_at updated_at"
).split()
UPDATABLE = {
    "status",
    "model",
    "upstream_response_id",
    "output_text",
    "response",
    "error_message",
    "upstream_cursor",
    "streamed_chars",
    "cancel_requested",
    "owner",
    "lease_until",
}


@dataclass
class Invocation:
    id: str
    number: int
    tool_name: str
    mode: str
    status: str
    deliverable_format: str
    token_hash: str
    token_salt: str | None
    arguments: str
    model: str | None
    upstream_response_id: str | None
    output_text: str | None
    response: str | None
    error_message: str | None
    upstream_cursor: int
    streamed_chars: int
    last_seq: int
    cancel_requested: int
    owner: str | None
    lease_until: float
    created_at: float
    updated_at: float

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL

    def args(self) -> dict[str, Any]:
        return json.loads(self.arguments)


@dataclass(frozen=True)
class KeyClaim:
    """What an Idempotency-Key stands for: ``new`` (this request owns it now), ``replay`` (done
    before: ``invocation_id`` and ``status_code``), ``mismatch`` (used with another body) or
    ``in_flight`` (a request with it is still running)."""

    state: str
    invocation_id: str | None = None
    status_code: int | None = None


@dataclass(frozen=True)
class Event:
    seq: int
    event: str
    data: str  # JSON text


class Store:
    """The operations the relay needs; SQLiteStore and PostgresStore say how."""

    kind = "?"
    placeholder = "?"

    def __init__(self, target: str, pool_size: int = 8):
        self.target = target
        self._pool: queue.LifoQueue[Any] = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(pool_size)
        self._closed = False

    # ---- connections ----------------------------------------------------------------------

    def _connect(self) -> Any:
        raise NotImplementedError

    def _describe(self, err: Exception) -> str:
        return f"{type(err).__name__}: {err}"

    @contextlib.contextmanager
    def _conn(self) -> Iterator[Any]:
        self._slots.acquire()
        try:
            try:
                conn = self._pool.get_nowait()
            except queue.Empty:
                conn = self._open()
            try:
                yield conn
            except BaseException:
                # A connection that failed mid-way is not trusted again.
                with contextlib.suppress(Exception):
                    conn.close()
                raise
            else:
                self._pool.put(conn)
        finally:
            self._slots.release()

    def _open(self) -> Any:
        try:
            return self._connect()
        except Exception as err:
            raise self._error("open", err) from None

    def _error(self, doing: str, err: Exception) -> StoreError:
        if "readonly" in str(err) or "read-only" in str(err):
            doing = "be written"
        return StoreError(
            f"The relay's database ({self.kind}) could not {doing}: {self._describe(err)}"
        )

    @contextlib.contextmanager
    def _write(self) -> Iterator[Any]:
        raise NotImplementedError
        yield

    def _sql(self, sql: str) -> str:
        return sql if self.placeholder == "?" else sql.replace("?", self.placeholder)

    def _exec(self, conn: Any, sql: str, params: tuple[Any, ...] = ()) -> Any:
        return conn.execute(self._sql(sql), params)

    def _read(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        try:
            with self._conn() as conn:
                return list(self._exec(conn, sql, params).fetchall())
        except StoreError:
            raise
        except Exception as err:
            raise self._error("be read", err) from None

    def _lock_row(self, conn: Any, inv_id: str) -> Invocation | None:
        cols = ", ".join(COLUMNS)
        row = self._exec(conn, f"SELECT {cols} FROM invocations WHERE id = ?", (inv_id,)).fetchone()
        return Invocation(*row) if row else None

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                conn = self._pool.get_nowait()
            except queue.Empty:
                break
            with contextlib.suppress(Exception):
                conn.close()

    # ---- set-up ---------------------------------------------------------------------------

    def migrate(self) -> None:
        with self._write() as conn:
            for statement in SCHEMA:
                self._exec(conn, statement)

    def check_writable(self) -> None:
        """Write and roll back nothing of value: a read-only database fails here, at start-up."""
        with self._write() as conn:
            self._exec(
                conn,
                "INSERT INTO counters (name, value) VALUES ('writable', 0) "
                "ON CONFLICT (name) DO UPDATE SET value = counters.value + 1",
            )

    # ---- invocations ----------------------------------------------------------------------

    def next_number(self) -> int:
        with self._write() as conn:
            row = self._exec(
                conn,
                "INSERT INTO counters (name, value) VALUES ('invocations', 1) "
                "ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value",
            ).fetchone()
        return int(row[0])

    def get(self, inv_id: str) -> Invocation | None:
        cols = ", ".join(COLUMNS)
        rows = self._read(f"SELECT {cols} FROM invocations WHERE id = ?", (inv_id,))
        return Invocation(*rows[0]) if rows else None

    def insert(
        self,
        invocation: Invocation,
        events: list[tuple[str, dict[str, Any]]],
        key_hash: str | None = None,
        status_code: int | None = None,
    ) -> None:
        """Store a new invocation with its first events and bind its Idempotency-Key, at once."""
        invocation.last_seq = len(events)
        values = tuple(getattr(invocation, c) for c in COLUMNS)
        marks = ", ".join("?" for _ in COLUMNS)
        with self._write() as conn:
            self._exec(
                conn, f"INSERT INTO invocations ({', '.join(COLUMNS)}) VALUES ({marks})", values
            )
            for seq, (name, data) in enumerate(events, 1):
                self._insert_event(conn, invocation.id, seq, name, data)
            if key_hash is not None:
                self._exec(
                    conn,
                    "UPDATE idempotency_keys SET invocation_id = ?, status_code = ?, owner = NULL "
                    "WHERE key_hash = ?",
                    (invocation.id, status_code, key_hash),
                )

    def _insert_event(self, conn: Any, inv_id: str, seq: int, name: str, data: dict) -> None:
        self._exec(
            conn,
            "INSERT INTO events (invocation_id, seq, event, data) VALUES (?, ?, ?, ?)",
            (inv_id, seq, name, json.dumps(data, ensure_ascii=False, separators=(",", ":"))),
        )

    def append(
        self,
        inv_id: str,
        events: list[tuple[str, dict[str, Any]]],
        updates: dict[str, Any] | None = None,
        *,
        only_running: bool = True,
        owner: str | None = None,
    ) -> Invocation | None:
        """Append events and update fields in one transaction, and return the row as it is now.

        With ``only_running`` nothing happens (None is returned) once the invocation is terminal:
        that is how exactly one terminal event is written, whoever gets there first. With ``owner``
        nothing happens unless that process still owns the job.
        """
        updates = dict(updates or {})
        unknown = set(updates) - UPDATABLE
        if unknown:
            raise ValueError(f"not updatable: {sorted(unknown)}")
        with self._write() as conn:
            row = self._lock_row(conn, inv_id)
            if row is None or (only_running and row.terminal):
                return None
            if owner is not None and row.owner != owner:
                return None
            seq = row.last_seq
            for name, data in events:
                seq += 1
                self._insert_event(conn, inv_id, seq, name, data)
            updates["last_seq"] = seq
            updates["updated_at"] = time.time()
            assignments = ", ".join(f"{k} = ?" for k in updates)
            self._exec(
                conn,
                f"UPDATE invocations SET {assignments} WHERE id = ?",
                (*updates.values(), inv_id),
            )
            for key, value in updates.items():
                setattr(row, key, value)
            return row

    def events_after(self, inv_id: str, after: int, limit: int = 500) -> list[Event]:
        rows = self._read(
            "SELECT seq, event, data FROM events WHERE invocation_id = ? AND seq > ? "
            "ORDER BY seq LIMIT ?",
            (inv_id, after, limit),
        )
        return [Event(int(s), e, d) for s, e, d in rows]

    # ---- jobs and their owners ------------------------------------------------------------

    def claim(self, inv_id: str, owner: str, lease_until: float, previous: str | None) -> bool:
        """Take a running job over from ``previous`` (None: nobody), atomically."""
        with self._write() as conn:
            row = self._lock_row(conn, inv_id)
            if row is None or row.terminal or row.owner != previous:
                return False
            self._exec(
                conn,
                "UPDATE invocations SET owner = ?, lease_until = ? WHERE id = ?",
                (owner, lease_until, inv_id),
            )
            return True

    def renew(self, inv_id: str, owner: str, lease_until: float) -> bool:
        with self._write() as conn:
            cur = self._exec(
                conn,
                "UPDATE invocations SET lease_until = ? WHERE id = ? AND owner = ?",
                (lease_until, inv_id, owner),
            )
            return cur.rowcount == 1

    def release(self, inv_id: str, owner: str) -> None:
        """Give a job up (a relay that stops): another relay, or this one restarted, takes it."""
        with self._write() as conn:
            self._exec(
                conn,
                "UPDATE invocations SET owner = NULL, lease_until = 0 WHERE id = ? AND owner = ?",
                (inv_id, owner),
            )

    def running(self) -> list[Invocation]:
        """Background and stream jobs not yet terminal, oldest first."""
        cols = ", ".join(COLUMNS)
        marks = ", ".join("?" for _ in RUNNING)
        rows = self._read(
            f"SELECT {cols} FROM invocations WHERE status IN ({marks}) AND mode <> 'foreground' "
            "ORDER BY number",
            RUNNING,
        )
        return [Invocation(*r) for r in rows]

    def request_cancel(self, inv_id: str) -> None:
        with self._write() as conn:
            self._exec(conn, "UPDATE invocations SET cancel_requested = 1 WHERE id = ?", (inv_id,))

    # ---- idempotency keys -----------------------------------------------------------------

    def claim_key(
        self, key_hash: str, request_hash: str, owner: str, now: float, ttl: float, stale: Any
    ) -> KeyClaim:
        """Reserve an Idempotency-Key for this request, or say what it already stands for.
        ``stale(owner, created_at)`` says whether an unfinished request's claim may be taken."""
        with self._write() as conn:
            row = self._exec(
                conn,
                "SELECT request_hash, invocation_id, status_code, owner, created_at "
                "FROM idempotency_keys WHERE key_hash = ?",
                (key_hash,),
            ).fetchone()
            if row is not None:
                old_hash, inv_id, code, old_owner, created = row
                expired = now - created > ttl
                abandoned = inv_id is None and stale(old_owner, created)
                if not expired and not abandoned:
                    if old_hash != request_hash:
                        return KeyClaim("mismatch")
                    if inv_id is None:
                        return KeyClaim("in_flight")
                    return KeyClaim("replay", inv_id, code)
                self._exec(conn, "DELETE FROM idempotency_keys WHERE key_hash = ?", (key_hash,))
            self._exec(
                conn,
                "INSERT INTO idempotency_keys (key_hash, request_hash, owner, created_at) "
                "VALUES (?, ?, ?, ?)",
                (key_hash, request_hash, owner, now),
            )
            return KeyClaim("new")

    def release_key(self, key_hash: str, owner: str) -> None:
        """Forget a key whose request stored nothing (it failed), so that a retry runs again."""
        with self._write() as conn:
            self._exec(
                conn,
                "DELETE FROM idempotency_keys WHERE key_hash = ? AND owner = ? "
                "AND invocation_id IS NULL",
                (key_hash, owner),
            )


class SQLiteStore(Store):
    kind = "SQLite"

    def __init__(self, path: str, pool_size: int = 8, read_only: bool = False):
        super().__init__(path, pool_size)
        self.read_only = read_only
        # SQLite has one writer at a time. Threads of this process queue here for it, rather than
        # in SQLite's busy handler, which sleeps in growing steps (up to 100 ms) between tries;
        # other processes on the same file still wait there (busy_timeout).
        self._writer = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        path = Path(self.target)
        if self.read_only:
            conn = sqlite3.connect(
                f"file:{path}?mode=ro", uri=True, timeout=10, check_same_thread=False
            )
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, timeout=10, check_same_thread=False)
        conn.isolation_level = None  # transactions are explicit
        conn.execute("PRAGMA busy_timeout = 10000")
        if not self.read_only:
            # WAL: readers never wait for the writer. synchronous=NORMAL: a killed process loses
            # nothing committed (only a power cut can lose the last transactions).
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
        return conn

    def _describe(self, err: Exception) -> str:
        text = str(err)
        if "readonly" in text or "read-only" in text:
            return (
                f"{text}. The file {self.target} (or its folder) is not writable by the relay: "
                "make it writable, or point RELAY_DB at another file"
            )
        if "unable to open" in text:
            return f"{text}: {self.target}. Check that its folder exists and can be written"
        return text

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        try:
            with self._writer, self._conn() as conn:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
        except (sqlite3.Error, OSError) as err:
            raise self._error("be written", err) from None


class PostgresStore(Store):
    kind = "PostgreSQL"
    placeholder = "%s"

    def _connect(self) -> Any:
        import psycopg  # only needed for a PostgreSQL URL

        return psycopg.connect(self.target, autocommit=True, connect_timeout=10)

    def _describe(self, err: Exception) -> str:
        # psycopg's messages can quote the connection string: keep its first line only, and
        # never the URL (it may hold a password).
        text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        return text.replace(self.target, "<RELAY_DB>")

    def _lock_row(self, conn: Any, inv_id: str) -> Invocation | None:
        cols = ", ".join(COLUMNS)
        row = self._exec(
            conn, f"SELECT {cols} FROM invocations WHERE id = ? FOR UPDATE", (inv_id,)
        ).fetchone()
        return Invocation(*row) if row else None

    @contextlib.contextmanager
    def _write(self) -> Iterator[Any]:
        import psycopg

        try:
            with self._conn() as conn, conn.transaction():
                yield conn
        except (psycopg.Error, OSError) as err:
            raise self._error("be written", err) from None

    def _read(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return super()._read(sql, params)

    def migrate(self) -> None:
        # Two relays starting together would race on CREATE TABLE IF NOT EXISTS: serialise them.
        with self._write() as conn:
            self._exec(conn, "SELECT pg_advisory_xact_lock(5551017)")
            for statement in SCHEMA:
                self._exec(conn, statement)


def open_store(target: str, pool_size: int = 8) -> Store:
    """The store for ``RELAY_DB``: a postgresql:// URL, or a SQLite file path."""
    if target.startswith(("postgres://", "postgresql://")):
        store: Store = PostgresStore(target, pool_size)
    else:
        store = SQLiteStore(target, pool_size)
    store.migrate()
    return store
