"""The fake API's reasoning (fake_api.reasoning, fake_api.live), through the real SDK: the effort
and summary a response echoes (the model's default when none is asked), the API's 400 for an
effort the model does not take, reasoning items only when the model reasons, encrypted content
when it is included, the stateless round trip of store=False (reasoning items sent back are taken
as they are, never looked up; one without its encrypted content is the API's 404), phase kept on
assistant messages, verbosity echoed, and streams of summaries. Every body and event is validated
strictly (live_strict.py)."""

from __future__ import annotations

import string

import openai
import pytest
from live_strict import MODEL, client_for, last_body, live_servers

from fake_api import FakeResponsesServer, function_call, reasoning, reply, text

TOOLS = [
    {
        "type": "function",
        "name": "get_order",
        "parameters": {
            "type": "object",
            "properties": {"order_id": {"type": "string"}},
            "required": ["order_id"],
            "additionalProperties": False,
        },
        "strict": True,
    }
]
ENCRYPTED = ["reasoning.encrypted_content"]


@pytest.fixture
def serve():
    yield from live_servers()


def test_the_effective_settings_are_echoed_and_none_means_no_reasoning(serve) -> None:
    server = serve(
        [
            reply(text("B, D, C, A.")),
            reply(reasoning(tokens=192), text("B, D, C, A.")),
            reply(reasoning("Placing B and D first.", tokens=700), text("B, D, C, A.")),
            reply(reasoning(tokens=900), text("B, D, C, A.")),
            reply(text("B, D, C, A.")),
        ]
    )
    client = client_for(server)
    default = client.responses.create(model=MODEL, input="Order the talks.")
    assert default.reasoning.effort == "none" and default.reasoning.summary is None
    assert [i.type for i in default.output] == ["message"]
    assert default.usage.output_tokens_details.reasoning_tokens == 0
    low = client.responses.create(
        model=MODEL, input="Order the talks.", reasoning={"effort": "low"}
    )
    assert low.reasoning.effort == "low" and low.usage.output_tokens_details.reasoning_tokens == 192
    auto = client.responses.create(
        model=MODEL, input="Order the talks.", reasoning={"effort": "medium", "summary": "auto"}
    )
    assert auto.reasoning.summary == "detailed"  # as real gpt-5.2 traffic echoes "auto"
    assert auto.output[0].summary[0].text == "Placing B and D first."
    gpt55 = client.responses.create(model="gpt-5.5", input="Order the talks.")
    assert gpt55.reasoning.effort == "medium"  # the reasoning guide: gpt-5.5 defaults to medium
    azure = client.responses.create(model="my-deployment", input="Order the talks.")
    assert azure.reasoning.effort is None  # nothing is known about a deployment's model
    # Latency from the body grows with the output tokens.
    seconds = [r.completed_at - r.created_at for r in (default, low, auto)]
    assert seconds == sorted(seconds) and seconds[0] >= 1


def test_an_effort_the_model_does_not_take_is_the_apis_400(serve) -> None:
    server = serve([reply(text("unused"))])
    client = client_for(server)
    with pytest.raises(openai.BadRequestError) as err:
        client.responses.create(model=MODEL, input="x", reasoning={"effort": "minimal"})
    assert err.value.body == {
        "message": "Unsupported value: 'minimal' is not supported with the 'gpt-5.4-mini' model. "
        "Supported values are: 'none', 'low', 'medium', 'high', and 'xhigh'.",
        "type": "invalid_request_error",
        "param": "reasoning.effort",
        "code": "unsupported_value",
    }
    with pytest.raises(openai.BadRequestError, match="'reasoning.effort' is not supported with"):
        client.responses.create(model="gpt-4o", input="x", reasoning={"effort": "low"})
    assert len(server.unused_steps) == 1


def test_a_reasoning_item_for_a_request_that_does_not_reason_is_a_scripting_mistake() -> None:
    steps = [reply(reasoning(tokens=64), text("Paris."))]
    with FakeResponsesServer(steps, live_shapes=True) as server:
        with pytest.raises(openai.InternalServerError):
            client_for(server).responses.create(model=MODEL, input="Capital of France?")
        assert "effective reasoning effort is 'none'" in server.errors[0]
    with FakeResponsesServer(steps) as server:  # the course's first shapes did not check it
        assert client_for(server).responses.create(model=MODEL, input="x").output[0].type


def test_encrypted_content_when_included_and_partial_when_announced(serve) -> None:
    steps = [
        reply(reasoning("Look it up.", tokens=96), function_call("get_order", {"order_id": "A-1"}))
    ]
    server = serve(steps * 2)
    client = client_for(server)
    plain = client.responses.create(model=MODEL, input="x", reasoning={"effort": "low"})
    assert plain.output[0].encrypted_content is None and plain.output[0].summary == []
    with client.responses.stream(
        model=MODEL,
        input="x",
        reasoning={"effort": "low", "summary": "concise"},
        include=ENCRYPTED,
    ) as stream:
        kinds = [e.type for e in stream]
        final = stream.get_final_response()
    assert final.reasoning.summary == "concise"
    assert "response.reasoning_summary_text.delta" in kinds
    events = server.answers[-1].events
    added, done = (
        next(e["item"] for e in events if e["type"] == kind and e["item"]["type"] == "reasoning")
        for kind in ("response.output_item.added", "response.output_item.done")
    )
    assert done["encrypted_content"] == final.output[0].encrypted_content
    sealed = done["encrypted_content"]  # shaped like a live one: a long Fernet token
    assert sealed.startswith("gAAAAAB") and sealed.endswith("=") and len(sealed) > 1000
    assert set(sealed[:-1]) <= set(string.ascii_letters + string.digits + "-_")
    assert added["encrypted_content"] and added["encrypted_content"] != done["encrypted_content"]
    assert all("obfuscation" in e for e in events if e["type"].endswith(".delta"))


def test_stateless_round_trip_takes_encrypted_reasoning_back_without_looking_it_up(serve) -> None:
    server = serve(
        [
            reply(
                reasoning(tokens=128),
                text("Let me look up order A-1.", phase="commentary"),
                function_call("get_order", {"order_id": "A-1"}),
            ),
            reply(reasoning(tokens=96), text("It is 4 days late: you get the fee back.")),
            reply(text("unused")),
        ]
    )
    client = client_for(server)
    history = [{"role": "user", "content": "Is order A-1 late?"}]
    options = dict(
        model=MODEL, store=False, include=ENCRYPTED, reasoning={"effort": "low"}, tools=TOOLS
    )
    first = client.responses.create(input=history, **options)
    assert [i.type for i in first.output] == ["reasoning", "message", "function_call"]
    assert first.output[1].phase == "commentary" and last_body(server)["store"] is False
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(first.id)  # nothing was stored
    call = first.output[2]
    output = {"type": "function_call_output", "call_id": call.call_id, "output": '{"late": 4}'}
    second = client.responses.create(input=[*history, *first.output, output], **options)
    assert second.output_text.startswith("It is 4 days late") and second.output[1].phase == (
        "final_answer"
    )
    sent = server.requests[-1].body["input"]
    assert [i.get("type", "message") for i in sent] == [
        "message", "reasoning", "message", "function_call", "function_call_output",
    ]  # fmt: skip
    assert sent[1]["encrypted_content"] and sent[2]["phase"] == "commentary"
    # An item that carries its encrypted content is never looked up, whatever its id.
    forged = {**sent[1], "id": "rs_never_seen"}
    # Without it, the API has nothing to read the reasoning from: its 404.
    bare = {k: v for k, v in sent[1].items() if k != "encrypted_content"}
    with pytest.raises(openai.NotFoundError) as err:
        client.responses.create(input=[*history, bare, sent[3], output], **options)
    assert err.value.body["message"] == (
        f"Item with id '{bare['id']}' not found. Items are not persisted when `store` is set to "
        "false. Try again with `store` set to true, or remove this item from your input."
    )
    assert err.value.param == "input"
    assert client.responses.create(input=[*history, forged, sent[3], output], **options)


def test_reasoning_items_of_a_stored_response_can_go_back_by_id(serve) -> None:
    server = serve(
        [
            reply(
                reasoning(tokens=64),
                text("Checking A-1.", phase="commentary"),
                function_call("get_order", {"order_id": "A-1"}),
            ),
            reply(reasoning(tokens=64), text("On time.")),
        ]
    )
    client = client_for(server)
    first = client.responses.create(
        model=MODEL, input="A-1?", tools=TOOLS, reasoning={"effort": "low"}
    )
    item = first.output[0].model_dump(exclude_none=True)  # no encrypted_content: found by id
    output = {"type": "function_call_output", "call_id": first.output[2].call_id, "output": "{}"}
    second = client.responses.create(
        model=MODEL,
        input=[item, *first.output[1:], output],
        tools=TOOLS,
        reasoning={"effort": "low"},
    )
    assert second.output_text == "On time."
    listed = client.responses.input_items.list(second.id, order="asc").data
    assert [i.type for i in listed] == [
        "reasoning",
        "message",
        "function_call",
        "function_call_output",
    ]
    assert listed[1].phase == "commentary"  # kept on the assistant message sent back


def test_verbosity_is_echoed(serve) -> None:
    server = serve([reply(text("Short.")), reply(text("A much longer answer. " * 10))])
    client = client_for(server)
    low = client.responses.create(model=MODEL, input="Explain.", text={"verbosity": "low"})
    high = client.responses.create(model=MODEL, input="Explain.", text={"verbosity": "high"})
    assert (low.text.verbosity, high.text.verbosity) == ("low", "high")
    assert low.text.format.type == "text"
    assert high.usage.output_tokens > low.usage.output_tokens
