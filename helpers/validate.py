"""Checks of recorded answers against the pinned SDK's types, fit for what each recording is.

The client parses answers leniently, so a recording can replay and still hold a typo. Every body and
every streamed event is checked with ``model_validate`` against its type, a streamed event against
the class its own ``type`` names. What that finds means different things:

- An *illustrative* recording (written by us, served by the fake server) must validate, and carry
  no field the SDK does not declare: that is how a misspelt field is caught. It may take the shapes
  the live API is known to send though the SDK's types disagree (``LIVE_SHAPES``: a usage object
  without ``cache_write_tokens``, a ``web_search_call`` announced without its ``action``, a search
  source of type ``api``, an ``error`` event whose fields are nested under ``error``, events without
  ``sequence_number``) and the fields it sends that the SDK does not declare (``LIVE_ONLY_FIELDS``),
  because illustrative data is written to look like real traffic.
- A *recorded* one holds what a live server sent, which is the truth the SDK's types only
  approximate: nothing in it is refused. Every difference is a note, which ``make record`` prints.

``review(recording)`` returns both lists; ``problems(recording)`` is the ones that refuse it.
Used by ``make record`` before it saves anything, and by the tests over every committed recording.
"""

from __future__ import annotations

import copy
import re
import typing
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError, create_model

from .recording import Recording

__all__ = [
    "Review",
    "review",
    "problems",
    "event_classes",
    "compacted_user_messages",
    "LIVE_ONLY_FIELDS",
    "LIVE_SHAPES",
]

# Sent by the live API, not declared by the pinned SDK's types (seen in ../shared/real-traffic):
# in every response body (store, billing, the two penalties), on Azure (content_filters), on
# streamed deltas (obfuscation) and on file search results (vector_store_id).
LIVE_ONLY_FIELDS = {
    "store",
    "billing",
    "frequency_penalty",
    "presence_penalty",
    "content_filters",
    "obfuscation",
    "vector_store_id",
}

# What the live API sends where the SDK's types say otherwise; each is accepted in every recording.
CACHE_WRITE = "usage.input_tokens_details has no cache_write_tokens (the SDK calls it required)"
ACTIONLESS = "a web_search_call item has no action (the API sends it once the search is done)"
API_SOURCE = "a web search source of a type other than 'url' (such as 'api'), unknown to the SDK"
NESTED_ERROR = "an error event holds its fields under 'error' (the SDK expects them at the top)"
NO_SEQUENCE = "events carry no sequence_number (streams from early 2025)"
ERROR_CODE = "a failed response's error code is not in the SDK's list (such as insufficient_quota)"
LIVE_SHAPES = (CACHE_WRITE, ACTIONLESS, API_SOURCE, NESTED_ERROR, NO_SEQUENCE, ERROR_CODE)


@dataclass
class Review:
    """What checking a recording found: ``problems`` refuse it; ``notes`` are differences between
    what a live server sent and the SDK's types, each with where it occurs."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _routes() -> list[tuple[str, re.Pattern[str], Any]]:
    from openai.types.conversations import (
        Conversation,
        ConversationDeletedResource,
        ConversationItemList,
    )
    from openai.types.responses import (
        CompactedResponse,
        InputTokenCountResponse,
        Response,
        ResponseItemList,
    )

    responses = [
        ("POST", re.compile(r"/responses"), Response),
        ("POST", re.compile(r"/responses/compact"), CompactedResponse),
        ("POST", re.compile(r"/responses/input_tokens"), InputTokenCountResponse),
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
    ]
    return responses


# A route whose answer is a file's bytes (recorded as ``body_base64``), not JSON.
BYTES = "bytes"


def _hosted_routes() -> list[tuple[str, Any, Any]]:
    """The resources the hosted tools use (notebook 09): files, vector stores and their file
    batches, containers and their files, with the SDK type each answer is read as."""
    from openai.types import (
        ContainerCreateResponse,
        ContainerListResponse,
        ContainerRetrieveResponse,
        FileDeleted,
        FileObject,
        VectorStore,
        VectorStoreDeleted,
    )
    from openai.types.containers import (
        FileCreateResponse,
        FileListResponse,
        FileRetrieveResponse,
    )
    from openai.types.vector_stores import (
        VectorStoreFile,
        VectorStoreFileBatch,
        VectorStoreFileDeleted,
    )

    one = r"/[^/]+"
    store, batch, box = (
        rf"/vector_stores{one}",
        rf"/vector_stores{one}/file_batches{one}",
        rf"/containers{one}",
    )
    table = [
        ("POST", "/files", FileObject),
        ("GET", "/files", _page(FileObject)),
        ("GET", rf"/files{one}", FileObject),
        ("DELETE", rf"/files{one}", FileDeleted),
        ("GET", rf"/files{one}/content", BYTES),
        ("POST", "/vector_stores", VectorStore),
        ("GET", "/vector_stores", _page(VectorStore)),
        ("GET", store, VectorStore),
        ("POST", store, VectorStore),
        ("DELETE", store, VectorStoreDeleted),
        ("POST", rf"{store}/files", VectorStoreFile),
        ("GET", rf"{store}/files", _page(VectorStoreFile)),
        ("GET", rf"{store}/files{one}", VectorStoreFile),
        ("DELETE", rf"{store}/files{one}", VectorStoreFileDeleted),
        ("POST", rf"{store}/file_batches", VectorStoreFileBatch),
        ("GET", batch, VectorStoreFileBatch),
        ("POST", rf"{batch}/cancel", VectorStoreFileBatch),
        ("GET", rf"{batch}/files", _page(VectorStoreFile)),
        ("POST", "/containers", ContainerCreateResponse),
        ("GET", "/containers", _page(ContainerListResponse)),
        ("GET", box, ContainerRetrieveResponse),
        ("DELETE", box, None),  # the SDK reads no body
        ("POST", rf"{box}/files", FileCreateResponse),
        ("GET", rf"{box}/files", _page(FileListResponse)),
        ("GET", rf"{box}/files{one}", FileRetrieveResponse),
        ("DELETE", rf"{box}/files{one}", None),
        ("GET", rf"{box}/files{one}/content", BYTES),
    ]
    return [(method, re.compile(pattern), kind) for method, pattern, kind in table]


@cache
def _page(item: Any) -> type[BaseModel]:
    """A list page of ``item`` as the API sends it (``{"object": "list", "data": [...],
    "first_id", "last_id", "has_more"}``); the SDK's own page class reads only ``data`` and
    ``has_more``. Fields it does not name are kept, so an unknown one is reported."""
    return create_model(
        f"ListOf{item.__name__}",
        __config__=ConfigDict(extra="allow"),
        object=(Literal["list"], ...),
        data=(list[item], ...),
        first_id=(str | None, None),
        last_id=(str | None, None),
        has_more=(bool, ...),
    )


def _literals(annotation: Any) -> set[str]:
    return {a for a in typing.get_args(annotation) if isinstance(a, str)}


@cache
def event_classes() -> dict[str, type[BaseModel]]:
    """Each streamed event's ``type`` -> the SDK class for it."""
    from openai.types.responses import ResponseStreamEvent

    union = typing.get_args(ResponseStreamEvent)[0]  # Annotated[Union[...], PropertyInfo]
    classes = {}
    for cls in typing.get_args(union):
        for literal in _literals(cls.model_fields["type"].annotation):
            classes[literal] = cls
    return classes


@cache
def _type_literals() -> dict[str, set[str]]:
    """SDK class name -> the values its ``type`` field takes (the name pydantic puts in an error's
    location when it tried that member of a union)."""
    import openai.types.responses  # noqa: F401 - loads every class this walks
    from openai import BaseModel as SdkModel

    found: dict[str, set[str]] = {}
    todo = list(SdkModel.__subclasses__())
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        type_field = cls.model_fields.get("type")
        if type_field is not None:
            found.setdefault(cls.__name__, set()).update(_literals(type_field.annotation))
    return found


def _on_its_own_branch(loc: tuple[Any, ...], data: Any) -> bool:
    """Whether an error's location follows the union member the data's own ``type`` names.

    Pydantic tries every member of a union and reports all their errors; the first is usually the
    first member's (``ResponseOutputMessage.content: Field required`` for a web search item)."""
    node = data
    for segment in loc:
        if isinstance(node, dict) and segment in node:
            node = node[segment]
        elif isinstance(node, list) and isinstance(segment, int) and 0 <= segment < len(node):
            node = node[segment]
        elif isinstance(node, dict) and isinstance(node.get("type"), str):
            literals = _type_literals().get(str(segment))
            if literals and node["type"] not in literals:
                return False
    return True


@cache
def _adapter(kind: Any) -> TypeAdapter:
    return TypeAdapter(kind)  # building one for a large union costs ~10 ms, so once per type


def _errors(kind: Any, data: Any) -> tuple[Any, str | None]:
    """(parsed, None), or (None, "N error(s), first at LOC: MSG") naming the data's own error."""
    try:
        return _adapter(kind).validate_python(data), None
    except ValidationError as err:
        errors = err.errors()
        own = [e for e in errors if _on_its_own_branch(e["loc"], data)] or errors
        loc = ".".join(str(p) for p in own[0]["loc"]) or "(top level)"
        return None, f"{len(own)} error(s), first at {loc}: {own[0]['msg']}"


def _extras(value: Any, where: str) -> list[str]:
    """Fields present in the data that the SDK type does not declare."""
    found = []
    if isinstance(value, BaseModel):
        for key in value.model_extra or {}:
            found.append(f"{where}.{key}".lstrip("."))
        for name in type(value).model_fields:
            found += _extras(getattr(value, name), f"{where}.{name}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += _extras(item, f"{where}[{i}]")
    return found


# --------------------------------------------------------------------------------------------
# The live API's own shapes
# --------------------------------------------------------------------------------------------


def _live_shapes(node: Any, found: set[str]) -> None:
    """Rewrite, in place, what the live API is known to send into what the SDK's types take, and
    say which shapes were met. Only the copy that is validated is rewritten, never the recording."""
    if isinstance(node, list):
        for item in node:
            _live_shapes(item, found)
        return
    if not isinstance(node, dict):
        return
    usage = node.get("usage")
    details = usage.get("input_tokens_details") if isinstance(usage, dict) else None
    if isinstance(details, dict) and "cache_write_tokens" not in details:
        details["cache_write_tokens"] = 0
        found.add(CACHE_WRITE)
    error = node.get("error") if node.get("object") == "response" else None
    if isinstance(error, dict) and error.get("code") not in _error_codes():
        error["code"] = "server_error"
        found.add(ERROR_CODE)
    if node.get("type") == "web_search_call" and "action" not in node:
        node["action"] = {"type": "search"}
        found.add(ACTIONLESS)
    sources = node.get("sources") if node.get("type") == "search" else None
    if isinstance(sources, list):
        urls = [s for s in sources if not isinstance(s, dict) or s.get("type") == "url"]
        if len(urls) < len(sources):
            node["sources"] = urls
            found.add(API_SOURCE)
    for value in node.values():
        _live_shapes(value, found)


@cache
def _error_codes() -> set[str]:
    from openai.types.responses import ResponseError

    return _literals(ResponseError.model_fields["code"].annotation)


def compacted_user_messages(body: Any) -> tuple[Any, list[Any]]:
    """A compacted window (``POST /responses/compact``) split in two: the body without its user
    messages, and those messages. The SDK's docstring says the window is "all user messages,
    followed by a single compaction item", but its output type takes only assistant messages, so
    the user messages are checked as the input message items they are."""
    if not isinstance(body, dict) or not isinstance(body.get("output"), list):
        return body, []
    users = [
        item
        for item in body["output"]
        if isinstance(item, dict)
        and item.get("type") == "message"
        and item.get("role") != "assistant"
    ]
    rest = [item for item in body["output"] if not any(item is user for user in users)]
    return {**body, "output": rest}, users


def _event_shapes(data: dict[str, Any], number: int, found: set[str]) -> dict[str, Any]:
    data = copy.deepcopy(data)
    if "sequence_number" not in data:
        data["sequence_number"] = number
        found.add(NO_SEQUENCE)
    nested = data.get("error")
    if data.get("type") == "error" and isinstance(nested, dict) and "message" not in data:
        data.pop("error")
        data.update({k: nested.get(k) for k in ("code", "message", "param")})
        found.add(NESTED_ERROR)
    _live_shapes(data, found)
    return data


def _error_body(body: Any) -> str | None:
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict) or not isinstance(error.get("message"), str):
        return "an error answer needs {'error': {'message': ...}}"
    if not {"type", "param", "code"} <= set(error):
        return "the error object needs 'type', 'param' and 'code' (null when unused)"
    return None


# --------------------------------------------------------------------------------------------
# A whole recording
# --------------------------------------------------------------------------------------------


class _Findings:
    """Collects what was found. ``strict`` findings refuse an illustrative recording; in a recorded
    one they are notes, like the known live shapes, grouped by what was found."""

    def __init__(self, illustrative: bool):
        self.illustrative = illustrative
        self.problems: list[str] = []
        self.notes: dict[str, list[str]] = {}
        self.fields: dict[str, list[str]] = {}  # undeclared live fields -> interactions

    def strict(self, where: str, place: str, what: str) -> None:
        if self.illustrative:
            self.problems.append(f"{where}: {what}")
        else:
            self.note(place, what)

    def note(self, place: str, what: str) -> None:
        places = self.notes.setdefault(what, [])
        if place not in places:
            places.append(place)

    def field(self, place: str, name: str) -> None:
        places = self.fields.setdefault(name, [])
        interaction = place.split(" event ")[0]
        if interaction not in places:
            places.append(interaction)

    def review(self) -> Review:
        if self.illustrative:
            return Review(self.problems, [])
        notes = []
        for what, places in self.notes.items():
            more = f" and {len(places) - 3} more" if len(places) > 3 else ""
            notes.append(f"{what} ({', '.join(places[:3])}{more})")
        if self.fields:
            places = list(dict.fromkeys(p for ps in self.fields.values() for p in ps))
            more = f" and {len(places) - 3} more" if len(places) > 3 else ""
            notes.append(
                f"fields the SDK does not declare: {', '.join(sorted(self.fields))} "
                f"({', '.join(places[:3])}{more})"
            )
        return Review([], notes)


def _checked(found: _Findings, kind: Any, data: Any, where: str, place: str) -> None:
    """Validate ``data`` (already rewritten from the live shapes) and look for unknown fields."""
    parsed, error = _errors(kind, data)
    if error:
        found.strict(where, place, error)
        return
    for extra in _extras(parsed, ""):
        name = extra.rsplit(".", 1)[-1]
        if name not in LIVE_ONLY_FIELDS:
            found.strict(where, place, f"unknown field {extra}")
        else:
            found.field(place, name)


def _event(found: _Findings, data: Any, number: int, where: str, place: str) -> None:
    where, place = f"{where} event {number}", f"{place} event {number}"
    if not isinstance(data, dict):
        found.strict(where, place, f"the data is not a JSON object: {data!r:.60}")
        return
    where, place = f"{where} ({data.get('type')})", f"{place} ({data.get('type')})"
    kind = event_classes().get(data.get("type"))
    if kind is None:
        found.strict(where, place, f"no SDK event class has the type {data.get('type')!r}")
        return
    shapes: set[str] = set()
    data = _event_shapes(data, number, shapes)
    for shape in sorted(shapes):
        found.note(place, shape)
    _checked(found, kind, data, where, place)


def review(recording: Recording) -> Review:
    """Check every answer in ``recording`` as its ``meta.source`` asks (see the module's doc)."""
    routes = [*_routes(), *_hosted_routes()]
    found = _Findings(illustrative=recording.meta.get("source") == "illustrative")
    for i, interaction in enumerate(recording.interactions):
        req, res = interaction["request"], interaction["response"]
        where = f"interaction {i + 1} ({req['method']} {req['path']})"
        place = f"interaction {i + 1}"
        if res["status"] >= 400:
            problem = _error_body(res.get("body"))
            if problem:
                found.strict(where, place, problem)
            continue
        if "events" in res:
            for n, event in enumerate(res["events"]):
                if event["data"] != "[DONE]":
                    _event(found, event["data"], n, where, place)
            continue
        kinds = [k for m, p, k in routes if m == req["method"] and p.fullmatch(req["path"])]
        if "body_base64" in res or (kinds and kinds[0] == BYTES):
            _bytes(found, res, bool(kinds) and kinds[0] == BYTES, where, place)
            continue
        if not kinds:
            what = "no SDK type is known for this route; add it to helpers/validate.py"
            found.strict(where, place, what)
        elif kinds[0] is not None:
            shapes: set[str] = set()
            data = copy.deepcopy(res["body"])
            _live_shapes(data, shapes)
            for shape in sorted(shapes):
                found.note(place, shape)
            if kinds[0].__name__ == "CompactedResponse":
                from openai.types.responses import ResponseInputMessageItem

                data, users = compacted_user_messages(data)
                for n, user in enumerate(users):
                    _checked(
                        found, ResponseInputMessageItem, user, f"{where} user message {n}", place
                    )
            _checked(found, kinds[0], data, where, place)
    return found.review()


def _bytes(found: _Findings, res: dict[str, Any], expected: bool, where: str, place: str) -> None:
    """A file's bytes (``body_base64``): only where the SDK reads bytes, and with a content type."""
    if "body_base64" not in res:
        found.strict(where, place, "the SDK reads a file's bytes here, but the answer is JSON")
    elif not expected:
        found.strict(where, place, "bytes (body_base64) where the SDK reads JSON")
    elif not (res.get("headers") or {}).get("content-type"):
        found.strict(where, place, "a file's bytes without the content-type header that names them")


def problems(recording: Recording) -> list[str]:
    """What refuses ``recording``: empty when it is sound. A recorded (live) one is never refused
    for what the API sent; ``review`` gives the notes about it."""
    return review(recording).problems
