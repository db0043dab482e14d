"""The helpers notebook 09 leans on: the budget guard does not take a container for a model
request, ``pause`` never waits in replay, and ``show()`` puts a generated image in a paragraph of
its own, not inside the list of the call's details."""

from __future__ import annotations

import time

import httpx2
from openai.types.responses import Response

from helpers import connect, show
from helpers.background import pause
from helpers.usage import Meter

BASE = "https://api.openai.com/v1"


def post(path: str) -> httpx2.Request:
    return httpx2.Request("POST", f"{BASE}{path}", json={})


def test_containers_and_uploads_cost_no_tokens_but_a_create_does() -> None:
    for path in (
        "/containers",
        "/containers/cntr_1/files",
        "/files",
        "/vector_stores/vs_1/file_batches",
    ):
        assert not Meter.costs_tokens(post(path)), path
    assert Meter.costs_tokens(post("/responses"))


def test_pause_never_waits_in_replay(monkeypatch) -> None:
    monkeypatch.setenv("TUTORIAL_MODE", "replay")
    connect("09_hosted_tools")
    started = time.monotonic()
    for _ in range(5):
        pause(1)
    assert time.monotonic() - started < 0.5


def test_a_generated_image_is_a_paragraph_of_its_own() -> None:
    image = {"id": "ig_1", "type": "image_generation_call", "status": "completed",
             "result": "iVBORw0KGgo=", "revised_prompt": "A lighthouse", "size": "1024x1024",
             "output_format": "png", "quality": "low"}  # fmt: skip
    body = {"id": "resp_1", "object": "response", "created_at": 1, "model": "gpt-5.4-mini",
            "output": [image], "parallel_tool_calls": True, "tool_choice": "auto", "tools": []}  # fmt: skip
    markdown = show(Response.model_validate(body))._repr_markdown_()
    assert "- revised prompt: A lighthouse\n\n![generated image](data:image/png;base64," in markdown
