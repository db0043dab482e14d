"""Uploads and downloads in recordings: a multipart upload is matched on its fields, the file's
name and the SHA-256 of its bytes (never its raw body, whose boundary changes every time, nor the
platform's guess of its content type), and the recording keeps no byte of the uploaded file; a
download (a container's file) is kept as base64 with its content type and replayed byte for byte;
the recording format's checks and helpers.validate know both. A live download whose content type
is text (a CSV) is handed over as bytes, not checked as JSON."""

from __future__ import annotations

import base64
import hashlib
import json

import httpx2
import openai
import pytest

from fake_api import FakeResponsesServer, code_interpreter, reply, written
from fake_api.hosted import cited
from helpers import ReplayMiss, connect, model
from helpers.errors import RecordingError
from helpers.recording import (
    Recording,
    is_binary,
    load,
    multipart_fields,
    request_key,
    saved_body,
)
from helpers.transport import ReplayTransport
from helpers.validate import problems

KEY = "sk-" + "uploadkey" * 4
# A document whose bytes must never reach a recording, in any form.
PRIVATE = b"# Notes\n\nMARKER-7f3a: what only the learner's own file says.\n"
DIGEST = "sha256:" + hashlib.sha256(PRIVATE).hexdigest()
CHART = b"\x89PNG\r\n\x1a\n" + bytes(range(200))
CSV = b"month,late\nSeptember,2\nOctober,3\n"


def sdk_requests(call) -> list[httpx2.Request]:
    """The requests the real SDK builds for ``call(client)`` (answered by a stub)."""
    seen: list[httpx2.Request] = []

    def handle(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        body = {
            "id": "file-x",
            "object": "file",
            "bytes": 1,
            "created_at": 1,
            "filename": "x",
            "purpose": "assistants",
            "status": "processed",
        }
        return httpx2.Response(200, json=body)

    client = openai.OpenAI(
        api_key="k", http_client=httpx2.Client(transport=httpx2.MockTransport(handle))
    )
    call(client)
    return seen


def test_an_upload_is_keyed_on_its_fields_name_and_digest_not_its_raw_body() -> None:
    first, again, other = sdk_requests(
        lambda c: [
            c.files.create(
                file=("notes.md", PRIVATE),
                purpose="assistants",
                expires_after={"anchor": "created_at", "seconds": 3600},
            ),
            c.files.create(
                file=("notes.md", PRIVATE, "text/x-markdown"),
                purpose="assistants",
                expires_after={"anchor": "created_at", "seconds": 3600},
            ),
            c.files.create(file=("notes.md", PRIVATE + b"!"), purpose="assistants"),
        ]
    )
    assert first.read() != again.read()  # each body has its own random boundary
    key = request_key(first)
    assert key == request_key(again)  # ... and its own content type guess: neither is matched on
    assert key["body"] == {
        "purpose": "assistants",
        "expires_after[anchor]": "created_at",
        "expires_after[seconds]": "3600",
        "file": {
            "filename": "notes.md",
            "digest": DIGEST,
            "size": len(PRIVATE),
        },
    }
    assert request_key(other)["body"]["file"]["digest"] != key["body"]["file"]["digest"]
    assert PRIVATE.decode() not in json.dumps(key)


def test_fields_sent_twice_keep_every_value_and_other_bodies_are_not_multipart() -> None:
    body = (
        b'--b\r\nContent-Disposition: form-data; name="tag"\r\n\r\none\r\n'
        b'--b\r\nContent-Disposition: form-data; name="tag"\r\n\r\ntwo\r\n--b--\r\n'
    )
    assert multipart_fields("multipart/form-data; boundary=b", body) == {"tag": ["one", "two"]}
    assert multipart_fields("application/json", b"{}") is None
    assert multipart_fields("multipart/form-data; boundary=b", b"--b\r\nbroken") is None


def test_which_answers_are_kept_as_bytes() -> None:
    assert is_binary("image/png") and is_binary("text/csv") and is_binary("application/pdf")
    assert not is_binary("application/json") and not is_binary("application/problem+json")
    assert not is_binary("text/event-stream; charset=utf-8") and not is_binary("")
    assert saved_body(CSV, "text/csv") == {"body_base64": base64.b64encode(CSV).decode()}
    assert saved_body(b'{"a": 1}', "application/json") == {"body": {"a": 1}}
    assert saved_body(b"", "image/png") == {"body": None}


def steps():
    return [
        reply(
            code_interpreter(
                "df.plot()", files=[written("late.png", CHART), written("late.csv", CSV)]
            ),
            cited(
                "[the chart](sandbox:/mnt/data/late.png) and [the table](sandbox:/mnt/data/late.csv)",
                container_files=[
                    ("[the chart](sandbox:/mnt/data/late.png)", "late.png"),
                    ("[the table](sandbox:/mnt/data/late.csv)", "late.csv"),
                ],
            ),
        )
    ]


def lesson(client) -> list:
    """Upload a file, run code in a container, download what it wrote, as notebook 09 does."""
    doc = client.files.create(file=("notes.md", PRIVATE), purpose="assistants")
    box = client.containers.create(name="analysis", file_ids=[doc.id])
    answer = client.responses.create(
        model=model(), input="Plot it.", tools=[{"type": "code_interpreter", "container": box.id}]
    )
    downloads = []
    for note in answer.output[1].content[0].annotations:
        content = client.containers.files.content.retrieve(note.file_id, container_id=box.id)
        downloads.append((content.response.headers["content-type"], content.read()))
    return [doc.bytes, box.id, downloads]


@pytest.fixture
def recorded(tmp_path, monkeypatch):
    target = tmp_path / "nb.json"
    with FakeResponsesServer(steps(), expect_key=KEY, live_shapes=True) as server:
        monkeypatch.setenv("TUTORIAL_MODE", "record")
        monkeypatch.setenv("TUTORIAL_RECORD_TO", str(target))
        monkeypatch.setenv("TUTORIAL_RECORD_SOURCE", "illustrative")
        monkeypatch.setenv("OPENAI_API_KEY", KEY)
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        live = lesson(connect("nb"))
        assert server.requests[0].body["file"].data == PRIVATE  # the server did get the bytes
    for name in ("TUTORIAL_RECORD_TO", "OPENAI_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("TUTORIAL_MODE", "replay")
    monkeypatch.setenv("TUTORIAL_RECORDINGS_DIR", str(tmp_path))
    return target, live


def test_downloads_replay_byte_for_byte_with_the_server_gone(recorded) -> None:
    target, live = recorded
    assert live[2] == [("image/png", CHART), ("text/csv", CSV)]
    assert lesson(connect("nb")) == live


def test_the_recording_keeps_no_byte_of_the_upload_and_downloads_as_base64(recorded) -> None:
    target, _ = recorded
    raw = target.read_text()
    for form in (PRIVATE, base64.b64encode(PRIVATE), PRIVATE.hex().encode(), b"MARKER-7f3a"):
        assert form.decode() not in raw
    recording = load(target)
    upload = recording.interactions[0]["request"]
    assert upload["body"]["file"] == {
        "filename": "notes.md",
        "digest": DIGEST,
        "size": len(PRIVATE),
    }
    downloads = [
        i["response"] for i in recording.interactions if i["request"]["path"].endswith("/content")
    ]
    assert [d["headers"]["content-type"] for d in downloads] == ["image/png", "text/csv"]
    assert [base64.b64decode(d["body_base64"]) for d in downloads] == [CHART, CSV]
    assert all("body" not in d for d in downloads)
    assert problems(recording) == []


def test_a_changed_upload_is_a_replay_miss_that_says_the_file_differs(recorded) -> None:
    target, _ = recorded
    client = connect("nb")
    with pytest.raises(ReplayMiss) as info:
        client.files.create(file=("notes.md", PRIVATE + b"edited"), purpose="assistants")
    message = str(info.value)
    assert "body.file.digest" in message and "bytes differ" in message
    assert "MARKER" not in message


def minimal(response: dict) -> Recording:
    request = {
        "method": "GET",
        "path": "/containers/cntr_1/files/cfile_1/content",
        "query": {},
        "body": None,
    }
    meta = {"source": "illustrative", "models": {}, "notebook": "nb.ipynb"}
    return Recording(meta=meta, interactions=[{"request": request, "response": response}])


def test_the_format_takes_exactly_one_kind_of_body(tmp_path) -> None:
    ok = {"status": 200, "headers": {"content-type": "image/png"}, "body_base64": "iVBORw=="}
    cases = {
        "two bodies": {**ok, "body": None},
        "no body": {"status": 200, "headers": {}},
        "not base64": {**ok, "body_base64": "not base64!"},
    }
    path = tmp_path / "nb.json"
    path.write_text(minimal(ok).to_json())
    assert load(path).interactions[0]["response"]["body_base64"] == "iVBORw=="
    for case, response in cases.items():
        path.write_text(minimal(response).to_json())
        with pytest.raises(RecordingError, match="body_base64|exactly one"):
            load(path)
        assert case


def test_validation_wants_bytes_where_the_sdk_reads_bytes_and_json_elsewhere() -> None:
    good = {"status": 200, "headers": {"content-type": "image/png"}, "body_base64": "iVBORw=="}
    assert problems(minimal(good)) == []
    untyped = {"status": 200, "headers": {}, "body_base64": "iVBORw=="}
    assert "without the content-type" in problems(minimal(untyped))[0]
    as_json = {"status": 200, "headers": {"content-type": "application/json"}, "body": {"a": 1}}
    assert "the answer is JSON" in problems(minimal(as_json))[0]
    misplaced = minimal(good)
    misplaced.interactions[0]["request"]["path"] = "/containers/cntr_1"
    assert "where the SDK reads JSON" in problems(misplaced)[0]


def test_validation_reads_the_hosted_resources_list_pages() -> None:
    page = {
        "object": "list",
        "data": [
            {
                "id": "cfile_1",
                "object": "container.file",
                "bytes": 3,
                "container_id": "cntr_1",
                "created_at": 1,
                "path": "/mnt/data/a.png",
                "source": "assistant",
            }
        ],
        "first_id": "cfile_1",
        "last_id": "cfile_1",
        "has_more": False,
    }
    recording = minimal({"status": 200, "headers": {}, "body": page})
    recording.interactions[0]["request"]["path"] = "/containers/cntr_1/files"
    assert problems(recording) == []
    page["data"][0]["sourse"] = "typo"
    assert "unknown field data[0].sourse" in problems(recording)[0]


def test_replay_serves_recorded_bytes_with_their_content_type() -> None:
    response = {
        "status": 200,
        "headers": {"content-type": "text/csv"},
        "body_base64": base64.b64encode(CSV).decode(),
    }
    replay = ReplayTransport(minimal(response), "nb", "nb.json")
    client = openai.OpenAI(api_key="k", http_client=httpx2.Client(transport=replay))
    content = client.containers.files.content.retrieve("cfile_1", container_id="cntr_1")
    assert content.read() == CSV and content.response.headers["content-type"] == "text/csv"


def test_a_live_text_download_is_bytes_not_an_unreadable_json_answer(monkeypatch) -> None:
    steps = [reply(code_interpreter("x", files=[written("late.csv", CSV)]))]
    with FakeResponsesServer(steps) as server:
        monkeypatch.setenv("TUTORIAL_MODE", "live")
        monkeypatch.setenv("OPENAI_API_KEY", KEY)
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        client = connect("nb")
        box = client.containers.create(name="analysis")
        answer = client.responses.create(
            model="gpt-5.4-mini",
            input="x",
            tools=[{"type": "code_interpreter", "container": box.id}],
        )
        (listed,) = [f for f in client.containers.files.list(box.id) if f.source == "assistant"]
        assert answer.output[0].container_id == box.id
        content = client.containers.files.content.retrieve(listed.id, container_id=box.id)
        assert content.read() == CSV


def test_a_malformed_hosted_resource_is_refused_when_the_recording_is_loaded(tmp_path) -> None:
    batch = {
        "id": "vsfb_1",
        "object": "vector_store.files_batch",
        "created_at": 1,
        "vector_store_id": "vs_1",
        "status": "in_progress",
        "file_counts": "three",
    }
    recording = minimal({"status": 200, "headers": {}, "body": batch})
    recording.interactions[0]["request"]["path"] = "/vector_stores/vs_1/file_batches/vsfb_1"
    path = tmp_path / "nb.json"
    path.write_text(recording.to_json())
    with pytest.raises(RecordingError, match="file_counts"):
        load(path)


def test_the_load_check_knows_the_hosted_routes_validate_knows() -> None:
    """helpers/shapes.py checks every hosted resource route that answers one object, with the type
    helpers/validate.py validates it against (list pages and downloads it leaves alone)."""
    import importlib

    from pydantic import BaseModel

    from helpers.shapes import HOSTED_ROUTES
    from helpers.validate import _hosted_routes

    named = {
        (method, pattern): getattr(importlib.import_module(f"openai.types.{module}"), name)
        for method, pattern, module, name in HOSTED_ROUTES
    }
    singles = {
        (method, regex.pattern): kind
        for method, regex, kind in _hosted_routes()
        if isinstance(kind, type)
        and issubclass(kind, BaseModel)
        and kind.__module__.startswith("openai.")
    }
    assert named == singles
