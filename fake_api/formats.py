"""Response formats (``text.format``): what the server echoes, the API's rules for a request that
asks for one, and a check that a scripted answer really has the shape that was asked for.

- ``echo_text(request)``: the body's ``text`` field, as the live API echoes it (a ``json_schema``
  format comes back with ``description`` and ``strict`` filled in).
- ``check_request(body)``: raises the API's 400 for a ``json_schema`` format without a name, for a
  strict schema that strict mode rejects (``additionalProperties`` not false, a property missing
  from ``required``, a node without a ``type``, a root that is not an object), and for
  ``json_object`` when no input message mentions JSON. Messages are worded as the live API words
  them (as reported in public issue trackers; no one here could capture them).
- ``check_answer(body, texts, status)``: a scripting mistake (``RuntimeError``) when a completed
  answer to a ``json_schema`` or ``json_object`` request is not JSON of that shape, so an
  illustrative recording cannot show an answer the API would never give.

Strict mode's rules (the Structured Outputs guide): every object sets ``additionalProperties:
false`` and lists every property in ``required`` (an optional field is a union with ``null``);
the root is an object; ``$defs`` and ``$ref`` are allowed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from .errors import ApiError

JSON_OBJECT_WORD = (
    "Response input messages must contain the word 'json' in some form to use 'text.format' of "
    "type 'json_object'."
)


def echo_text(request: Mapping[str, Any]) -> dict[str, Any]:
    """The ``text`` field of a response body for ``request``."""
    cfg = dict(request.get("text") or {})
    fmt = dict(cfg.get("format") or {"type": "text"})
    if fmt.get("type") == "json_schema":
        fmt = {
            "description": fmt.get("description"),
            "name": fmt.get("name"),
            "schema": fmt.get("schema"),
            "strict": bool(fmt.get("strict", False)),
            "type": "json_schema",
        }
    elif fmt.get("type") == "json_object":
        fmt = {"type": "json_object"}
    return {"format": fmt, "verbosity": cfg.get("verbosity") or "medium"}


# ---- the API's rules -------------------------------------------------------------------------


def _format(body: Mapping[str, Any]) -> dict[str, Any]:
    return dict((body.get("text") or {}).get("format") or {"type": "text"})


def check_request(body: Mapping[str, Any]) -> None:
    """Raise the API's error for a ``text.format`` the live API refuses; None when it is fine."""
    fmt = _format(body)
    kind = fmt.get("type")
    if kind == "json_schema":
        if not fmt.get("name"):
            raise ApiError(
                400,
                "Missing required parameter: 'text.format.name'.",
                param="text.format.name",
                code="missing_required_parameter",
            )
        if fmt.get("strict"):
            problem = strict_problem(fmt.get("schema") or {})
            if problem:
                raise ApiError(
                    400,
                    f"Invalid schema for response_format '{fmt['name']}': {problem}",
                    param="text.format.schema",
                    code="invalid_json_schema",
                )
    elif kind == "json_object" and not any(
        "json" in s.lower() for s in input_message_texts(body.get("input"))
    ):
        raise ApiError(400, JSON_OBJECT_WORD, param="text.format")


def input_message_texts(value: Any) -> Iterable[str]:
    """The texts of the request's input messages (instructions are not input messages)."""
    if isinstance(value, str):
        yield value
        return
    for item in value or []:
        if not isinstance(item, Mapping) or item.get("type", "message") != "message":
            continue
        content = item.get("content")
        if isinstance(content, str):
            yield content
            continue
        for part in content or []:
            if isinstance(part, Mapping) and isinstance(part.get("text"), str):
                yield part["text"]


def _where(context: tuple[str, ...]) -> str:
    return f"In context={context!r}"


def strict_problem(schema: Mapping[str, Any]) -> str | None:
    """The first thing strict mode rejects in ``schema``, worded as the API does, or None."""
    if schema.get("type") != "object" or "anyOf" in schema:
        got = schema.get("type", "anyOf" if "anyOf" in schema else None)
        return f"schema must be a JSON Schema of 'type: \"object\"', got 'type: \"{got}\"'."
    for key in ("$defs", "definitions"):
        for name, sub in (schema.get(key) or {}).items():
            problem = _node_problem(sub, (key, name))
            if problem:
                return problem
    return _node_problem(schema, ())


def _node_problem(node: Any, context: tuple[str, ...]) -> str | None:
    if not isinstance(node, Mapping):
        return f"{_where(context)}, schema must be an object."
    if "$ref" in node:
        return None
    if "anyOf" in node:
        for i, branch in enumerate(node["anyOf"]):
            problem = _node_problem(branch, (*context, "anyOf", str(i)))
            if problem:
                return problem
        return None
    if "type" not in node and "enum" not in node and "const" not in node:
        return f"{_where(context)}, schema must have a 'type' key."
    types = node.get("type")
    types = types if isinstance(types, list) else [types]
    if "object" in types:
        if node.get("additionalProperties") is not False:
            return (
                f"{_where(context)}, 'additionalProperties' is required to be supplied and to be "
                "false."
            )
        properties = node.get("properties") or {}
        required = node.get("required")
        missing = [key for key in properties if key not in (required or [])]
        if not isinstance(required, list) or missing:
            detail = f" Missing '{missing[0]}'." if missing else ""
            return (
                f"{_where(context)}, 'required' is required to be supplied and to be an array "
                f"including every key in properties.{detail}"
            )
        for key, sub in properties.items():
            problem = _node_problem(sub, (*context, "properties", key))
            if problem:
                return problem
    if "array" in types and "items" in node:
        return _node_problem(node["items"], (*context, "items"))
    return None


# ---- scripted answers ------------------------------------------------------------------------


def check_answer(body: Mapping[str, Any], texts: list[str], status: str) -> None:
    """A scripting mistake when a finished answer does not have the shape its request asked for."""
    fmt = _format(body)
    if fmt.get("type") not in ("json_schema", "json_object") or status != "completed":
        return
    for text in texts:
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise RuntimeError(
                f"the step answers a {fmt['type']} request with text that is not JSON ({exc}): "
                f"{text[:80]!r}"
            ) from None
        if not isinstance(value, dict):
            raise RuntimeError(f"the step answers a {fmt['type']} request with JSON that is "
                               f"not an object: {text[:80]!r}")  # fmt: skip
        if fmt["type"] == "json_schema":
            schema = fmt.get("schema") or {}
            error = conforms(value, schema, schema)
            if error:
                raise RuntimeError(
                    f"the step's answer does not match the schema {fmt.get('name')!r}: {error}"
                )


def _resolve(ref: str, root: Mapping[str, Any]) -> Mapping[str, Any]:
    node: Any = root
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


_TYPES = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
}


def conforms(value: Any, node: Mapping[str, Any], root: Mapping[str, Any], at: str = "$") -> str:
    """'' when ``value`` matches the (strict-subset) schema ``node``; else where and why not."""
    if "$ref" in node:
        return conforms(value, _resolve(node["$ref"], root), root, at)
    if "anyOf" in node:
        if any(not conforms(value, branch, root, at) for branch in node["anyOf"]):
            return ""
        return f"{at}: {value!r} matches no branch of anyOf"
    if "enum" in node and value not in node["enum"]:
        return f"{at}: {value!r} is not one of {node['enum']}"
    if "const" in node and value != node["const"]:
        return f"{at}: {value!r} is not {node['const']!r}"
    types = node.get("type")
    if types is not None:
        types = types if isinstance(types, list) else [types]
        if not any(_TYPES[t](value) for t in types):
            return f"{at}: {value!r} is not of type {' or '.join(types)}"
    if isinstance(value, dict):
        properties = node.get("properties") or {}
        for key in node.get("required") or []:
            if key not in value:
                return f"{at}: the required key {key!r} is missing"
        if node.get("additionalProperties") is False:
            extra = [key for key in value if key not in properties]
            if extra:
                return f"{at}: the key {extra[0]!r} is not in the schema"
        for key, sub in properties.items():
            if key in value:
                error = conforms(value[key], sub, root, f"{at}.{key}")
                if error:
                    return error
    if isinstance(value, list) and "items" in node:
        for i, element in enumerate(value):
            error = conforms(element, node["items"], root, f"{at}[{i}]")
            if error:
                return error
    return ""
