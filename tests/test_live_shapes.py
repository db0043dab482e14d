"""The fake server in the live API's own shapes (fake_api.live): usage without cache_write_tokens,
a web search announced without its action, an error event nested under ``error``. The SDK takes
them, make record saves a notebook recorded against them (noting how they differ from the SDK's
types), and nbval then passes it in replay."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import nbformat
import openai
import pytest

from fake_api import FakeResponsesServer, reply, text, web_search
from helpers.recording import load
from helpers.validate import CACHE_WRITE, NESTED_ERROR, review

REPO = Path(__file__).resolve().parent.parent
KEY = "sk-" + "liveshapes" * 3
MODEL = "gpt-5.4-mini"
QUOTA = {"code": "insufficient_quota", "message": "You exceeded your current quota."}


def steps():
    return [
        reply(text("Hi!")),
        reply(web_search("weather in Paris today"), text("Sunny, 21 °C.")),
        reply(status="failed", failure=QUOTA, error_event=True),
    ]


def client_for(server: FakeResponsesServer) -> openai.OpenAI:
    return openai.OpenAI(api_key=KEY, base_url=server.base_url, max_retries=0)


def test_live_shapes_are_what_real_traffic_shows_and_the_sdk_takes_them():
    with FakeResponsesServer(steps(), live_shapes=True, cache_write=False) as server:
        client = client_for(server)
        answer = client.responses.create(model=MODEL, input="Say hi.")
        events = list(client.responses.create(model=MODEL, input="Weather?", stream=True))
        with pytest.raises(openai.APIError) as info:
            list(client.responses.create(model=MODEL, input="Hello", stream=True))
        sent = [a.events for a in server.answers if a.kind == "events"]
    assert answer.output_text == "Hi!"
    assert "cache_write_tokens" not in server.answers[0].body["usage"]["input_tokens_details"]
    added = next(e for e in sent[0] if e["type"] == "response.output_item.added")
    assert added["item"] == {"id": added["item"]["id"], "type": "web_search_call",
                             "status": "in_progress"}  # fmt: skip
    assert events[-1].response.output_text == "Sunny, 21 °C."
    assert [e["type"] for e in sent[1]] == [
        "response.created", "response.in_progress", "error", "response.failed"
    ]  # fmt: skip
    assert sent[1][2] == {"type": "error", "sequence_number": 2, "error": {
        "type": "insufficient_quota", "param": None, **QUOTA}}  # fmt: skip
    assert sent[1][3]["sequence_number"] == 3
    assert info.value.code == "insufficient_quota" and type(info.value) is openai.APIError


def test_without_the_option_the_server_keeps_the_sdks_shapes():
    with FakeResponsesServer(steps()[:2]) as server:
        client = client_for(server)
        client.responses.create(model=MODEL, input="Say hi.")
        list(client.responses.create(model=MODEL, input="Weather?", stream=True))
    assert "cache_write_tokens" in server.answers[0].body["usage"]["input_tokens_details"]
    added = next(e for e in server.answers[1].events if e["type"] == "response.output_item.added")
    assert added["item"]["action"] == {"type": "search"}


def test_an_error_event_needs_a_failed_reply():
    with pytest.raises(ValueError, match="error_event=True needs status='failed'"):
        reply(text("fine"), error_event=True)


def test_a_resumed_stream_sends_the_error_event_again():
    with FakeResponsesServer(steps()[2:]) as server:
        client = client_for(server)
        job = client.responses.create(model=MODEL, input="Hello", background=True, store=True)
        with pytest.raises(openai.APIError):
            list(client.responses.retrieve(job.id, stream=True, starting_after=0))
    resumed = server.answers[-1].events
    assert [e["type"] for e in resumed][-2:] == ["error", "response.failed"]
    assert [e["sequence_number"] for e in resumed] == list(range(1, len(resumed) + 1))


NOTEBOOK = [
    'import openai\nfrom helpers import connect, explain, model, show\n\nclient = connect("shapes")\nMODEL = model()',
    'answer = client.responses.create(model=MODEL, input="Say hi.")\nprint(answer.output_text, answer.usage.input_tokens)',
    'stream = client.responses.create(model=MODEL, input="Weather?", tools=[{"type": "web_search"}], stream=True)\n'
    "for event in stream:\n"
    '    if event.type == "response.output_item.added":\n'
    '        print(event.item.type, getattr(event.item, "action", None))\n'
    '    if event.type == "response.completed":\n'
    "        final = event.response\n"
    "show(final)",
    "try:\n"
    '    for event in client.responses.create(model=MODEL, input="Hello", stream=True):\n'
    "        pass\n"
    "except openai.APIError as err:\n"
    "    print(explain(err))",
]  # fmt: skip


@pytest.fixture
def notebook(tmp_path, monkeypatch):
    folder = tmp_path / "notebooks"
    (folder / "recordings").mkdir(parents=True)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in NOTEBOOK])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = folder / "shapes.ipynb"
    nbformat.write(nb, path)
    monkeypatch.setenv("TUTORIAL_RECORDINGS_DIR", str(folder / "recordings"))
    monkeypatch.setenv("TUTORIAL_POLL_INTERVAL", "0")
    return path


def record_against_live_shapes(notebook: Path, monkeypatch, **options) -> int:
    from record import record

    with FakeResponsesServer(
        steps(), expect_key=KEY, live_shapes=True, cache_write=False
    ) as server:
        monkeypatch.setenv("OPENAI_API_KEY", KEY)
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        status = record(notebook, **options)
        assert not server.unused_steps
    monkeypatch.delenv("OPENAI_API_KEY")
    monkeypatch.delenv("OPENAI_BASE_URL")
    return status


def test_make_record_saves_a_notebook_recorded_in_live_shapes_and_nbval_passes_it(
    notebook, monkeypatch, capsys
):
    assert record_against_live_shapes(notebook, monkeypatch) == 0
    out = capsys.readouterr().out
    assert "Note: the answers differ from the openai SDK's types in" in out
    assert CACHE_WRITE in out and NESTED_ERROR in out
    recording = load(notebook.parent / "recordings" / "shapes.json")
    assert recording.meta["source"] == "recorded" and review(recording).problems == []
    cells = nbformat.read(notebook, as_version=4).cells
    assert cells[2].outputs[0]["text"].startswith("web_search_call None\n")
    assert "Waiting will not help" in cells[3].outputs[0]["text"]

    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "scripts.pytest_startup", "-q", "-p", "no:cacheprovider",
         "--nbval", "--nbval-current-env", "--rootdir", str(REPO), "-c", str(REPO / "pyproject.toml"),
         str(notebook)],
        capture_output=True, text=True, cwd=REPO, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:]
    assert "4 passed" in result.stdout.splitlines()[-1]


def test_make_illustrate_takes_the_live_shapes_too(notebook, monkeypatch, capsys):
    status = record_against_live_shapes(
        notebook, monkeypatch, source="illustrative", provider="openai"
    )
    assert status == 0, capsys.readouterr().err
    assert "Note:" not in capsys.readouterr().out  # illustrative: the known shapes are expected
    assert load(notebook.parent / "recordings" / "shapes.json").meta["source"] == "illustrative"


# ---- today's shapes in bodies and items (fake_api.live), each after a real-traffic case -------


def test_a_searching_answer_in_todays_shapes():
    from fake_api import text as text_item

    step = reply(
        web_search(
            "tallest mountain in Alberta",
            sources=["https://www.britannica.com/place/Mount-Columbia"],
            queries=["tallest mountain in Alberta", "Mount Columbia elevation"],
        ),
        text_item(
            "The tallest mountain in Alberta is Mount Columbia.",
            citations=[("Mount Columbia", "https://www.britannica.com/place/Mount-Columbia",
                        "Mount Columbia | Britannica")],
        ),
        usage={"output_tokens_details": {"reasoning_tokens": 49}},
    )  # fmt: skip
    unbilled = replace(step, usage=None)
    with FakeResponsesServer([step, unbilled], live_shapes=True, seed="a") as server:
        for _ in range(2):
            client_for(server).responses.create(
                model=MODEL, input="Tallest?", tools=[{"type": "web_search"}]
            )
        body, plain = (answer.body for answer in server.answers)
    # web_search_citations_gpt52: the dated model, both search fields, no reasoning item at
    # effort none but reasoning tokens billed, the tool echoed with its default location.
    assert body["model"] == "gpt-5.4-mini-2026-03-17" and body["top_p"] == 0.98
    assert [i["type"] for i in body["output"]] == ["web_search_call", "message"]
    assert body["output"][0]["action"] == {
        "type": "search",
        "query": "tallest mountain in Alberta",
        "queries": ["tallest mountain in Alberta", "Mount Columbia elevation"],
    }
    assert body["reasoning"] == {"effort": "none", "summary": None}
    usage = body["usage"]
    assert usage["output_tokens_details"]["reasoning_tokens"] == 49
    assert usage["output_tokens"] == plain["usage"]["output_tokens"] + 49
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    assert body["tools"] == [{
        "type": "web_search", "search_context_size": "medium", "filters": None,
        "user_location": {"type": "approximate", "city": None, "country": "US", "region": None,
                          "timezone": None},
    }]  # fmt: skip
    assert body["tool_usage"]["web_search"] == {"num_requests": 1}
    message = body["output"][1]
    assert message["phase"] == "final_answer"  # gpt-5.3 and later (the SDK's docstring)
    part = message["content"][0]
    assert part["text"].endswith(
        "Mount Columbia. ([britannica.com](https://www.britannica.com/place/Mount-Columbia"
        "?utm_source=openai))"
    )
    # Live ids: resp_0 and 50 hex digits; a response's items share its first 18.
    ids = [body["id"], *(i["id"] for i in body["output"])]
    assert all(re.fullmatch(r"(resp|ws|msg)_0[0-9a-f]{49}", i) for i in ids), ids
    assert len({i.split("_")[1][:18] for i in ids}) == 1


def test_a_location_given_in_part_is_echoed_with_the_rest_null_and_preview_as_azure_echoes_it():
    with FakeResponsesServer([reply(text("Call 999.")), reply(text("4."))], live_shapes=True) as s:
        client = client_for(s)
        client.responses.create(
            model=MODEL,
            input="Ambulance?",
            tools=[
                {"type": "web_search", "user_location": {"type": "approximate", "country": "GB"}}
            ],
        )
        local = s.answers[-1].body["tools"][0]
        client.responses.create(model=MODEL, input="2+2", tools=[{"type": "web_search_preview"}])
        preview = s.answers[-1].body["tools"][0]
    assert local["user_location"] == {
        "type": "approximate", "city": None, "country": "GB", "region": None, "timezone": None
    }  # fmt: skip
    # azure_gpt52chat_tools: the preview tool echoed with its content types and default location.
    assert preview["search_content_types"] == ["text"] and "filters" not in preview
    assert preview["user_location"]["country"] == "US"


def test_a_reasoning_model_browses_with_a_reasoning_item_before_each_tool_call():
    from fake_api import find_in_page, open_page, reasoning

    page = "https://www.rfc-editor.org/rfc/rfc1034"
    browsing = reply(
        reasoning(tokens=96),
        web_search("DNS resolution RFC 1034"),
        reasoning(tokens=64),
        open_page(page),
        reasoning(tokens=32),
        find_in_page(page, "referral"),
        reasoning(tokens=32),
        text("A resolver follows referrals from the root."),
    )
    with FakeResponsesServer([browsing], live_shapes=True) as server:
        response = client_for(server).responses.create(
            model="gpt-5.5", input="How?", tools=[{"type": "web_search"}], stream=True
        )
        final = [e for e in response if e.type == "response.completed"][0].response
        events = server.answers[-1].events
    actions = [i.action for i in final.output if i.type == "web_search_call"]
    assert [a.type for a in actions] == ["search", "open_page", "find_in_page"]
    assert actions[1].url == page and actions[2].pattern == "referral"
    assert final.model == "gpt-5.5-2026-04-23" and final.reasoning.effort == "medium"
    added = [e["item"] for e in events if e["type"] == "response.output_item.added"]
    assert all("action" not in i for i in added if i["type"] == "web_search_call")


@pytest.mark.parametrize(
    ("items", "mistake"),
    [
        (
            lambda r: [web_search("q"), r(tokens=8), text("A.")],
            "item 1 (web_search) is a tool call",
        ),
        (lambda r: [r(tokens=8), web_search("q"), text("A.")], "item 3 (message) follows a hosted"),
    ],
)
def test_tool_calls_of_a_reasoning_model_without_reasoning_are_scripting_mistakes(items, mistake):
    from fake_api import reasoning

    with FakeResponsesServer([reply(*items(reasoning))], live_shapes=True) as server:
        with pytest.raises(openai.InternalServerError):
            client_for(server).responses.create(
                model=MODEL, input="q", reasoning={"effort": "low"}, tools=[{"type": "web_search"}]
            )
        assert mistake in server.errors[0]
