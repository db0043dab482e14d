"""The fake API (fake_api/) through the real SDK: every body and event it sends is validated strictly.

"Strictly" means pydantic strict mode against the pinned SDK's types, and no field the SDK does not
know anywhere in the parsed tree (the SDK's models accept unknown fields silently), apart from the
`store` field of a response, which the real API sends though `Response` does not declare it.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import openai
import pytest
from openai.types import ErrorObject
from openai.types.conversations import (
    Conversation,
    ConversationDeletedResource,
    ConversationItem,
    ConversationItemList,
)
from openai.types.responses import Response, ResponseItemList, ResponseStreamEvent
from pydantic import BaseModel, TypeAdapter

from fake_api import (
    BASE_EPOCH,
    FakeResponsesServer,
    cut_stream,
    disconnect,
    error,
    function_call,
    hang,
    image_generation,
    reasoning,
    refusal,
    reply,
    text,
    web_search,
)

MODEL = "gpt-5.4-mini"
# Fake keys, named here once so a secret scanner has one line each to be told about.
TEST_KEY = "sk-test"  # pragma: allowlist secret
EXPECTED_KEY = "sk-test-expected-1234"  # pragma: allowlist secret
WRONG_KEY = "sk-test-wrong-key-9999"  # pragma: allowlist secret
ALLOWED_EXTRA = {(Response, "store")}
KIND_TYPES: dict[str, Any] = {
    "response": Response,
    "response.input_items": ResponseItemList,
    "conversation": Conversation,
    "conversation.deleted": ConversationDeletedResource,
    "conversation.items": ConversationItemList,
    "conversation.item": ConversationItem,
}
_adapters: dict[Any, TypeAdapter] = {}


def strict(tp: Any, data: Any) -> Any:
    """Validate ``data`` as ``tp`` in strict mode and refuse any field the SDK does not know."""
    if tp not in _adapters:
        _adapters[tp] = TypeAdapter(tp)
    adapter = _adapters[tp]
    obj = adapter.validate_python(data, strict=True)
    _no_extra(obj, tp.__name__ if hasattr(tp, "__name__") else str(tp))
    return obj


def _no_extra(obj: Any, where: str) -> None:
    if isinstance(obj, BaseModel):
        extra = {k for k in obj.model_extra or {} if (type(obj), k) not in ALLOWED_EXTRA}
        assert not extra, f"{where}: fields unknown to {type(obj).__name__}: {sorted(extra)}"
        for name in type(obj).model_fields:
            _no_extra(getattr(obj, name), f"{where}.{name}")
    elif isinstance(obj, (list, tuple)):
        for i, value in enumerate(obj):
            _no_extra(value, f"{where}[{i}]")
    elif isinstance(obj, dict):
        for key, value in obj.items():
            _no_extra(value, f"{where}.{key}")


def validate_answer(answer: Any) -> None:
    if answer.kind == "events":
        numbers = [event["sequence_number"] for event in answer.events]
        assert numbers == sorted(set(numbers)), numbers
        for event in answer.events:
            strict(ResponseStreamEvent, event)
    elif answer.kind == "error":
        assert set(answer.body) == {"error"}
        assert set(answer.body["error"]) == {"message", "type", "param", "code"}
        strict(ErrorObject, answer.body["error"])
    elif answer.kind == "response.deleted":
        assert answer.body == {
            "id": answer.body["id"],
            "object": "response.deleted",
            "deleted": True,
        }
    else:
        strict(KIND_TYPES[answer.kind], answer.body)


@pytest.fixture
def serve():
    """Start servers; on teardown, validate strictly everything each of them sent."""
    servers: list[FakeResponsesServer] = []

    def start(steps=(), **kwargs: Any) -> FakeResponsesServer:
        server = FakeResponsesServer(steps, **kwargs).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
        assert server.errors == []
        assert server.answers
        for answer in server.answers:
            validate_answer(answer)


_base_client: list[openai.OpenAI] = []


def client_for(server: FakeResponsesServer, **kwargs: Any) -> openai.OpenAI:
    """A client for ``server``; all share one HTTP client (building one loads the CA bundle)."""
    if not _base_client:
        _base_client.append(openai.OpenAI(api_key=TEST_KEY, base_url="http://127.0.0.1"))
    kwargs.setdefault("max_retries", 0)
    kwargs.setdefault("base_url", server.base_url)
    return _base_client[0].with_options(**kwargs)


def raw_body(server: FakeResponsesServer, index: int = -1) -> dict[str, Any]:
    return server.answers[index].body


def without_parsed(value: Any) -> Any:
    """A ParsedResponse dump minus the `parsed` fields the stream helper adds."""
    if isinstance(value, dict):
        return {k: without_parsed(v) for k, v in value.items() if k != "parsed"}
    if isinstance(value, list):
        return [without_parsed(v) for v in value]
    return value


# --------------------------------------------------------------------------------------------


def test_plain_create_echoes_the_request_and_looks_real(serve) -> None:
    server = serve([reply(text("Paris is the capital of France."))])
    client = client_for(server)
    response = client.responses.create(
        model=MODEL,
        input="What is the capital of France?",
        instructions="Answer in one sentence.",
        temperature=0.2,
        metadata={"lesson": "01"},
        text={"verbosity": "low"},
    )
    body = raw_body(server)
    strict(Response, body)
    assert response.output_text == "Paris is the capital of France."
    assert response.model == MODEL and response.status == "completed"
    assert response.instructions == "Answer in one sentence."
    assert response.temperature == 0.2 and response.top_p == 1.0
    assert response.metadata == {"lesson": "01"}
    assert body["text"] == {"format": {"type": "text"}, "verbosity": "low"}
    assert body["store"] is True and body["background"] is False
    assert body["created_at"] == BASE_EPOCH and body["completed_at"] > BASE_EPOCH
    assert response.id.startswith("resp_") and len(response.id) == 53
    assert response.output[0].id.startswith("msg_")
    usage = response.usage
    assert usage.input_tokens > 5 and usage.output_tokens == 8
    assert usage.total_tokens == usage.input_tokens + usage.output_tokens
    assert usage.input_tokens_details.cached_tokens == 0
    headers = server.answers[-1].headers
    assert headers["x-request-id"].startswith("req_")
    assert headers["openai-organization"] == "org-fakefakefake"
    assert headers["openai-project"] and headers["openai-processing-ms"].isdigit()
    assert len(headers["set-cookie"]) == 2
    raw = client.responses.with_raw_response.retrieve(response.id)
    assert raw.headers["openai-organization"] == "org-fakefakefake"
    assert len(raw.headers.get_list("set-cookie")) == 2


def test_same_script_gives_identical_bytes() -> None:
    def run() -> list[Any]:
        steps = [reply(reasoning("Think."), function_call("f", {"a": 1})), reply("Done.")]
        with FakeResponsesServer(steps) as server:
            client = client_for(server)
            first = client.responses.create(model=MODEL, input="go")
            with client.responses.stream(
                model=MODEL, input="again", previous_response_id=first.id
            ) as stream:
                stream.get_final_response()
            return [(a.headers["x-request-id"], a.body, a.events) for a in server.answers]

    assert json.dumps(run()) == json.dumps(run())


def test_stream_parses_and_final_response_equals_retrieve(serve) -> None:
    answer = "Streaming sends the answer in small pieces as the model writes it, word by word."
    server = serve([reply(text(answer, citations=[("small pieces", "https://example.org/s")]))])
    client = client_for(server)
    with client.responses.stream(model=MODEL, input="How does streaming work?") as stream:
        types = [event.type for event in stream]
        final = stream.get_final_response()
    events = server.answers[-1].events
    deltas = [e["delta"] for e in events if e["type"] == "response.output_text.delta"]
    cited = answer + " ([example.org](https://example.org/s?utm_source=openai))"
    assert "".join(deltas) == cited == final.output_text and len(deltas) > 3
    assert types[:4] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
    ]
    assert types[-4:] == [
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert "response.output_text.annotation.added" in types
    assert [e["sequence_number"] for e in events] == list(range(len(events)))
    retrieved = client.responses.retrieve(final.id)
    assert Response.model_validate(without_parsed(final.model_dump())) == retrieved
    assert events[-1]["response"] == raw_body(server)


def test_stream_of_tools_and_reasoning(serve) -> None:
    server = serve(
        [
            reply(
                reasoning("First I look it up.", "Then I answer."),
                web_search("weather Paris", sources=["https://example.org/w"]),
                function_call("get_weather", {"city": "Paris"}),
                image_generation("aGVsbG8=", revised_prompt="a sunny Paris"),
                refusal("I can't help with that part."),
            )
        ]
    )
    client = client_for(server)
    with client.responses.stream(
        model=MODEL, input="Weather?", reasoning={"effort": "low", "summary": "auto"}
    ) as stream:
        types = [event.type for event in stream]
        final = stream.get_final_response()
    for expected in (
        "response.reasoning_summary_text.delta",
        "response.web_search_call.searching",
        "response.function_call_arguments.delta",
        "response.function_call_arguments.done",
        "response.image_generation_call.completed",
        "response.refusal.done",
    ):
        assert expected in types
    assert [item.type for item in final.output] == [
        "reasoning",
        "web_search_call",
        "function_call",
        "image_generation_call",
        "message",
    ]
    call = final.output[2]
    assert json.loads(call.arguments) == {"city": "Paris"} and call.call_id.startswith("call_")
    assert [s.text for s in final.output[0].summary] == ["First I look it up.", "Then I answer."]
    assert final.usage.output_tokens_details.reasoning_tokens > 64


def test_reasoning_summary_and_sources_only_when_asked(serve) -> None:
    steps = [reply(reasoning("Hidden."), web_search("q", sources=["https://example.org/a"]))]
    server = serve(steps * 2)
    client = client_for(server)
    plain = client.responses.create(model=MODEL, input="q")
    assert plain.output[0].summary == [] and plain.output[1].action.sources is None
    full = client.responses.create(
        model=MODEL,
        input="q",
        reasoning={"summary": "auto"},
        include=["web_search_call.action.sources", "reasoning.encrypted_content"],
    )
    assert full.output[0].summary[0].text == "Hidden."
    assert full.output[0].encrypted_content
    assert [s.url for s in full.output[1].action.sources] == ["https://example.org/a"]


def test_a_citation_is_an_inline_link_after_its_sentence_and_the_indices_mark_it(serve) -> None:
    # As real answers are written (web_search_citations_gpt52 in ../shared/real-traffic): the
    # link follows the full stop of the sentence the cited words are in, and the annotation's
    # start_index..end_index is the link itself.
    answer = "Lyon is known for food. Paris has the Louvre; Paris is also the capital.\n\nThe end."
    cites = [
        ("Lyon is known for food", "https://www.example.org/lyon", "Lyon"),
        ("Paris", "https://example.org/paris?lang=en", "Paris"),
        ("Paris", "https://example.org/capital"),
    ]
    server = serve([reply(text(answer, citations=cites))])
    response = client_for(server).responses.create(model=MODEL, input="Cities?")
    part = response.output[0].content[0]
    assert part.text == (
        "Lyon is known for food. ([example.org](https://www.example.org/lyon?utm_source=openai)) "
        "Paris has the Louvre; Paris is also the capital. "
        "([example.org](https://example.org/paris?lang=en&utm_source=openai)) "
        "([example.org](https://example.org/capital?utm_source=openai))\n\nThe end."
    )
    links = [part.text[a.start_index : a.end_index] for a in part.annotations]
    assert links == [f"([example.org]({a.url}))" for a in part.annotations]
    assert [a.url for a in part.annotations] == [
        "https://www.example.org/lyon?utm_source=openai",
        "https://example.org/paris?lang=en&utm_source=openai",
        "https://example.org/capital?utm_source=openai",
    ]
    assert part.annotations[2].title == "https://example.org/capital"
    # Given out of order, the links are still placed (and annotated) in the text's order.
    late = text("One. Two.", citations=[("Two", "https://b.org"), ("One", "https://a.org")])
    assert [a["url"] for a in late.data["annotations"]] == [
        "https://a.org?utm_source=openai",
        "https://b.org?utm_source=openai",
    ]
    with pytest.raises(ValueError, match="does not occur"):
        text("abc", citations=[("xyz", "https://example.org")])


def test_background_polling_sequence(serve) -> None:
    server = serve(
        [reply("Done in the background.", background=["queued", "in_progress", "completed"])]
    )
    client = client_for(server)
    created = client.responses.create(model=MODEL, input="Long job", background=True)
    assert created.status == "queued" and created.output == [] and created.usage is None
    polled = [client.responses.retrieve(created.id) for _ in range(3)]
    assert [p.status for p in polled] == ["in_progress", "completed", "completed"]
    assert polled[0].output == [] and polled[0].completed_at is None
    assert polled[1].output_text == "Done in the background." and polled[1].background is True


def test_cancel(serve) -> None:
    server = serve(
        [
            reply("never seen", background=["queued", "in_progress", "completed"]),
            reply("synchronous"),
        ]
    )
    client = client_for(server)
    job = client.responses.create(model=MODEL, input="Long job", background=True)
    assert client.responses.retrieve(job.id).status == "in_progress"
    cancelled = client.responses.cancel(job.id)
    assert cancelled.status == "cancelled" and cancelled.output == []
    assert client.responses.retrieve(job.id).status == "cancelled"
    sync = client.responses.create(model=MODEL, input="Quick")
    with pytest.raises(openai.BadRequestError, match="Cannot cancel a synchronous response"):
        client.responses.cancel(sync.id)


def test_resume_a_cut_background_stream(serve) -> None:
    answer = "One two three four five six seven eight nine ten eleven twelve thirteen fourteen."
    server = serve([cut_stream(text(answer), after=6)], words_per_delta=1)
    client = client_for(server)
    seen = []
    with pytest.raises(openai.APIConnectionError):
        for event in client.responses.create(
            model=MODEL, input="Count", background=True, stream=True, store=True
        ):
            seen.append(event)
    assert [e.sequence_number for e in seen] == list(range(6))
    assert [e.type for e in seen[:3]] == [
        "response.created",
        "response.queued",
        "response.in_progress",
    ]
    assert seen[0].response.status == "queued"
    last = seen[-1].sequence_number
    rest = list(client.responses.retrieve(seen[0].response.id, stream=True, starting_after=last))
    everything = list(client.responses.retrieve(seen[0].response.id, stream=True))
    assert [e.sequence_number for e in rest] == list(range(last + 1, len(everything)))
    assert [e.model_dump() for e in seen + rest] == [e.model_dump() for e in everything]
    assert rest[-1].type == "response.completed" and rest[-1].response.output_text == answer
    with client.responses.stream(response_id=seen[0].response.id, starting_after=last) as stream:
        resumed = [event.sequence_number for event in stream]
        final = stream.get_final_response()
    assert resumed == list(range(last + 1, len(everything)))
    assert final.output_text == answer
    assert client.responses.retrieve(final.id).status == "completed"


def test_cut_stream_without_background_breaks_the_stream(serve) -> None:
    server = serve([cut_stream(after=3), cut_stream("x", after=1)])
    client = client_for(server)
    with pytest.raises(openai.APIConnectionError):
        list(client.responses.create(model=MODEL, input="Hi", stream=True))
    assert len(server.answers[-1].events) == 3
    with pytest.raises(openai.APIConnectionError):  # a create that does not stream
        client.responses.create(model=MODEL, input="Hi")


def test_input_items_of_a_chain_newest_first(serve) -> None:
    server = serve([reply("Hello Ada."), reply("You are Ada.")])
    client = client_for(server)
    first = client.responses.create(model=MODEL, input="My name is Ada.")
    second = client.responses.create(
        model=MODEL,
        input=[{"role": "user", "content": "What is my name?"}],
        previous_response_id=first.id,
    )
    page = client.responses.input_items.list(second.id)
    texts = [item.content[0].text for item in page.data]
    assert texts == ["What is my name?", "Hello Ada.", "My name is Ada."]
    assert [item.role for item in page.data] == ["user", "assistant", "user"]
    assert page.data[1].id == first.output[0].id
    assert all(item.id.startswith("msg_") for item in page.data)
    ascending = client.responses.input_items.list(second.id, order="asc")
    assert [item.id for item in ascending.data] == [item.id for item in page.data][::-1]
    assert second.usage.input_tokens > first.usage.input_tokens + first.usage.output_tokens
    paged = client.responses.input_items.list(second.id, limit=2)
    assert paged.has_more and len(list(paged)) == 3  # auto-pagination follows `after`


def test_delete_then_404_and_store_false(serve) -> None:
    server = serve([reply("bye"), reply("not kept")])
    client = client_for(server)
    response = client.responses.create(model=MODEL, input="Hi")
    assert client.responses.delete(response.id) is None
    assert raw_body(server) == {"id": response.id, "object": "response.deleted", "deleted": True}
    with pytest.raises(openai.NotFoundError, match=f"Response with id '{response.id}' not found"):
        client.responses.retrieve(response.id)
    unstored = client.responses.create(model=MODEL, input="Hi", store=False)
    assert raw_body(server)["store"] is False
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(unstored.id)
    with pytest.raises(openai.BadRequestError, match="Previous response with id"):
        client.responses.create(model=MODEL, input="Again", previous_response_id=unstored.id)
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve("resp_unknown")


def test_errors_from_the_script(serve) -> None:
    server = serve(
        [
            error(
                400, "Hosted tool 'web_search_preview' is not supported with gpt-x.", param="tools"
            ),
            error(
                429,
                "Rate limit reached.",
                code="rate_limit_exceeded",
                headers={"retry-after-ms": "1"},
                times=3,
            ),
            error(500, "The server had an error.", headers={"retry-after-ms": "1"}),
            reply("recovered"),
        ]
    )
    client = client_for(server)
    with pytest.raises(openai.BadRequestError) as bad:
        client.responses.create(model=MODEL, input="Hi", tools=[{"type": "web_search_preview"}])
    assert bad.value.status_code == 400
    assert bad.value.message.endswith(
        "Hosted tool 'web_search_preview' is not supported with gpt-x."
    )
    assert bad.value.param == "tools" and bad.value.type == "invalid_request_error"
    retrying = client_for(server, max_retries=2)
    with pytest.raises(openai.RateLimitError, match="Rate limit reached"):
        retrying.responses.create(model=MODEL, input="Hi")
    creates = [r for r in server.requests if r.method == "POST"]
    assert len(creates) == 4  # one 400, then one 429 and its two retries
    assert retrying.responses.create(model=MODEL, input="Hi").output_text == "recovered"
    assert not server.unused_steps


def test_api_rules_do_not_consume_steps(serve) -> None:
    server = serve([reply("only one")])
    client = client_for(server)
    conv = client.conversations.create()
    with pytest.raises(openai.BadRequestError, match="previous_response_id"):
        client.responses.create(
            model=MODEL, input="x", previous_response_id="resp_x", conversation=conv.id
        )
    with pytest.raises(openai.NotFoundError, match="Conversation with id"):
        client.responses.create(model=MODEL, input="x", conversation="conv_missing")
    assert len(server.unused_steps) == 1
    assert client.responses.create(model=MODEL, input="x").output_text == "only one"


def test_expect_key_and_azure_paths(serve) -> None:
    key = EXPECTED_KEY
    server = serve([reply("one"), reply("two"), reply("three")], expect_key=key)
    with pytest.raises(openai.AuthenticationError, match="Incorrect API key provided") as wrong:
        client_for(server, api_key=WRONG_KEY).responses.create(model=MODEL, input="x")
    assert wrong.value.code == "invalid_api_key" and "9999" in wrong.value.message
    assert "wrong-key" not in wrong.value.message
    assert (
        client_for(server, api_key=key).responses.create(model=MODEL, input="x").output_text
        == "one"
    )
    azure_v1 = client_for(server, base_url=server.azure_base_url, api_key=key)
    assert azure_v1.responses.create(model="my-deployment", input="x").output_text == "two"
    legacy = openai.AzureOpenAI(
        azure_endpoint=server.origin,
        api_key=key,
        api_version="2025-04-01-preview",
        max_retries=0,
        http_client=_base_client[0]._client,
    )
    third = legacy.responses.create(model="my-deployment", input="x")
    assert third.output_text == "three" and third.model == "my-deployment"
    assert legacy.responses.retrieve(third.id).id == third.id
    seen = server.requests[-1]
    assert seen.headers["api-key"] == key and seen.query["api-version"] == ["2025-04-01-preview"]
    assert seen.path.startswith("/openai/responses/")


def test_conversation_state(serve) -> None:
    server = serve([reply("Hi Ada."), reply("Your name is Ada.")])
    client = client_for(server)
    conv = client.conversations.create(metadata={"topic": "names"})
    assert conv.id.startswith("conv_") and conv.metadata == {"topic": "names"}
    first = client.responses.create(model=MODEL, input="I am Ada.", conversation=conv.id)
    second = client.responses.create(model=MODEL, input="Who am I?", conversation={"id": conv.id})
    assert first.conversation.id == conv.id and second.conversation.id == conv.id
    items = client.conversations.items.list(conv.id, order="asc")
    assert [(i.role, i.content[0].text) for i in items.data] == [
        ("user", "I am Ada."),
        ("assistant", "Hi Ada."),
        ("user", "Who am I?"),
        ("assistant", "Your name is Ada."),
    ]
    history = client.responses.input_items.list(second.id)
    assert [i.content[0].text for i in history.data] == ["Who am I?", "Hi Ada.", "I am Ada."]
    one = client.conversations.items.retrieve(items.data[0].id, conversation_id=conv.id)
    assert one.id == items.data[0].id
    added = client.conversations.items.create(
        conv.id, items=[{"type": "message", "role": "user", "content": "A note."}]
    )
    assert added.data[0].content[0].text == "A note."
    assert client.conversations.delete(conv.id).deleted is True
    with pytest.raises(openai.NotFoundError):
        client.conversations.retrieve(conv.id)


def test_function_call_round_trip_and_incomplete(serve) -> None:
    server = serve(
        [
            reply(function_call("add", {"a": 2, "b": 3})),
            reply(text("2 + 3 = 5, and then the answer was cut")),
            reply(text("A long answer that stops"), incomplete_reason="max_output_tokens"),
            reply(status="failed"),
        ]
    )
    client = client_for(server)
    tools = [{"type": "function", "name": "add", "parameters": {"type": "object"}}]
    call = client.responses.create(model=MODEL, input="2+3?", tools=tools)
    assert raw_body(server)["tools"][0]["strict"] is True
    fc = call.output[0]
    answer = client.responses.create(
        model=MODEL,
        previous_response_id=call.id,
        input=[{"type": "function_call_output", "call_id": fc.call_id, "output": "5"}],
        tools=tools,
    )
    items = client.responses.input_items.list(answer.id).data
    assert [i.type for i in items] == ["function_call_output", "function_call", "message"]
    cut = client.responses.create(model=MODEL, input="Long", max_output_tokens=16)
    assert cut.status == "incomplete" and cut.incomplete_details.reason == "max_output_tokens"
    assert cut.output[0].status == "incomplete" and cut.max_output_tokens == 16
    with client.responses.stream(model=MODEL, input="fail") as stream:
        events = list(stream)
    assert events[-1].type == "response.failed"
    failed = client.responses.retrieve(events[0].response.id)
    assert failed.status == "failed" and failed.error.code == "server_error"


def test_hang_times_out_and_script_faults(serve) -> None:
    server = serve([hang(1.0), disconnect(), reply("ok")])
    client = client_for(server)
    started = time.monotonic()
    with pytest.raises(openai.APITimeoutError):
        client.with_options(timeout=0.2).responses.create(model=MODEL, input="slow")
    assert time.monotonic() - started < 0.9
    with pytest.raises(openai.APIConnectionError):
        client.responses.create(model=MODEL, input="drop")
    assert client.responses.create(model=MODEL, input="fine").output_text == "ok"
    with pytest.raises(openai.InternalServerError, match="no step left"):
        client.responses.create(model=MODEL, input="one too many")
    assert "no step left" in server.errors.pop()  # expected here; the fixture wants none left


def test_the_strict_check_is_not_vacuous() -> None:
    good = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "status": "completed",
        "content": [{"type": "output_text", "text": "x", "annotations": [], "logprobs": []}],
    }
    body = {
        "id": "resp_1",
        "object": "response",
        "created_at": BASE_EPOCH,
        "model": MODEL,
        "output": [good],
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
        "store": True,
    }
    strict(Response, body)
    with pytest.raises(AssertionError, match="annotation"):  # a typo in a nested field
        strict(Response, {**body, "output": [{**good, "annotation": []}]})
    with pytest.raises(ValueError):  # pydantic's ValidationError: a wrong literal
        strict(Response, {**body, "object": "responses"})
    with pytest.raises(ValueError):  # strict mode: no str -> int coercion
        strict(Response, {**body, "created_at": str(BASE_EPOCH)})


def test_unknown_routes_and_missing_key(serve) -> None:
    server = serve([reply("unused")], expect_key=EXPECTED_KEY)
    client = client_for(server, api_key=EXPECTED_KEY)
    with pytest.raises(openai.NotFoundError, match=r"Invalid URL \(GET /v1/nope\)"):
        client.get("/nope", cast_to=object)
    with pytest.raises(openai.BadRequestError, match="Missing required parameter: 'model'"):
        client.post("/responses", body={"input": "x"}, cast_to=object)
    anonymous = _base_client[0]._client.post(f"{server.base_url}/responses", json={"model": MODEL})
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["message"].startswith("You didn't provide an API key.")
    assert anonymous.headers["x-request-id"].startswith("req_")
    assert len(server.unused_steps) == 1


def test_the_command_line_serves_a_scenario_on_the_port_asked(tmp_path) -> None:
    """`python -m fake_api scenarios/NN_name.py --port N` (from any folder): the first line is the
    base URL on port N, the scenario answers, and SIGTERM stops it with status 0."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    scenario = Path(__file__).resolve().parent.parent / "scenarios" / "00_start_here.py"
    proc = subprocess.Popen(
        [sys.executable, "-m", "fake_api", str(scenario), "--port", str(port)],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        base_url = proc.stdout.readline().strip()
        assert base_url == f"http://127.0.0.1:{port}/v1", proc.stderr.read() if not base_url else ""
        client = openai.OpenAI(base_url=base_url, api_key=TEST_KEY, max_retries=0)
        assert client.responses.create(model=MODEL, input="Hello").status == "completed"
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    assert proc.returncode == 0 and err == "", err
