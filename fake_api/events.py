"""The server-sent events of a response: the sequence a stream of it sends, from
``response.created`` to its terminal event, shaped like the real API's.

A stored response keeps its events, so a stream resumed with ``starting_after`` sends the same
ones again from there.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

from .state import snapshot

LIFECYCLE_START = ("response.created", "response.queued", "response.in_progress")


def chunks(s: str, words: int) -> list[str]:
    """Split ``s`` on word boundaries into pieces of ``words`` words; "".join() gives ``s``."""
    tokens = re.findall(r"\s*\S+", s)
    tail = s[len("".join(tokens)) :]
    if tail:
        if tokens:
            tokens[-1] += tail
        else:
            tokens = [tail]
    words = max(1, words)
    return ["".join(tokens[i : i + words]) for i in range(0, len(tokens), words)]


def events_of(
    final: dict[str, Any],
    background: bool,
    words: int,
    split: Callable[[str], list[str]] | None = None,
) -> list[dict[str, Any]]:
    """Every event a stream of the finished response ``final`` sends, in order, numbered from 0;
    text arrives in deltas of ``words`` words, or in the pieces ``split(text)`` gives (function
    arguments too, else 16 characters at a time)."""
    events: list[dict[str, Any]] = []
    pieces = split or (lambda s: chunks(s, words))

    def emit(type_: str, **fields: Any) -> None:
        events.append({"type": type_, "sequence_number": len(events), **fields})

    first = "queued" if background else "in_progress"
    emit("response.created", response=snapshot(final, first))
    if background:
        emit("response.queued", response=snapshot(final, "queued"))
    emit("response.in_progress", response=snapshot(final, "in_progress"))
    for index, item in enumerate(final["output"]):
        ids = {"item_id": item["id"], "output_index": index}
        kind = item["type"]
        if kind == "message":
            emit(
                "response.output_item.added",
                output_index=index,
                item={**item, "status": "in_progress", "content": []},
            )
            for ci, part in enumerate(item["content"]):
                if part["type"] == "refusal":
                    empty = {"type": "refusal", "refusal": ""}
                    emit("response.content_part.added", **ids, content_index=ci, part=empty)
                    for delta in pieces(part["refusal"]):
                        emit("response.refusal.delta", **ids, content_index=ci, delta=delta)
                    emit(
                        "response.refusal.done",
                        **ids,
                        content_index=ci,
                        refusal=part["refusal"],
                    )
                    emit("response.content_part.done", **ids, content_index=ci, part=part)
                    continue
                empty = {"type": "output_text", "annotations": [], "logprobs": [], "text": ""}
                emit("response.content_part.added", **ids, content_index=ci, part=empty)
                annotations = part.get("annotations", [])
                sent, next_annotation = 0, 0
                for delta in pieces(part["text"]):
                    emit(
                        "response.output_text.delta",
                        **ids,
                        content_index=ci,
                        delta=delta,
                        logprobs=[],
                    )
                    sent += len(delta)
                    while (
                        next_annotation < len(annotations)
                        and annotations[next_annotation].get("end_index", 0) <= sent
                    ):
                        emit(
                            "response.output_text.annotation.added",
                            **ids,
                            content_index=ci,
                            annotation_index=next_annotation,
                            annotation=annotations[next_annotation],
                        )
                        next_annotation += 1
                for late in range(next_annotation, len(annotations)):
                    emit(
                        "response.output_text.annotation.added",
                        **ids,
                        content_index=ci,
                        annotation_index=late,
                        annotation=annotations[late],
                    )
                emit(
                    "response.output_text.done",
                    **ids,
                    content_index=ci,
                    text=part["text"],
                    logprobs=[],
                )
                emit("response.content_part.done", **ids, content_index=ci, part=part)
        elif kind == "reasoning":
            added = {k: v for k, v in item.items() if k != "encrypted_content"}
            emit("response.output_item.added", output_index=index, item={**added, "summary": []})
            for si, part in enumerate(item["summary"]):
                empty = {"type": "summary_text", "text": ""}
                emit(
                    "response.reasoning_summary_part.added",
                    **ids,
                    summary_index=si,
                    part=empty,
                )
                for delta in pieces(part["text"]):
                    emit(
                        "response.reasoning_summary_text.delta",
                        **ids,
                        summary_index=si,
                        delta=delta,
                    )
                emit(
                    "response.reasoning_summary_text.done",
                    **ids,
                    summary_index=si,
                    text=part["text"],
                )
                emit("response.reasoning_summary_part.done", **ids, summary_index=si, part=part)
        elif kind == "function_call":
            emit(
                "response.output_item.added",
                output_index=index,
                item={**item, "status": "in_progress", "arguments": ""},
            )
            args = item["arguments"]
            arg_pieces = (
                split(args) if split else [args[i : i + 16] for i in range(0, len(args), 16)]
            )
            for delta in arg_pieces:
                emit("response.function_call_arguments.delta", **ids, delta=delta)
            emit("response.function_call_arguments.done", **ids, arguments=args)
        elif kind == "web_search_call":
            emit(
                "response.output_item.added",
                output_index=index,
                item={**item, "status": "in_progress", "action": {"type": "search"}},
            )
            emit("response.web_search_call.in_progress", **ids)
            emit("response.web_search_call.searching", **ids)
            emit("response.web_search_call.completed", **ids)
        elif kind == "image_generation_call":
            emit(
                "response.output_item.added",
                output_index=index,
                item={**item, "status": "in_progress", "result": None},
            )
            emit("response.image_generation_call.in_progress", **ids)
            emit("response.image_generation_call.generating", **ids)
            emit("response.image_generation_call.completed", **ids)
        else:
            emit("response.output_item.added", output_index=index, item=item)
        emit("response.output_item.done", output_index=index, item=item)
    emit(f"response.{final['status']}", response=copy.deepcopy(final))
    return copy.deepcopy(events)
