"""A fast check, when a recording is loaded, that each recorded answer has the JSON types the SDK's
models declare for the fields it holds, so that a malformed recording is one message instead of an
``AttributeError`` deep in a cell (``'str' object has no attribute 'type'``, when ``output`` is a
string) or a ``TypeError`` in the usage line (when a token count is a string).

It is lenient where the SDK is: missing fields, fields the SDK does not declare, and values of a
``Literal`` it does not list are accepted (the live API adds them before the SDK does), as is an
item whose ``type`` the SDK does not know. Only a value the SDK would build or iterate as the wrong
kind is refused. Strict validation (``helpers.validate``) is for ``make record`` and the tests; it
takes half a second to set up, which a notebook would pay at every start.

Defined in 01_basics (every notebook loads a recording).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping, Sequence
from functools import cache, lru_cache
from typing import Any

__all__ = ["answer_problem", "events_problem"]

_NONE = type(None)
_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "true or false"}
_NAMES.update({_NONE: "null", list: "a list", dict: "an object"})


class _Shape:
    """The JSON a type accepts: scalar kinds, a list of a shape, an object of a shape, models."""

    __slots__ = ("any", "scalars", "list_of", "dict_of", "models", "tag", "by_tag")

    def __init__(self) -> None:
        self.any = False
        self.scalars: set[type] = set()
        self.list_of: _Shape | None = None
        self.dict_of: _Shape | None = None
        self.models: list[_Model] = []
        self.tag: str | None = None  # the discriminating field of a union of models
        self.by_tag: dict[str, _Model] = {}

    def expected(self) -> str:
        kinds = [_NAMES[k] for k in (str, int, float, bool) if k in self.scalars]
        if self.list_of is not None:
            kinds.append("a list")
        if self.dict_of is not None or self.models:
            kinds.append("an object")
        if _NONE in self.scalars:
            kinds.append("null")
        return " or ".join(dict.fromkeys(kinds)) or "nothing"


class _Model:
    """A pydantic model's fields, compiled on first use (only the types a recording holds)."""

    __slots__ = ("cls", "_fields")

    def __init__(self, cls: type) -> None:
        self.cls = cls
        self._fields: dict[str, _Shape] | None = None

    @property
    def fields(self) -> dict[str, _Shape]:
        if self._fields is None:
            self._fields = {
                info.alias or name: _shape(info.annotation)
                for name, info in self.cls.model_fields.items()
            }
        return self._fields


@cache
def _model(cls: type) -> _Model:
    return _Model(cls)


@cache
def _shape(annotation: Any) -> _Shape:
    shape = _Shape()
    _add(shape, annotation)
    return shape


def _add(shape: _Shape, tp: Any) -> None:
    from pydantic import BaseModel

    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        inner, *meta = typing.get_args(tp)
        found = [getattr(m, "discriminator", None) for m in meta]
        tag = next((d for d in found if isinstance(d, str)), None)
        _add(shape, inner)
        if tag:
            _index(shape, tag)
    elif origin is typing.Union or origin is types.UnionType:
        for arg in typing.get_args(tp):
            _add(shape, arg)
    elif origin is typing.Literal:
        shape.scalars.update(type(v) for v in typing.get_args(tp))
    elif origin in (list, Sequence, typing.Sequence) or tp in (list, typing.List):  # noqa: UP006
        args = typing.get_args(tp)
        shape.list_of = _shape(args[0]) if args else _shape(Any)
    elif origin in (dict, Mapping, typing.Mapping) or tp in (dict, typing.Dict):  # noqa: UP006
        args = typing.get_args(tp)
        shape.dict_of = _shape(args[1]) if len(args) == 2 else _shape(Any)
    elif tp is None or tp is _NONE:
        shape.scalars.add(_NONE)
    elif tp is float:
        shape.scalars.update((float, int))
    elif tp in (str, int, bool):
        shape.scalars.add(tp)
    elif isinstance(tp, type) and issubclass(tp, BaseModel):
        shape.models.append(_model(tp))
    else:  # Any, object, a type variable, a date: whatever the SDK does with it, not checked
        shape.any = True


def _index(shape: _Shape, tag: str) -> None:
    """Map each value of the discriminating field (``type``) to the model that declares it."""
    shape.tag = tag
    for model in shape.models:
        info = model.cls.model_fields.get(tag)
        annotation = info.annotation if info is not None else None
        if typing.get_origin(annotation) is typing.Literal:
            for value in typing.get_args(annotation):
                shape.by_tag.setdefault(value, model)


def _kind(value: Any) -> str:
    return _NAMES.get(type(value), type(value).__name__)


def _check(value: Any, shape: _Shape, where: str) -> str | None:
    """The first place where ``value`` does not have ``shape``, or None."""
    kind = type(value)
    if shape.any or kind in shape.scalars:
        return None
    if kind is list and shape.list_of is not None:
        inner = shape.list_of
        if inner.any:
            return None
        for i, item in enumerate(value):
            if type(item) not in inner.scalars:
                problem = _check(item, inner, f"{where}[{i}]")
                if problem:
                    return problem
        return None
    if kind is dict and shape.dict_of is not None:
        for key, item in value.items():
            problem = _check(item, shape.dict_of, f"{where}.{key}")
            if problem:
                return problem
        return None
    if kind is dict and shape.models:
        tag = value.get(shape.tag) if shape.tag else None
        tagged = shape.by_tag.get(tag) if isinstance(tag, str) else None
        if tagged is not None or len(shape.models) == 1:
            return _fields(value, tagged or shape.models[0], where)
        if isinstance(tag, str) and shape.by_tag:
            return None  # an item type this SDK does not know: it builds it leniently
        problems = [_fields(value, model, where) for model in shape.models]
        return None if None in problems else problems[0]
    return f"{where} is {_kind(value)}, where the SDK expects {shape.expected()}"


def _fields(value: dict[str, Any], model: _Model, where: str) -> str | None:
    fields = model.fields
    for key, item in value.items():
        shape = fields.get(key)
        if shape is None or shape.any or type(item) in shape.scalars:
            continue
        problem = _check(item, shape, f"{where}.{key}")
        if problem:
            return problem
    return None


# What the SDK builds from each answer: the routes of helpers/validate.py, with their types named
# so that each is imported only when a recording holds that route (conversations take 20 ms).
ROUTES = (
    ("POST", r"/responses", "responses", "Response"),
    ("POST", r"/responses/compact", "responses", "CompactedResponse"),
    ("POST", r"/responses/input_tokens", "responses", "InputTokenCountResponse"),
    ("GET", r"/responses/[^/]+", "responses", "Response"),
    ("POST", r"/responses/[^/]+/cancel", "responses", "Response"),
    ("DELETE", r"/responses/[^/]+", None, None),  # the SDK reads no body
    ("GET", r"/responses/[^/]+/input_items", "responses", "ResponseItemList"),
    ("POST", r"/conversations", "conversations", "Conversation"),
    ("GET", r"/conversations/[^/]+", "conversations", "Conversation"),
    ("POST", r"/conversations/[^/]+", "conversations", "Conversation"),
    ("DELETE", r"/conversations/[^/]+", "conversations", "ConversationDeletedResource"),
    ("GET", r"/conversations/[^/]+/items", "conversations", "ConversationItemList"),
    ("POST", r"/conversations/[^/]+/items", "conversations", "ConversationItemList"),
)
# The hosted tools' resources (notebook 09), those of helpers/validate.py's _hosted_routes that
# answer one object; their list pages and downloads are left unchecked.
HOSTED_ROUTES = (
    ("POST", "/files", "file_object", "FileObject"),
    ("GET", "/files/[^/]+", "file_object", "FileObject"),
    ("DELETE", "/files/[^/]+", "file_deleted", "FileDeleted"),
    ("POST", "/vector_stores", "vector_store", "VectorStore"),
    ("GET", "/vector_stores/[^/]+", "vector_store", "VectorStore"),
    ("POST", "/vector_stores/[^/]+", "vector_store", "VectorStore"),
    ("DELETE", "/vector_stores/[^/]+", "vector_store_deleted", "VectorStoreDeleted"),
    ("POST", "/vector_stores/[^/]+/files", "vector_stores", "VectorStoreFile"),
    ("GET", "/vector_stores/[^/]+/files/[^/]+", "vector_stores", "VectorStoreFile"),
    ("DELETE", "/vector_stores/[^/]+/files/[^/]+", "vector_stores", "VectorStoreFileDeleted"),
    ("POST", "/vector_stores/[^/]+/file_batches", "vector_stores", "VectorStoreFileBatch"),
    ("GET", "/vector_stores/[^/]+/file_batches/[^/]+", "vector_stores", "VectorStoreFileBatch"),
    (
        "POST",
        "/vector_stores/[^/]+/file_batches/[^/]+/cancel",
        "vector_stores",
        "VectorStoreFileBatch",
    ),
    ("POST", "/containers", "container_create_response", "ContainerCreateResponse"),
    ("GET", "/containers/[^/]+", "container_retrieve_response", "ContainerRetrieveResponse"),
    ("POST", "/containers/[^/]+/files", "containers", "FileCreateResponse"),
    ("GET", "/containers/[^/]+/files/[^/]+", "containers", "FileRetrieveResponse"),
)


@lru_cache(maxsize=256)
def _answer_type(method: str, path: str) -> Any:
    import importlib
    import re

    for m, pattern, module, name in (*ROUTES, *HOSTED_ROUTES):
        if m == method and re.fullmatch(pattern, path):
            if module is None:
                return None
            return getattr(importlib.import_module(f"openai.types.{module}"), name)
    return None


def answer_problem(method: str, path: str, body: Any, where: str) -> str | None:
    """Why the SDK could not use ``body`` as the answer to ``method path``, or None. A route the
    course does not know, or whose answer the SDK does not read, is not checked."""
    kind = _answer_type(method, path)
    return None if kind is None else _check(body, _shape(kind), where)


@cache
def _stream_shape() -> _Shape:
    from openai.types.responses import ResponseStreamEvent

    return _shape(ResponseStreamEvent)  # hashing this union takes 0.2 ms: once


def events_problem(events: list[dict[str, Any]], where: str) -> str | None:
    """Why a recorded stream could not be replayed as the live one was, or None."""
    shape = _stream_shape()
    for n, event in enumerate(events):
        name, data = event.get("event"), event["data"]
        if name is not None and (not isinstance(name, str) or "\n" in name or "\r" in name):
            return f"{where} event {n}: 'event' must be a name on one line, or null"
        if data == "[DONE]":
            continue
        if not isinstance(data, dict):
            return (
                f"{where} event {n}: 'data' is {_kind(data)}; a streamed event is an object "
                "(or the string [DONE])"
            )
        problem = _check(data, shape, f"{where} event {n} data")
        if problem:
            return problem
    return None
