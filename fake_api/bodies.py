"""The JSON a server sends for a step and a request: response bodies (the output items rendered,
the request's settings echoed), token usage, the stored input items, and list pages.

Token counts are about four characters a token: enough for usage that adds up and grows with the
input, as the real API's does. The stream events of a response are built in fake_api.events.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Mapping
from typing import Any

from . import compaction, formats, hosted, live, reasoning
from .errors import ApiError
from .events import events_of
from .state import State, StoredResponse
from .steps import Item, Reply

SOURCES_INCLUDE = "web_search_call.action.sources"
ENCRYPTED_INCLUDE = "reasoning.encrypted_content"


def count_tokens(s: str) -> int:
    return (len(s) + 3) // 4 if s else 0


def strings(obj: Any) -> Iterable[str]:
    """Every text a model would read in an input or output structure."""
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, Mapping):
        for key, value in obj.items():
            if key in ("text", "refusal", "arguments", "output", "content", "summary", "name"):
                yield from strings(value)
            elif key == "action" and isinstance(value, Mapping):
                yield from strings(value.get("query") or "")
    elif isinstance(obj, list):
        for value in obj:
            yield from strings(value)


def merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def build_response(
    state: State,
    step: Reply,
    body: dict,
    history: list[dict[str, Any]],
    conv_id: str | None,
    words_per_delta: int,
    live_shapes: bool = False,
) -> StoredResponse:
    """The response ``step`` makes of the request ``body``: its final body, its stream events
    and its input items, with ids and times taken from ``state`` (which it does not store into).
    ``history`` is what the model saw before this input (a chain's or a conversation's items).
    ``live_shapes``: write what the live API sends today (fake_api.live)."""
    if live_shapes:
        reasoning.check_step(body, step.items)
        state.new_response_ids()
    include = body.get("include") or []
    summaries = (body.get("reasoning") or {}).get("summary") is not None
    created_at = state.tick(0)
    resp_id = state.new_id("resp", created_at)
    input_items = input_to_items(state, body.get("input"), created_at)
    seen = compaction.latest_window(history) + input_items
    output, reasoning_tokens = [], 0
    limit = compaction.threshold(body)
    if limit is not None and input_tokens_of(body, seen) > limit:
        seen, _ = compaction.compact_window(state, seen, created_at, items_tokens)
        output.append(seen[-1])  # the server compacted first: the output starts with the item
    hosted.check_step(body, step.items)
    tools = hosted.Context(state, body, history, created_at)  # file search, code, MCP (hosted)
    for item in step.items:
        if hosted.is_hosted(item):
            output.append(hosted.render(tools, item, output))
            continue
        rendered, tokens = render_item(state, item, created_at, include, summaries, live_shapes)
        output.append(rendered)
        reasoning_tokens += tokens
    if step.incomplete_reason:
        for item in reversed(output):
            if item["type"] == "message":
                item["status"] = "incomplete"
                break

    formats.check_answer(body, message_texts(output), step.status)
    usage = usage_of(body, seen, output, reasoning_tokens)
    hosted.adjust_usage(usage, tools)
    if step.usage:
        before = usage["output_tokens_details"]["reasoning_tokens"]
        usage = merge(usage, step.usage)
        if "output_tokens" not in step.usage:  # reasoning tokens billed without an item
            usage["output_tokens"] += usage["output_tokens_details"]["reasoning_tokens"] - before
        if "total_tokens" not in step.usage:
            usage["total_tokens"] = usage["input_tokens"] + usage["output_tokens"]
    cut = step.incomplete_reason == "max_output_tokens" and body.get("max_output_tokens")
    if live_shapes and cut:
        live.cut_usage(usage, body["max_output_tokens"])
    duration = 1 + usage["output_tokens"] // 60
    state.tick(duration + 3)

    final = response_body(body, resp_id, created_at, step.status, output, usage)
    final["completed_at"] = created_at + duration if step.status == "completed" else None
    if step.status == "incomplete":
        final["incomplete_details"] = {"reason": step.incomplete_reason or "max_output_tokens"}
    if step.status == "failed":
        final["error"] = dict(
            step.failure
            or {"code": "server_error", "message": "The model failed to produce a response."}
        )
    if conv_id:
        final["conversation"] = {"id": conv_id}
    if live_shapes:
        live.decorate_body(final, body)
        hosted.decorate_live(final, body)

    background = bool(body.get("background"))
    statuses = step.background or (("queued", step.status) if background else (step.status,))
    split = live.token_pieces if live_shapes else None
    events = hosted.stream_events(events_of(final, background, words_per_delta, split))
    if live_shapes:
        live.decorate_events(events, body)
    return StoredResponse(
        id=resp_id,
        final=final,
        events=events,
        input_items=input_items,
        history=history,
        store=body.get("store", True) is not False,
        background=background,
        statuses=statuses,
    )


def response_body(
    req: dict,
    resp_id: str,
    created_at: int,
    status: str,
    output: list,
    usage: dict,
) -> dict[str, Any]:
    text_cfg = formats.echo_text(req)
    reasoning_cfg = merge({"effort": None, "summary": None}, req.get("reasoning") or {})
    service_tier = req.get("service_tier")
    return {
        "id": resp_id,
        "object": "response",
        "created_at": created_at,
        "status": status,
        "background": bool(req.get("background", False)),
        "completed_at": None,
        "error": None,
        "incomplete_details": None,
        "instructions": req.get("instructions"),
        "max_output_tokens": req.get("max_output_tokens"),
        "max_tool_calls": req.get("max_tool_calls"),
        "model": req["model"],
        "output": output,
        "parallel_tool_calls": req.get("parallel_tool_calls", True),
        "previous_response_id": req.get("previous_response_id"),
        "prompt_cache_key": req.get("prompt_cache_key"),
        "prompt_cache_retention": req.get("prompt_cache_retention"),
        "reasoning": reasoning_cfg,
        "safety_identifier": req.get("safety_identifier"),
        "service_tier": service_tier if service_tier not in (None, "auto") else "default",
        # `store` is in every real answer though the SDK's Response type has no such field.
        "store": req.get("store", True) is not False,
        "temperature": req.get("temperature", 1.0),
        "text": text_cfg,
        "tool_choice": req.get("tool_choice", "auto"),
        "tools": [echo_tool(tool) for tool in req.get("tools") or []],
        "top_logprobs": req.get("top_logprobs", 0),
        "top_p": req.get("top_p", 1.0),
        "truncation": req.get("truncation", "disabled"),
        "usage": usage,
        "user": req.get("user"),
        "metadata": req.get("metadata") or {},
    }


def message_texts(output: list[dict[str, Any]]) -> list[str]:
    """The ``output_text`` of each assistant message in ``output``."""
    return [
        "".join(p["text"] for p in item["content"] if p["type"] == "output_text")
        for item in output
        if item["type"] == "message" and any(p["type"] == "output_text" for p in item["content"])
    ]


def echo_tool(tool: Mapping[str, Any]) -> dict[str, Any]:
    if tool.get("type") in hosted.TOOLS:
        return hosted.echo_tool(tool)
    tool = dict(tool)
    if tool.get("type") == "function":
        return {
            "type": "function",
            "description": tool.pop("description", None),
            "name": tool.pop("name", None),
            "parameters": tool.pop("parameters", None),
            "strict": tool.pop("strict", True),
            **tool,
        }
    if tool.get("type") in ("web_search", "web_search_preview"):
        tool.setdefault("search_context_size", "medium")
    return tool


def items_tokens(items: Iterable[Mapping[str, Any]]) -> int:
    """The tokens a model reads for these input or output items."""
    return sum(
        3 + sum(count_tokens(s) for s in strings(item)) + compaction.read_tokens(item)
        for item in items
    )


def input_tokens_of(req: Mapping[str, Any], seen: list[dict]) -> int:
    """The input tokens of a request whose model reads ``seen`` (history, then input)."""
    return usage_of(dict(req), seen, [], 0)["input_tokens"]


def usage_of(
    req: dict, seen: list[dict], output: list[dict], reasoning_tokens: int
) -> dict[str, Any]:
    input_tokens = 4 + count_tokens(req.get("instructions") or "") + items_tokens(seen)
    if req.get("tools"):
        input_tokens += count_tokens(json.dumps(req["tools"]))
    fmt = (req.get("text") or {}).get("format") or {}
    if fmt.get("type") == "json_schema":
        # The model reads the schema too, more compactly than its JSON: in real traffic a
        # 380-character schema and a six-word question cost 76 input tokens.
        input_tokens += count_tokens(json.dumps(fmt.get("schema"), separators=(",", ":"))) // 2
    output_tokens = reasoning_tokens
    for item in output:
        if item["type"] != "reasoning":
            output_tokens += sum(count_tokens(s) for s in strings(item))
            output_tokens += compaction.read_tokens(item)
    return {
        "input_tokens": input_tokens,
        "input_tokens_details": {"cache_write_tokens": 0, "cached_tokens": 0},
        "output_tokens": output_tokens,
        "output_tokens_details": {"reasoning_tokens": reasoning_tokens},
        "total_tokens": input_tokens + output_tokens,
    }


def render_item(
    state: State,
    item: Item,
    created_at: int,
    include: list[str],
    summaries: bool,
    live_shapes: bool = False,
) -> tuple[dict[str, Any], int]:
    d = item.data
    if item.kind == "message":
        out = {
            "id": state.new_id("msg", created_at),
            "type": "message",
            "status": d["status"],
            "content": [
                {
                    "type": "output_text",
                    "annotations": copy.deepcopy(list(d["annotations"])),
                    "logprobs": [],
                    "text": d["text"],
                }
            ],
            "role": "assistant",
        }
        if d["phase"]:
            out["phase"] = d["phase"]
        return out, 0
    if item.kind == "refusal":
        return {
            "id": state.new_id("msg", created_at),
            "type": "message",
            "status": "completed",
            "content": [{"type": "refusal", "refusal": d["refusal"]}],
            "role": "assistant",
        }, 0
    if item.kind == "reasoning":
        summary_text = " ".join(d["summary"])
        tokens = d["tokens"] if d["tokens"] is not None else 64 + 4 * count_tokens(summary_text)
        rid = state.new_id("rs", created_at)
        out = {
            "id": rid,
            "type": "reasoning",
            "summary": (
                [{"type": "summary_text", "text": s} for s in d["summary"]] if summaries else []
            ),
        }
        if ENCRYPTED_INCLUDE in include:
            out["encrypted_content"] = "gAAAAAB" + state.hash("encrypted", rid) * 3
        return out, tokens
    if item.kind == "web_search":
        action: dict[str, Any] = {"type": d["action"]}
        if d["action"] == "search":
            action["query"] = d["query"]
            if live_shapes:
                action["queries"] = list(d["queries"])
            if SOURCES_INCLUDE in include:
                action["sources"] = [{"type": "url", "url": url} for url in d["sources"]]
        else:
            action["url"] = d["url"]
            if d["action"] == "find_in_page":
                action["pattern"] = d["pattern"]
        return {
            "id": state.new_id("ws", created_at),
            "type": "web_search_call",
            "status": d["status"],
            "action": action,
        }, 0
    if item.kind == "function_call":
        return {
            "id": state.new_id("fc", created_at),
            "type": "function_call",
            "status": "completed",
            "arguments": d["arguments"],
            "call_id": d["call_id"] or state.new_call_id(),
            "name": d["name"],
        }, 0
    if item.kind == "image_generation":
        return {
            "id": state.new_id("ig", created_at),
            "type": "image_generation_call",
            "status": "completed",
            "background": d["background"],
            "output_format": d["output_format"],
            "quality": d["quality"],
            "result": d["result"],
            "revised_prompt": d["revised_prompt"],
            "size": d["size"],
        }, 0
    raise ValueError(f"unknown item kind {item.kind!r}")


def input_to_items(state: State, value: Any, created_at: int) -> list[dict[str, Any]]:
    """The request's input as the stored items ``input_items`` lists (ids added)."""
    if value is None:
        return []
    if isinstance(value, str):
        value = [{"role": "user", "content": value}]
    items = []
    for raw in value:
        item = copy.deepcopy(dict(raw))
        kind = item.setdefault("type", "message")
        if kind == "item_reference":
            known = state.items.get(item.get("id", ""))
            if known is not None:
                items.append(copy.deepcopy(known))
            continue
        if kind == "message":
            role = item.get("role", "user")
            content = item.get("content")
            if role == "assistant":
                if isinstance(content, str):
                    content = [{"type": "output_text", "text": content}]
                for part in content or []:
                    if part.get("type") == "output_text":
                        part.setdefault("annotations", [])
                        part.setdefault("logprobs", [])
            else:
                if isinstance(content, str):
                    content = [{"type": "input_text", "text": content}]
                for part in content or []:
                    if part.get("type") == "input_image":
                        part.setdefault("detail", "auto")
            phase = item.get("phase")
            item = {
                "id": item.get("id") or state.new_id("msg", created_at),
                "type": "message",
                "status": item.get("status") or "completed",
                "content": content or [],
                "role": role,
            }
            if phase and role == "assistant":
                item["phase"] = phase  # kept, as the SDK's docstring asks clients to resend it
        else:
            prefix = {"function_call_output": "fco", "function_call": "fc"}.get(kind, "item")
            item.setdefault("id", state.new_id(prefix, created_at))
            if kind in ("function_call_output", "function_call"):
                item.setdefault("status", "completed")
        items.append(item)
    return items


def page(items: list[dict[str, Any]], query: Mapping[str, str]) -> dict[str, Any]:
    order = query.get("order", "desc")
    if order not in ("asc", "desc"):
        raise ApiError(
            400,
            f"Invalid value: '{order}'. Supported values are: 'asc' and 'desc'.",
            param="order",
            code="invalid_value",
        )
    if order == "desc":
        items = items[::-1]
    after = query.get("after")
    if after:
        ids = [item["id"] for item in items]
        items = items[ids.index(after) + 1 :] if after in ids else []
    try:
        limit = int(query.get("limit", 20))
    except ValueError:
        limit = 20
    page = items[: max(1, min(limit, 100))]
    return {
        "object": "list",
        "data": page,
        # An empty page: the SDK types these as str, so "" rather than null.
        "first_id": page[0]["id"] if page else "",
        "last_id": page[-1]["id"] if page else "",
        "has_more": len(items) > len(page),
    }
