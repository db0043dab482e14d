"""Strict checks of recorded answers against the pinned SDK's types.

The client parses answers leniently, so a recording can replay and still be wrong. Here every body and
every streamed event must validate with ``model_validate`` against its type. A recording we write
(``illustrative``) must also carry no field the type does not know, so a misspelt field cannot pass
unnoticed; the exceptions are fields the live API sends that the SDK does not declare. A recording
made live is not held to that: the API may add fields before the SDK does.

Used by ``make record`` before it saves anything, and by the tests over every committed recording.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from .recording import Recording

# Sent by the live API, not declared by the pinned SDK's types: in every response body (store,
# billing, the two penalties) and on streamed deltas (obfuscation).
LIVE_ONLY_FIELDS = {"store", "billing", "frequency_penalty", "presence_penalty", "obfuscation"}


def _routes() -> list[tuple[str, re.Pattern[str], Any]]:
    from openai.types.conversations import (
        Conversation,
        ConversationDeletedResource,
        ConversationItemList,
    )
    from openai.types.responses import Response, ResponseItemList, ResponseStreamEvent

    return [
        ("POST", re.compile(r"/responses"), Response),
        ("GET", re.compile(r"/responses/[^/]+"), Response),
        ("POST", re.compile(r"/responses/[^/]+/cancel"), Response),
        ("DELETE", re.compile(r"/responses/[^/]+"), None),  # the SDK reads no body
        ("GET", re.compile(r"/responses/[^/]+/input_items"), ResponseItemList),
        ("POST", re.compile(r"/conversations"), Conversation),
        ("GET", re.compile(r"/conversations/[^/]+"), Conversation),
        ("POST", re.compile(r"/conversations/[^/]+"), Conversation),
        ("DELETE", re.compile(r"/conversations/[^/]+"), ConversationDeletedResource),
        ("GET", re.compile(r"/conversations/[^/]+/items"), ConversationItemList),
        ("POST", re.compile(r"/conversations/[^/]+/items"), ConversationItemList),
        ("STREAM", re.compile(r".*"), ResponseStreamEvent),
    ]


def _extras(value: Any, where: str) -> list[str]:
    """Fields present in the data that the SDK type does not declare."""
    found = []
    if isinstance(value, BaseModel):
        for key in value.model_extra or {}:
            found.append(f"{where}.{key}")
        for name in type(value).model_fields:
            found += _extras(getattr(value, name), f"{where}.{name}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += _extras(item, f"{where}[{i}]")
    return found


@cache
def _adapter(kind: Any) -> TypeAdapter:
    return TypeAdapter(kind)  # building one for a large union costs ~10 ms, so once per type


def check(kind: Any, data: Any, where: str, extras: bool = True) -> list[str]:
    try:
        parsed = _adapter(kind).validate_python(data)
    except ValidationError as err:
        first = err.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        return [f"{where}: {err.error_count()} error(s), first at {loc}: {first['msg']}"]
    if not extras:
        return []
    unknown = [e for e in _extras(parsed, "") if e.rsplit(".", 1)[-1] not in LIVE_ONLY_FIELDS]
    return [f"{where}: unknown field {extra}" for extra in unknown]


def _error_problems(body: Any, where: str) -> list[str]:
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict) or not isinstance(error.get("message"), str):
        return [f"{where}: an error answer needs {{'error': {{'message': ...}}}}"]
    if not {"type", "param", "code"} <= set(error):
        return [f"{where}: the error object needs 'type', 'param' and 'code' (null when unused)"]
    return []


def problems(recording: Recording) -> list[str]:
    """Everything in ``recording`` that the SDK's types reject; empty when it is sound."""
    routes = _routes()
    extras = recording.meta.get("source") == "illustrative"
    found: list[str] = []
    for i, interaction in enumerate(recording.interactions):
        req, res = interaction["request"], interaction["response"]
        where = f"interaction {i + 1} ({req['method']} {req['path']})"
        if res["status"] >= 400:
            found += _error_problems(res.get("body"), where)
            continue
        if "events" in res:
            kind = routes[-1][2]
            for n, event in enumerate(res["events"]):
                if event["data"] == "[DONE]":
                    continue
                found += check(kind, event["data"], f"{where} event {n}", extras)
            continue
        kinds = [k for m, p, k in routes if m == req["method"] and p.fullmatch(req["path"])]
        if not kinds:
            found.append(
                f"{where}: no SDK type is known for this route; add it to helpers/validate.py"
            )
        elif kinds[0] is not None:
            found += check(kinds[0], res["body"], where, extras)
    return found
