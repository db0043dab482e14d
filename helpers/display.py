"""Showing responses to people: ``show(response)`` and ``show_json(obj)``.

Both return small objects that IPython renders as Markdown (in JupyterLab and the docs) and as plain
text (in a terminal), with the same content and nothing that changes from run to run.

They take what the live API sends, not only what the SDK's types describe: a citation's span is the
citation itself (an inline Markdown link in real answers), so the numbered link replaces it; answers
without annotations, search sources of type ``api`` and other shapes the SDK left as plain data are
shown as they are, without a warning.

Defined in 01_basics (``show``, ``show_json``) and 03_web_search (citations).
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel

from .faults import what_to_do

__all__ = ["show", "show_json", "cited_text"]

EXCERPT = 160  # characters of a file search result's text, of a tool's one-line output


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


# --------------------------------------------------------------------------------------------
# Citations
# --------------------------------------------------------------------------------------------


def _marker(number: int, url: str | None, markdown: bool) -> str:
    if not markdown:
        return f"[{number}]"
    return f"[\\[{number}\\]]({url})" if url else f"\\[{number}\\]"


def cited_text(part: Any, numbers: dict[str, int], markdown: bool) -> str:
    """The text of an ``output_text`` part with a numbered marker for each citation.

    A ``url_citation``'s ``start_index``..``end_index`` is the citation itself (in real answers an
    inline Markdown link such as ``([site](https://...))``): the numbered link replaces it, so a
    source is never linked twice. A ``file_citation`` is marked at its ``index``, a
    ``container_file_citation`` after its span. ``numbers`` maps a URL or file id to its number and
    grows as new ones are met, so one response's citations share one numbering.
    """
    text = _get(part, "text", "") or ""
    edits = []  # (start, end, marker): text[start:end] becomes the marker
    for ann in _get(part, "annotations", None) or []:
        kind = _get(ann, "type")
        if kind == "url_citation":
            url = _get(ann, "url")
            end = min(max(_get(ann, "end_index", len(text)) or 0, 0), len(text))
            start = min(max(_get(ann, "start_index", end) or 0, 0), end)
            number = numbers.setdefault(url, len(numbers) + 1)
            edits.append((start, end, _marker(number, url, markdown)))
        elif kind in ("file_citation", "container_file_citation"):
            number = numbers.setdefault(_get(ann, "file_id"), len(numbers) + 1)
            at = _get(ann, "index") if kind == "file_citation" else _get(ann, "end_index")
            at = min(max(at if isinstance(at, int) else len(text), 0), len(text))
            edits.append((at, at, _marker(number, None, markdown)))
    out, pos = [], 0
    for start, end, marker in sorted(edits, key=lambda e: (e[0], e[1])):
        if start >= pos:
            out += [text[pos:start], marker]
        else:  # the same span cited again, or one overlapping it: mark it once more
            out.append(marker)
        pos = max(pos, end)
    out.append(text[pos:])
    return "".join(out)


def _sources(response: Any) -> dict[str, str]:
    """URL or file id -> what to call it in the list of sources."""
    titles: dict[str, str] = {}
    for item in _get(response, "output", None) or []:
        for part in _get(item, "content", None) or []:
            for ann in _get(part, "annotations", None) or []:
                kind = _get(ann, "type")
                if kind == "url_citation":
                    url = _get(ann, "url")
                    titles.setdefault(url, _get(ann, "title") or url)
                elif kind in ("file_citation", "container_file_citation"):
                    file_id = _get(ann, "file_id")
                    name = _get(ann, "filename") or file_id
                    where = "container file" if kind == "container_file_citation" else "file"
                    titles.setdefault(file_id, f"{name} ({where} {file_id})")
    return titles


# --------------------------------------------------------------------------------------------
# Tool calls
# --------------------------------------------------------------------------------------------


def _quoted(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _short(text: Any, limit: int = EXCERPT) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _inline(text: str) -> str:
    """``text`` as Markdown inline code, whatever backticks it holds."""
    ticks = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (ticks + 1)
    pad = " " if ticks else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _fenced(text: str, language: str) -> str:
    """A multi-line text (code, logs, a tool's output) as a fenced Markdown block."""
    text = text.rstrip("\n")
    ticks = max((len(run) for run in re.findall(r"`{3,}", text)), default=2)
    fence = "`" * (ticks + 1)
    return f"{fence}{language}\n{text}\n{fence}"


def _status(item: Any, *extra: str) -> str:
    bits = [b for b in (_get(item, "status"), *extra) if b]
    return f" ({', '.join(bits)})" if bits else ""


def _error_text(error: Any) -> str | None:
    if not error:
        return None
    if isinstance(error, str):
        return error
    message = _get(error, "message") or _get(error, "content")
    code = _get(error, "code")
    text = message if isinstance(message, str) else json.dumps(message, ensure_ascii=False)
    return f"{code}: {text}" if code else text


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _web_search(item: Any) -> str:
    action = _get(item, "action")
    if action is None:  # announced in a stream before the search ran
        return f"web_search_call{_status(item)}"
    what = _get(action, "type", "search")
    if what == "open_page":
        detail = f" {_quoted(_get(action, 'url'))}" if _get(action, "url") else ""
    elif what == "find_in_page":
        detail = f" {_quoted(_get(action, 'pattern'))} in {_get(action, 'url')}"
    else:
        queries = [q for q in [_get(action, "query"), *(_get(action, "queries") or [])] if q]
        joined = "; ".join(dict.fromkeys(queries))
        detail = f" {_quoted(joined)}" if joined else ""
    sources = _get(action, "sources") or []
    extra = _plural(len(sources), "source") if sources else None
    return f"web_search_call · {what}{detail}{_status(item, extra)}"


def _tool(item: Any, markdown: bool) -> str | None:
    """How one output item that is not a message or reasoning is shown: a line, and for tools that
    return something, what they returned."""
    kind = _get(item, "type")
    details: list[str] = []  # lines under the heading
    blocks: list[tuple[str, str]] = []  # (label, text) shown as code
    if kind == "web_search_call":
        head = _web_search(item)
    elif kind == "function_call":
        head = (
            f"function_call · {_get(item, 'name')}({_get(item, 'arguments')}) "
            f"· call_id {_get(item, 'call_id')}"
        )
    elif kind == "custom_tool_call":
        head = f"custom_tool_call · {_get(item, 'name')}({_get(item, 'input')})"
    elif kind == "file_search_call":
        queries = "; ".join(_get(item, "queries") or [])
        results = _get(item, "results") or []
        extra = _plural(len(results), "result") if results else None
        head = f"file_search_call · {_quoted(queries)}{_status(item, extra)}"
        for result in results:
            name = _get(result, "filename") or _get(result, "file_id") or "a file"
            score = _get(result, "score")
            score = f" (score {score:.2f})" if isinstance(score, (int, float)) else ""
            excerpt = f": {_quoted(_short(_get(result, 'text')))}" if _get(result, "text") else ""
            details.append(f"{name}{score}{excerpt}")
    elif kind == "code_interpreter_call":
        head = f"code_interpreter_call{_status(item)}"
        if _get(item, "code"):
            blocks.append(("python", _get(item, "code")))
        for output in _get(item, "outputs") or []:
            if _get(output, "type") == "logs":
                blocks.append(("output", _get(output, "logs") or ""))
            elif _get(output, "url"):
                details.append(f"image output: {_get(output, 'url')}")
    elif kind in ("mcp_call", "mcp_approval_request"):
        call = f"{_get(item, 'server_label')}.{_get(item, 'name')}({_get(item, 'arguments')})"
        head = f"{kind} · {call}{_status(item)}"
        if kind == "mcp_approval_request":
            details.append(
                f"waiting for approval: send an mcp_approval_response for id {_get(item, 'id')}"
            )
        output, error = _get(item, "output"), _error_text(_get(item, "error"))
        if error:
            details.append(f"error: {error}")
        if output and ("\n" in output or len(output) > EXCERPT):
            blocks.append(("output", output))
        elif output:
            details.append(f"output: {output}")
    elif kind == "mcp_list_tools":
        names = ", ".join(_get(tool, "name") for tool in _get(item, "tools") or []) or "no tools"
        head = f"mcp_list_tools · {_get(item, 'server_label')}: {names}"
        if _get(item, "error"):
            details.append(f"error: {_error_text(_get(item, 'error'))}")
    elif kind == "image_generation_call":
        shape = ", ".join(
            str(v) for v in (_get(item, "size"), _get(item, "output_format"), _get(item, "quality"))
            if v
        )  # fmt: skip
        head = f"image_generation_call{_status(item, shape)}"
        if _get(item, "revised_prompt"):
            details.append(f"revised prompt: {_get(item, 'revised_prompt')}")
        if _get(item, "error"):
            details.append(f"error: {_error_text(_get(item, 'error'))}")
        result = _get(item, "result")
        if result and markdown:
            fmt = _get(item, "output_format") or "png"
            details.append(f"![generated image](data:image/{fmt};base64,{result})")
        elif result:
            details.append(f"image: {len(result):,} characters of base64 in .result")
    elif kind in ("message", "reasoning"):
        return None
    else:
        head = f"{kind}{_status(item)}"
    if not markdown:
        lines = [f"[tool] {head}"] + [f"    {d}" for d in details]
        for label, text in blocks:
            lines.append(f"    {'code' if label == 'python' else label}:")
            lines += [f"        {line}" for line in text.rstrip("\n").splitlines()]
        return "\n".join(lines)
    out = _inline(head)
    items = [f"- {d}" for d in details if not d.startswith("![")]
    if items:
        out += "\n\n" + "\n".join(items)
    for image in (d for d in details if d.startswith("![")):  # a paragraph of its own
        out += "\n\n" + image
    for label, text in blocks:
        language = "python" if label == "python" else "text"
        out += ("" if label == "python" else f"\n\n{label}:") + "\n\n" + _fenced(text, language)
    return out


# --------------------------------------------------------------------------------------------
# show()
# --------------------------------------------------------------------------------------------


class ResponseView:
    """What ``show`` returns; IPython picks the Markdown or the plain text rendering."""

    def __init__(self, response: Any):
        self.response = response

    def render(self, markdown: bool) -> str:
        r = self.response
        blocks: list[str] = []
        numbers: dict[str, int] = {}
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
                block = _tool(item, markdown)
                if block:
                    blocks.append(block)
        if not blocks:
            blocks.append("*(no output yet)*" if markdown else "(no output yet)")
        todo = what_to_do(r) if _get(r, "status") == "failed" else None
        if todo:
            blocks.append(f"**What to do:** {todo}" if markdown else f"What to do: {todo}")
        if numbers:
            titles = _sources(r)
            lines = ["**Sources**" if markdown else "Sources"]
            for key, n in numbers.items():
                title = titles.get(key, key)
                if "://" not in key:  # a file, not a web page
                    lines.append(f"{n}. {title}")
                else:
                    lines.append(f"{n}. [{title}]({key})" if markdown else f"{n}. {title} <{key}>")
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
    tool calls with what they returned, a sources list and one usage line."""
    return ResponseView(response)


# --------------------------------------------------------------------------------------------
# show_json()
# --------------------------------------------------------------------------------------------


def _plain(value: Any, exclude_none: bool) -> Any:
    """An SDK object as the JSON it came from: every field under the API's name, then the fields
    the SDK does not declare. Unlike ``model_dump``, it does not check each value against its type,
    so a shape the SDK left as plain data (a search source of type ``api``) prints no warning."""
    if isinstance(value, BaseModel):
        fields = type(value).model_fields
        data = {
            (info.alias or name): _plain(getattr(value, name, None), exclude_none)
            for name, info in fields.items()
        }
        data.update(
            {k: _plain(v, exclude_none) for k, v in (value.model_extra or {}).items()}
        )  # fmt: skip
        return {k: v for k, v in data.items() if not (exclude_none and v is None)}
    if isinstance(value, dict):
        return {
            k: _plain(v, exclude_none) for k, v in value.items() if not (exclude_none and v is None)
        }
    if isinstance(value, (list, tuple)):
        return [_plain(v, exclude_none) for v in value]
    return value


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
    """Pretty JSON of any SDK object or plain data, as the API sent it. Fields that are None are
    left out unless ``exclude_none=False``; very long strings (base64 images) are shortened."""
    return JsonView(_shorten(_plain(obj, exclude_none), max_string))
