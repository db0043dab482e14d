"""The hosted tools beyond web search, in a scripted reply: file search, code interpreter and remote
MCP servers (image generation's item is ``steps.image_generation``). A script says what a tool did;
this module renders it against the server's state and the request, as the live API would, and
refuses what the live API could not have sent::

    reply(
        file_search("return worn items", results=[found("returns.md", "Items you have worn ...", 0.91)]),
        cited("Worn items cannot be returned.", files=[("cannot be returned", "returns.md")]),
    )

- ``file_search(*queries, results=[found(filename, text, score)])``: a ``file_search_call``. Each
  result names a file by its name: it must be indexed (``completed``) in a vector store the
  request's ``file_search`` tool searches, and its text must be a passage of that file. Results
  are sent only when the request asks for them (``include=["file_search_call.results"]``).
- ``code_interpreter(code, logs=..., files=[written(name, data)])``: a ``code_interpreter_call`` in
  the container the request's tool names (its id), or for ``{"type": "auto"}`` the container a
  previous call in the conversation used, else a new one. The files the code writes are added to
  that container (``source: "assistant"``, in ``/mnt/data``), to be downloaded through
  ``/containers/{id}/files/{file_id}/content``. ``logs`` are sent only when the request includes
  ``code_interpreter_call.outputs``.
- ``mcp_list_tools(label, tools=[mcp_tool(...)])``, ``mcp_approval_request(label, name, args)``,
  ``mcp_call(label, name, args, output=...)``: the request's ``mcp`` tool with that
  ``server_label`` decides: ``allowed_tools`` filters the tools listed and the tools that may be
  called; ``require_approval`` (``"always"`` when not given, as documented) says which calls need
  an approval request first. An ``mcp_call`` that needs approval must follow an
  ``mcp_approval_response`` with ``approve: true`` in the request's input, for an approval request
  of the same tool and arguments; it then carries that request's id.
- ``cited(text, files=[(span, filename)], container_files=[(span, filename)])``: the assistant's
  message, with a ``file_citation`` after each span (its ``index`` is where the span ends, as in
  real answers, before the full stop) for a file this reply's search found, and a
  ``container_file_citation`` over each span (a ``sandbox:`` link) for a file this reply's code
  wrote.

The API's own rules for these tools, checked before a step is taken (``check_request``): a
``code_interpreter`` tool needs a ``container`` ("Missing required parameter: 'tools[0].container'.",
as users report it), a container or vector store named must exist, a ``file_search`` tool needs
``vector_store_ids``. Tools are echoed as the live API echoes them (``echo_tool``): file search
with its defaults, an MCP server's URL with its path ``<redacted>`` and no ``headers`` (as in real
traffic captured by others), image generation with its defaults.
"""

from __future__ import annotations

import copy
import json
import mimetypes
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from . import resources
from .errors import ApiError, not_found
from .state import State
from .steps import Item

KINDS = ("file_search", "code_interpreter", "mcp_list_tools", "mcp_approval_request", "mcp_call")
CITED = "cited"
TOOLS = ("file_search", "code_interpreter", "mcp", "image_generation")
RESULTS_INCLUDE = "file_search_call.results"
OUTPUTS_INCLUDE = "code_interpreter_call.outputs"
# The image model the tool uses when the request names none (the pinned SDK's docstring).
DEFAULT_IMAGE_MODEL = "gpt-image-2.6-sunburst"
# Output image tokens of a 1024x1024 image by quality (the GPT Image pricing table, gpt-image-1;
# an assumption for the newer models), for the live bodies' ``tool_usage.image_gen``.
IMAGE_TOKENS = {"low": 272, "medium": 1056, "high": 4160}


def _tokens(s: str) -> int:
    return (len(s) + 3) // 4 if s else 0


# --------------------------------------------------------------------------------------------
# What a script says
# --------------------------------------------------------------------------------------------


class Found(NamedTuple):
    """One file search result: a passage of a file, and how well it matched."""

    filename: str
    text: str
    score: float


class Written(NamedTuple):
    """A file the model's code wrote into the container's ``/mnt/data``."""

    filename: str
    data: bytes
    content_type: str


def found(filename: str, text: str, score: float) -> Found:
    return Found(filename, text, score)


def written(filename: str, data: bytes, content_type: str | None = None) -> Written:
    kind = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    return Written(filename, bytes(data), kind)


def file_search(*queries: str, results: Iterable[Found] = ()) -> Item:
    """A ``file_search_call`` that ran ``queries`` and found ``results``."""
    if not queries:
        raise ValueError("file_search() needs at least one query")
    return Item("file_search", {"queries": list(queries), "results": list(results)})


def code_interpreter(code: str, logs: str | None = None, *, files: Iterable[Written] = ()) -> Item:
    """A ``code_interpreter_call`` that ran ``code``, printed ``logs`` and wrote ``files``."""
    return Item("code_interpreter", {"code": code, "logs": logs, "files": list(files)})


def mcp_tool(
    name: str,
    description: str,
    properties: Mapping[str, str],
    required: Iterable[str] | None = None,
    *,
    read_only: bool = False,
) -> dict[str, Any]:
    """A tool as an MCP server lists it; ``properties`` maps each argument to its description
    (all strings). Shaped like the tools DeepWiki's server lists in real traffic."""
    return {
        "annotations": {"read_only": read_only},
        "description": description,
        "input_schema": {
            "type": "object",
            "properties": {k: {"type": "string", "description": v} for k, v in properties.items()},
            "required": list(required if required is not None else properties),
            "additionalProperties": False,
            "$schema": "http://json-schema.org/draft-07/schema#",
        },
        "name": name,
    }


def mcp_list_tools(server_label: str, tools: Iterable[Mapping[str, Any]]) -> Item:
    """An ``mcp_list_tools`` item: the tools the server offers (``allowed_tools`` filters them)."""
    return Item("mcp_list_tools", {"server_label": server_label, "tools": list(tools)})


def mcp_approval_request(server_label: str, name: str, arguments: Mapping[str, Any]) -> Item:
    """An ``mcp_approval_request``: the model wants to call ``name`` and waits for approval."""
    return Item(
        "mcp_approval_request",
        {"server_label": server_label, "name": name, "arguments": dict(arguments)},
    )


def mcp_call(
    server_label: str,
    name: str,
    arguments: Mapping[str, Any],
    *,
    output: str | None = None,
    error: Mapping[str, Any] | None = None,
) -> Item:
    """An ``mcp_call``: the server ran ``name`` and answered ``output`` (or ``error``, such as
    ``{"type": "http_error", "code": 502, "message": "Bad Gateway"}``)."""
    return Item(
        "mcp_call",
        {
            "server_label": server_label,
            "name": name,
            "arguments": dict(arguments),
            "output": output,
            "error": dict(error) if error else None,
        },
    )


def cited(
    text: str,
    *,
    files: Iterable[tuple[str, str]] = (),
    container_files: Iterable[tuple[str, str]] = (),
    phase: str | None = None,
) -> Item:
    """The assistant's message, citing files this reply's tools found or wrote: ``files`` are
    ``(span, filename)`` pairs for ``file_citation``s, ``container_files`` for
    ``container_file_citation``s."""
    spans = [*files, *container_files]
    for span, _ in spans:
        if not span or span not in text:
            raise ValueError(f"cited span {span!r} does not occur in {text!r}")
    return Item(
        CITED,
        {
            "text": text,
            "files": list(files),
            "container_files": list(container_files),
            "phase": phase,
        },
    )


# --------------------------------------------------------------------------------------------
# The API's rules, before a step is taken
# --------------------------------------------------------------------------------------------


def _missing(name: str) -> ApiError:
    return ApiError(
        400, f"Missing required parameter: '{name}'.", param=name, code="missing_required_parameter"
    )


def check_request(state: State, body: Mapping[str, Any]) -> None:
    """Refuse, as the API does, a hosted tool the request cannot use."""
    for n, tool in enumerate(body.get("tools") or []):
        kind = tool.get("type")
        where = f"tools[{n}]"
        if kind == "code_interpreter":
            container = tool.get("container")
            if not container:
                raise _missing(f"{where}.container")
            if isinstance(container, str):
                record = state.collection(resources.CONTAINERS).get(container)
                if record is None or record["deleted"]:
                    raise not_found("Container", container, param=f"{where}.container")
        elif kind == "file_search":
            ids = tool.get("vector_store_ids")
            if not ids:
                raise _missing(f"{where}.vector_store_ids")
            for ident in ids:
                store = state.collection(resources.STORES).get(ident)
                if store is None or store["deleted"]:
                    raise not_found("Vector store", ident, param=f"{where}.vector_store_ids")
        elif kind == "mcp":
            if not tool.get("server_label"):
                raise _missing(f"{where}.server_label")
            if not any(tool.get(k) for k in ("server_url", "connector_id", "tunnel_id")):
                raise _missing(f"{where}.server_url")


def check_step(body: Mapping[str, Any], items: Iterable[Item]) -> None:
    """A scripted image must have the size and format the request's tool asks for."""
    tool = next((t for t in body.get("tools") or [] if t.get("type") == "image_generation"), None)
    for item in items:
        if item.kind != "image_generation" or tool is None:
            continue
        for key in ("size", "quality", "output_format", "background"):
            asked = tool.get(key)
            if asked not in (None, "auto") and item.data.get(key) != asked:
                raise RuntimeError(
                    f"the step's image has {key}={item.data.get(key)!r} but the request's "
                    f"image_generation tool asks for {asked!r}: give image_generation({key}=...)"
                )


# --------------------------------------------------------------------------------------------
# Rendering, against the state and the request
# --------------------------------------------------------------------------------------------


@dataclass
class Context:
    """What rendering one reply's hosted items needs, and what it found on the way."""

    state: State
    body: Mapping[str, Any]
    history: list[dict[str, Any]]
    created_at: int
    found: dict[str, dict[str, Any]] = field(default_factory=dict)  # filename -> search hit
    container: dict[str, Any] | None = None  # the container this reply's code ran in
    input_tokens: int = 0  # what the model read that usage_of does not count
    output_tokens: int = 0

    @property
    def include(self) -> list[str]:
        return list(self.body.get("include") or [])


def is_hosted(item: Item) -> bool:
    return item.kind in KINDS or item.kind == CITED


def render(ctx: Context, item: Item, output: list[dict[str, Any]]) -> dict[str, Any]:
    """The output item ``item`` becomes (``output``: the items rendered before it)."""
    renderer = {
        "file_search": _file_search,
        "code_interpreter": _code_interpreter,
        "mcp_list_tools": _mcp_list_tools,
        "mcp_approval_request": _mcp_approval_request,
        "mcp_call": _mcp_call,
        CITED: _cited,
    }[item.kind]
    return renderer(ctx, item.data, output)


def _tool(body: Mapping[str, Any], kind: str, label: str | None = None) -> dict[str, Any]:
    for tool in body.get("tools") or []:
        if tool.get("type") == kind and (label is None or tool.get("server_label") == label):
            return tool
    named = f" with server_label {label!r}" if label else ""
    raise RuntimeError(f"the step uses the {kind} tool{named}, but the request has no such tool")


def _squash(text: str) -> str:
    return " ".join(text.split())


def _file_search(ctx: Context, data: Mapping[str, Any], output: list) -> dict[str, Any]:
    tool = _tool(ctx.body, "file_search")
    index = resources.searchable(ctx.state, list(tool["vector_store_ids"]))
    results = []
    for hit in sorted(data["results"], key=lambda r: -r.score):
        known = index.get(hit.filename)
        if known is None:
            raise RuntimeError(
                f"the step's file search finds {hit.filename!r}, which is not indexed in the "
                f"vector stores the request searches (indexed now: {sorted(index) or 'none'}): "
                "attach it, and poll the store until it is completed, before this request"
            )
        if _squash(hit.text) not in _squash(known["text"]):
            raise RuntimeError(f"the result text {hit.text[:60]!r}... is not in {hit.filename!r}")
        store = ctx.state.collection(resources.STORES)[known["vector_store_id"]]
        ctx.found[hit.filename] = known
        ctx.input_tokens += _tokens(hit.text)
        results.append(
            {
                "attributes": copy.deepcopy(store["files"][known["file_id"]]["attributes"]),
                "file_id": known["file_id"],
                "filename": hit.filename,
                "score": hit.score,
                "text": hit.text,
                "vector_store_id": known["vector_store_id"],
            }
        )
    most = tool.get("max_num_results") or 20
    if len(results) > most:
        raise RuntimeError(
            f"the step's search finds {len(results)} results; the tool allows {most}"
        )
    return {
        "id": ctx.state.new_id("fs", ctx.created_at),
        "type": "file_search_call",
        "status": "completed",
        "queries": list(data["queries"]),
        "results": results if RESULTS_INCLUDE in ctx.include else None,
    }


def _container_for(ctx: Context, spec: Any) -> dict[str, Any]:
    state = ctx.state
    if isinstance(spec, str):
        return resources.get_container(state, spec)
    # auto: "creates a new container, or reuses an active container that was used by a previous
    # code_interpreter_call item in the model's context" (the code interpreter guide)
    for item in reversed(ctx.history):
        if item.get("type") == "code_interpreter_call":
            reused = state.collection(resources.CONTAINERS).get(item.get("container_id"))
            if reused is not None and not reused["deleted"]:
                return reused
    return resources.create_container(
        state, "auto", list(spec.get("file_ids") or []), spec.get("memory_limit")
    )


def _code_interpreter(ctx: Context, data: Mapping[str, Any], output: list) -> dict[str, Any]:
    tool = _tool(ctx.body, "code_interpreter")
    container = ctx.container or _container_for(ctx, tool["container"])
    ctx.container = container
    for file in data["files"]:
        resources.add_container_file(
            ctx.state, container, file.filename, file.data, file.content_type, "assistant"
        )
    resources.touch(ctx.state, container)
    logs = data["logs"]
    ctx.output_tokens += _tokens(data["code"])
    ctx.input_tokens += _tokens(logs or "")
    outputs = None
    if OUTPUTS_INCLUDE in ctx.include:
        outputs = [{"type": "logs", "logs": logs}] if logs is not None else []
    return {
        "id": ctx.state.new_id("ci", ctx.created_at),
        "type": "code_interpreter_call",
        "status": "completed",
        "code": data["code"],
        "container_id": container["object"]["id"],
        "outputs": outputs,
    }


def _allowed(tool: Mapping[str, Any], name: str) -> bool:
    allowed = tool.get("allowed_tools")
    if allowed is None:
        return True
    if isinstance(allowed, list):
        return name in allowed
    names = allowed.get("tool_names")
    return names is None or name in names


def needs_approval(tool: Mapping[str, Any], name: str) -> bool:
    """Whether calling ``name`` needs an approval first: ``require_approval`` is ``"always"`` by
    default ("By default, ... requires explicit approval before any data is shared with a remote
    MCP server", Microsoft's and OpenAI's guides), ``"never"``, or filters by tool name."""
    rule = tool.get("require_approval", "always")
    if rule in ("always", None):
        return True
    if rule == "never":
        return False
    if name in ((rule.get("never") or {}).get("tool_names") or []):
        return False
    return True


def _mcp(ctx: Context, data: Mapping[str, Any], kind: str) -> dict[str, Any]:
    tool = _tool(ctx.body, "mcp", data["server_label"])
    if "name" in data and not _allowed(tool, data["name"]):
        raise RuntimeError(
            f"the step's {kind} uses {data['name']!r}, which the request's allowed_tools "
            f"({tool.get('allowed_tools')!r}) do not include"
        )
    return tool


def _arguments(arguments: Mapping[str, Any]) -> str:
    return json.dumps(arguments, separators=(",", ":"), ensure_ascii=False)


def _mcp_list_tools(ctx: Context, data: Mapping[str, Any], output: list) -> dict[str, Any]:
    tool = _mcp(ctx, data, "mcp_list_tools")
    label = data["server_label"]
    if any(
        i.get("type") == "mcp_list_tools" and i.get("server_label") == label for i in ctx.history
    ):
        raise RuntimeError(
            f"the step lists {label!r}'s tools again: the API lists a server's tools once, and "
            "later turns of the conversation reuse that list"
        )
    tools = [copy.deepcopy(dict(t)) for t in data["tools"] if _allowed(tool, t["name"])]
    ctx.input_tokens += _tokens(json.dumps(tools))
    return {
        "id": ctx.state.new_id("mcpl", ctx.created_at),
        "type": "mcp_list_tools",
        "server_label": label,
        "tools": tools,
    }


def _mcp_approval_request(ctx: Context, data: Mapping[str, Any], output: list) -> dict[str, Any]:
    tool = _mcp(ctx, data, "mcp_approval_request")
    if not needs_approval(tool, data["name"]):
        raise RuntimeError(
            f"the step asks approval for {data['name']!r}, which the request's require_approval "
            f"({tool.get('require_approval')!r}) lets run without one: script mcp_call() instead"
        )
    return {
        "id": ctx.state.new_id("mcpr", ctx.created_at),
        "type": "mcp_approval_request",
        "arguments": _arguments(data["arguments"]),
        "name": data["name"],
        "server_label": data["server_label"],
    }


def _approval(ctx: Context, data: Mapping[str, Any]) -> str:
    """The id of the approval request this call was approved by (an ``mcp_approval_response`` in
    the input), or a scripting mistake when there is none."""
    arguments = _arguments(data["arguments"])
    value = ctx.body.get("input")
    items = value if isinstance(value, list) else []
    for answer in items:
        if not isinstance(answer, Mapping) or answer.get("type") != "mcp_approval_response":
            continue
        asked = ctx.state.items.get(answer.get("approval_request_id", ""))
        same = asked is not None and (asked.get("name"), asked.get("arguments")) == (
            data["name"],
            arguments,
        )
        if same and answer.get("approve") is True:
            return asked["id"]
        if same:
            raise RuntimeError(
                f"the step calls {data['name']!r}, but the request denied that call "
                "(approve: false): the model answers without it"
            )
    raise RuntimeError(
        f"the step calls {data['name']!r} on {data['server_label']!r}, which needs approval: the "
        "request must hold an mcp_approval_response with approve: true for an "
        "mcp_approval_request of the same tool and arguments (script that request first)"
    )


def _mcp_call(ctx: Context, data: Mapping[str, Any], output: list) -> dict[str, Any]:
    tool = _mcp(ctx, data, "mcp_call")
    approved = _approval(ctx, data) if needs_approval(tool, data["name"]) else None
    result = data["output"] or ""
    ctx.input_tokens += _tokens(result)
    ctx.output_tokens -= _tokens(result)  # usage_of counted it as written by the model
    item = {
        "id": ctx.state.new_id("mcp", ctx.created_at),
        "type": "mcp_call",
        "status": "failed" if data["error"] else "completed",
        "approval_request_id": approved,
        "arguments": _arguments(data["arguments"]),
        "error": copy.deepcopy(data["error"]),
        "name": data["name"],
        "output": data["output"],
        "server_label": data["server_label"],
    }
    return item


def _cited(ctx: Context, data: Mapping[str, Any], output: list) -> dict[str, Any]:
    text = data["text"]
    annotations: list[tuple[int, dict[str, Any]]] = []
    for span, filename in data["files"]:
        hit = ctx.found.get(filename)
        if hit is None:
            raise RuntimeError(
                f"the step cites {filename!r}, which no file search of this reply found "
                f"(found: {sorted(ctx.found) or 'nothing'})"
            )
        index = text.index(span) + len(span)
        annotation = {
            "file_id": hit["file_id"],
            "filename": filename,
            "index": index,
            "type": "file_citation",
        }
        annotations.append((index, annotation))
    for span, filename in data["container_files"]:
        record = resources.container_file_named(ctx.container, filename) if ctx.container else None
        if record is None:
            raise RuntimeError(
                f"the step cites the container file {filename!r}, which no code of this reply "
                "wrote: give code_interpreter(..., files=[written(...)]) first"
            )
        start = text.index(span)
        annotation = {
            "container_id": record["object"]["container_id"],
            "end_index": start + len(span),
            "file_id": record["object"]["id"],
            "filename": filename,
            "start_index": start,
            "type": "container_file_citation",
        }
        annotations.append((start, annotation))
    message = {
        "id": ctx.state.new_id("msg", ctx.created_at),
        "type": "message",
        "status": "completed",
        "content": [
            {
                "type": "output_text",
                "annotations": [a for _, a in sorted(annotations, key=lambda pair: pair[0])],
                "logprobs": [],
                "text": text,
            }
        ],
        "role": "assistant",
    }
    if data["phase"]:
        message["phase"] = data["phase"]
    return message


def adjust_usage(usage: dict[str, Any], ctx: Context) -> None:
    """Count what the tools gave the model to read (search results, tool lists, logs, an MCP
    server's answer) as input, and the code it wrote as output (in place)."""
    usage["input_tokens"] += ctx.input_tokens
    usage["output_tokens"] = max(0, usage["output_tokens"] + ctx.output_tokens)
    usage["total_tokens"] = usage["input_tokens"] + usage["output_tokens"]


def decorate_live(final: dict[str, Any], body: Mapping[str, Any]) -> None:
    """Live bodies count the image model's tokens in ``tool_usage.image_gen`` (in place)."""
    images = [i for i in final["output"] if i["type"] == "image_generation_call"]
    usage = (final.get("tool_usage") or {}).get("image_gen")
    if not images or usage is None:
        return
    prompt = body.get("input")
    text = _tokens(prompt if isinstance(prompt, str) else json.dumps(prompt))
    image = sum(IMAGE_TOKENS.get(i.get("quality") or "medium", 1056) for i in images)
    usage.update(
        input_tokens=text,
        input_tokens_details={"image_tokens": 0, "text_tokens": text},
        output_tokens=image,
        output_tokens_details={"image_tokens": image, "text_tokens": 0},
        total_tokens=text + image,
    )


# --------------------------------------------------------------------------------------------
# Tools echoed, and streamed
# --------------------------------------------------------------------------------------------


def redacted(url: str) -> str:
    """An MCP server's URL as the API echoes it: the host, then ``<redacted>`` for the path."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}/<redacted>" if host else "<redacted>"


def echo_tool(tool: Mapping[str, Any]) -> dict[str, Any]:
    """A hosted tool as the response's ``tools`` echo it."""
    tool = copy.deepcopy(dict(tool))
    kind = tool["type"]
    if kind == "file_search":
        ranking = {
            "ranker": "auto",
            "score_threshold": 0.0,
            **(tool.pop("ranking_options", None) or {}),
        }
        return {
            "type": "file_search",
            "filters": None,
            "max_num_results": 20,
            **tool,
            "ranking_options": ranking,
        }
    if kind == "mcp":
        # What authenticates to the server is never echoed back.
        tool.pop("authorization", None)
        tool.pop("headers", None)
        url = tool.pop("server_url", None)
        out = {
            "type": "mcp",
            "allowed_tools": None,
            "headers": None,
            "require_approval": "always",
            "server_description": None,
            **tool,
        }
        if url:
            out["server_url"] = redacted(url)
        return out
    if kind == "image_generation":
        defaults = {
            "background": "auto",
            "model": DEFAULT_IMAGE_MODEL,
            "moderation": "auto",
            "output_compression": 100,
            "output_format": "png",
            "partial_images": 0,
            "quality": "auto",
            "size": "auto",
        }
        return {"type": "image_generation", **defaults, **tool}
    return tool


_LINE = re.compile(r"[^\n]*\n|[^\n]+")


def stream_events(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events of a response with its hosted tools' own: each item announced in progress, then
    its tool's events (``response.file_search_call.searching``, the code in
    ``response.code_interpreter_call_code.delta`` pieces, ...), then done. Renumbered in place."""
    out: list[dict[str, Any]] = []
    for event in events:
        item = event.get("item")
        kind = item.get("type") if isinstance(item, dict) else None
        if event["type"] != "response.output_item.added" or kind not in _ANNOUNCED:
            out.append(event)
            continue
        event["item"] = _ANNOUNCED[kind](item)
        out.append(event)
        ids = {"item_id": item["id"], "output_index": event["output_index"]}
        for name, fields in _tool_events(kind, item):
            out.append({"type": name, "sequence_number": 0, **ids, **fields})
    for number, event in enumerate(out):
        event["sequence_number"] = number
    events[:] = out
    return events


_ANNOUNCED = {
    "file_search_call": lambda i: {**i, "status": "in_progress", "results": None},
    "code_interpreter_call": lambda i: {**i, "status": "in_progress", "code": "", "outputs": None},
    "mcp_list_tools": lambda i: {**i, "tools": []},
    "mcp_call": lambda i: {**i, "status": "in_progress", "arguments": "", "output": None},
}


def _tool_events(kind: str, item: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    if kind == "file_search_call":
        return [
            (f"response.file_search_call.{s}", {})
            for s in ("in_progress", "searching", "completed")
        ]
    if kind == "code_interpreter_call":
        code = item.get("code") or ""
        return [
            ("response.code_interpreter_call.in_progress", {}),
            *[
                ("response.code_interpreter_call_code.delta", {"delta": d})
                for d in _LINE.findall(code)
            ],
            ("response.code_interpreter_call_code.done", {"code": code}),
            ("response.code_interpreter_call.interpreting", {}),
            ("response.code_interpreter_call.completed", {}),
        ]
    if kind == "mcp_list_tools":
        return [
            ("response.mcp_list_tools.in_progress", {}),
            ("response.mcp_list_tools.completed", {}),
        ]
    # mcp_call
    end = "failed" if item.get("status") == "failed" else "completed"
    return [
        ("response.mcp_call.in_progress", {}),
        ("response.mcp_call_arguments.delta", {"delta": item["arguments"]}),
        ("response.mcp_call_arguments.done", {"arguments": item["arguments"]}),
        (f"response.mcp_call.{end}", {}),
    ]
