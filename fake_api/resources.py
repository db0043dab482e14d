"""What the hosted tools work on, kept in the server's state: uploaded files, vector stores (the
files attached to them, indexed a few polls after they are attached) and their file batches, and
code interpreter containers with their files. The routes (``routes/files.py``,
``routes/vector_stores.py``, ``routes/containers.py``) serve them over HTTP; ``fake_api.hosted``
reads them when a response runs a tool.

Shapes, ids and wording follow the live API as it is documented and as users report it: file ids
``file-`` and 22 letters or digits, ``vs_``/``vsfb_``/``cfile_`` and 32 hex digits, ``cntr_`` and 48
(as in ../shared/real-traffic); "No such File object: file-..." for an unknown file (users'
reports). Indexing is not instantaneous, as live: a file attached to a vector store is
``in_progress`` until the store has been polled a little (``INDEXED_PER_POLL`` files complete at each
poll of the store, its batch or its files), so a notebook's polling loop has something to wait for,
and ``make illustrate`` records each poll. A file of a type file search does not take (``.csv``,
``.png``, ...) fails with ``unsupported_file``.
"""

from __future__ import annotations

import copy
import string
from pathlib import PurePosixPath
from typing import Any

from .errors import ApiError, not_found
from .state import State

FILES, STORES, BATCHES, CONTAINERS = "files", "vector_stores", "file_batches", "containers"
# The purposes an upload takes whose File object the pinned SDK can read back ("evals" is taken
# by the API but missing from the SDK's FileObject.purpose, so it is left out here).
PURPOSES = ("assistants", "batch", "fine-tune", "vision", "user_data")
INDEXED_PER_POLL = 2
# The file types file search takes (the file search guide's list).
SEARCHABLE = {".c", ".cpp", ".cs", ".css", ".doc", ".docx", ".go", ".html", ".java", ".js",
              ".json", ".md", ".pdf", ".php", ".pptx", ".py", ".rb", ".sh", ".tex", ".ts",
              ".txt"}  # fmt: skip
CHUNKING = {"type": "static", "static": {"max_chunk_size_tokens": 800, "chunk_overlap_tokens": 400}}
CONTAINER_IDLE_MINUTES = 20  # "A container expires if it is not used for 20 minutes" (the guide)
MOUNT = "/mnt/data"
_B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase


# --------------------------------------------------------------------------------------------
# Ids
# --------------------------------------------------------------------------------------------


def hex_id(state: State, prefix: str, when: int, digits: int) -> str:
    """``prefix_`` and ``digits`` hex digits (the first eight the time, as in live ids)."""
    return f"{prefix}_{state.new_id(prefix, when).split('_', 1)[1][:digits]}"


def file_id(state: State, when: int) -> str:
    """``file-`` and 22 letters or digits, as the live Files API's ids."""
    number = int(state.new_id("file", when).split("_", 1)[1], 16)
    chars = []
    for _ in range(22):
        number, rem = divmod(number, 62)
        chars.append(_B62[rem])
    return "file-" + "".join(chars)


# --------------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------------


def add_file(
    state: State,
    filename: str,
    data: bytes,
    content_type: str,
    purpose: str,
    expires_after: int | None = None,
) -> dict[str, Any]:
    """Keep an uploaded file; its record holds the API's object, its bytes and content type."""
    created_at = state.tick(1)
    obj = {
        "id": file_id(state, created_at),
        "object": "file",
        "bytes": len(data),
        "created_at": created_at,
        "expires_at": created_at + expires_after if expires_after else None,
        "filename": filename,
        "purpose": purpose,
        "status": "processed",
        "status_details": None,
    }
    record = {"object": obj, "data": data, "content_type": content_type, "deleted": False}
    state.collection(FILES)[obj["id"]] = record
    return record


def get_file(state: State, ident: str) -> dict[str, Any]:
    record = state.collection(FILES).get(ident)
    if record is None or record["deleted"]:
        raise ApiError(404, f"No such File object: {ident}", param="id")
    return record


def delete_file(state: State, ident: str) -> None:
    """Delete a file; it leaves every vector store it was attached to, as live."""
    get_file(state, ident)["deleted"] = True
    for store in state.collection(STORES).values():
        store["files"].pop(ident, None)


# --------------------------------------------------------------------------------------------
# Vector stores
# --------------------------------------------------------------------------------------------


def create_store(state: State, body: dict[str, Any]) -> dict[str, Any]:
    created_at = state.tick(1)
    expires_after = body.get("expires_after")
    obj = {
        "id": hex_id(state, "vs", created_at, 32),
        "object": "vector_store",
        "created_at": created_at,
        "name": body.get("name") or "",
        "metadata": body.get("metadata") or {},
        "expires_after": expires_after,
        "last_active_at": created_at,
    }
    store = {"object": obj, "files": {}, "polls": 0, "deleted": False}
    state.collection(STORES)[obj["id"]] = store
    if body.get("file_ids"):
        attach(state, store, body["file_ids"], body.get("chunking_strategy"))
    return store


def get_store(state: State, ident: str) -> dict[str, Any]:
    store = state.collection(STORES).get(ident)
    if store is None or store["deleted"]:
        raise not_found("Vector store", ident)
    return store


def poll(store: dict[str, Any]) -> None:
    """A look at the store (retrieving it, its batch or its files): indexing moves on."""
    store["polls"] += 1


def attach(
    state: State,
    store: dict[str, Any],
    file_ids: list[str],
    chunking: dict[str, Any] | None = None,
    attributes: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Attach files (by id) to a store; each is indexed ``INDEXED_PER_POLL`` a poll, in order."""
    records = [get_file(state, ident) for ident in file_ids]
    created_at = state.tick(1)
    attached = []
    for n, record in enumerate(records):
        entry = {
            "id": record["object"]["id"],
            "object": "vector_store.file",
            "created_at": created_at,
            "vector_store_id": store["object"]["id"],
            "attributes": dict(attributes or {}),
            "chunking_strategy": copy.deepcopy(
                CHUNKING if not chunking or chunking.get("type") == "auto" else chunking
            ),
            "_ready_at": store["polls"] + 1 + n // INDEXED_PER_POLL,
            "_searchable": PurePosixPath(record["object"]["filename"]).suffix.lower() in SEARCHABLE,
        }
        store["files"][entry["id"]] = entry
        attached.append(entry)
    return attached


def store_file_view(state: State, store: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
    """A vector store file as the API shows it now."""
    view = {k: copy.deepcopy(v) for k, v in entry.items() if not k.startswith("_")}
    status = file_status(store, entry)
    view["status"] = status
    record = state.collection(FILES)[entry["id"]]
    view["usage_bytes"] = len(record["data"]) if status == "completed" else 0
    view["last_error"] = (
        {"code": "unsupported_file", "message": "The file type is not supported."}
        if status == "failed"
        else None
    )
    return view


def file_status(store: dict[str, Any], entry: dict[str, Any]) -> str:
    if entry.get("_cancelled"):
        return "cancelled"
    if store["polls"] < entry["_ready_at"]:
        return "in_progress"
    return "completed" if entry["_searchable"] else "failed"


def counts(store: dict[str, Any], ids: list[str] | None = None) -> dict[str, int]:
    """``file_counts`` of the store (or of the files ``ids`` of one batch)."""
    entries = [
        store["files"][i]
        for i in (ids if ids is not None else store["files"])
        if i in store["files"]
    ]
    found = {"cancelled": 0, "completed": 0, "failed": 0, "in_progress": 0}
    for entry in entries:
        found[file_status(store, entry)] += 1
    return {**found, "total": len(entries)}


def store_view(state: State, store: dict[str, Any]) -> dict[str, Any]:
    """A vector store as the API shows it now: its counts, status and size."""
    view = copy.deepcopy(store["object"])
    file_counts = counts(store)
    view["file_counts"] = file_counts
    view["status"] = "in_progress" if file_counts["in_progress"] else "completed"
    view["usage_bytes"] = sum(
        store_file_view(state, store, e)["usage_bytes"] for e in store["files"].values()
    )
    after = view.get("expires_after")
    view["expires_at"] = view["last_active_at"] + 86400 * after["days"] if after else None
    return view


def searchable(state: State, store_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Filename -> ``{"file_id", "text", "vector_store_id"}`` of every file file search can read now
    in these stores (indexed, of a type it takes)."""
    found = {}
    for ident in store_ids:
        store = get_store(state, ident)
        for entry in store["files"].values():
            if file_status(store, entry) == "completed":
                record = state.collection(FILES)[entry["id"]]
                found[record["object"]["filename"]] = {
                    "file_id": entry["id"],
                    "text": record["data"].decode("utf-8", "replace"),
                    "vector_store_id": ident,
                }
    return found


def create_batch(state: State, store: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    ids = list(body.get("file_ids") or [f["file_id"] for f in body.get("files") or []])
    if not ids:
        raise ApiError(
            400,
            "Missing required parameter: 'file_ids'.",
            param="file_ids",
            code="missing_required_parameter",
        )
    attach(state, store, ids, body.get("chunking_strategy"), body.get("attributes"))
    created_at = state.tick(0)
    batch = {
        "id": hex_id(state, "vsfb", created_at, 32),
        "created_at": created_at,
        "store": store["object"]["id"],
        "file_ids": ids,
        "cancelled": False,
    }
    state.collection(BATCHES)[batch["id"]] = batch
    return batch


def get_batch(state: State, store: dict[str, Any], ident: str) -> dict[str, Any]:
    batch = state.collection(BATCHES).get(ident)
    if batch is None or batch["store"] != store["object"]["id"]:
        raise not_found("File batch", ident)
    return batch


def batch_view(state: State, batch: dict[str, Any]) -> dict[str, Any]:
    store = state.collection(STORES)[batch["store"]]
    file_counts = counts(store, batch["file_ids"])
    if batch["cancelled"]:
        status = "cancelled"
    elif file_counts["in_progress"]:
        status = "in_progress"
    else:
        status = "completed"
    return {
        "id": batch["id"],
        "object": "vector_store.files_batch",
        "created_at": batch["created_at"],
        "vector_store_id": batch["store"],
        "status": status,
        "file_counts": file_counts,
    }


# --------------------------------------------------------------------------------------------
# Containers
# --------------------------------------------------------------------------------------------


def create_container(
    state: State,
    name: str,
    file_ids: list[str] = (),  # type: ignore[assignment]
    memory_limit: str | None = None,
    expires_after: dict[str, Any] | None = None,
) -> dict[str, Any]:
    created_at = state.tick(1)
    obj = {
        "id": hex_id(state, "cntr", created_at, 48),
        "object": "container",
        "created_at": created_at,
        "status": "running",
        "expires_after": expires_after
        or {"anchor": "last_active_at", "minutes": CONTAINER_IDLE_MINUTES},
        "last_active_at": created_at,
        "memory_limit": memory_limit or "1g",
        "name": name,
    }
    container = {"object": obj, "files": {}, "deleted": False}
    state.collection(CONTAINERS)[obj["id"]] = container
    for ident in file_ids:
        record = get_file(state, ident)
        add_container_file(
            state,
            container,
            record["object"]["filename"],
            record["data"],
            record["content_type"],
            "user",
        )
    return container


def get_container(state: State, ident: str) -> dict[str, Any]:
    container = state.collection(CONTAINERS).get(ident)
    if container is None or container["deleted"]:
        raise not_found("Container", ident)
    return container


def touch(state: State, container: dict[str, Any]) -> None:
    """Any use of a container refreshes its ``last_active_at`` (the guide)."""
    container["object"]["last_active_at"] = state.tick(0)


def add_container_file(
    state: State,
    container: dict[str, Any],
    filename: str,
    data: bytes,
    content_type: str,
    source: str,
) -> dict[str, Any]:
    """A file in the container's ``/mnt/data``, written by the user or by the model's code."""
    created_at = state.tick(0)
    obj = {
        "id": hex_id(state, "cfile", created_at, 32),
        "object": "container.file",
        "bytes": len(data),
        "container_id": container["object"]["id"],
        "created_at": created_at,
        "path": f"{MOUNT}/{filename}",
        "source": source,
    }
    record = {"object": obj, "data": data, "content_type": content_type}
    container["files"][obj["id"]] = record
    return record


def container_file(container: dict[str, Any], ident: str) -> dict[str, Any]:
    record = container["files"].get(ident)
    if record is None:
        raise not_found("Container file", ident)
    return record


def container_file_named(container: dict[str, Any], filename: str) -> dict[str, Any] | None:
    path = f"{MOUNT}/{filename}"
    return next((r for r in container["files"].values() if r["object"]["path"] == path), None)
