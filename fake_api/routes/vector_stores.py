"""``/vector_stores``: create, list, retrieve, update and delete a store; attach, list, retrieve
and detach its files; create a file batch, poll it, list its files and cancel it. Attached files
are indexed a few polls later (fake_api.resources), so a client that polls sees ``in_progress``
before ``completed``, as live."""

from __future__ import annotations

from .. import resources
from ..bodies import page
from ..errors import not_found
from ..routing import Call, Json, Route


def create(call: Call) -> Json:
    with call.state.lock:
        store = resources.create_store(call.state, call.body)
        return Json("vector_store", resources.store_view(call.state, store))


def list_stores(call: Call) -> Json:
    state = call.state
    with state.lock:
        stores = [
            resources.store_view(state, s)
            for s in state.collection(resources.STORES).values()
            if not s["deleted"]
        ]
    return Json("vector_stores", page(stores, call.query))


def _store(call: Call, polled: bool = True) -> dict:
    store = resources.get_store(call.state, call.params["vector_store_id"])
    if polled:
        resources.poll(store)
    return store


def retrieve(call: Call) -> Json:
    with call.state.lock:
        return Json("vector_store", resources.store_view(call.state, _store(call)))


def update(call: Call) -> Json:
    with call.state.lock:
        store = _store(call, polled=False)
        for key in ("name", "metadata", "expires_after"):
            if key in call.body:
                store["object"][key] = call.body[key]
        store["object"]["last_active_at"] = call.state.tick(0)
        return Json("vector_store", resources.store_view(call.state, store))


def delete(call: Call) -> Json:
    with call.state.lock:
        store = _store(call, polled=False)
        store["deleted"] = True
    ident = store["object"]["id"]
    return Json(
        "vector_store.deleted", {"id": ident, "object": "vector_store.deleted", "deleted": True}
    )


def attach_file(call: Call) -> Json:
    body = call.body
    with call.state.lock:
        store = _store(call, polled=False)
        (entry,) = resources.attach(
            call.state,
            store,
            [body.get("file_id", "")],
            body.get("chunking_strategy"),
            body.get("attributes"),
        )
        return Json("vector_store.file", resources.store_file_view(call.state, store, entry))


def _entries(call: Call, store: dict, ids: list[str] | None = None) -> list[dict]:
    wanted = call.query.get("filter")
    found = []
    for ident, entry in store["files"].items():
        if ids is not None and ident not in ids:
            continue
        view = resources.store_file_view(call.state, store, entry)
        if not wanted or view["status"] == wanted:
            found.append(view)
    return found


def list_files(call: Call) -> Json:
    with call.state.lock:
        store = _store(call)
        return Json("vector_store.files", page(_entries(call, store), call.query))


def _entry(call: Call, store: dict) -> dict:
    entry = store["files"].get(call.params["file_id"])
    if entry is None:
        raise not_found("File", call.params["file_id"])
    return entry


def retrieve_file(call: Call) -> Json:
    with call.state.lock:
        store = _store(call)
        entry = _entry(call, store)
        return Json("vector_store.file", resources.store_file_view(call.state, store, entry))


def detach_file(call: Call) -> Json:
    with call.state.lock:
        store = _store(call, polled=False)
        ident = _entry(call, store)["id"]
        del store["files"][ident]
    deleted = {"id": ident, "object": "vector_store.file.deleted", "deleted": True}
    return Json("vector_store.file.deleted", deleted)


def create_batch(call: Call) -> Json:
    with call.state.lock:
        store = _store(call, polled=False)
        batch = resources.create_batch(call.state, store, call.body)
        return Json("vector_store.file_batch", resources.batch_view(call.state, batch))


def _batch(call: Call, polled: bool = True) -> dict:
    store = _store(call, polled)
    return resources.get_batch(call.state, store, call.params["batch_id"])


def retrieve_batch(call: Call) -> Json:
    with call.state.lock:
        return Json("vector_store.file_batch", resources.batch_view(call.state, _batch(call)))


def cancel_batch(call: Call) -> Json:
    with call.state.lock:
        batch = _batch(call, polled=False)
        store = call.state.collection(resources.STORES)[batch["store"]]
        for ident in batch["file_ids"]:
            entry = store["files"].get(ident)
            if entry and resources.file_status(store, entry) == "in_progress":
                entry["_cancelled"] = True
        batch["cancelled"] = True
        return Json("vector_store.file_batch", resources.batch_view(call.state, batch))


def list_batch_files(call: Call) -> Json:
    with call.state.lock:
        batch = _batch(call)
        store = call.state.collection(resources.STORES)[batch["store"]]
        files = _entries(call, store, batch["file_ids"])
        return Json("vector_store.files", page(files, call.query))


_ONE = "/vector_stores/{vector_store_id}"
ROUTES = [
    Route("POST", "/vector_stores", create),
    Route("GET", "/vector_stores", list_stores),
    Route("GET", _ONE, retrieve),
    Route("POST", _ONE, update),
    Route("DELETE", _ONE, delete),
    Route("POST", f"{_ONE}/files", attach_file),
    Route("GET", f"{_ONE}/files", list_files),
    Route("GET", f"{_ONE}/files/{{file_id}}", retrieve_file),
    Route("DELETE", f"{_ONE}/files/{{file_id}}", detach_file),
    Route("POST", f"{_ONE}/file_batches", create_batch),
    Route("GET", f"{_ONE}/file_batches/{{batch_id}}", retrieve_batch),
    Route("POST", f"{_ONE}/file_batches/{{batch_id}}/cancel", cancel_batch),
    Route("GET", f"{_ONE}/file_batches/{{batch_id}}/files", list_batch_files),
]
