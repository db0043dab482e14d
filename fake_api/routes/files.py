"""``/files``: upload (a multipart body: ``purpose`` and ``file``), list, retrieve, delete, and
download a file's bytes. Uploads are kept in the server's state (fake_api.resources), where vector
stores and containers find them."""

from __future__ import annotations

import copy

from .. import resources
from ..bodies import page
from ..errors import ApiError
from ..routing import Binary, Call, Json, Route
from ..uploads import Upload


def _missing(name: str) -> ApiError:
    return ApiError(
        400,
        f"Missing required parameter: '{name}'.",
        param=name,
        code="missing_required_parameter",
    )


def create(call: Call) -> Json:
    body = call.body
    upload = body.get("file")
    if not isinstance(upload, Upload):
        raise _missing("file")
    purpose = body.get("purpose")
    if not purpose:
        raise _missing("purpose")
    if purpose not in resources.PURPOSES:
        supported = ", ".join(f"'{p}'" for p in resources.PURPOSES)
        raise ApiError(
            400,
            f"Invalid value: '{purpose}'. Supported values are: {supported}.",
            param="purpose",
            code="invalid_value",
        )
    seconds = body.get("expires_after[seconds]")
    with call.state.lock:
        record = resources.add_file(
            call.state,
            upload.filename,
            upload.data,
            upload.content_type,
            purpose,
            int(seconds) if seconds else None,
        )
        return Json("file", copy.deepcopy(record["object"]))


def list_files(call: Call) -> Json:
    purpose = call.query.get("purpose")
    with call.state.lock:
        files = [
            copy.deepcopy(r["object"])
            for r in call.state.collection(resources.FILES).values()
            if not r["deleted"] and (not purpose or r["object"]["purpose"] == purpose)
        ]
    return Json("files", page(files, call.query))


def retrieve(call: Call) -> Json:
    with call.state.lock:
        record = resources.get_file(call.state, call.params["file_id"])
        return Json("file", copy.deepcopy(record["object"]))


def delete(call: Call) -> Json:
    ident = call.params["file_id"]
    with call.state.lock:
        resources.delete_file(call.state, ident)
    return Json("file.deleted", {"id": ident, "object": "file", "deleted": True})


def content(call: Call) -> Binary:
    with call.state.lock:
        record = resources.get_file(call.state, call.params["file_id"])
    if record["object"]["purpose"] == "assistants":
        # Files given to the tools are not handed back (users' reports of the live API).
        raise ApiError(400, "Not allowed to download files of purpose: assistants.")
    return Binary(record["content_type"], record["data"])


ROUTES = [
    Route("POST", "/files", create),
    Route("GET", "/files", list_files),
    Route("GET", "/files/{file_id}", retrieve),
    Route("DELETE", "/files/{file_id}", delete),
    Route("GET", "/files/{file_id}/content", content),
]
