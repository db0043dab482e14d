"""``/containers``: create (with files copied in), list, retrieve and delete a code interpreter
container; add a file to it (a multipart upload, or JSON ``{"file_id"}``), list, retrieve and delete
its files, and download a file's bytes (what the model's code wrote: a chart, a CSV). Responses
that run code interpreter create or use containers too (fake_api.hosted)."""

from __future__ import annotations

import copy
import mimetypes

from .. import resources
from ..bodies import page
from ..errors import ApiError
from ..routing import Binary, Call, Json, Route
from ..uploads import Upload


def create(call: Call) -> Json:
    body = call.body
    if not body.get("name"):
        raise ApiError(
            400,
            "Missing required parameter: 'name'.",
            param="name",
            code="missing_required_parameter",
        )
    with call.state.lock:
        container = resources.create_container(
            call.state,
            body["name"],
            list(body.get("file_ids") or []),
            body.get("memory_limit"),
            body.get("expires_after"),
        )
        return Json("container", copy.deepcopy(container["object"]))


def list_containers(call: Call) -> Json:
    with call.state.lock:
        found = [
            copy.deepcopy(c["object"])
            for c in call.state.collection(resources.CONTAINERS).values()
            if not c["deleted"]
        ]
    return Json("containers", page(found, call.query))


def _container(call: Call) -> dict:
    container = resources.get_container(call.state, call.params["container_id"])
    resources.touch(call.state, container)
    return container


def retrieve(call: Call) -> Json:
    with call.state.lock:
        return Json("container", copy.deepcopy(_container(call)["object"]))


def delete(call: Call) -> Json:
    with call.state.lock:
        container = resources.get_container(call.state, call.params["container_id"])
        container["deleted"] = True
    ident = container["object"]["id"]
    return Json("container.deleted", {"id": ident, "object": "container.deleted", "deleted": True})


def add_file(call: Call) -> Json:
    body = call.body
    with call.state.lock:
        container = _container(call)
        upload = body.get("file")
        if isinstance(upload, Upload):
            name, data, kind = upload.filename, upload.data, upload.content_type
        elif body.get("file_id"):
            record = resources.get_file(call.state, body["file_id"])
            name, data = record["object"]["filename"], record["data"]
            kind = record["content_type"]
        else:
            raise ApiError(
                400,
                "Missing required parameter: 'file' or 'file_id'.",
                param="file",
                code="missing_required_parameter",
            )
        kind = kind or mimetypes.guess_type(name)[0] or "application/octet-stream"
        record = resources.add_container_file(call.state, container, name, data, kind, "user")
        return Json("container.file", copy.deepcopy(record["object"]))


def list_files(call: Call) -> Json:
    with call.state.lock:
        container = _container(call)
        found = [copy.deepcopy(r["object"]) for r in container["files"].values()]
    return Json("container.files", page(found, call.query))


def retrieve_file(call: Call) -> Json:
    with call.state.lock:
        record = resources.container_file(_container(call), call.params["file_id"])
        return Json("container.file", copy.deepcopy(record["object"]))


def delete_file(call: Call) -> Json:
    with call.state.lock:
        container = _container(call)
        ident = resources.container_file(container, call.params["file_id"])["object"]["id"]
        del container["files"][ident]
    return Json(
        "container.file.deleted", {"id": ident, "object": "container.file.deleted", "deleted": True}
    )


def content(call: Call) -> Binary:
    with call.state.lock:
        record = resources.container_file(_container(call), call.params["file_id"])
    return Binary(record["content_type"], record["data"])


_ONE = "/containers/{container_id}"
ROUTES = [
    Route("POST", "/containers", create),
    Route("GET", "/containers", list_containers),
    Route("GET", _ONE, retrieve),
    Route("DELETE", _ONE, delete),
    Route("POST", f"{_ONE}/files", add_file),
    Route("GET", f"{_ONE}/files", list_files),
    Route("GET", f"{_ONE}/files/{{file_id}}", retrieve_file),
    Route("DELETE", f"{_ONE}/files/{{file_id}}", delete_file),
    Route("GET", f"{_ONE}/files/{{file_id}}/content", content),
]
