"""Exercises of 07_structured_outputs."""

from __future__ import annotations

import copy
import json
from typing import Any

from . import Hint, call, exercise

# A second schema for 07.1, with what the notebook's does not have: an array of objects, and an
# optional property inside it.
NESTED = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "labels": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"text": {"type": "string"}, "colour": {"type": "string"}},
                "required": ["text"],
            },
        },
    },
    "required": ["name"],
}


def strict_problem(node: Any, where: str = "the schema") -> str | None:
    """What strict mode rejects first in ``node`` (a JSON Schema), in words for a hint, or None."""
    if not isinstance(node, dict):
        return f"{where} is not an object"
    types = node.get("type")
    types = types if isinstance(types, list) else [types]
    if "object" in types:
        if node.get("additionalProperties") is not False:
            return f'{where} does not set "additionalProperties": false'
        properties = node.get("properties") or {}
        missing = [key for key in properties if key not in (node.get("required") or [])]
        if missing:
            return f"{where} does not list {missing[0]!r} in required"
        for key, sub in properties.items():
            problem = strict_problem(sub, f"property {key!r}")
            if problem:
                return problem
    if "array" in types and "items" in node:
        return strict_problem(node["items"], f"the items of {where}")
    return None


def _nullable(node: dict) -> bool:
    types = node.get("type")
    types = types if isinstance(types, list) else [types]
    return "null" in types or any(b.get("type") == "null" for b in node.get("anyOf") or [])


def _normal(node: Any) -> Any:
    """A schema with each ``required`` and list of types made order-free, to compare two."""
    if isinstance(node, dict):
        out = {key: _normal(value) for key, value in node.items()}
        if isinstance(out.get("required"), list):
            out["required"] = sorted(out["required"])
        if isinstance(out.get("type"), list):
            out["type"] = sorted(out["type"])
        return out
    if isinstance(node, list):
        return [_normal(value) for value in node]
    return node


@exercise(
    "07.1",
    "a schema strict mode accepts",
    answer="make_strict",
    solution="""
import copy


def make_strict(schema):
    schema = copy.deepcopy(schema)

    def fix(node):
        if node.get("type") == "object":
            properties = node.get("properties", {})
            for name, prop in properties.items():
                fix(prop)
                if name not in node.get("required", []):
                    types = prop["type"] if isinstance(prop["type"], list) else [prop["type"]]
                    prop["type"] = [*types, "null"]
            node["required"] = list(properties)
            node["additionalProperties"] = False
        if node.get("type") == "array" and "items" in node:
            fix(node["items"])

    fix(schema)
    return schema
""",
)
def _make_strict(make_strict, loose, accepted_response):
    accepted = accepted_response.text.format.schema_
    for schema, name in ((loose, "LOOSE_SCHEMA"), (NESTED, "a schema with an array of objects")):
        given = copy.deepcopy(schema)
        result = call(make_strict, "make_strict(schema) that returns a schema", given)
        if given != schema:
            return (
                "your function changed the schema it was given: work on a copy "
                "(copy.deepcopy(schema))."
            )
        if not isinstance(result, dict):
            return f"return the schema as a dict, not {type(result).__name__}."
        problem = strict_problem(result)
        if problem:
            return f"for {name}, {problem}. Remember nested objects too."
        props = result["properties"]
        if schema is loose:
            if not _nullable(props.get("version", {})):
                return (
                    "version was not required in LOOSE_SCHEMA, so it must become nullable: "
                    'add "null" to its type.'
                )
            if _normal(result) != _normal(accepted):
                return (
                    "the result is strict, but not the schema the API accepted for `ticket`: keep "
                    "every description, enum and type as they were."
                )
        else:
            item = props["labels"]["items"]["properties"]
            if not _nullable(props["labels"]) or not _nullable(item["colour"]):
                return (
                    "in a schema where labels and labels[].colour were optional, both must become "
                    "nullable, and the required ones (name, text) must not."
                )
            if _nullable(props["name"]) or _nullable(item["text"]):
                return "a property that was already required must keep its type, without null."
    return None


def _refusal(response) -> str | None:
    for item in response.output:
        if item.type == "message":
            for part in item.content:
                if part.type == "refusal":
                    return part.refusal
    return None


@exercise(
    "07.2",
    "read a ticket, or None",
    answer="read_ticket",
    solution="""
def read_ticket(response):
    if response.status != "completed":
        return None  # cut short (incomplete), failed or cancelled: the JSON is not whole
    for item in response.output:
        if item.type == "message":
            for part in item.content:
                if part.type == "refusal":
                    return None
    return json.loads(response.output_text)
""",
)
def _read_ticket(read_ticket, *responses):
    if not callable(read_ticket):
        raise Hint("define a function read_ticket(response) that returns a dict or None.")
    for response in responses:
        refusal = _refusal(response)
        if response.status == "completed" and refusal is None:
            expected = json.loads(response.output_text)
        else:
            expected = None
        try:
            got = read_ticket(response)
        except json.JSONDecodeError:
            return (
                f"for a response whose status is {response.status!r}, json.loads failed: check "
                "status (and look for a refusal) before you parse."
            )
        except (AttributeError, TypeError) as err:
            if refusal is not None:
                return (
                    f"for the refused response your function raised {type(err).__name__}: "
                    "look for a content part of type 'refusal' first and return None."
                )
            raise
        if expected is None and got is not None:
            why = "the model refused" if refusal else f"its status is {response.status!r}"
            return f"return None when there is no whole ticket ({why}), not {got!r:.60}."
        if expected is not None and got != expected:
            if got is None:
                return "for a completed answer, return the ticket: json.loads(output_text)."
            return "return the ticket as the dict json.loads(response.output_text) gives."
    return None


@exercise(
    "07.3",
    "live challenge: a streamed ticket with a new field",
    answer="final_v2",
    live=True,
    solution="""
class TicketV2(Ticket):
    loses_data: bool = Field(description="Whether the bug loses the user's work.")


with client.responses.stream(
    model=MODEL,
    instructions=INSTRUCTIONS,
    input="Since 2.3.1, renaming a layer deletes everything drawn on it. Windows 11.",
    text_format=TicketV2,
) as stream:
    for event in stream:
        pass
    final_v2 = stream.get_final_response()
""",
)
def _final_v2(final_v2):
    if not hasattr(final_v2, "output_parsed"):
        raise Hint("pass the final response: stream.get_final_response().")
    if final_v2.status != "completed":
        return f"the response is {final_v2.status!r}: ask again, with more max_output_tokens."
    fmt = final_v2.text.format
    if fmt.type != "json_schema" or not fmt.strict:
        return "stream it with text_format=TicketV2, so the request sends a strict json_schema."
    if "loses_data" not in fmt.schema_.get("required", []):
        return "the schema sent has no loses_data: add the field to TicketV2."
    parsed = final_v2.output_parsed
    if parsed is None:
        return "output_parsed is None: did the model refuse? Try another report."
    if not isinstance(getattr(parsed, "loses_data", None), bool):
        return "loses_data should be a bool field of TicketV2."
    return None
