"""Reading a ``multipart/form-data`` request body, as uploads send it (``files.create``,
``containers.files.create``): each field's text, and each file as an ``Upload`` with its name,
content type and bytes. The server hands the result to a route as its ``call.body``.
"""

from __future__ import annotations

from email.message import Message
from typing import Any, NamedTuple

from .errors import ApiError

# What the API answers a multipart body it cannot read (the wording of its JSON parse error's
# sibling, as the SDK never sends such a body: a scripting or test mistake, made clear).
MALFORMED = "We could not parse the multipart/form-data body of your request."


class Upload(NamedTuple):
    """A file part of a multipart body."""

    filename: str
    content_type: str
    data: bytes


def media_type(content_type: str) -> tuple[str, dict[str, str]]:
    """``"multipart/form-data; boundary=x"`` -> ``("multipart/form-data", {"boundary": "x"})``."""
    header = Message()
    header["content-type"] = content_type or "application/octet-stream"
    params = {k.lower(): v for k, v in header.get_params()[1:] if isinstance(v, str)}
    return header.get_content_type(), params


def is_multipart(content_type: str) -> bool:
    return media_type(content_type)[0] == "multipart/form-data"


def parse(content_type: str, raw: bytes) -> dict[str, Any]:
    """The fields of a multipart/form-data body: text for a field, ``Upload`` for a file; a name
    sent more than once keeps its values in a list. Raises the API's 400 when it is not well formed.
    """
    boundary = media_type(content_type)[1].get("boundary")
    chunks = raw.split(b"--" + boundary.encode("latin-1")) if boundary else []
    if len(chunks) < 2 or not chunks[-1].startswith(b"--"):
        raise ApiError(400, MALFORMED)
    fields: dict[str, Any] = {}
    for chunk in chunks[1:-1]:
        head, sep, data = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        if not sep:
            raise ApiError(400, MALFORMED)
        data = data.removesuffix(b"\r\n")
        headers = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        disposition = Message()
        disposition["content-disposition"] = headers.get("content-disposition", "")
        name = disposition.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            raise ApiError(400, MALFORMED)
        filename = disposition.get_filename()
        value: Any
        if filename is not None:
            kind = headers.get("content-type") or "application/octet-stream"
            value = Upload(_unescape(filename), kind, data)
        else:
            value = data.decode("utf-8", "replace")
        if name in fields:
            previous = fields[name]
            fields[name] = [*(previous if isinstance(previous, list) else [previous]), value]
        else:
            fields[name] = value
    return fields


def _unescape(filename: str) -> str:
    """The name as the client meant it: httpx2 writes ``"`` and line breaks percent-escaped, as the
    HTML form encoding does."""
    return filename.replace("%22", '"').replace("%0D", "\r").replace("%0A", "\n")
