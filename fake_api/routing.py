"""How a request finds its handler: a table of routes, each a method, a path pattern and a handler.

A handler takes the ``Call`` (the server, the path's parameters, the query and the body: parsed
JSON, or a multipart upload's fields, fake_api.uploads) and returns what to send: ``Json`` (a
body), ``Stream`` (server-sent events), ``Binary`` (a file's bytes) or ``Close`` (no answer, the
connection is closed); it raises ``fake_api.errors.ApiError`` for an error answer. Patterns
are paths below ``/v1`` with ``{name}`` for one path segment, e.g. ``/responses/{response_id}``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from .server import FakeResponsesServer
    from .state import State


@dataclass(frozen=True)
class Call:
    """One request, as a handler sees it. ``route`` is the path below ``/v1``; ``body`` is the JSON
    body, or a multipart upload's fields (``fake_api.uploads.Upload`` for a file)."""

    server: FakeResponsesServer
    method: str
    route: str
    params: dict[str, str]
    query: dict[str, str]
    body: dict[str, Any]

    @property
    def state(self) -> State:
        return self.server.state


class Json(NamedTuple):
    """A JSON answer; ``kind`` names what ``body`` is (see ``fake_api.Answer``)."""

    kind: str
    body: Any
    status: int = 200
    headers: Mapping[str, str] | None = None
    processing_ms: int | None = None  # None: a few tens of ms, derived from the route


class Stream(NamedTuple):
    """A stream of server-sent events; with ``cut_after``, only that many, then a broken stream."""

    events: list[dict[str, Any]]
    cut_after: int | None = None
    headers: Mapping[str, str] = {}
    processing_ms: int = 40


class Binary(NamedTuple):
    """A file's bytes (a download), sent with their content type."""

    content_type: str
    data: bytes
    status: int = 200


class Close(NamedTuple):
    """No answer: the connection is closed (the client sees a connection error)."""


Handler = Callable[[Call], "Json | Stream | Binary | Close"]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: str
    handler: Handler
    _regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        parts = re.split(r"\{(\w+)\}", self.pattern)
        regex = "".join(
            re.escape(part) if n % 2 == 0 else f"(?P<{part}>[^/]*)" for n, part in enumerate(parts)
        )
        object.__setattr__(self, "_regex", re.compile(regex))

    @property
    def family(self) -> str:
        """The first segment of the pattern (``responses``, ``conversations``, ...)."""
        return self.pattern.strip("/").split("/")[0]

    def match(self, method: str, route: str) -> dict[str, str] | None:
        """The path's parameters when this route serves ``method route``, else None."""
        if method != self.method:
            return None
        found = self._regex.fullmatch(route)
        return found.groupdict() if found else None


def prefix_pattern(routes: Iterable[Route]) -> re.Pattern[str]:
    """Matches a request path under ``/v1``, ``/openai/v1`` (Azure v1) or ``/openai`` (the
    legacy Azure client) whose first segment is one of the routes' families; group 1 is the
    path below the prefix."""
    families = "|".join(re.escape(f) for f in dict.fromkeys(r.family for r in routes))
    return re.compile(rf"(?:/openai)?(?:/v1)?(/(?:{families})(?:/.*)?)")
