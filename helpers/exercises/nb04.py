"""Exercises of 04_multimodal."""

from __future__ import annotations

import base64
import re

from ..config import REPO_ROOT
from . import call, exercise
from .nb03 import links_out, sentence_before, sentences

# The files the checker of 04.1 builds an input from: any images will do, these are in the repo.
_IMAGES = [
    REPO_ROOT / "images" / "pythagoras_3_4_5.png",
    REPO_ROOT / "images" / "build_report_preview.png",
]
_QUESTION = "What do these two pictures have in common?"


def _expected_input(text: str, paths: list, detail: str) -> list[dict]:
    content: list[dict] = [{"type": "input_text", "text": text}]
    for path in paths:
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        content.append(
            {"type": "input_image", "image_url": f"data:image/png;base64,{data}", "detail": detail}
        )
    return [{"role": "user", "content": content}]


@exercise(
    "04.1",
    "the input of a request with several local images",
    answer="images_input",
    solution="""
import base64
import mimetypes
from pathlib import Path


def images_input(text, paths, detail="auto"):
    content = [{"type": "input_text", "text": text}]
    for path in paths:
        kind = mimetypes.guess_type(str(path))[0]
        data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
        content.append(
            {"type": "input_image", "image_url": f"data:{kind};base64,{data}", "detail": detail}
        )
    return [{"role": "user", "content": content}]
""",
)
def _images_input(images_input):
    description = "images_input(text, paths, detail) that returns the input list"
    got = call(images_input, description, _QUESTION, list(_IMAGES), "low")
    want = _expected_input(_QUESTION, _IMAGES, "low")
    if not isinstance(got, list) or len(got) != 1 or not isinstance(got[0], dict):
        return "return a list holding one message: [{'role': 'user', 'content': [...]}]."
    message = got[0]
    if message.get("role") != "user":
        return "the message needs 'role': 'user'."
    content = message.get("content")
    if not isinstance(content, list) or len(content) != 1 + len(_IMAGES):
        return (
            f"for a text and {len(_IMAGES)} images, 'content' should be a list of "
            f"{1 + len(_IMAGES)} parts: one input_text, then one input_image per path."
        )
    if content[0] != want[0]["content"][0]:
        return "the first part should be {'type': 'input_text', 'text': text}."
    for n, (part, expected) in enumerate(zip(content[1:], want[0]["content"][1:], strict=True), 1):
        if not isinstance(part, dict) or part.get("type") != "input_image":
            return f"part {n + 1} should be an input_image."
        url = part.get("image_url", "")
        if not isinstance(url, str) or not url.startswith("data:image/png;base64,"):
            return f"image {n}: image_url should start with 'data:image/png;base64,' for a PNG."
        if url != expected["image_url"]:
            return f"image {n}: after the comma, put the base64 of the file's bytes, as ASCII text."
        if part.get("detail") != "low":
            return f"image {n}: pass the detail you were given ('low' here) in each image part."
        if part != expected:
            return f"image {n}: an input_image holds only 'type', 'image_url' and 'detail'."
    return None


@exercise(
    "04.2",
    "the sentences of an answer that no source backs",
    answer="unsourced",
    solution="""
import re

message = next(item for item in looked_up.output if item.type == "message")
part = message.content[0]
# The text without the citations' links, and the sentence each link follows.
text, backed, copied = "", set(), 0
for ann in part.annotations:
    text += part.text[copied : ann.start_index]
    copied = ann.end_index
    backed.add(re.split(r"(?<=[.!?])\\s+", text.strip())[-1])
text += part.text[copied:]
unsourced = [s for s in re.split(r"(?<=[.!?])\\s+", text.strip()) if s not in backed]
""",
)
def _unsourced(unsourced, response):
    expected = []
    for item in response.output:
        if item.type != "message":
            continue
        for part in item.content:
            if part.type != "output_text":
                continue
            backed = {
                sentence_before(part, a) for a in part.annotations if a.type == "url_citation"
            }
            expected += [s for s in sentences(links_out(part)) if s not in backed]
    if not isinstance(unsourced, list) or not all(isinstance(s, str) for s in unsourced):
        return "the answer should be a list of sentences (strings)."
    if unsourced == expected:
        return None
    if any("](" in s for s in unsourced):
        return (
            "a sentence holds a citation's link: take the links (text[start_index:end_index]) "
            "out of the text before you split it into sentences."
        )
    if len(unsourced) != len(expected):
        return (
            f"expected {len(expected)} sentence(s), got {len(unsourced)}. Take the citations' links "
            "out of the text, split it at '. ' (or '! ', '? '), and keep each sentence that no "
            "link follows."
        )
    return "the right number of sentences, but not the same ones: compare them with the text."


@exercise(
    "04.3",
    "live challenge: a PDF uploaded once, then sent by file_id",
    answer="by_id",
    live=True,
    solution="""
with open("../images/build_report.pdf", "rb") as fh:
    uploaded = client.files.create(file=fh, purpose="user_data")
by_id = client.responses.create(
    model=MODEL,
    input=[
        {
            "role": "user",
            "content": [
                {"type": "input_file", "file_id": uploaded.id},
                {"type": "input_text", "text": "Which weeks missed the build-time target?"},
            ],
        }
    ],
)
""",
)
def _by_id(by_id):
    if not hasattr(by_id, "output_text"):
        return "store the response of client.responses.create(...) in by_id."
    answer = by_id.output_text
    if not (re.search(r"\b3\b", answer) and re.search(r"\b4\b", answer)):
        return (
            "the answer should name weeks 3 and 4, the two over the target: check that the file "
            "part reached the model ({'type': 'input_file', 'file_id': uploaded.id})."
        )
    return None
