"""The hosted tools' machinery in the fake API, through the real SDK: the Files API (multipart
uploads, downloads), vector stores and file batches (indexed after a few polls), containers and
their files, and the file search, code interpreter, MCP and image generation items of a response.

Every answer a server sent is validated strictly on teardown: pydantic strict mode against the
pinned SDK's type for it (list pages: each item, and the page's own fields), no field the SDK does
not declare apart from the live API's own (helpers.validate.LIVE_ONLY_FIELDS), and a download's
bytes with a content type.
"""

from __future__ import annotations

import json
from typing import Any, Literal

import httpx2
import openai
import pytest
from live_strict import strict
from openai.types import (
    ContainerCreateResponse,
    ContainerListResponse,
    FileDeleted,
    FileObject,
    VectorStore,
    VectorStoreDeleted,
)
from openai.types.containers import FileCreateResponse, FileListResponse
from openai.types.responses import Response, ResponseStreamEvent
from openai.types.vector_stores import (
    VectorStoreFile,
    VectorStoreFileBatch,
    VectorStoreFileDeleted,
)
from pydantic import BaseModel, ConfigDict, create_model

from fake_api import (
    FakeResponsesServer,
    cited,
    code_interpreter,
    file_search,
    found,
    image_generation,
    mcp_approval_request,
    mcp_call,
    mcp_list_tools,
    mcp_tool,
    reply,
    written,
)

MODEL = "gpt-5.4-mini"
KEY = "sk-test"  # pragma: allowlist secret
RETURNS = (
    b"# Returns\n\nYou can return an item within 30 days of delivery. Items you have worn or "
    b"washed cannot be returned, unless they are faulty.\n"
)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))


def page_of(item: Any) -> type[BaseModel]:
    return create_model(
        f"PageOf{item.__name__}",
        __config__=ConfigDict(extra="forbid"),
        object=(Literal["list"], ...),
        data=(list[item], ...),
        first_id=(str | None, None),
        last_id=(str | None, None),
        has_more=(bool, ...),
    )


KINDS: dict[str, Any] = {
    "response": Response,
    "file": FileObject,
    "files": page_of(FileObject),
    "file.deleted": FileDeleted,
    "vector_store": VectorStore,
    "vector_stores": page_of(VectorStore),
    "vector_store.deleted": VectorStoreDeleted,
    "vector_store.file": VectorStoreFile,
    "vector_store.files": page_of(VectorStoreFile),
    "vector_store.file.deleted": VectorStoreFileDeleted,
    "vector_store.file_batch": VectorStoreFileBatch,
    "container": ContainerCreateResponse,
    "containers": page_of(ContainerListResponse),
    "container.file": FileCreateResponse,
    "container.files": page_of(FileListResponse),
}
DELETED = {"container.deleted", "container.file.deleted"}  # bodies the SDK does not read


def validate(answer: Any) -> None:
    if answer.kind == "events":
        numbers = [event["sequence_number"] for event in answer.events]
        assert numbers == list(range(len(numbers))), numbers
        for event in answer.events:
            strict(ResponseStreamEvent, event)
    elif answer.kind == "error":
        assert set(answer.body) == {"error"}
        assert set(answer.body["error"]) == {"message", "type", "param", "code"}
    elif answer.kind == "binary":
        assert isinstance(answer.body, bytes) and answer.headers["content-type"]
    elif answer.kind in DELETED:
        assert answer.body == {"id": answer.body["id"], "object": answer.kind, "deleted": True}
    else:
        assert answer.kind in KINDS, f"no SDK type for the answer kind {answer.kind!r}"
        strict(KINDS[answer.kind], answer.body)


@pytest.fixture
def serve():
    servers: list[FakeResponsesServer] = []

    def start(steps=(), **kwargs: Any) -> FakeResponsesServer:
        kwargs.setdefault("live_shapes", True)
        server = FakeResponsesServer(steps, **kwargs).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
        for answer in server.answers:
            validate(answer)


def client_for(server: FakeResponsesServer) -> openai.OpenAI:
    return openai.OpenAI(api_key=KEY, base_url=server.base_url, max_retries=0)


def indexed_store(client: openai.OpenAI, *files: tuple[str, bytes]) -> tuple[Any, list[Any]]:
    """Upload ``files``, attach them in one batch and poll it until it is done."""
    uploaded = [client.files.create(file=f, purpose="assistants") for f in files]
    store = client.vector_stores.create(name="help centre")
    batch = client.vector_stores.file_batches.create(store.id, file_ids=[f.id for f in uploaded])
    while batch.status == "in_progress":
        batch = client.vector_stores.file_batches.retrieve(batch.id, vector_store_id=store.id)
    return store, uploaded


# --------------------------------------------------------------------------------------------
# Files, vector stores, containers
# --------------------------------------------------------------------------------------------


def test_files_are_uploaded_listed_retrieved_downloaded_and_deleted(serve) -> None:
    server = serve()
    client = client_for(server)
    doc = client.files.create(file=("returns.md", RETURNS), purpose="assistants")
    data = client.files.create(
        file=("orders.csv", b"id,late\n1,0\n"),
        purpose="user_data",
        expires_after={"anchor": "created_at", "seconds": 3600},
    )
    assert doc.id.startswith("file-") and len(doc.id) == 27 and doc.id != data.id
    assert (doc.filename, doc.bytes, doc.purpose, doc.status) == (
        "returns.md",
        len(RETURNS),
        "assistants",
        "processed",
    )
    assert data.expires_at == data.created_at + 3600
    upload = server.requests[0]
    assert upload.body["purpose"] == "assistants" and upload.body["file"].data == RETURNS
    assert [f.id for f in client.files.list()] == [data.id, doc.id]
    assert [f.id for f in client.files.list(purpose="user_data")] == [data.id]
    assert client.files.retrieve(doc.id) == doc
    assert client.files.content(data.id).read() == b"id,late\n1,0\n"
    with pytest.raises(openai.BadRequestError, match="files of purpose: assistants"):
        client.files.content(doc.id)
    assert client.files.delete(doc.id).deleted
    with pytest.raises(openai.NotFoundError, match=f"No such File object: {doc.id}"):
        client.files.retrieve(doc.id)


def test_an_upload_without_purpose_or_file_is_refused_as_the_api_does(serve) -> None:
    client = client_for(serve())
    with pytest.raises(openai.BadRequestError, match="Invalid value: 'nonsense'"):
        client.files.create(file=("a.md", b"x"), purpose="nonsense")  # type: ignore[arg-type]
    # The SDK always sends a purpose: send a bare upload.
    answer = httpx2.post(
        f"{client.base_url}files",
        files={"file": ("a.md", b"x")},
        headers={"authorization": "Bearer k"},
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["message"] == "Missing required parameter: 'purpose'."


def test_a_batch_is_in_progress_until_the_store_is_polled_then_completed(serve) -> None:
    server = serve()
    client = client_for(server)
    uploaded = [
        client.files.create(file=(name, RETURNS), purpose="assistants")
        for name in ("a.md", "b.md", "c.md")
    ]
    store = client.vector_stores.create(
        name="help centre", expires_after={"anchor": "last_active_at", "days": 1}
    )
    assert store.id.startswith("vs_") and len(store.id) == 35
    assert store.expires_at == store.last_active_at + 86400
    batch = client.vector_stores.file_batches.create(store.id, file_ids=[f.id for f in uploaded])
    seen = [(batch.status, batch.file_counts.completed)]
    while batch.status == "in_progress":
        batch = client.vector_stores.file_batches.retrieve(batch.id, vector_store_id=store.id)
        seen.append((batch.status, batch.file_counts.completed))
    assert seen == [("in_progress", 0), ("in_progress", 2), ("completed", 3)]
    assert batch.id.startswith("vsfb_") and batch.file_counts.total == 3
    ready = client.vector_stores.retrieve(store.id)
    assert (ready.status, ready.file_counts.completed, ready.usage_bytes) == (
        "completed",
        3,
        3 * len(RETURNS),
    )
    files = list(client.vector_stores.files.list(store.id))
    assert {f.status for f in files} == {"completed"} and files[
        0
    ].chunking_strategy.type == "static"
    assert client.vector_stores.files.delete(uploaded[0].id, vector_store_id=store.id).deleted
    assert client.vector_stores.retrieve(store.id).file_counts.total == 2
    assert client.vector_stores.delete(store.id).deleted
    with pytest.raises(openai.NotFoundError):
        client.vector_stores.retrieve(store.id)


def test_the_sdks_poll_helper_waits_for_the_batch(serve) -> None:
    client = client_for(serve())
    doc = client.files.create(file=("returns.md", RETURNS), purpose="assistants")
    store = client.vector_stores.create(name="help centre")
    batch = client.vector_stores.file_batches.create_and_poll(
        store.id, file_ids=[doc.id], poll_interval_ms=0
    )
    assert batch.status == "completed" and batch.file_counts.completed == 1


def test_a_file_type_file_search_does_not_take_fails_to_index(serve) -> None:
    client = client_for(serve())
    sheet = client.files.create(file=("orders.csv", b"id\n1\n"), purpose="assistants")
    store = client.vector_stores.create(name="data", file_ids=[sheet.id])
    store = client.vector_stores.retrieve(store.id)
    assert store.file_counts.failed == 1 and store.status == "completed"
    (entry,) = client.vector_stores.files.list(store.id)
    assert entry.status == "failed" and entry.last_error.code == "unsupported_file"


def test_containers_hold_copied_and_uploaded_files_and_serve_their_bytes(serve) -> None:
    client = client_for(serve())
    sheet = client.files.create(file=("orders.csv", b"id\n1\n"), purpose="assistants")
    box = client.containers.create(name="analysis", file_ids=[sheet.id], memory_limit="4g")
    assert box.id.startswith("cntr_") and len(box.id) == 53
    assert (box.status, box.memory_limit, box.expires_after.minutes) == ("running", "4g", 20)
    added = client.containers.files.create(box.id, file=("chart.png", PNG))
    listed = {f.path: f.source for f in client.containers.files.list(box.id)}
    assert listed == {"/mnt/data/orders.csv": "user", "/mnt/data/chart.png": "user"}
    content = client.containers.files.content.retrieve(added.id, container_id=box.id)
    assert content.read() == PNG and content.response.headers["content-type"] == "image/png"
    client.containers.delete(box.id)
    with pytest.raises(openai.NotFoundError, match="Container with id"):
        client.containers.retrieve(box.id)


def test_a_malformed_multipart_body_is_a_400(serve) -> None:
    server = serve()
    answer = httpx2.post(
        f"{server.base_url}/files",
        content=b"--x\r\nno headers at all",
        headers={"content-type": "multipart/form-data; boundary=x", "authorization": "Bearer k"},
    )
    assert answer.status_code == 400 and "multipart" in answer.json()["error"]["message"]


# --------------------------------------------------------------------------------------------
# The tools in a response
# --------------------------------------------------------------------------------------------

SEARCH = file_search(
    "return worn items",
    results=[found("returns.md", "Items you have worn or washed cannot be returned", 0.91)],
)
ANSWER = cited(
    "Worn items cannot be returned, unless they are faulty.",
    files=[("unless they are faulty", "returns.md")],
)


def test_file_search_cites_the_indexed_file_and_sends_results_only_when_included(serve) -> None:
    server = serve([reply(SEARCH, ANSWER), reply(SEARCH, ANSWER)])
    client = client_for(server)
    store, (doc,) = indexed_store(client, ("returns.md", RETURNS))
    tools = [{"type": "file_search", "vector_store_ids": [store.id]}]
    plain = client.responses.create(model=MODEL, input="Worn items?", tools=tools)
    call, message = plain.output
    assert call.type == "file_search_call" and call.queries == ["return worn items"]
    assert call.results is None
    (citation,) = message.content[0].annotations
    assert (citation.type, citation.file_id, citation.filename) == (
        "file_citation",
        doc.id,
        "returns.md",
    )
    assert message.content[0].text[: citation.index].endswith("faulty")
    assert plain.tools[0].max_num_results == 20 and plain.tools[0].ranking_options.ranker == "auto"
    included = client.responses.create(
        model=MODEL, input="Worn items?", tools=tools, include=["file_search_call.results"]
    )
    (result,) = included.output[0].results
    assert (result.file_id, result.score) == (doc.id, 0.91)
    assert included.usage.input_tokens == plain.usage.input_tokens  # read whether sent or not
    assert server.errors == []


def test_a_search_script_cannot_find_what_is_not_indexed_or_not_in_the_file(serve) -> None:
    wrong = file_search("x", results=[found("returns.md", "Free shipping on every order", 0.5)])
    server = serve([reply(SEARCH, ANSWER), reply(wrong, "x")])
    client = client_for(server)
    doc = client.files.create(file=("returns.md", RETURNS), purpose="assistants")
    store = client.vector_stores.create(name="help", file_ids=[doc.id])  # never polled
    tools = [{"type": "file_search", "vector_store_ids": [store.id]}]
    with pytest.raises(openai.InternalServerError):
        client.responses.create(model=MODEL, input="Worn?", tools=tools)
    assert "not indexed" in server.errors[-1] and "poll the store" in server.errors[-1]
    client.vector_stores.retrieve(store.id)  # now it is indexed
    with pytest.raises(openai.InternalServerError):
        client.responses.create(model=MODEL, input="Shipping?", tools=tools)
    assert "is not in 'returns.md'" in server.errors[-1]
    server.errors.clear()


def test_hosted_tools_are_refused_as_the_api_refuses_them(serve) -> None:
    client = client_for(serve())
    with pytest.raises(openai.BadRequestError) as info:
        client.responses.create(model=MODEL, input="x", tools=[{"type": "code_interpreter"}])
    assert info.value.body["message"] == "Missing required parameter: 'tools[0].container'."
    assert info.value.code == "missing_required_parameter"
    assert info.value.param == "tools[0].container"
    with pytest.raises(openai.NotFoundError, match="cntr_missing"):
        client.responses.create(
            model=MODEL,
            input="x",
            tools=[{"type": "code_interpreter", "container": "cntr_missing"}],
        )
    with pytest.raises(openai.BadRequestError, match="tools\\[0\\].vector_store_ids"):
        client.responses.create(model=MODEL, input="x", tools=[{"type": "file_search"}])
    with pytest.raises(openai.NotFoundError, match="vs_missing"):
        client.responses.create(
            model=MODEL,
            input="x",
            tools=[{"type": "file_search", "vector_store_ids": ["vs_missing"]}],
        )


CODE = "import pandas as pd\nprint(pd.read_csv('/mnt/data/orders.csv').shape)\n"
CHART_ANSWER = cited(
    "Here it is: [the chart](sandbox:/mnt/data/chart.png).",
    container_files=[("[the chart](sandbox:/mnt/data/chart.png)", "chart.png")],
)


def test_code_interpreter_runs_in_the_named_container_and_its_file_can_be_downloaded(serve) -> None:
    steps = [
        reply(
            code_interpreter(CODE, logs="(3, 2)\n", files=[written("chart.png", PNG)]), CHART_ANSWER
        )
    ]
    server = serve(steps)
    client = client_for(server)
    box = client.containers.create(name="analysis")
    answer = client.responses.create(
        model=MODEL,
        input="Chart it.",
        tools=[{"type": "code_interpreter", "container": box.id}],
        include=["code_interpreter_call.outputs"],
    )
    call, message = answer.output
    assert (call.container_id, call.code, call.outputs[0].logs) == (box.id, CODE, "(3, 2)\n")
    (citation,) = message.content[0].annotations
    assert citation.type == "container_file_citation" and citation.container_id == box.id
    span = message.content[0].text[citation.start_index : citation.end_index]
    assert span == "[the chart](sandbox:/mnt/data/chart.png)"
    content = client.containers.files.content.retrieve(citation.file_id, container_id=box.id)
    assert content.read() == PNG
    (written_file,) = [f for f in client.containers.files.list(box.id) if f.source == "assistant"]
    assert written_file.path == "/mnt/data/chart.png" and written_file.bytes == len(PNG)


def test_an_auto_container_is_created_then_reused_along_the_conversation(serve) -> None:
    steps = [reply(code_interpreter("1 + 1")), reply(code_interpreter("2 + 2"), "4")]
    client = client_for(serve(steps))
    tools = [{"type": "code_interpreter", "container": {"type": "auto"}}]
    first = client.responses.create(model=MODEL, input="1+1", tools=tools)
    assert first.output[0].outputs is None  # not included
    second = client.responses.create(
        model=MODEL, input="2+2", tools=tools, previous_response_id=first.id
    )
    assert second.output[0].container_id == first.output[0].container_id
    assert client.containers.retrieve(first.output[0].container_id).name == "auto"


DEEPWIKI = {
    "type": "mcp",
    "server_label": "deepwiki",
    "server_url": "https://mcp.deepwiki.com/mcp",
    "allowed_tools": ["ask_question"],
    "require_approval": "always",
}
TOOLS = [
    mcp_tool(
        "read_wiki_structure", "Get a list of documentation topics", {"repoName": "owner/repo"}
    ),
    mcp_tool("ask_question", "Ask any question", {"repoName": "owner/repo", "question": "q"}),
]
ARGS = {"repoName": "openai/openai-python", "question": "How many retries?"}


def test_an_mcp_call_waits_for_approval_and_then_carries_its_id(serve) -> None:
    steps = [
        reply(
            mcp_list_tools("deepwiki", TOOLS),
            mcp_approval_request("deepwiki", "ask_question", ARGS),
        ),
        reply(mcp_call("deepwiki", "ask_question", ARGS, output="Two, by default."), "Twice."),
    ]
    server = serve(steps)
    client = client_for(server)
    secret_tool = {**DEEPWIKI, "headers": {"Authorization": "Bearer mcp-secret-token"}}
    asked = client.responses.create(model=MODEL, input="Retries?", tools=[secret_tool])
    listed, request = asked.output
    assert [t.name for t in listed.tools] == ["ask_question"]  # allowed_tools filters the list
    assert (request.type, request.name, json.loads(request.arguments)) == (
        "mcp_approval_request",
        "ask_question",
        ARGS,
    )
    echo = asked.tools[0]
    assert echo.server_url == "https://mcp.deepwiki.com/<redacted>" and echo.headers is None
    approval = {"type": "mcp_approval_response", "approval_request_id": request.id, "approve": True}
    answered = client.responses.create(
        model=MODEL, input=[approval], tools=[DEEPWIKI], previous_response_id=asked.id
    )
    call = answered.output[0]
    assert (call.type, call.approval_request_id, call.output, call.status) == (
        "mcp_call",
        request.id,
        "Two, by default.",
        "completed",
    )
    assert not any(b"mcp-secret-token" in json.dumps(a.body).encode() for a in server.answers)


def test_an_mcp_script_cannot_call_without_approval_or_outside_allowed_tools(serve) -> None:
    steps = [
        reply(mcp_call("deepwiki", "ask_question", ARGS, output="x")),
        reply(mcp_call("deepwiki", "read_wiki_structure", {"repoName": "a/b"}, output="x")),
        reply(mcp_approval_request("deepwiki", "ask_question", ARGS)),
        reply(mcp_call("deepwiki", "ask_question", ARGS, output="Two."), "Two."),
    ]
    server = serve(steps)
    client = client_for(server)
    for _ in range(2):
        with pytest.raises(openai.InternalServerError):
            client.responses.create(model=MODEL, input="x", tools=[DEEPWIKI])
    assert "needs approval" in server.errors[0]
    assert "allowed_tools" in server.errors[1]
    trusted = {**DEEPWIKI, "require_approval": "never"}
    with pytest.raises(openai.InternalServerError):
        client.responses.create(model=MODEL, input="x", tools=[trusted])
    assert "lets run without one" in server.errors[2]
    answered = client.responses.create(model=MODEL, input="x", tools=[trusted])
    assert answered.output[0].approval_request_id is None
    server.errors.clear()


def test_hosted_items_stream_with_their_own_events(serve) -> None:
    steps = [
        reply(
            mcp_list_tools("deepwiki", TOOLS),
            mcp_call("deepwiki", "ask_question", ARGS, output="Two."),
            code_interpreter(CODE, logs="(3, 2)\n"),
            "Done.",
        )
    ]
    client = client_for(serve(steps))
    tools = [
        {**DEEPWIKI, "require_approval": "never"},
        {"type": "code_interpreter", "container": {"type": "auto"}},
    ]
    with client.responses.stream(model=MODEL, input="x", tools=tools) as stream:
        events = list(stream)
        final = stream.get_final_response()
    names = [e.type for e in events]
    for expected in (
        "response.mcp_list_tools.in_progress",
        "response.mcp_list_tools.completed",
        "response.mcp_call_arguments.done",
        "response.mcp_call.completed",
        "response.code_interpreter_call_code.delta",
        "response.code_interpreter_call_code.done",
        "response.code_interpreter_call.interpreting",
    ):
        assert expected in names, expected
    added = [e.item for e in events if e.type == "response.output_item.added"]
    assert added[2].type == "code_interpreter_call" and added[2].code == ""
    deltas = "".join(
        e.delta for e in events if e.type == "response.code_interpreter_call_code.delta"
    )
    assert deltas == CODE == final.output[2].code


def test_a_scripted_image_has_the_size_the_tool_asks_for(serve) -> None:
    server = serve([reply(image_generation("aGVsbG8=", size="1024x1536"))])
    client = client_for(server)
    tool = {"type": "image_generation", "size": "1024x1024", "quality": "low"}
    with pytest.raises(openai.InternalServerError):
        client.responses.create(model=MODEL, input="Draw.", tools=[tool])
    assert "size='1024x1536'" in server.errors[-1]
    server.errors.clear()
    server.add_steps([reply(image_generation("aGVsbG8=", size="1024x1024", quality="low"))])
    drawn = client.responses.create(model=MODEL, input="Draw.", tools=[tool])
    assert drawn.tools[0].model and drawn.tools[0].output_format == "png"
    assert drawn.tool_usage.image_gen.output_tokens_details.image_tokens == 272
