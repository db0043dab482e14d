"""What the fake server writes with ``live_shapes=True`` has the fields real traffic has.

For each kind of object that occurs in ../shared/real-traffic (response bodies and what they hold,
output items, search actions, content parts, annotations, streamed events and the items and parts
they carry; ``tests/shapes.py`` lists them), the fields the fake server writes over a script that
covers each of them are compared with the fields real traffic carries: a field the newest real
occurrence has that the fake lacks, a field the fake writes that no real occurrence has, and a
value of a JSON type real traffic never sent there are differences. Each difference must be on
``ALLOWED`` below, with the reason it is allowed; an entry that no longer matches anything fails
too, so the list stays short and true. Without the folder (a user's clone) the test skips, saying
why.
"""

from __future__ import annotations

import json
from pathlib import Path

import openai
import pytest
from shapes import Difference, Shapes, collect, compare

from fake_api import (
    FakeResponsesServer,
    function_call,
    reasoning,
    reply,
    text,
    web_search,
)

REPO = Path(__file__).resolve().parent.parent
REAL = REPO.parent / "shared" / "real-traffic"
MODEL = "gpt-5.4-mini"
SEARCH = [{"type": "web_search"}]
INCLUDE = ["reasoning.encrypted_content", "web_search_call.action.sources"]
TOOLS = [
    {
        "type": "function",
        "name": "get_weather",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
            "additionalProperties": False,
        },
        "strict": True,
    }
]
BRITANNICA = "https://www.britannica.com/place/Mount-Columbia"
ANSWER = "The tallest mountain in Alberta is Mount Columbia, at 3,747 m."
QUOTA = {"code": "insufficient_quota", "message": "You exceeded your current quota."}

# (kind, field, what) -> why the difference is allowed. "*" stands for a whole kind.
ALLOWED: dict[tuple[str, str, str], str] = {
    # Kinds the fake server never writes.
    ("item code_interpreter_call", "*", "unwritten"): "no lesson runs the code interpreter",
    ("item file_search_call", "*", "unwritten"): "no lesson runs file search",
    ("tool code_interpreter", "*", "unwritten"): "no lesson runs the code interpreter",
    ("tool file_search", "*", "unwritten"): "no lesson runs file search",
    ("annotation file_citation", "*", "unwritten"): "no lesson runs file search",
    ("source api", "*", "unwritten"): (
        "the lessons' searches consult web pages; the API's own sources (oai-weather) are not "
        "scripted"
    ),
    # Fields of the newest real occurrence that the fake leaves out.
    ("reasoning", "context", "missing"): (
        "only gpt-5.6 echoes it (2026-08: all_turns, its family's default per the SDK); no real "
        "body of the course's models shows whether they do, and gpt-5.2's does not"
    ),
    ("reasoning", "mode", "missing"): "as for context (gpt-5.6 echoes mode: standard)",
    # Fields the fake writes that real traffic does not show.
    ("added message", "phase", "extra"): (
        "no real stream of a gpt-5.3+ model; their bodies carry phase (gpt-5.6) and the SDK asks "
        "clients to send it back, so the streamed item has it as the finished one does"
    ),
    ("done message", "phase", "extra"): "as for the added message",
    ("background added message", "phase", "extra"): "as for the added message",
    ("background done message", "phase", "extra"): "as for the added message",
    ("event response.function_call_arguments.delta", "obfuscation", "extra"): (
        "the only real case is from 2025-03, before obfuscation; the SDK's include_obfuscation "
        "docstring puts it on every streaming delta event"
    ),
    ("event response.function_call_arguments.delta", "sequence_number", "extra"): (
        "the only real case is from 2025-03, before sequence numbers; the SDK requires it"
    ),
    ("event response.function_call_arguments.done", "sequence_number", "extra"): (
        "as for the delta"
    ),
}


def real_shapes() -> Shapes:
    shapes: Shapes = {}
    for path in sorted(REAL.glob("*.json")):
        case = json.loads(path.read_text())
        answers = []
        for interaction in case["interactions"]:
            res = interaction["response"]
            events = [e["data"] for e in res.get("events", [])]
            answers.append((res.get("body"), events or None))
        collect(answers, case["meta"]["recorded_at"], path.stem, shapes)
    return shapes


def fake_answers() -> list:
    """A script over every kind real traffic has that the fake server writes, with the
    requests real traffic made for them, through the SDK, as the fake server sends it."""
    searched = text(ANSWER, citations=[("Mount Columbia", BRITANNICA, "Mount Columbia")])
    steps = [
        reply(text("Paris.")),
        reply(
            web_search("tallest mountain in Alberta", sources=[BRITANNICA]),
            searched,
            usage={"output_tokens_details": {"reasoning_tokens": 49}},
        ),
        reply(
            reasoning("**Writing factorial**\n\nA loop will do.", tokens=59), text("def f(): ...")
        ),
        reply(
            function_call("get_weather", {"city": "Paris"}),
            function_call("get_weather", {"city": "Rome"}),
        ),
        reply(text("Sunny in both.")),
        reply(
            reasoning(tokens=96),
            web_search("tallest mountain in Alberta", sources=[BRITANNICA]),
            reasoning(tokens=64),
            searched,
        ),
        reply(function_call("get_weather", {"city": "Paris"})),
        reply(text("It is sunny in Paris.")),
        reply(text("4."), background=["queued", "in_progress", "completed"]),
        reply(text("4.")),
        reply(status="failed", failure=QUOTA, error_event=True),
        reply(text("2 + 2 = 4.")),
    ]
    with FakeResponsesServer(steps, live_shapes=True) as server:
        client = openai.OpenAI(api_key="sk-shapes", base_url=server.base_url, max_retries=0)
        create = client.responses.create
        create(model=MODEL, input="Capital of France?")
        create(model=MODEL, input="Tallest?", tools=SEARCH, include=INCLUDE)
        create(
            model=MODEL,
            input="Factorial?",
            reasoning={"effort": "high", "summary": "auto"},
            include=INCLUDE[:1],
        )
        calls = create(model=MODEL, input="Weather?", tools=TOOLS)
        outputs = [
            {"type": "function_call_output", "call_id": c.call_id, "output": '"sunny"'}
            for c in calls.output
        ]
        create(model=MODEL, input=outputs, previous_response_id=calls.id, tools=TOOLS)
        list(create(model="gpt-5.5", input="Tallest?", tools=SEARCH, include=INCLUDE, stream=True))
        called = list(create(model=MODEL, input="Weather?", tools=TOOLS, stream=True))
        call = called[-1].response.output[0]
        output = {"type": "function_call_output", "call_id": call.call_id, "output": '"sunny"'}
        list(create(model=MODEL, input=[output], previous_response_id=called[-1].response.id,
                    tools=TOOLS, stream=True))  # fmt: skip
        job = create(model=MODEL, input="2 + 2?", background=True, store=True)
        while client.responses.retrieve(job.id).status != "completed":
            pass
        job = create(model=MODEL, input="2 + 2?", background=True, store=True, stream=True)
        first = next(iter(job))
        list(client.responses.retrieve(first.response.id, stream=True, starting_after=0))
        with pytest.raises(openai.APIError):
            list(create(model=MODEL, input="Hello", stream=True))
        create(model=MODEL, input="2 + 2?", tools=[{"type": "web_search_preview"}])
        assert server.errors == [] and not server.unused_steps
        return [(a.body, a.events) for a in server.answers]


def differences() -> list[Difference]:
    return compare(real_shapes(), collect(fake_answers(), "", "fake", {}))


needs_real_traffic = pytest.mark.skipif(
    not REAL.is_dir(),
    reason="no real traffic beside this clone: ../shared/real-traffic/ (relative to the "
    "repository root) is absent; CI has it, a user's clone does not need it",
)


@needs_real_traffic
def test_the_fake_servers_live_shapes_have_the_fields_real_traffic_has():
    found = differences()
    unexplained = [str(d) for d in found if (d.kind, d.field, d.what) not in ALLOWED]
    assert unexplained == [], "differences from real traffic:\n  " + "\n  ".join(unexplained)
    stale = sorted(set(ALLOWED) - {(d.kind, d.field, d.what) for d in found})
    assert stale == [], f"allowed differences that no longer occur (take them out): {stale}"


@needs_real_traffic
def test_a_deliberate_divergence_is_reported(monkeypatch):
    # The fake server stops sending obfuscation on deltas and writes a misspelt search field.
    from fake_api import bodies, live

    monkeypatch.setattr(live, "OBFUSCATION_WIDTH", 0)
    original = live.decorate_events

    def without_obfuscation(events, request):
        original(events, request)
        for event in events:
            event.pop("obfuscation", None)

    monkeypatch.setattr(live, "decorate_events", without_obfuscation)
    render = bodies.render_item

    def misspelt(*args, **kwargs):
        item, tokens = render(*args, **kwargs)
        if item["type"] == "web_search_call" and item["action"]["type"] == "search":
            item["action"]["querys"] = item["action"].pop("queries")
        return item, tokens

    monkeypatch.setattr(bodies, "render_item", misspelt)
    found = {str(d) for d in differences() if (d.kind, d.field, d.what) not in ALLOWED}
    assert "event response.output_text.delta: missing obfuscation (real on 2026-01-23)" in found
    assert "action search: extra querys" in found
    assert any(d.startswith("action search: missing queries") for d in found)
