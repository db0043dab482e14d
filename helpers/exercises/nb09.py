"""Exercises of 09_hosted_tools."""

from __future__ import annotations

import struct
from typing import Any

from . import Hint, call, exercise


def _annotations(response: Any) -> list[Any]:
    return [
        note
        for item in response.output
        if item.type == "message"
        for part in item.content
        if part.type == "output_text"
        for note in part.annotations
    ]


@exercise(
    "09.1",
    "the files an answer cites",
    answer="cited_files",
    solution="""
def cited_files(response):
    names = []
    for item in response.output:
        if item.type != "message":
            continue
        for part in item.content:
            for note in getattr(part, "annotations", None) or []:
                if note.type == "file_citation" and note.filename not in names:
                    names.append(note.filename)
    return names
""",
)
def _cited_files(cited_files, *responses):
    for response in responses:
        expected: list[str] = []
        for note in _annotations(response):
            if note.type == "file_citation" and note.filename not in expected:
                expected.append(note.filename)
        got = call(cited_files, "cited_files(response) that returns a list of file names", response)
        if not isinstance(got, list):
            return f"return a list of file names, not {type(got).__name__}."
        kinds = sorted({note.type for note in _annotations(response)})
        if got == expected:
            continue
        if not expected:
            return (
                f"an answer whose annotations are {kinds or 'none'} cites no file with a "
                "file_citation: return []."
            )
        if sorted(set(got)) == sorted(expected) and len(got) != len(expected):
            return "name each file once, though the answer cites it more than once."
        if sorted(got) == sorted(expected):
            return "keep the order in which the answer first cites each file."
        return (
            "look at the annotations of every output_text part of the message items: those of "
            "type 'file_citation' name a file in .filename."
        )
    return None


@exercise(
    "09.2",
    "the approvals for an MCP server's calls",
    answer="approvals",
    solution="""
def approvals(response, approve):
    return [
        {"type": "mcp_approval_response", "approval_request_id": item.id, "approve": approve}
        for item in response.output
        if item.type == "mcp_approval_request"
    ]
""",
)
def _approvals(approvals, *responses):
    for response in responses:
        requests = [item.id for item in response.output if item.type == "mcp_approval_request"]
        for approve in (True, False):
            got = call(
                approvals, "approvals(response, approve) that returns a list", response, approve
            )
            if not isinstance(got, list):
                return f"return a list of input items, not {type(got).__name__}."
            if len(got) != len(requests):
                return (
                    f"a response with {len(requests)} mcp_approval_request item(s) needs as many "
                    f"mcp_approval_response items; you gave {len(got)}."
                )
            for request_id, item in zip(requests, got, strict=True):
                if not isinstance(item, dict):
                    return "each item is a dict: {'type': 'mcp_approval_response', ...}."
                if item.get("type") != "mcp_approval_response":
                    return "each item's type is 'mcp_approval_response'."
                if item.get("approval_request_id") != request_id:
                    return (
                        "approval_request_id is the id of the mcp_approval_request it answers, "
                        "in the order of the requests."
                    )
                if item.get("approve") is not approve:
                    return f"with approve={approve}, each item's 'approve' is {approve} (a bool)."
    return None


def _png_size(data: Any) -> tuple[int, int]:
    if not isinstance(data, (bytes, bytearray)) or data[:8] != b"\x89PNG\r\n\x1a\n":
        raise Hint(
            "pass the PNG's bytes, base64.b64decode(call.result), as the second argument "
            "(the PNG signature is missing)."
        )
    return struct.unpack(">II", bytes(data[16:24]))


@exercise(
    "09.3",
    "live challenge: a portrait image, saved and measured",
    answer="checked",
    live=True,
    solution="""
import base64
import struct
from pathlib import Path

tall = client.responses.create(
    model=MODEL,
    input="Draw a tall, flat poster of a mountain path at sunrise, for an outdoor shop.",
    tools=[{"type": "image_generation", "size": "1024x1536", "quality": "low"}],
)
image = next(item for item in tall.output if item.type == "image_generation_call")
png_bytes = base64.b64decode(image.result)
Path("downloads/poster.png").write_bytes(png_bytes)
print(struct.unpack(">II", png_bytes[16:24]), image.size)
checked = (tall, png_bytes)
""",
)
def _portrait(tall, png_bytes=None):
    if png_bytes is None and isinstance(tall, (tuple, list)) and len(tall) == 2:
        tall, png_bytes = tall
    if not hasattr(tall, "output"):
        raise Hint("pass the response and the bytes: check('09.3', tall, png_bytes).")
    images = [item for item in tall.output if item.type == "image_generation_call"]
    if not images:
        return "the response has no image_generation_call: give the image_generation tool."
    image = images[0]
    if image.status != "completed" or not image.result:
        return f"the image call is {image.status!r} and holds no image: try again."
    width, height = _png_size(png_bytes)
    if height <= width:
        return f"the image is {width}x{height}: ask for a portrait size, 1024x1536."
    if image.size and image.size != "auto" and image.size != f"{width}x{height}":
        return f"the response says {image.size} but the PNG is {width}x{height}: save .result."
    return None
