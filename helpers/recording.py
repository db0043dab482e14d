"""Recording files: reading them with clear errors, writing them atomically, and the request key
that replay matches on. The format is described in docs/recordings.md.

Defined in 01_basics (every notebook replays one).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx2

from .errors import RecordingError
from .files import read_regular_file

FORMAT = 1
SOURCES = ("recorded", "illustrative")
# The only response headers a recording keeps; everything else (cookies, organisation and project
# ids, request ids, server names) is dropped when it is written.
KEPT_RESPONSE_HEADERS = ("content-type", "retry-after", "retry-after-ms", "x-should-retry")
# Query parameters that say which provider was used, not what was asked.
IGNORED_QUERY = ("api-version",)
# Bounds on what load() reads: recordings are 3-200 KB and at most 13 levels deep; past these a
# file is not one (and deeper nesting would end in a RecursionError wherever it is walked).
MAX_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 100


@dataclass
class Recording:
    meta: dict[str, Any]
    interactions: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> str:
        data = {"format": FORMAT, "meta": self.meta, "interactions": self.interactions}
        return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def relative(path: Path) -> str:
    """A path as a learner would type it: relative to the repository when it is inside it."""
    from .config import REPO_ROOT

    try:
        return str(Path(path).resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def load(path: Path, notebook: str | None = None) -> Recording:
    """Read and check a recording; every problem is one RecordingError naming the file and the fix."""
    shown = relative(path)
    nb = notebook or Path(path).stem
    fix = (
        f"Restore it with `git checkout -- {shown}`, or make a new one with a key: "
        f"make record NB=notebooks/{nb}.ipynb"
    )
    try:
        text = read_regular_file(Path(path), MAX_BYTES).decode("utf-8")
    except FileNotFoundError:
        raise RecordingError(
            f"No recording for {nb}: {shown} does not exist. {fix}. "
            "Or run live: set OPENAI_API_KEY in .env."
        ) from None
    except (OSError, UnicodeDecodeError) as err:  # a folder, no permission, not UTF-8 text
        reason = err.strerror if isinstance(err, OSError) and err.strerror else type(err).__name__
        raise RecordingError(f"{shown} cannot be read as a recording ({reason}). {fix}.") from None
    try:
        data = json.loads(text)
    except RecursionError:
        raise RecordingError(
            f"{shown} is not a recording this course can replay: it is nested too deeply to read "
            f"(a recording is at most {MAX_DEPTH} levels deep). {fix}."
        ) from None
    except json.JSONDecodeError as err:
        conflict = (
            " It holds git merge-conflict markers (<<<<<<<): keep one side whole, never a mix."
            if "\n<<<<<<< " in f"\n{text}"
            else ""
        )
        raise RecordingError(
            f"{shown} is not valid JSON (line {err.lineno}, column {err.colno}: {err.msg})."
            f"{conflict} {fix}."
        ) from None
    except ValueError as err:  # valid JSON Python will not read: a number of 5,000 digits
        raise RecordingError(f"{shown} cannot be read as a recording ({err}). {fix}.") from None
    problem = _schema_problem(data) or _depth_problem(data) or _answers_problem(data)
    if problem:
        raise RecordingError(
            f"{shown} is not a recording this course can replay: {problem}. {fix}."
        )
    return Recording(meta=data["meta"], interactions=data["interactions"])


def _schema_problem(data: Any) -> str | None:
    if not isinstance(data, dict):
        return "the top level is not an object"
    if data.get("format") != FORMAT:
        newer = isinstance(data.get("format"), int) and data["format"] > FORMAT
        hint = " (written by a newer version of the course: update with git pull)" if newer else ""
        return f"'format' is {data.get('format')!r}, expected {FORMAT}{hint}"
    meta = data.get("meta")
    if not isinstance(meta, dict):
        return "'meta' is missing"
    if meta.get("source") not in SOURCES:
        return f"meta.source is {meta.get('source')!r}, expected one of {SOURCES}"
    if not isinstance(meta.get("models"), dict):
        return "meta.models is missing"
    interactions = data.get("interactions")
    if not isinstance(interactions, list):
        return "'interactions' is not a list"
    for i, item in enumerate(interactions):
        req = item.get("request") if isinstance(item, dict) else None
        res = item.get("response") if isinstance(item, dict) else None
        if not isinstance(req, dict) or not isinstance(res, dict):
            return f"interaction {i} needs a 'request' and a 'response'"
        for key, kind in (("method", str), ("path", str), ("query", dict)):
            if not isinstance(req.get(key), kind):
                return f"interaction {i}: request.{key} is missing or not a {kind.__name__}"
        if "body" not in req:
            return f"interaction {i}: request.body is missing (null when a request has none)"
        if not isinstance(res.get("status"), int):
            return f"interaction {i}: response.status is missing"
        if not isinstance(res.get("headers") or {}, dict):
            return f"interaction {i}: response.headers is not an object"
        if sum(key in res for key in BODY_KEYS) != 1:
            return f"interaction {i}: the response needs exactly one of 'body', 'events' or 'body_base64'"
        if "body_base64" in res and not _is_base64(res["body_base64"]):
            return f"interaction {i}: response.body_base64 is not base64 text"
        events = res.get("events", [])
        if not isinstance(events, list) or not all(
            isinstance(e, dict) and "data" in e for e in events
        ):
            return f"interaction {i}: response.events must be a list of {{'event', 'data'}} objects"
    return None


def _depth_problem(data: dict[str, Any]) -> str | None:
    """Where the recording nests deeper than MAX_DEPTH, walked a level at a time, without
    recursion (1 ms for the largest recording)."""
    for i, item in enumerate(data["interactions"]):
        level, depth = [item], 1
        while level:
            if depth > MAX_DEPTH:
                return f"interaction {i} is nested more than {MAX_DEPTH} levels deep"
            below = []
            for value in level:
                for child in value.values() if type(value) is dict else value:
                    if type(child) is dict or type(child) is list:
                        below.append(child)
            level, depth = below, depth + 1
    return None


def _answers_problem(data: dict[str, Any]) -> str | None:
    """What in the recorded answers the SDK would fail on while replaying them, or None: statuses
    and headers it cannot send, and answers whose fields have the wrong JSON types
    (helpers/shapes.py)."""
    from .shapes import answer_problem, events_problem

    for role, name in data["meta"]["models"].items():
        if not isinstance(name, str):
            return f"meta.models.{role} is {type(name).__name__}, not a model name"
    for i, item in enumerate(data["interactions"]):
        req, res = item["request"], item["response"]
        status = res["status"]
        if type(status) is not int or not 100 <= status <= 599:
            return f"interaction {i}: response.status {status!r} is not an HTTP status"
        headers = res.get("headers") or {}
        if not all(isinstance(v, str) for v in headers.values()):
            return f"interaction {i}: response.headers must map names to strings"
        if not 200 <= status < 300:
            continue  # the SDK turns any error body (text, JSON or nothing) into its error
        if "events" in res:
            problem = events_problem(res["events"], f"interaction {i}")
        elif "body_base64" in res:
            continue  # a file's bytes: nothing the SDK parses (_schema_problem checked the base64)
        else:
            problem = answer_problem(
                req["method"], req["path"], res["body"], f"interaction {i}: response.body"
            )
        if problem:
            return problem
    return None


def stage(path: Path, text: str) -> Path:
    """Write ``text`` in full to a new file beside ``path`` (same folder, so a rename is atomic),
    with the mode the old file had (or rw-r--r--), and return it; renaming it onto ``path`` is the
    caller's step. Nothing is left behind if writing fails."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp makes the file private; give it the mode the old file had.
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one step: readers see the old file or the new, never half."""
    tmp = stage(path, text)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def api_path(url_path: str) -> str:
    """The provider-independent path: '/v1/responses' and '/openai/v1/responses' -> '/responses'."""
    marker = url_path.find("/v1/")
    return url_path[marker + 3 :] if marker >= 0 else url_path


def request_key(request: httpx2.Request) -> dict[str, Any]:
    """What replay matches on: method, provider-independent path, query and the body, parsed from
    JSON, or from multipart/form-data (``multipart_fields``: an upload matches on its fields, the
    file's name and the SHA-256 of its bytes)."""
    url = urlsplit(str(request.url))
    pairs = [
        (k, v) for k, v in parse_qsl(url.query, keep_blank_values=True) if k not in IGNORED_QUERY
    ]
    query: dict[str, Any] = {}
    for key, value in pairs:
        # A key given more than once, or named like include[], keeps all its values in order.
        if key.endswith("[]") or sum(1 for k, _ in pairs if k == key) > 1:
            query.setdefault(key, []).append(value)
        else:
            query[key] = value
    raw = request.read()
    body: Any = None
    if raw:
        form = multipart_fields(request.headers.get("content-type", ""), raw)
        if form is not None:
            body = form
        else:
            try:
                body = json.loads(raw)
            except ValueError:
                body = {"_unparsed_bytes": len(raw)}
    return {"method": request.method, "path": api_path(url.path), "query": query, "body": body}


def multipart_fields(content_type: str, raw: bytes) -> dict[str, Any] | None:
    """A ``multipart/form-data`` body (an upload: ``files.create``, ``containers.files.create``)
    as replay matches it: each field's text, and each file as ``{"filename", "digest", "size"}``
    (``digest`` is ``"sha256:"`` and the SHA-256 of the bytes in hex, the usual notation of a
    content digest).

    The file's bytes are never kept, only their digest: a recording holds what is needed to tell
    the same upload from another, and nothing of a document a learner uploads (which may be private,
    or large). The part's content type is left out too: the SDK guesses it from the file name with
    the platform's MIME table, which differs between machines. A field sent more than once keeps
    its values in a list. None when the body is not multipart/form-data (or not well formed)."""
    media, params = _media_type(content_type)
    boundary = params.get("boundary")
    if media != "multipart/form-data" or not boundary:
        return None
    fields: dict[str, Any] = {}
    chunks = raw.split(b"--" + boundary.encode("latin-1"))
    if len(chunks) < 3 or not chunks[-1].startswith(b"--"):
        return None  # no closing delimiter: not a body this parser can read
    for chunk in chunks[1:-1]:
        head, sep, data = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        if not sep:
            return None
        data = data.removesuffix(b"\r\n")
        disposition = ""
        for line in head.decode("utf-8", "replace").split("\r\n"):
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-disposition":
                disposition = value.strip()
        header = Message()
        header["content-disposition"] = disposition
        name = header.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            return None
        filename = header.get_filename()
        if filename is not None:
            value: Any = {
                "filename": filename,
                "digest": "sha256:" + hashlib.sha256(data).hexdigest(),
                "size": len(data),
            }
        else:
            value = data.decode("utf-8", "replace")
        if name in fields:
            previous = fields[name]
            fields[name] = [*(previous if isinstance(previous, list) else [previous]), value]
        else:
            fields[name] = value
    return fields


def _media_type(content_type: str) -> tuple[str, dict[str, str]]:
    """``"multipart/form-data; boundary=x"`` -> ``("multipart/form-data", {"boundary": "x"})``."""
    header = Message()
    header["content-type"] = content_type or "application/octet-stream"
    params = {k.lower(): v for k, v in header.get_params()[1:] if isinstance(v, str)}
    return header.get_content_type(), params


# --------------------------------------------------------------------------------------------
# Response bodies: JSON, an event stream, or bytes
# --------------------------------------------------------------------------------------------

BODY_KEYS = ("body", "events", "body_base64")


def is_binary(content_type: str) -> bool:
    """Whether an answer with this content type is kept as bytes (``body_base64``): anything that is
    neither JSON nor an event stream, such as a container file's PNG or CSV. An answer without a
    content type is read as JSON, as before."""
    if not content_type:
        return False
    media = _media_type(content_type)[0]
    return not (media.endswith("json") or media.endswith("+json") or media == "text/event-stream")


def saved_body(raw: bytes, content_type: str) -> dict[str, Any]:
    """What a recording keeps of a body that is not an event stream: ``{"body": parsed JSON}``
    (the raw text when it does not parse, ``None`` when empty), or ``{"body_base64": ...}`` for
    bytes (``is_binary``), whose content type the kept ``content-type`` header says."""
    if raw and is_binary(content_type):
        return {"body_base64": base64.b64encode(raw).decode("ascii")}
    if not raw:
        return {"body": None}
    try:
        return {"body": json.loads(raw)}
    except ValueError:
        return {"body": raw.decode("utf-8", "replace")}


def body_bytes(recorded: dict[str, Any]) -> bytes:
    """The bytes of a recorded ``body_base64``."""
    return base64.b64decode(recorded["body_base64"], validate=True)


def _is_base64(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def kept_headers(headers: httpx2.Headers) -> dict[str, str]:
    return {k: headers[k] for k in KEPT_RESPONSE_HEADERS if k in headers}


def parse_sse(raw: bytes) -> list[dict[str, Any]]:
    """Split a server-sent event stream into ``{"event", "data"}`` entries, data parsed from JSON."""
    events = []
    for block in raw.decode("utf-8").replace("\r\n", "\n").split("\n\n"):
        name, data_lines = None, []
        for line in block.split("\n"):
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data_lines.append(line[5:].lstrip())
        if not data_lines and name is None:
            continue
        text = "\n".join(data_lines)
        try:
            data: Any = json.loads(text)
        except ValueError:
            data = text
        events.append({"event": name, "data": data})
    return events


def render_sse(events: list[dict[str, Any]]) -> bytes:
    out = []
    for ev in events:
        data = ev["data"] if isinstance(ev["data"], str) else json.dumps(ev["data"])
        head = f"event: {ev['event']}\n" if ev.get("event") else ""
        out.append(f"{head}data: {data}\n\n")
    return "".join(out).encode("utf-8")


def body_diff(expected: Any, actual: Any, path: str = "body", limit: int = 6) -> list[str]:
    """Human-readable differences between two JSON values, at most ``limit`` lines."""
    lines: list[str] = []

    def short(value: Any) -> str:
        text = json.dumps(value, ensure_ascii=False)
        return text if len(text) <= 80 else text[:77] + "..."

    def walk(a: Any, b: Any, where: str) -> None:
        if len(lines) >= limit:
            return
        if isinstance(a, dict) and isinstance(b, dict):
            for key in list(a) + [k for k in b if k not in a]:
                if key not in b:
                    lines.append(f"{where}.{key}: recorded {short(a[key])}, now absent")
                elif key not in a:
                    lines.append(f"{where}.{key}: not recorded, now {short(b[key])}")
                else:
                    walk(a[key], b[key], f"{where}.{key}")
        elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            for i, (x, y) in enumerate(zip(a, b, strict=True)):
                walk(x, y, f"{where}[{i}]")
        elif a != b:
            lines.append(f"{where}: recorded {short(a)}, now {short(b)}")

    walk(expected, actual, path)
    return lines
