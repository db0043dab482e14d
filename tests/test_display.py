"""show() and show_json(): what people see, in Markdown and plain text."""

from __future__ import annotations

from bodies import message, response, usage
from openai.types.responses import Response

from helpers import show, show_json

TEXT = "The web began at CERN in 1989. Its first site is still online."


def cite(phrase: str, url: str, title: str) -> dict:
    start = TEXT.index(phrase)
    return {"type": "url_citation", "start_index": start, "end_index": start + len(phrase),
            "url": url, "title": title}  # fmt: skip


def searched() -> Response:
    notes = [
        cite(
            "at CERN in 1989", "https://home.cern/science/computing/birth-web", "Birth of the Web"
        ),
        cite("still online", "https://info.cern.ch/", "info.cern.ch"),
    ]
    search = {"id": "ws_1", "type": "web_search_call", "status": "completed",
              "action": {"type": "search", "queries": ["first website", "CERN web 1989"]}}  # fmt: skip
    reasoning = {"id": "rs_1", "type": "reasoning", "summary": [
        {"type": "summary_text", "text": "Search, then cite."}]}  # fmt: skip
    body = response(reasoning, search, message(TEXT, notes), usage=usage(12345, 678, 1024, 64))
    return Response.model_validate(body)


def test_citations_are_numbered_links_after_the_cited_text():
    md = show(searched())._repr_markdown_()
    assert (
        "The web began at CERN in 1989[\\[1\\]](https://home.cern/science/computing/birth-web). "
        "Its first site is still online[\\[2\\]](https://info.cern.ch/)."
    ) in md
    assert "1. [Birth of the Web](https://home.cern/science/computing/birth-web)" in md
    assert "2. [info.cern.ch](https://info.cern.ch/)" in md


def test_plain_text_says_the_same_without_markup():
    text = str(show(searched()))
    assert "The web began at CERN in 1989[1]. Its first site is still online[2]." in text
    assert "1. Birth of the Web <https://home.cern/science/computing/birth-web>" in text
    assert "(reasoning) Search, then cite." in text
    assert '[tool] web_search_call · search "first website; CERN web 1989" (completed)' in text


def test_the_footer_has_model_status_and_usage():
    text = str(show(searched()))
    assert text.endswith(
        "gpt-5.4-mini · completed · 12,345 tokens in (1,024 cached), 678 out (64 reasoning)"
    )


def test_a_response_still_running_has_no_output_yet():
    body = response(status="in_progress", usage=None)
    assert "(no output yet)" in str(show(Response.model_validate(body)))


def test_show_json_leaves_out_none_and_shortens_long_strings():
    body = response(message("x" * 1000))
    view = str(show_json(Response.model_validate(body).output[0]))
    assert "null" not in view
    assert "... (1,000 characters)" in view
    assert show_json({"a": 1})._repr_markdown_() == '```json\n{\n  "a": 1\n}\n```'
