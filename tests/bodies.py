"""Small, valid Responses API bodies for unit tests (the notebooks' recordings use scenarios)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def usage(inp: int = 10, out: int = 5, cached: int = 0, reasoning: int = 0) -> dict[str, Any]:
    return {
        "input_tokens": inp,
        "input_tokens_details": {"cached_tokens": cached, "cache_write_tokens": 0},
        "output_tokens": out,
        "output_tokens_details": {"reasoning_tokens": reasoning},
        "total_tokens": inp + out,
    }


def message(text: str, annotations: list | None = None, id: str = "msg_1") -> dict[str, Any]:
    return {
        "id": id,
        "type": "message",
        "role": "assistant",
        "status": "completed",
        "content": [
            {"type": "output_text", "text": text, "annotations": annotations or [], "logprobs": []}
        ],
    }


def response(
    *items: dict[str, Any], id: str = "resp_1", status: str = "completed", **extra: Any
) -> dict[str, Any]:
    body = {
        "id": id,
        "object": "response",
        "created_at": 1763629200,
        "model": "gpt-5.4-mini",
        "status": status,
        "output": list(items),
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
        "usage": usage(),
    }
    body.update(extra)
    return body


def interaction(
    body: dict[str, Any] | None,
    answer: dict[str, Any] | None = None,
    *,
    method: str = "POST",
    path: str = "/responses",
    query: dict[str, Any] | None = None,
    status: int = 200,
    events: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    res: dict[str, Any] = {"status": status, "headers": {"content-type": "application/json"}}
    if events is not None:
        res["events"] = events
    else:
        res["body"] = answer
    return {
        "request": {"method": method, "path": path, "query": query or {}, "body": body},
        "response": res,
    }


def write_recording(folder: Path, name: str, interactions: list, **meta: Any) -> Path:
    data = {
        "format": 1,
        "meta": {
            "notebook": f"{name}.ipynb",
            "source": "illustrative",
            "recorded_at": "2026-11-22",
            "provider": "openai",
            "sdk_version": "3.54.0",
            "models": {"default": "gpt-5.4-mini"},
            **meta,
        },
        "interactions": interactions,
    }
    path = folder / f"{name}.json"
    path.write_text(json.dumps(data, indent=2))
    return path
