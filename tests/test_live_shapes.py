"""The fake server in the live API's own shapes (fake_api.live): usage without cache_write_tokens,
a web search announced without its action, an error event nested under ``error``. The SDK takes
them, make record saves a notebook recorded against them (noting how they differ from the SDK's
types), and nbval then passes it in replay."""

from __future__ import annotations

import subprocess
import sys
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
