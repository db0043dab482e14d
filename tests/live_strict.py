"""Strict checks of what a fake server started with ``live_shapes=True`` sends, for the tests of
the fake API's structured-output and reasoning behaviour.

As in test_fake_api.py: pydantic strict mode against the pinned SDK's types, and no field the SDK
does not declare, except the fields the live API sends that the SDK lacks, the same names
``make record``'s validation takes from an illustrative recording (helpers.validate).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import openai
from openai.types import ErrorObject
from openai.types.conversations import (
    Conversation,
    ConversationDeletedResource,
    ConversationItem,
    ConversationItemList,
)
from openai.types.responses import (
    CompactedResponse,
    InputTokenCountResponse,
    Response,
    ResponseInputMessageItem,
    ResponseItemList,
    ResponseStreamEvent,
)
from pydantic import BaseModel, TypeAdapter

from fake_api import FakeResponsesServer
from helpers.validate import LIVE_ONLY_FIELDS, compacted_user_messages

MODEL = "gpt-5.4-mini"
TEST_KEY = "sk-test"  # pragma: allowlist secret
KINDS: dict[str, Any] = {
    "response": Response,
    "response.input_items": ResponseItemList,
    "response.input_tokens": InputTokenCountResponse,
    "response.compaction": CompactedResponse,
    "conversation": Conversation,
    "conversation.deleted": ConversationDeletedResource,
    "conversation.items": ConversationItemList,
    "conversation.item": ConversationItem,
}
_adapters: dict[Any, TypeAdapter] = {}


def extras(obj: Any, where: str) -> list[str]:
    """Fields in ``obj`` (a parsed SDK object) that its type does not declare."""
    found = []
    if isinstance(obj, BaseModel):
        found += [f"{where}.{k}" for k in obj.model_extra or {} if k not in LIVE_ONLY_FIELDS]
        for name in type(obj).model_fields:
            found += extras(getattr(obj, name), f"{where}.{name}")
    elif isinstance(obj, (list, tuple)):
        for i, value in enumerate(obj):
            found += extras(value, f"{where}[{i}]")
    elif isinstance(obj, dict):
        for key, value in obj.items():
            found += extras(value, f"{where}.{key}")
    return found


def strict(tp: Any, data: Any) -> Any:
    if tp not in _adapters:
        _adapters[tp] = TypeAdapter(tp)
    obj = _adapters[tp].validate_python(data, strict=True)
    unknown = extras(obj, getattr(tp, "__name__", str(tp)))
    assert not unknown, f"fields unknown to the SDK: {unknown}"
    return obj


def validate(answer: Any) -> None:
    if answer.kind == "events":
        for event in answer.events:
            strict(ResponseStreamEvent, event)
    elif answer.kind == "error":
        assert set(answer.body["error"]) == {"message", "type", "param", "code"}
        strict(ErrorObject, answer.body["error"])
    elif answer.kind == "response.deleted":
        assert answer.body == {
            "id": answer.body["id"],
            "object": "response.deleted",
            "deleted": True,
        }
    elif answer.kind == "response.compaction":
        rest, users = compacted_user_messages(answer.body)
        for user in users:
            strict(ResponseInputMessageItem, user)
        strict(CompactedResponse, rest)
    elif answer.kind in KINDS:
        strict(KINDS[answer.kind], answer.body)
    else:
        raise AssertionError(f"no SDK type to validate a {answer.kind!r} answer against")


def live_servers() -> Iterator[Any]:
    """The body of a ``serve`` fixture: start live-shaped servers; on teardown, validate strictly
    everything each one sent."""
    servers: list[FakeResponsesServer] = []

    def start(steps=(), **kwargs: Any) -> FakeResponsesServer:
        kwargs.setdefault("live_shapes", True)
        server = FakeResponsesServer(steps, **kwargs).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
        assert server.errors == []
        for answer in server.answers:
            validate(answer)


_base: list[openai.OpenAI] = []


def client_for(server: FakeResponsesServer) -> openai.OpenAI:
    """A client for ``server``; all share one HTTP client (building one loads the CA bundle)."""
    if not _base:
        _base.append(openai.OpenAI(api_key=TEST_KEY, base_url="http://127.0.0.1"))
    return _base[0].with_options(base_url=server.base_url, max_retries=0)


def last_body(server: FakeResponsesServer) -> dict[str, Any]:
    return server.answers[-1].body
