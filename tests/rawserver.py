"""A bare HTTP/1.1 server on 127.0.0.1 for the faults no well-behaved server commits: it never
answers, sends only keep-alive comments, drips a body a byte at a time, or answers 200 with a body
the SDK cannot read. Standard library only; each connection runs ``answer(conn, request)`` in its
own thread, and ``stop()`` closes every connection, so a test never leaves one hanging.

    with RawServer(drip(b'{"id": "resp_1"}', every=0.05)) as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="sk-test")
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable
from typing import NamedTuple

__all__ = ["RawServer", "Request", "never_answer", "keep_alive_only", "drip", "answer"]


class Request(NamedTuple):
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body) if self.body else None


Answer = Callable[["Conn", Request], None]


class Conn:
    """One accepted connection, with a flag that says the server is stopping."""

    def __init__(self, sock: socket.socket, stopping: threading.Event):
        self.sock = sock
        self.stopping = stopping

    def send(self, data: bytes) -> bool:
        try:
            self.sock.sendall(data)
            return True
        except OSError:
            return False

    def close(self) -> None:
        """End the connection (a body sent without a length ends here)."""
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def wait(self, seconds: float) -> bool:
        """Sleep, or return False at once when the server stops."""
        return not self.stopping.wait(seconds)


class RawServer:
    def __init__(self, answer: Answer):
        self.answer = answer
        self.requests: list[Request] = []
        self.stopping = threading.Event()
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}/v1"

    def start(self) -> RawServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        try:
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() below
        except OSError:
            pass
        self._listener.close()
        with self._lock:
            for conn in self._conns:
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                conn.close()
        self._thread.join(timeout=5)

    def __enter__(self) -> RawServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                sock, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self._conns.append(sock)
            threading.Thread(target=self._serve, args=(sock,), daemon=True).start()

    def _serve(self, sock: socket.socket) -> None:
        conn = Conn(sock, self.stopping)
        reader = sock.makefile("rb")
        try:
            while not self.stopping.is_set():
                line = reader.readline()
                if not line:
                    return
                method, path, _ = line.decode("latin-1").split(" ", 2)
                headers: dict[str, str] = {}
                while (line := reader.readline()) not in (b"\r\n", b"\n", b""):
                    name, _, value = line.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = reader.read(int(headers.get("content-length") or 0))
                request = Request(method, path, headers, body)
                self.requests.append(request)
                self.answer(conn, request)
        except (OSError, ValueError):
            return


def _head(status: int, content_type: str | None, length: int | None) -> bytes:
    lines = [f"HTTP/1.1 {status} {'OK' if status == 200 else 'Status'}"]
    if content_type:
        lines.append(f"Content-Type: {content_type}")
    lines.append(f"Content-Length: {length}" if length is not None else "Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def never_answer(conn: Conn, request: Request) -> None:
    """Accept the request and say nothing until the server stops."""
    while conn.wait(0.05):
        pass


def keep_alive_only(every: float = 0.05) -> Answer:
    """Start an event stream, then send only ``: keep-alive`` comments, never an event."""

    def serve(conn: Conn, request: Request) -> None:
        if not conn.send(_head(200, "text/event-stream", None)):
            return
        while conn.wait(every) and conn.send(b": keep-alive\n\n"):
            pass

    return serve


def drip(body: bytes, every: float = 0.05, content_type: str = "application/json") -> Answer:
    """Announce ``body`` with its length, then send it one byte every ``every`` seconds."""

    def serve(conn: Conn, request: Request) -> None:
        if not conn.send(_head(200, content_type, len(body))):
            return
        for i in range(len(body)):
            if not (conn.wait(every) and conn.send(body[i : i + 1])):
                return

    return serve


def answer(
    body: bytes | Callable[[Request], bytes],
    content_type: str | None = "application/json",
    status: int = 200,
) -> Answer:
    """Answer every request at once with ``body`` (or ``body(request)``)."""

    def serve(conn: Conn, request: Request) -> None:
        data = body(request) if callable(body) else body
        conn.send(_head(status, content_type, len(data)) + data)

    return serve
