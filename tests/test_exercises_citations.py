"""Exercises 03.1, 03.2 and 04.2 hold on answers as the live API writes them: a citation is a link
the model wrote after the sentence it backs (``([site](url?utm_source=openai))``), and its
annotation's indices mark that link. Checked on a real answer (web_search_citations_gpt52 in
../shared/real-traffic, skipped where that folder is absent) and on answers in the same shape with
several citations, some after one sentence and some sentences with none."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openai._models import construct_type
from openai.types.responses import Response

from fake_api.steps import text
from helpers.exercises import check, get

REPO = Path(__file__).resolve().parent.parent
CASE = REPO.parent / "shared" / "real-traffic" / "web_search_citations_gpt52.json"
BRITANNICA = "https://www.britannica.com/place/Mount-Columbia?utm_source=openai"


def response(*output: dict, id: str = "resp_1") -> Response:
    body = {"id": id, "object": "response", "created_at": 0, "model": "gpt-5.4-mini",
            "output": list(output), "parallel_tool_calls": True, "tool_choice": "auto",
            "tools": []}  # fmt: skip
    return construct_type(type_=Response, value=body)


def message(item) -> dict:
    """The message a fake_api text() item renders to."""
    part = {"type": "output_text", "text": item.data["text"], "logprobs": [],
            "annotations": item.data["annotations"]}  # fmt: skip
    return {"id": "msg_1", "type": "message", "role": "assistant", "status": "completed",
            "content": [part]}  # fmt: skip


def search(*urls: str) -> dict:
    sources = [{"type": "url", "url": u} for u in urls]
    return {"id": "ws_1", "type": "web_search_call", "status": "completed",
            "action": {"type": "search", "query": "q", "sources": sources}}  # fmt: skip


def solved(id: str, **names) -> object:
    """What the worked solution of ``id`` computes, run with ``names`` defined."""
    namespace = dict(names)
    exec(compile(get(id).solution, f"<solution {id}>", "exec"), namespace)
    return namespace[get(id).answer]


@pytest.fixture
def real() -> Response:
    if not CASE.exists():
        pytest.skip(f"no real traffic beside this clone: {CASE} is absent (CI has it)")
    body = json.loads(CASE.read_text())["interactions"][0]["response"]["body"]
    return construct_type(type_=Response, value=body)


SENTENCE = (
    "The tallest mountain in Alberta is **Mount Columbia**, which rises to **3,747 m (12,294 ft)** "
    "and is Alberta's highest point."
)


def test_on_a_real_answer_the_citation_backs_the_sentence_its_link_follows(real):
    pairs = solved("03.2", searched=real)
    assert pairs == [(BRITANNICA, SENTENCE)]
    assert check("03.2", pairs, real).passed
    # The sentence the span starts in (the old rule) is the link itself: told so.
    link = real.output[1].content[0].text[126:]
    verdict = check("03.2", [(BRITANNICA, link)], real)
    assert not verdict.passed and "holds a citation's link" in verdict.hint


def test_on_a_real_answer_no_sentence_is_unsourced(real):
    assert solved("04.2", looked_up=real) == []
    assert check("04.2", [], real).passed
    verdict = check("04.2", [SENTENCE], real)
    assert not verdict.passed


WRITTEN = text(
    "Lyon is known for food. Paris has the Louvre. It rains a lot! Rome has the Colosseum.",
    citations=[
        ("Lyon", "https://example.org/lyon", "Lyon"),
        ("Louvre", "https://www.louvre.fr/", "Louvre"),
        ("Louvre", "https://example.org/paris", "Paris"),
        ("Colosseum", "https://example.org/rome", "Rome"),
    ],
)


def test_several_links_after_one_sentence_and_a_sentence_without_one():
    answer = response(message(WRITTEN))
    pairs = solved("03.2", searched=answer)
    assert [sentence for _, sentence in pairs] == [
        "Lyon is known for food.",
        "Paris has the Louvre.",
        "Paris has the Louvre.",
        "Rome has the Colosseum.",
    ]
    assert [url for url, _ in pairs] == [a["url"] for a in WRITTEN.data["annotations"]]
    assert check("03.2", pairs, answer).passed
    assert solved("04.2", looked_up=answer) == ["It rains a lot!"]
    assert check("04.2", ["It rains a lot!"], answer).passed
    assert not check("04.2", [], answer).passed


def test_uncited_sources_are_found_though_cited_urls_carry_utm_source():
    answer = response(
        search("https://example.org/lyon", "https://example.org/nice", "https://www.louvre.fr/"),
        message(WRITTEN),
    )
    assert solved("03.1", with_sources=answer) == ["https://example.org/nice"]
    assert check("03.1", ["https://example.org/nice"], answer).passed
    verdict = check("03.1", ["https://example.org/nice", "https://www.louvre.fr/"], answer)
    assert "is cited by the answer" in verdict.hint
