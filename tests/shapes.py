"""The shapes of what a Responses server sends, for comparing the fake server's with real traffic's.

``collect(answers)`` walks response bodies and streamed events and files every JSON object it meets
under a *kind*: ``response`` (a body), ``usage``, ``reasoning`` (the settings echoed), ``tool
web_search``, ``item message``, ``action search``, ``part output_text``, ``annotation
url_citation``, ``event response.output_text.delta``, ``added message`` / ``done message`` (the
item an ``output_item`` event carries), ``event part output_text``, and so on. A background
response's events are kinds of their own (``background event ...``): the API streams those from
what it stored, and they differ (no ``obfuscation``).

``Shape`` keeps, per kind, every field seen with the JSON types of its values, and the fields of its
newest occurrence (by the date the traffic was recorded). ``compare(real, fake)`` lists the
differences: a field the newest real occurrence has and the fake lacks (``missing``), a field the
fake writes that no real occurrence has (``extra``), a value of a JSON type real traffic never sent
for that field (``type``), and a kind real traffic has that the fake never writes (``unwritten``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


@dataclass
class Shape:
    fields: dict[str, set[str]] = field(default_factory=dict)  # field -> JSON types seen
    newest: tuple[str, frozenset[str]] = ("", frozenset())  # (date, its fields)
    seen_in: set[str] = field(default_factory=set)  # where (case names)

    def add(self, obj: dict[str, Any], date: str, where: str) -> None:
        for key, value in obj.items():
            self.fields.setdefault(key, set()).add(json_type(value))
        if date >= self.newest[0]:
            # Of several occurrences on the newest date, keep the fields they all have.
            same = self.newest[1] & set(obj) if date == self.newest[0] else frozenset(obj)
            self.newest = (date, frozenset(same))
        self.seen_in.add(where)


Shapes = dict[str, Shape]


def _objects(kind: str, obj: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """(kind, object) for ``obj`` (of ``kind``) and every object inside it worth comparing."""
    if not isinstance(obj, dict):
        return
    yield kind, obj
    if kind == "response":
        for name in ("usage", "reasoning", "text", "tool_usage", "error", "incomplete_details"):
            if isinstance(obj.get(name), dict):
                yield from _objects(name, obj[name])
        for tool in obj.get("tools") or []:
            yield from _objects(f"tool {tool.get('type')}", tool)
        for item in obj.get("output") or []:
            yield from _objects(f"item {item.get('type')}", item)
    elif kind == "usage":
        for name in ("input_tokens_details", "output_tokens_details"):
            if isinstance(obj.get(name), dict):
                yield f"usage {name}", obj[name]
    elif kind.startswith("tool ") and isinstance(obj.get("user_location"), dict):
        yield f"{kind} user_location", obj["user_location"]
    elif kind.startswith(("item ", "added ", "done ")):
        if isinstance(obj.get("action"), dict):
            yield from _objects(f"action {obj['action'].get('type')}", obj["action"])
        for part in obj.get("content") or []:
            if isinstance(part, dict):
                yield from _objects(f"part {part.get('type')}", part)
        for part in obj.get("summary") or []:
            if isinstance(part, dict):
                yield f"summary {part.get('type')}", part
    elif kind.startswith("part "):
        for note in obj.get("annotations") or []:
            if isinstance(note, dict):
                yield f"annotation {note.get('type')}", note
    elif kind.startswith("action ") and isinstance(obj.get("sources"), list):
        for source in obj["sources"]:
            if isinstance(source, dict):
                yield f"source {source.get('type')}", source


def _event_objects(data: dict[str, Any], prefix: str) -> Iterator[tuple[str, dict[str, Any]]]:
    kind = data.get("type")
    yield f"{prefix}event {kind}", data
    if isinstance(data.get("response"), dict):
        yield from _objects("response", data["response"])
    if isinstance(data.get("item"), dict):
        stage = "added" if kind == "response.output_item.added" else "done"
        yield from _objects(f"{prefix}{stage} {data['item'].get('type')}", data["item"])
    if isinstance(data.get("part"), dict):
        yield f"{prefix}event part {data['part'].get('type')}", data["part"]
    if isinstance(data.get("annotation"), dict):
        yield f"annotation {data['annotation'].get('type')}", data["annotation"]
    if kind == "error" and isinstance(data.get("error"), dict):
        yield "event error.error", data["error"]


def collect(
    answers: Iterable[tuple[Any, list[Any] | None]], date: str, where: str, shapes: Shapes
) -> Shapes:
    """File the objects of ``answers``, each ``(body, events)`` (one of them None), into
    ``shapes``, dated ``date`` (``YYYY-MM-DD``) and from ``where``."""
    for body, events in answers:
        found: list[tuple[str, dict[str, Any]]] = []
        if isinstance(body, dict) and body.get("object") == "response":
            found += _objects("response", body)
        datas = [e for e in events or [] if isinstance(e, dict)]
        background = any(
            isinstance(d.get("response"), dict) and d["response"].get("background") for d in datas
        )
        for data in datas:
            found += _event_objects(data, "background " if background else "")
        for kind, obj in found:
            shapes.setdefault(kind, Shape()).add(obj, date, where)
    return shapes


@dataclass(frozen=True)
class Difference:
    kind: str
    field: str  # "*" for a whole kind
    what: str  # missing, extra, type, unwritten
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.kind}: {self.what} {self.field}{f' ({self.detail})' if self.detail else ''}"


def compare(real: Shapes, fake: Shapes) -> list[Difference]:
    found = []
    for kind in sorted(real):
        if kind not in fake:
            found.append(Difference(kind, "*", "unwritten", ", ".join(sorted(real[kind].seen_in))))
            continue
        want, got = real[kind], fake[kind]
        date, newest = want.newest
        for name in sorted(newest - set(got.fields)):
            found.append(Difference(kind, name, "missing", f"real on {date}"))
        for name in sorted(set(got.fields) - set(want.fields)):
            found.append(Difference(kind, name, "extra"))
        for name in sorted(set(got.fields) & set(want.fields)):
            odd = got.fields[name] - want.fields[name]
            if odd:
                known = "/".join(sorted(want.fields[name]))
                found.append(
                    Difference(kind, name, "type", f"{'/'.join(sorted(odd))}, real {known}")
                )
    return found
