"""show() and show_json(): what people see, in Markdown and plain text, for answers shaped as the
live API sends them (../shared/real-traffic): a citation's span is an inline Markdown link already in
the text, so the numbered link replaces it."""

from __future__ import annotations

import warnings

from bodies import message, response, usage
from openai._models import construct_type
from openai.types.responses import Response

from helpers import show, show_json

BIRTH = "https://home.cern/science/computing/birth-web?utm_source=openai"
SITE = "https://info.cern.ch/?utm_source=openai"
TEXT = (
    f"The web began at CERN in 1989. ([home.cern]({BIRTH})) "
    f"Its first site is still online. ([info.cern.ch]({SITE}))"
)


def cite(url: str, title: str, text: str = TEXT) -> dict:
    """A url_citation as the live API sends it: its span is the inline link to ``url``."""
    start = text.rindex("([", 0, text.index(url))
    end = text.index("))", start) + 2
    return {"type": "url_citation", "start_index": start, "end_index": end, "url": url,
            "title": title}  # fmt: skip


def parsed(body: dict) -> Response:
    """As the client parses an answer: leniently, keeping shapes its types do not know."""
    return construct_type(type_=Response, value=body)


def searched() -> Response:
    notes = [cite(BIRTH, "Birth of the Web"), cite(SITE, "info.cern.ch")]
    search = {"id": "ws_1", "type": "web_search_call", "status": "completed",
              "action": {"type": "search", "query": "first website",
                         "queries": ["first website", "CERN web 1989"]}}  # fmt: skip
    reasoning = {"id": "rs_1", "type": "reasoning", "summary": [
        {"type": "summary_text", "text": "Search, then cite."}]}  # fmt: skip
    body = response(reasoning, search, message(TEXT, notes), usage=usage(12345, 678, 1024, 64))
    return Response.model_validate(body)


def test_each_citation_is_one_numbered_link_in_place_of_the_inline_one():
    md = show(searched())._repr_markdown_()
    assert (
        f"The web began at CERN in 1989. [\\[1\\]]({BIRTH}) "
        f"Its first site is still online. [\\[2\\]]({SITE})"
    ) in md
    assert "([home.cern]" not in md and "([info.cern.ch]" not in md
    assert f"1. [Birth of the Web]({BIRTH})" in md
    assert f"2. [info.cern.ch]({SITE})" in md
    for url in (BIRTH, SITE):
        assert md.count(f"]({url})") == 2  # the numbered link and the line in Sources


def test_plain_text_says_the_same_without_markup():
    text = str(show(searched()))
    assert "The web began at CERN in 1989. [1] Its first site is still online. [2]" in text
    assert f"1. Birth of the Web <{BIRTH}>" in text
    assert text.count(BIRTH) == 1
    assert "(reasoning) Search, then cite." in text
    assert '[tool] web_search_call · search "first website; CERN web 1989" (completed)' in text


def test_one_source_cited_twice_has_one_number_and_one_line():
    again = f"One. ([a]({SITE})) Two. ([a]({SITE}))"
    first = {"type": "url_citation", "start_index": 5, "end_index": 5 + len(f"([a]({SITE}))"),
             "url": SITE, "title": "info"}  # fmt: skip
    second = {**first, "start_index": again.rindex("(["), "end_index": len(again)}
    md = show(Response.model_validate(response(message(again, [first, second]))))._repr_markdown_()
    assert md.startswith(f"One. [\\[1\\]]({SITE}) Two. [\\[1\\]]({SITE})\n\n**Sources**\n1. ")
    assert md.count(f"]({SITE})") == 3


def test_an_answer_without_annotations_is_its_text():
    text = f"It is Mount Columbia. ([britannica.com]({BIRTH}))"
    view = show(Response.model_validate(response(message(text))))
    assert str(view).startswith(f"{text}\n\ngpt-5.4-mini · completed")
    assert "Sources" not in view._repr_markdown_()


def test_file_citations_are_numbered_and_listed():
    note = {"type": "file_citation", "file_id": "file-abc", "filename": "notes.txt", "index": 30}
    ask = {"id": "fs_1", "type": "file_search_call", "status": "completed",
           "queries": ["capital of France"],
           "results": [{"file_id": "file-abc", "filename": "notes.txt", "score": 0.9716,
                        "text": "Paris is the capital of France.", "vector_store_id": "vs_1"}]}  # fmt: skip
    body = response(ask, message("The capital of France is Paris.", [note]))
    md, text = show(parsed(body))._repr_markdown_(), str(show(parsed(body)))
    assert "The capital of France is Paris\\[1\\]." in md
    assert "The capital of France is Paris[1]." in text
    assert "1. notes.txt (file file-abc)" in md and "1. notes.txt (file file-abc)" in text
    assert '`file_search_call · "capital of France" (completed, 1 result)`' in md
    assert '    notes.txt (score 0.97): "Paris is the capital of France."' in text


def test_container_file_citations_mark_the_file_and_keep_the_text():
    words = "Download [the chart](sandbox:/mnt/data/chart.png)."
    note = {"type": "container_file_citation", "container_id": "cntr_1", "file_id": "cfile_1",
            "filename": "chart.png", "start_index": 9, "end_index": len(words) - 1}  # fmt: skip
    text = str(show(parsed(response(message(words, [note])))))
    assert f"{words[:-1]}[1]." in text
    assert "1. chart.png (container file cfile_1)" in text


def test_code_interpreter_calls_show_their_code_and_output():
    call = {"id": "ci_1", "type": "code_interpreter_call", "status": "completed",
            "container_id": "cntr_1", "code": "print(2 ** 8)",
            "outputs": [{"type": "logs", "logs": "256"}]}  # fmt: skip
    view = show(parsed(response(call, message("It is 256."))))
    md = view._repr_markdown_()
    assert "`code_interpreter_call (completed)`\n\n```python\nprint(2 ** 8)\n```" in md
    assert "output:\n\n```text\n256\n```" in md
    assert "    code:\n        print(2 ** 8)\n    output:\n        256" in str(view)


def test_mcp_items_show_server_tool_arguments_and_result():
    tools = {"id": "mcpl_1", "type": "mcp_list_tools", "server_label": "docs",
             "tools": [{"name": "search", "input_schema": {}}, {"name": "fetch", "input_schema": {}}]}  # fmt: skip
    call = {"id": "mcp_1", "type": "mcp_call", "server_label": "docs", "name": "search",
            "arguments": '{"q":"responses"}', "output": "3 pages found", "status": "completed"}  # fmt: skip
    failed = {"id": "mcp_2", "type": "mcp_call", "server_label": "docs", "name": "fetch",
              "arguments": "{}", "status": "failed",
              "error": {"type": "http_error", "code": 404, "message": "Not Found"}}  # fmt: skip
    asks = {"id": "mcpr_1", "type": "mcp_approval_request", "server_label": "docs",
            "name": "delete", "arguments": '{"page":"a"}'}  # fmt: skip
    text = str(show(parsed(response(tools, call, failed, asks))))
    assert "[tool] mcp_list_tools · docs: search, fetch" in text
    assert (
        '[tool] mcp_call · docs.search({"q":"responses"}) (completed)\n    output: 3 pages found'
        in text
    )
    assert "[tool] mcp_call · docs.fetch({}) (failed)\n    error: 404: Not Found" in text
    assert '[tool] mcp_approval_request · docs.delete({"page":"a"})' in text
    assert "mcp_approval_response for id mcpr_1" in text


def test_image_generation_calls_show_the_image_in_markdown():
    image = {"id": "ig_1", "type": "image_generation_call", "status": "completed",
             "result": "iVBORw0KGgo=", "revised_prompt": "A red kite", "size": "1024x1024",
             "output_format": "png", "quality": "medium"}  # fmt: skip
    view = show(Response.model_validate(response(image)))
    assert "`image_generation_call (completed, 1024x1024, png, medium)`" in view._repr_markdown_()
    assert "![generated image](data:image/png;base64,iVBORw0KGgo=)" in view._repr_markdown_()
    assert "    revised prompt: A red kite\n    image: 12 characters of base64" in str(view)


def test_the_footer_has_model_status_and_usage():
    text = str(show(searched()))
    assert text.endswith(
        "gpt-5.4-mini · completed · 12,345 tokens in (1,024 cached), 678 out (64 reasoning)"
    )


def test_a_response_still_running_has_no_output_yet():
    body = response(status="in_progress", usage=None)
    assert "(no output yet)" in str(show(Response.model_validate(body)))


def test_a_web_search_announced_without_action_is_shown():
    added = {"id": "ws_1", "type": "web_search_call", "status": "in_progress"}
    assert "[tool] web_search_call (in_progress)" in str(show(parsed(response(added))))


def test_show_json_leaves_out_none_and_shortens_long_strings():
    body = response(message("x" * 1000))
    view = str(show_json(Response.model_validate(body).output[0]))
    assert "null" not in view
    assert "... (1,000 characters)" in view
    assert show_json({"a": 1})._repr_markdown_() == '```json\n{\n  "a": 1\n}\n```'


def test_show_json_prints_a_search_source_of_type_api_without_a_warning():
    search = {"id": "ws_1", "type": "web_search_call", "status": "completed",
              "action": {"type": "search", "query": "weather: Paris",
                         "sources": [{"type": "api", "name": "oai-weather"}]}}  # fmt: skip
    answer = parsed(response(search, message("Sunny.")))
    filters = list(warnings.filters)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        text = str(show_json(answer)) + str(show(answer))
    assert [str(w.message) for w in caught] == []
    assert (
        '"sources": [\n          {\n            "type": "api",\n            "name": "oai-weather"'
        in text
    )
    assert warnings.filters == filters  # nothing was silenced on the way


def test_show_json_uses_the_apis_field_names():
    body = response(message("{}"), text={"format": {"type": "json_schema", "name": "x",
                                                    "schema": {"type": "object"}}})  # fmt: skip
    assert '"schema": {' in str(show_json(Response.model_validate(body).text))
