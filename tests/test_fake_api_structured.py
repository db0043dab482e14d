"""The fake API's structured outputs (fake_api.formats), through the real SDK: a json_schema or
json_object format echoed as the live API echoes it, the SDK's parse() and stream(text_format=),
the API's 400s for a schema strict mode rejects and for JSON mode without the word JSON, refusals,
answers cut by max_output_tokens, and scripted answers that do not match their schema caught as
scripting mistakes. Every body and event is validated strictly (live_strict.py)."""

from __future__ import annotations

import json
from typing import Literal

import openai
import pydantic
import pytest
from live_strict import MODEL, client_for, last_body, live_servers
from pydantic import BaseModel

from fake_api import FakeResponsesServer, function_call, reply, text
from fake_api.formats import conforms, strict_problem
from fake_api.steps import refusal


@pytest.fixture
def serve():
    yield from live_servers()


class Ticket(BaseModel):
    title: str
    severity: Literal["low", "high"]
    version: str | None
    steps: list[str]


GOOD = '{"title":"Export crashes","severity":"high","version":"2.3.1","steps":["Open","Export"]}'
SCHEMA = {
    "type": "object",
    "properties": {"title": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}}},
    "required": ["title", "tags"],
    "additionalProperties": False,
}  # fmt: skip


def fmt(schema=SCHEMA, **extra):
    return {"format": {"type": "json_schema", "name": "ticket", "schema": schema, **extra}}


def test_json_schema_is_echoed_as_the_live_api_echoes_it(serve) -> None:
    server = serve([reply(text('{"title":"Crash","tags":["pdf"]}'))])
    response = client_for(server).responses.create(
        model=MODEL, input="Report", text=fmt(strict=True)
    )
    body = last_body(server)
    assert body["text"] == {
        "format": {
            "description": None,
            "name": "ticket",
            "schema": SCHEMA,
            "strict": True,
            "type": "json_schema",
        },
        "verbosity": "medium",
    }
    assert response.text.format.schema_ == SCHEMA
    assert json.loads(response.output_text) == {"title": "Crash", "tags": ["pdf"]}
    # The live shapes of late 2026: a dated snapshot, phase, top_p and billing.
    assert body["model"] == "gpt-5.4-mini-2026-03-17" and body["top_p"] == 0.98
    assert body["output"][0]["phase"] == "final_answer"
    assert body["billing"] == {"payer": "developer"}
    assert body["frequency_penalty"] == body["presence_penalty"] == 0.0
    assert body["tool_usage"]["web_search"] == {"num_requests": 0}
    # The schema is read by the model: it costs input tokens.
    assert response.usage.input_tokens > 20


def test_parse_sends_the_models_schema_and_reads_output_parsed(serve) -> None:
    server = serve([reply(text(GOOD))])
    parsed = client_for(server).responses.parse(model=MODEL, input="Report", text_format=Ticket)
    sent = server.requests[-1].body["text"]["format"]
    assert sent["type"] == "json_schema" and sent["strict"] is True and sent["name"] == "Ticket"
    assert sent["schema"]["additionalProperties"] is False
    assert last_body(server)["text"]["format"]["schema"] == sent["schema"]
    assert parsed.output_parsed == Ticket(
        title="Export crashes", severity="high", version="2.3.1", steps=["Open", "Export"]
    )


def test_a_schema_strict_mode_rejects_is_the_apis_400_and_uses_no_step(serve) -> None:
    server = serve([reply(text('{"title":"Crash","tags":[]}'))])
    client = client_for(server)
    loose = {k: v for k, v in SCHEMA.items() if k != "additionalProperties"}
    with pytest.raises(openai.BadRequestError) as err:
        client.responses.create(model=MODEL, input="Report", text=fmt(loose, strict=True))
    assert err.value.body == {
        "message": "Invalid schema for response_format 'ticket': In context=(), "
        "'additionalProperties' is required to be supplied and to be false.",
        "type": "invalid_request_error",
        "param": "text.format.schema",
        "code": "invalid_json_schema",
    }
    partial = {**SCHEMA, "required": ["title"]}
    with pytest.raises(
        openai.BadRequestError, match=r"including every key in properties\. Missing 'tags'"
    ):
        client.responses.create(model=MODEL, input="Report", text=fmt(partial, strict=True))  # fmt: skip
    # Without strict, the schema is a hint, not a rule: the API takes it.
    response = client.responses.create(model=MODEL, input="Report", text=fmt(loose))
    assert response.text.format.strict is False and not server.unused_steps


@pytest.mark.parametrize(
    ("schema", "problem"),
    [
        ({"type": "array", "items": {"type": "string"}}, "type: \"object\"', got 'type: \"array\"'"),
        (
            {"type": "object", "properties": {"a": {"type": "object", "properties": {}}},
             "required": ["a"], "additionalProperties": False},
            "In context=('properties', 'a'), 'additionalProperties' is required",
        ),
        (
            {"type": "object", "properties": {"a": {"description": "no type"}}, "required": ["a"],
             "additionalProperties": False},
            "In context=('properties', 'a'), schema must have a 'type' key.",
        ),
        (
            {"type": "object", "properties": {"a": {"$ref": "#/$defs/A"}}, "required": ["a"],
             "additionalProperties": False,
             "$defs": {"A": {"type": "object", "properties": {"b": {"type": "string"}},
                             "additionalProperties": False}}},
            "In context=('$defs', 'A'), 'required' is required",
        ),
    ],
)  # fmt: skip
def test_strict_mode_rules(schema, problem) -> None:
    assert problem in strict_problem(schema)
    assert strict_problem(SCHEMA) is None
    assert strict_problem(Ticket.model_json_schema()) is not None  # pydantic's own is not strict


def test_json_object_needs_the_word_json_in_an_input_message(serve) -> None:
    server = serve([reply(text('{"summary":"PDF export crashes","severity":"High"}'))])
    client = client_for(server)
    json_mode = {"format": {"type": "json_object"}}
    with pytest.raises(openai.BadRequestError) as err:
        client.responses.create(
            model=MODEL, instructions="Reply in JSON.", input="Report: it crashes", text=json_mode
        )
    assert err.value.body["message"] == (
        "Response input messages must contain the word 'json' in some form to use 'text.format' "
        "of type 'json_object'."
    )
    assert err.value.param == "text.format" and err.value.code is None
    response = client.responses.create(
        model=MODEL,
        input=[{"role": "user", "content": [{"type": "input_text", "text": "Answer in JSON."}]}],
        text=json_mode,
    )
    assert last_body(server)["text"]["format"] == {"type": "json_object"}
    assert json.loads(response.output_text)["severity"] == "High"


def test_a_refusal_part_leaves_output_parsed_empty(serve) -> None:
    server = serve([reply(refusal("I'm sorry, but I can't help with that."))])
    parsed = client_for(server).responses.parse(model=MODEL, input="Harm", text_format=Ticket)
    assert parsed.status == "completed" and parsed.output_parsed is None
    assert parsed.output_text == ""
    assert [(p.type, p.refusal) for p in parsed.output[0].content] == [
        ("refusal", "I'm sorry, but I can't help with that.")
    ]


def test_an_answer_cut_by_max_output_tokens_used_them_all_and_does_not_parse(serve) -> None:
    cut = '{"title":"Export crashes","severity":"high","version":"2.3.1","steps":["Open any'
    server = serve([reply(text(cut), incomplete_reason="max_output_tokens")] * 2)
    client = client_for(server)
    response = client.responses.create(
        model=MODEL, input="Report", text=fmt(strict=True), max_output_tokens=24
    )
    assert response.status == "incomplete"
    assert response.incomplete_details.reason == "max_output_tokens"
    assert response.usage.output_tokens == 24 and response.output[0].status == "incomplete"
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.output_text)
    with pytest.raises(pydantic.ValidationError, match="EOF while parsing"):
        client.responses.parse(
            model=MODEL, input="Report", text_format=Ticket, max_output_tokens=24
        )


def test_structured_stream_token_deltas_with_obfuscation_and_parsed_done(serve) -> None:
    server = serve([reply(text(GOOD))])
    client = client_for(server)
    with client.responses.stream(model=MODEL, input="Report", text_format=Ticket) as stream:
        done = [e for e in stream if e.type == "response.output_text.done"]
        final = stream.get_final_response()
    assert done[0].parsed == final.output_parsed and final.output_parsed.version == "2.3.1"
    deltas = [e for e in server.answers[-1].events if e["type"] == "response.output_text.delta"]
    assert "".join(d["delta"] for d in deltas) == GOOD
    assert deltas[0]["delta"] == '{"' and deltas[1]["delta"] == "title"  # about a token each
    assert len(deltas) > 20
    assert all(
        len(d["delta"]) + len(d["obfuscation"]) == 16 for d in deltas if len(d["delta"]) < 16
    )
    assert all(d["obfuscation"].isalnum() for d in deltas)
    # Obfuscation can be turned off, as the SDK's stream_options docstring says.
    quiet = serve([reply(text(GOOD))])
    events = list(
        client_for(quiet).responses.create(
            model=MODEL, input="Report", stream=True, stream_options={"include_obfuscation": False}
        )
    )
    assert not any("obfuscation" in (e.model_extra or {}) for e in events)


def test_function_tools_with_parsed_arguments(serve) -> None:
    server = serve([reply(function_call("file_ticket", json.loads(GOOD)))])
    tool = openai.pydantic_responses_function_tool(Ticket, name="file_ticket")
    filed = client_for(server).responses.parse(model=MODEL, input="Two bugs", tools=[tool])
    assert filed.output[0].parsed_arguments.steps == ["Open", "Export"]
    assert last_body(server)["tools"][0]["strict"] is True


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        ('{"title": "Crash"}', "the required key 'tags' is missing"),
        ('{"title": "Crash", "tags": [1]}', "$.tags[0]: 1 is not of type string"),
        ('{"title": "Crash", "tags": [], "extra": 1}', "the key 'extra' is not in the schema"),
        ("Sure! Here is the ticket.", "not JSON"),
    ],
)
def test_a_scripted_answer_that_breaks_its_schema_is_a_scripting_mistake(answer, why) -> None:
    with FakeResponsesServer([reply(text(answer))], live_shapes=True) as server:
        with pytest.raises(openai.InternalServerError, match="fake_api: RuntimeError"):
            client_for(server).responses.create(model=MODEL, input="x", text=fmt(strict=True))
        assert why in server.errors[0]


def test_conforms_follows_refs_and_unions() -> None:
    schema = Ticket.model_json_schema()
    assert conforms(json.loads(GOOD), schema, schema) == ""
    assert "matches no branch" in conforms({**json.loads(GOOD), "version": 2}, schema, schema)
    assert "is not one of" in conforms({**json.loads(GOOD), "severity": "medium"}, schema, schema)


def test_without_live_shapes_the_first_shapes_stay() -> None:
    """The recordings of 00-06 were made without live_shapes: their bodies and streams must come
    out as before, whatever live_shapes adds."""
    with FakeResponsesServer([reply(text("One two three four five."))]) as server:
        with client_for(server).responses.stream(model=MODEL, input="Count") as stream:
            stream.get_final_response()
        events = server.answers[-1].events
    final = events[-1]["response"]
    assert final["model"] == MODEL and final["top_p"] == 1.0
    assert not {"billing", "tool_usage", "frequency_penalty"} & set(final)
    assert "phase" not in final["output"][0]
    deltas = [e for e in events if e["type"] == "response.output_text.delta"]
    assert [d["delta"] for d in deltas] == ["One two three", " four five."]  # three words each
    assert not any("obfuscation" in d for d in deltas)
