"""The fake API's context management through the real SDK: ``client.responses.input_tokens.count``
(POST /responses/input_tokens), ``client.responses.compact`` (POST /responses/compact),
``context_management`` on a create, and ``background_options``. Every body is validated strictly
against the pinned SDK's types (live_strict.py), the user messages of a compacted window as the
input message items they are."""

from __future__ import annotations

import warnings

import openai
import pytest
from live_strict import MODEL, client_for, live_servers

from fake_api import reasoning, reply, text

ANSWERS = [
    "Why do programmers prefer dark mode? Because light attracts bugs.",
    "A SQL query walks into a bar, goes up to two tables and asks: 'Can I join you?' "
    "The bartender says they only serve regulars, so it leaves without a result.",
    "Because the joke turns a database operation into an awkward social moment at a bar.",
]
QUESTIONS = ["Tell me a programmer joke.", "Another one, about databases.", "Why is it funny?"]


@pytest.fixture
def serve():
    yield from live_servers()


def chain(client, **options):
    """Three stored turns, each continuing the one before."""
    turns = []
    for question in QUESTIONS:
        previous = {"previous_response_id": turns[-1].id} if turns else {}
        turns.append(client.responses.create(model=MODEL, input=question, **previous, **options))
    return turns


def test_the_count_is_what_the_same_request_then_reports_as_its_input(serve) -> None:
    server = serve([reply(text(a)) for a in ANSWERS] + [reply(text("Ha."))] * 2)
    client = client_for(server)
    turns = chain(client)
    steps_before = len(server.unused_steps)
    ahead = client.responses.input_tokens.count(
        model=MODEL, previous_response_id=turns[-1].id, input="One more, please."
    )
    assert ahead.object == "response.input_tokens"
    assert len(server.unused_steps) == steps_before  # counting answers nothing from the script
    sent = client.responses.create(
        model=MODEL, previous_response_id=turns[-1].id, input="One more, please."
    )
    assert ahead.input_tokens == sent.usage.input_tokens > turns[-1].usage.input_tokens
    tools = [{"type": "function", "name": "f", "parameters": {"type": "object"}, "strict": False}]
    alone = client.responses.input_tokens.count(
        model=MODEL, input="Hi.", instructions="Be brief.", tools=tools
    )
    answered = client.responses.create(
        model=MODEL, input="Hi.", instructions="Be brief.", tools=tools
    )
    assert alone.input_tokens == answered.usage.input_tokens


def test_counting_refuses_what_a_create_refuses(serve) -> None:
    server = serve([reply(text("unused"))])
    client = client_for(server)
    with pytest.raises(openai.BadRequestError) as missing:
        client.responses.input_tokens.count(
            model=MODEL, previous_response_id="resp_nope", input="x"
        )
    assert missing.value.code == "previous_response_not_found"
    with pytest.raises(openai.BadRequestError) as both:
        client.responses.input_tokens.count(
            model=MODEL, previous_response_id="resp_x", conversation="conv_x", input="x"
        )
    assert both.value.code == "mutually_exclusive_parameters"


def test_compact_keeps_the_user_messages_and_one_item_that_costs_less(serve) -> None:
    server = serve([reply(text(a)) for a in ANSWERS] + [reply(text("Ha."))])
    client = client_for(server)
    turns = chain(client)
    compacted = client.responses.compact(model=MODEL, previous_response_id=turns[-1].id)
    assert compacted.object == "response.compaction"
    assert [item.type for item in compacted.output] == ["message"] * 3 + ["compaction"]
    users = compacted.output[:3]
    assert [m.role for m in users] == ["user"] * 3
    assert [m.content[0].text for m in users] == QUESTIONS
    item = compacted.output[-1]
    assert item.id.startswith("cmp_") and item.encrypted_content.startswith("gAAAAAB")
    whole = client.responses.input_tokens.count(model=MODEL, previous_response_id=turns[-1].id)
    assert compacted.usage.input_tokens == whole.input_tokens
    assert 0 < compacted.usage.output_tokens < compacted.usage.input_tokens

    # The compacted window is the input of the next request: statelessly, it reads less. The
    # SDK parses its user messages with the output message type (assistant only), so sending
    # the objects back makes pydantic warn; their dicts go back as they came, silently.
    follow_up = {"role": "user", "content": "One more."}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        window = compacted.to_dict(warnings=False)["output"]
    assert window == server.answers[-2].body["output"]
    via_chain = client.responses.input_tokens.count(
        model=MODEL, previous_response_id=turns[-1].id, input=[follow_up]
    )
    via_window = client.responses.input_tokens.count(model=MODEL, input=[*window, follow_up])
    assert via_window.input_tokens < via_chain.input_tokens
    answered = client.responses.create(model=MODEL, input=[*window, follow_up], store=False)
    assert answered.usage.input_tokens == via_window.input_tokens
    # Nothing of the compaction was stored as a response.
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(compacted.id)


def test_compact_takes_an_input_list_and_refuses_an_empty_window(serve) -> None:
    server = serve()
    client = client_for(server)
    window = [
        {"role": "user", "content": QUESTIONS[0]},
        {"role": "assistant", "content": ANSWERS[0]},
        {"role": "user", "content": QUESTIONS[1]},
    ]
    compacted = client.responses.compact(model=MODEL, input=window)
    assert [(i.type, getattr(i, "role", None)) for i in compacted.output] == [
        ("message", "user"),
        ("message", "user"),
        ("compaction", None),
    ]
    with pytest.raises(openai.BadRequestError) as nothing:
        client.responses.compact(model=MODEL)
    assert nothing.value.code == "missing_required_parameter"
    with pytest.raises(openai.BadRequestError) as no_model:
        client.responses.compact(model="", input="x")
    assert no_model.value.param == "model"


def test_context_management_compacts_only_past_its_threshold(serve) -> None:
    server = serve(
        [reply(text(a)) for a in ANSWERS]
        + [reply(text("Ha.")), reply(text("Ha ha.")), reply(text("Enough."))]
    )
    client = client_for(server)
    turns = chain(client)
    ahead = client.responses.input_tokens.count(
        model=MODEL, previous_response_id=turns[-1].id, input="One more."
    )
    below = client.responses.create(
        model=MODEL,
        previous_response_id=turns[-1].id,
        input="One more.",
        context_management=[{"type": "compaction", "compact_threshold": ahead.input_tokens}],
    )
    assert [i.type for i in below.output] == ["message"]
    assert below.usage.input_tokens == ahead.input_tokens
    past = client.responses.create(
        model=MODEL,
        previous_response_id=turns[-1].id,
        input="One more.",
        context_management=[{"type": "compaction", "compact_threshold": 20}],
    )
    assert [i.type for i in past.output] == ["compaction", "message"]
    assert past.output_text == "Ha ha."
    assert past.usage.input_tokens < ahead.input_tokens
    # A later turn by previous_response_id reads the chain from its latest compaction item on.
    after = client.responses.create(model=MODEL, previous_response_id=past.id, input="Stop.")
    uncompacted = client.responses.input_tokens.count(
        model=MODEL, previous_response_id=below.id, input="Stop."
    )
    assert after.usage.input_tokens < uncompacted.input_tokens


def test_a_malformed_context_management_is_refused_before_the_script_moves(serve) -> None:
    server = serve([reply(text("Still here."))])
    client = client_for(server)
    with pytest.raises(openai.BadRequestError) as wrong:
        client.responses.create(model=MODEL, input="x", context_management=[{"type": "truncation"}])
    assert wrong.value.param == "context_management[0].type"
    with pytest.raises(openai.BadRequestError) as negative:
        client.responses.create(
            model=MODEL,
            input="x",
            context_management=[{"type": "compaction", "compact_threshold": -5}],
        )
    assert negative.value.param == "context_management[0].compact_threshold"
    assert client.responses.create(model=MODEL, input="x").output_text == "Still here."


def test_background_options_follow_the_sdks_rules(serve) -> None:
    server = serve([reply(reasoning(tokens=64), text("Done."), background=["queued", "completed"])])
    client = client_for(server)
    for bad in (
        {"background_options": {"completion_window": "8h"}},  # not in the background
        {"background_options": {"completion_window": "8h"}, "background": True, "stream": True},
        {"background_options": {"completion_window": "1h"}, "background": True},
        {"background_options": {"completion_window": "2h"}, "background": True}
        | {"service_tier": "priority"},
    ):
        with pytest.raises(openai.BadRequestError) as refused:
            client.responses.create(model="gpt-5.5", input="x", **bad)
        assert refused.value.param == "background_options.completion_window"
    job = client.responses.create(
        model="gpt-5.5",
        input="x",
        background=True,
        store=True,
        background_options={"completion_window": "8h", "continuation_id": "course-demo"},
    )
    assert job.status == "queued"
    assert client.responses.retrieve(job.id).output_text == "Done."
