"""Record through the real transport against a local server, then replay with the server stopped."""

from __future__ import annotations

import json

import pytest

from fake_api import FakeResponsesServer, reply, text
from helpers import connect, model
from helpers.recording import load
from helpers.validate import problems

# Fake credentials, built at run time so that no literal in the repository looks like a secret.
KEY = "sk-" + "fakekey" * 5
ORG = "org-" + "fakeorganisation"
PROJECT = "proj_" + "fakeproject"


def steps():
    return [
        reply(text("Recorded answer.")),
        reply(text("A streamed answer in several pieces.")),
        reply(text("Done in the background."), background=["queued", "in_progress", "completed"]),
    ]


def conversation(client):
    """The same calls, whichever mode the client is in; returns what a notebook would print."""
    seen = []
    first = client.responses.create(model=model(), input="Say something.")
    seen.append(first.output_text)
    events = list(client.responses.create(model=model(), input="Stream it.", stream=True))
    seen.append([e.type for e in events])
    seen.append(events[-1].response.output_text)
    job = client.responses.create(model=model(), input="Slow job.", background=True, store=True)
    statuses = [job.status]
    while job.status not in ("completed", "failed", "cancelled", "incomplete"):
        job = client.responses.retrieve(job.id)
        statuses.append(job.status)
    seen.append(statuses)
    seen.append(job.output_text)
    return seen


@pytest.fixture
def recorded(tmp_path, monkeypatch):
    """Record `conversation` against the fake server with fake secrets; return what it printed."""
    target = tmp_path / "nb.json"
    with FakeResponsesServer(steps(), expect_key=KEY, organization=ORG, project=PROJECT) as server:
        monkeypatch.setenv("TUTORIAL_MODE", "record")
        monkeypatch.setenv("TUTORIAL_RECORD_TO", str(target))
        monkeypatch.setenv("OPENAI_API_KEY", KEY)
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("OPENAI_ORG_ID", ORG)
        monkeypatch.setenv("OPENAI_PROJECT_ID", PROJECT)
        live = conversation(connect("nb"))
        sent = server.requests
    for name in ("TUTORIAL_RECORD_TO", "OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID"):
        monkeypatch.delenv(name)
    monkeypatch.delenv("OPENAI_PROJECT_ID")
    monkeypatch.setenv("TUTORIAL_MODE", "replay")
    monkeypatch.setenv("TUTORIAL_RECORDINGS_DIR", str(tmp_path))
    return target, live, sent


def test_replay_with_the_server_stopped_gives_what_live_gave(recorded):
    target, live, _ = recorded
    assert live[0] == "Recorded answer."
    assert live[3] == ["queued", "in_progress", "completed"]
    assert conversation(connect("nb")) == live


def test_the_recording_holds_the_exchanges_and_validates(recorded):
    target, _, sent = recorded
    recording = load(target)
    assert len(recording.interactions) == len(sent) == 5
    kinds = [("events" in i["response"], i["request"]["method"]) for i in recording.interactions]
    assert kinds == [
        (False, "POST"),
        (True, "POST"),
        (False, "POST"),
        (False, "GET"),
        (False, "GET"),
    ]
    assert recording.meta["source"] == "recorded"
    assert recording.meta["models"] == {"default": "gpt-5.4-mini"}
    assert problems(recording) == []


def test_the_recording_holds_no_secret_and_no_host(recorded):
    target, _, sent = recorded
    # The server really was sent the key and organisation, so their absence below means something.
    assert sent[0].headers["authorization"] == f"Bearer {KEY}"
    assert sent[0].headers["openai-organization"] == ORG
    raw = target.read_text()
    for secret in (KEY, "fakekey", ORG, PROJECT, "127.0.0.1", "set-cookie", "x-request-id"):
        assert secret not in raw, secret
    headers = {k for i in json.loads(raw)["interactions"] for k in i["response"]["headers"]}
    assert headers <= {"content-type", "retry-after", "retry-after-ms", "x-should-retry"}
    assert all("headers" not in i["request"] for i in json.loads(raw)["interactions"])


def test_recording_through_an_azure_endpoint_keeps_no_resource_name_or_key(tmp_path, monkeypatch):
    target = tmp_path / "nb.json"
    azure_key = "0123456789abcdef" * 2
    with FakeResponsesServer([reply(text("From Azure."))], expect_key=azure_key) as server:
        monkeypatch.setenv("TUTORIAL_MODE", "record")
        monkeypatch.setenv("TUTORIAL_RECORD_TO", str(target))
        origin = server.origin
        monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", origin)
        monkeypatch.setenv("AZURE_OPENAI_API_KEY", azure_key)
        client = connect("nb")
        assert client.responses.create(model=model(), input="Hi").output_text == "From Azure."
        assert server.requests[0].path.startswith("/openai/v1/responses")
    raw = target.read_text()
    recording = json.loads(raw)
    assert recording["meta"]["provider"] == "azure"
    assert recording["interactions"][0]["request"]["path"] == "/responses"
    for secret in (azure_key, origin, "127.0.0.1", "/openai/"):
        assert secret not in raw, secret
