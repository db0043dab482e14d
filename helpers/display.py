"""Showing responses to people: ``show(response)`` and ``show_json(obj)``.

Both return small objects that IPython renders as Markdown (in JupyterLab and the docs) and as plain
text (in a terminal), with the same content and nothing that changes from run to run.

Defined in 01_basics (``show``, ``show_json``) and 03_web_search (citations).
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["show", "show_json", "cited_text"]


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def cited_text(part: Any, numbers: dict[str, int], markdown: bool) -> str:
    """The text of an ``output_text`` part with a numbered marker after each cited span.

    ``numbers`` maps URL -> citation number and grows as new URLs are met, so one response's
    citations share one numbering.
    """
    text = _get(part, "text", "")
    marks = []
    for ann in _get(part, "annotations", None) or []:
        if _get(ann, "type") != "url_citation":
            continue
        url = _get(ann, "url")
        number = numbers.setdefault(url, len(numbers) + 1)
        marks.append((_get(ann, "end_index", len(text)), number, url))
    # Insert from the end so earlier indices stay valid; several marks at one place keep order.
    for end, number, url in sorted(marks, key=lambda m: (m[0], m[1]), reverse=True):
        label = f"[\\[{number}\\]]({url})" if markdown else f"[{number}]"
        text = text[:end] + label + text[end:]
    return text


def _titles(response: Any) -> dict[str, str]:
    titles = {}
    for item in _get(response, "output", None) or []:
        for part in _get(item, "content", None) or []:
            for ann in _get(part, "annotations", None) or []:
                if _get(ann, "type") == "url_citation":
                    titles.setdefault(_get(ann, "url"), _get(ann, "title") or _get(ann, "url"))
    return titles


def _tool_line(item: Any) -> str | None:
    kind = _get(item, "type")
    if kind == "web_search_call":
        action = _get(item, "action")
        what = _get(action, "type", "search")
        queries = _get(action, "queries") or []
        detail = (
            _get(action, "query")
            or "; ".join(queries)
            or _get(action, "url")
            or _get(action, "pattern")
            or ""
        )
        sources = _get(action, "sources") or []
        extra = f", {len(sources)} sources" if sources else ""
        detail = f" {json.dumps(detail, ensure_ascii=False)}" if detail else ""
        return f"web_search_call · {what}{detail} ({_get(item, 'status')}{extra})"
    if kind == "function_call":
        return (
            f"function_call · {_get(item, 'name')}({_get(item, 'arguments')}) "
            f"· call_id {_get(item, 'call_id')}"
        )
    if kind in ("message", "reasoning"):
        return None
    status = _get(item, "status")
    return f"{kind}" + (f" ({status})" if status else "")


class ResponseView:
    """What ``show`` returns; IPython picks the Markdown or the plain text rendering."""

    def __init__(self, response: Any):
        self.response = response

    def render(self, markdown: bool) -> str:
        r = self.response
        blocks: list[str] = []
        numbers: dict[str, int] = {}
        tools = []
        for item in _get(r, "output", None) or []:
            kind = _get(item, "type")
            if kind == "reasoning":
                summary = " ".join(_get(s, "text", "") for s in _get(item, "summary", None) or [])
                if summary:
                    blocks.append(
                        f"*Reasoning summary:* {summary}" if markdown else f"(reasoning) {summary}"
                    )
            elif kind == "message":
                for part in _get(item, "content", None) or []:
                    if _get(part, "type") == "output_text":
                        blocks.append(cited_text(part, numbers, markdown))
                    elif _get(part, "type") == "refusal":
                        blocks.append(f"(refusal) {_get(part, 'refusal')}")
            else:
                line = _tool_line(item)
                if line:
                    tools.append(line)
                    blocks.append(f"`{line}`" if markdown else f"[tool] {line}")
        if not blocks:
            blocks.append("*(no output yet)*" if markdown else "(no output yet)")
        if numbers:
            titles = _titles(r)
            lines = ["**Sources**" if markdown else "Sources"]
            for url, n in numbers.items():
                title = titles.get(url, url)
                lines.append(f"{n}. [{title}]({url})" if markdown else f"{n}. {title} <{url}>")
            blocks.append("\n".join(lines))
        blocks.append(self._footer(markdown))
        return "\n\n".join(blocks)

    def _footer(self, markdown: bool) -> str:
        r = self.response
        bits = [str(_get(r, "model")), str(_get(r, "status"))]
        usage = _get(r, "usage")
        if usage:
            cached = _get(_get(usage, "input_tokens_details"), "cached_tokens", 0) or 0
            reasoning = _get(_get(usage, "output_tokens_details"), "reasoning_tokens", 0) or 0
            bits.append(
                f"{_get(usage, 'input_tokens'):,} tokens in ({cached:,} cached), "
                f"{_get(usage, 'output_tokens'):,} out ({reasoning:,} reasoning)"
            )
        error = _get(r, "error")
        if error:
            bits.append(f"error: {_get(error, 'message')}")
        incomplete = _get(r, "incomplete_details")
        if incomplete:
            bits.append(f"incomplete: {_get(incomplete, 'reason')}")
        line = " · ".join(bits)
        return f"*{line}*" if markdown else line

    def _repr_markdown_(self) -> str:
        return self.render(markdown=True)

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(self.render(markdown=False))

    def __str__(self) -> str:
        return self.render(markdown=False)


def show(response: Any) -> ResponseView:
    """Render a response for people: reasoning summary, message text with numbered citation links,
    tool calls, a sources list and one usage line."""
    return ResponseView(response)


def _shorten(value: Any, limit: int) -> Any:
    if isinstance(value, str) and len(value) > limit:
        return f"{value[: limit - 20]}... ({len(value):,} characters)"
    if isinstance(value, dict):
        return {k: _shorten(v, limit) for k, v in value.items()}
    if isinstance(value, list):
        return [_shorten(v, limit) for v in value]
    return value


class JsonView:
    def __init__(self, data: Any):
        self.text = json.dumps(data, indent=2, ensure_ascii=False)

    def _repr_markdown_(self) -> str:
        return f"```json\n{self.text}\n```"

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(self.text)

    def __str__(self) -> str:
        return self.text


def show_json(obj: Any, *, exclude_none: bool = True, max_string: int = 300) -> JsonView:
    """Pretty JSON of any SDK object (through ``model_dump``) or plain data. Fields that are None
    are left out unless ``exclude_none=False``; very long strings (base64 images) are shortened."""
    if hasattr(obj, "model_dump"):
        data = obj.model_dump(mode="json", exclude_none=exclude_none)
    elif isinstance(obj, list) and obj and hasattr(obj[0], "model_dump"):
        data = [o.model_dump(mode="json", exclude_none=exclude_none) for o in obj]
    else:
        data = obj
    return JsonView(_shorten(data, max_string))
