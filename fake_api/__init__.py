"""A scripted, local, Responses-compatible HTTP server (standard library only).

Tests point the real ``openai`` SDK at it, and ``make illustrate`` runs a notebook against it to
write the project's *illustrative* recordings. Every body and streamed event it sends is shaped
like the real API's and validates against the pinned SDK's types, except where the live API itself
does not: ``cache_write=False`` and ``reply(error_event=True)`` send those shapes, and
``live_shapes=True`` writes what live bodies and streams carry today (``fake_api.live``).

A *script* is a list of steps, consumed in order, one per ``POST /v1/responses`` (create). A step
decides the answer to that create; everything else (retrieve, polling, cancel, delete, input
items, stream resume, conversations, files, vector stores, containers) is served from the
server's own state::

    from fake_api import FakeResponsesServer, reply, text, reasoning, web_search

    STEPS = [
        reply(text("Paris is the capital of France.")),
        reply(
            reasoning("The user wants a source, so I search first."),
            web_search("capital of France", sources=["https://example.org/france"]),
            text("It is Paris.", citations=[("Paris", "https://example.org/france", "France")]),
        ),
    ]

    with FakeResponsesServer(STEPS) as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="sk-test")
        ...

Routes are served under ``/v1``, ``/openai/v1`` (Azure v1) and ``/openai`` (the legacy
``AzureOpenAI`` client); ``?api-version=`` is ignored. Ids, timestamps and headers are
deterministic: the same script gives byte-identical bodies on every run.

Run ``python -m fake_api scenarios/NN_name.py`` (from the repository root) to serve a scenario
file's ``STEPS`` until interrupted; it prints the base URL on its first line of output. A scenario
may also set ``SERVER = {"seed": "NN_name", "live_shapes": True}``: options for the server, which
``make illustrate`` passes on too (its own seed keeps the recording's ids apart from every other).

The modules, one job each:

- ``steps``: the output items of a reply (``text()``, ``reasoning()``, ...) and the steps of a
  script (``reply()``, ``error()``, ``hang()``, ``cut_stream()``, ``disconnect()``);
- ``bodies``: response bodies, token usage, input items and list pages, built from a step and a
  request; ``events``: the server-sent events of a response;
- ``formats``: response formats (``text.format``): the echo, the API's rules for ``json_schema``
  (strict mode) and ``json_object``, and the check that a scripted answer has the shape asked for;
- ``reasoning``: reasoning settings (each model's default effort and the efforts it takes, the
  settings echoed) and the rules for reasoning items sent back as input (``store=False``);
- ``hosted``: the hosted tools in a reply (``file_search()``, ``code_interpreter()``, the MCP
  items, ``cited()``), rendered against the server's state, and the API's rules for those tools;
- ``resources``: what those tools work on (uploaded files, vector stores and their indexing,
  containers and their files); ``uploads``: multipart request bodies;
- ``live``: the shapes the live API sends today, written when the server is started with
  ``live_shapes=True`` (dated snapshots, token-sized obfuscated deltas, ``phase``, ...);
- ``state``: what the server holds (the script, responses and background progress,
  conversations, items) and its deterministic ids and clock;
- ``routing`` and ``routes/``: the table of (method, path pattern, handler), one module a
  resource family (``routes/responses.py``, ``routes/context.py`` for counting input tokens and
  compacting, ``routes/conversations.py``, ``routes/files.py``, ``routes/vector_stores.py``,
  ``routes/containers.py``);
- ``compaction``: the compacted window and its ``compaction`` item, and ``context_management``
  on a create;
- ``server``: the HTTP server (``FakeResponsesServer``), its headers, auth and answers;
- ``live``: the live API's shapes today (``live_shapes=True``), those the SDK's types do not expect
  (``cache_write=False``, the error event of ``reply(error_event=True)``);
- ``__main__``: the command line.
"""

from __future__ import annotations

from .hosted import (
    cited,
    code_interpreter,
    file_search,
    found,
    mcp_approval_request,
    mcp_call,
    mcp_list_tools,
    mcp_tool,
    written,
)
from .server import Answer, FakeResponsesServer, SeenRequest
from .state import BASE_EPOCH
from .steps import (
    cut_stream,
    disconnect,
    error,
    find_in_page,
    function_call,
    hang,
    image_generation,
    open_page,
    reasoning,
    refusal,
    reply,
    text,
    web_search,
)

__all__ = [
    "BASE_EPOCH",
    "Answer",
    "FakeResponsesServer",
    "SeenRequest",
    "cited",
    "code_interpreter",
    "cut_stream",
    "disconnect",
    "error",
    "file_search",
    "find_in_page",
    "found",
    "function_call",
    "hang",
    "image_generation",
    "mcp_approval_request",
    "mcp_call",
    "mcp_list_tools",
    "mcp_tool",
    "open_page",
    "reasoning",
    "refusal",
    "reply",
    "text",
    "web_search",
    "written",
]
