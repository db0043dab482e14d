"""``/conversations``: create, retrieve, update and delete a conversation, and list, add, retrieve
and delete its items. Responses created with ``conversation=`` add their input and output to it."""

from __future__ import annotations

import copy
from typing import Any

from ..bodies import input_to_items, page
from ..errors import not_found
from ..routing import Call, Json, Route
from ..state import State


def _conversation(state: State, conv_id: str) -> dict[str, Any]:
    record = state.conversations.get(conv_id)
    if record is None or record.get("deleted"):
        raise not_found("Conversation", conv_id)
    return record


def create(call: Call) -> Json:
    state = call.state
    with state.lock:
        created_at = state.tick(1)
        conv_id = state.new_id("conv", created_at)
        conv = {
            "id": conv_id,
            "object": "conversation",
            "created_at": created_at,
            "metadata": call.body.get("metadata") or {},
        }
        items = input_to_items(state, call.body.get("items"), created_at)
        state.conversations[conv_id] = {"object": conv, "items": items}
        return Json("conversation", copy.deepcopy(conv))


def retrieve(call: Call) -> Json:
    with call.state.lock:
        record = _conversation(call.state, call.params["conversation_id"])
        return Json("conversation", copy.deepcopy(record["object"]))


def update(call: Call) -> Json:
    with call.state.lock:
        record = _conversation(call.state, call.params["conversation_id"])
        record["object"]["metadata"] = call.body.get("metadata") or {}
        return Json("conversation", copy.deepcopy(record["object"]))


def delete(call: Call) -> Json:
    conv_id = call.params["conversation_id"]
    with call.state.lock:
        _conversation(call.state, conv_id)["deleted"] = True
    deleted = {"id": conv_id, "object": "conversation.deleted", "deleted": True}
    return Json("conversation.deleted", deleted)


def list_items(call: Call) -> Json:
    with call.state.lock:
        record = _conversation(call.state, call.params["conversation_id"])
        return Json("conversation.items", page(copy.deepcopy(record["items"]), call.query))


def add_items(call: Call) -> Json:
    state = call.state
    with state.lock:
        record = _conversation(state, call.params["conversation_id"])
        added = input_to_items(state, call.body.get("items"), state.tick(1))
        record["items"].extend(added)
        added_page = page(copy.deepcopy(added), {"order": "asc", "limit": "100"})
        return Json("conversation.items", added_page)


def _item_index(record: dict[str, Any], item_id: str) -> int:
    index = {item["id"]: i for i, item in enumerate(record["items"])}
    if item_id not in index:
        raise not_found("Item", item_id)
    return index[item_id]


def retrieve_item(call: Call) -> Json:
    with call.state.lock:
        record = _conversation(call.state, call.params["conversation_id"])
        item = record["items"][_item_index(record, call.params["item_id"])]
        return Json("conversation.item", copy.deepcopy(item))


def delete_item(call: Call) -> Json:
    with call.state.lock:
        record = _conversation(call.state, call.params["conversation_id"])
        del record["items"][_item_index(record, call.params["item_id"])]
        return Json("conversation", copy.deepcopy(record["object"]))


ROUTES = [
    Route("POST", "/conversations", create),
    Route("GET", "/conversations/{conversation_id}", retrieve),
    Route("POST", "/conversations/{conversation_id}", update),
    Route("DELETE", "/conversations/{conversation_id}", delete),
    Route("GET", "/conversations/{conversation_id}/items", list_items),
    Route("POST", "/conversations/{conversation_id}/items", add_items),
    Route("GET", "/conversations/{conversation_id}/items/{item_id}", retrieve_item),
    Route("DELETE", "/conversations/{conversation_id}/items/{item_id}", delete_item),
]
