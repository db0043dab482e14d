"""Real traffic: the exchanges others captured from the live OpenAI and Azure OpenAI APIs, in
``../shared/real-traffic/`` beside the repository (CI has that folder; a user's clone does not, and
then these tests skip, saying so).

Each case is loaded as a recording and put through what the course does with a live one: it is
validated as ``make record`` validates a live recording (nothing the API sends may block it), every
recorded request is replayed through the real SDK in strict replay (streams iterated, background
jobs awaited with ``helpers.background.wait``), and every response the SDK parsed is rendered with
``show()`` and ``show_json()``. Every message text, reasoning summary, citation (one numbered link
each, never a second link beside the inline one), tool call and tool output must appear, and
nothing may warn. The files stay where they are: what they teach about shapes goes into the fake
server and the tests' own fixtures.
"""

from __future__ import annotations

import inspect
import re
import warnings
from pathlib import Path
from typing import Any

import openai
import pytest

from helpers import connect, current_session, explain, show, show_json
from helpers.background import PENDING, wait
from helpers.recording import load
from helpers.validate import problems

REPO = Path(__file__).resolve().parent.parent
REAL = REPO.parent / "shared" / "real-traffic"
CASES = sorted(REAL.glob("*.json")) if REAL.is_dir() else []
ABSENT = (
    "no real traffic beside this clone: ../shared/real-traffic/ (relative to the repository root) "
    "is absent; CI has it, a user's clone does not need it"
)
PARAMS = [pytest.param(p, id=p.stem) for p in CASES] or [
    pytest.param(None, id="absent", marks=pytest.mark.skip(reason=ABSENT))
]


def get(obj: Any, name: str, default: Any = None) -> Any:
    """A field of an SDK object or of the plain dict the lenient client left for an unknown shape."""
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


# --------------------------------------------------------------------------------------------
# Replaying a case through the SDK
# --------------------------------------------------------------------------------------------


def _query(query: dict[str, str]) -> dict[str, Any]:
    """The recorded query as the SDK's keyword arguments (it serialises them back the same way)."""
    out: dict[str, Any] = {}
    for key, value in query.items():
        if value in ("true", "false"):
            out[key] = value == "true"
        elif isinstance(value, str) and value.isdigit():
            out[key] = int(value)
        else:
            out[key] = value
    return out


def _create(client: openai.OpenAI, body: dict[str, Any]) -> Any:
    accepted = inspect.signature(client.responses.create).parameters
    kwargs = {k: v for k, v in body.items() if k in accepted}
    extra = {k: v for k, v in body.items() if k not in accepted}
    return client.responses.create(**kwargs, **({"extra_body": extra} if extra else {}))


class Replayed:
    """What replaying a case produced: every Response the SDK parsed, and the errors it raised."""

    def __init__(self) -> None:
        self.responses: list[Any] = []
        self.errors: list[openai.APIError] = []

    def take(self, result: Any) -> Any:
        if isinstance(result, openai.Stream):
            for event in result:
                if get(event, "response") is not None:
                    self.responses.append(event.response)
            return None
        self.responses.append(result)
        return result


def _next_poll_query(interactions: list[dict], after: int, resp_id: str) -> dict[str, str] | None:
    for it in interactions[after + 1 :]:
        req = it["request"]
        if req["method"] == "GET" and req["path"] == f"/responses/{resp_id}":
            return req["query"]
    return None


def replay_case(client: openai.OpenAI, interactions: list[dict]) -> Replayed:
    """Make every recorded request through the SDK, in order. One call can play several recorded
    interactions (the SDK's retries of a 429); those are skipped, as already played."""
    replay = current_session().replay
    assert replay is not None
    out = Replayed()
    for index, interaction in enumerate(interactions):
        if replay.played[index]:
            continue
        req = interaction["request"]
        get_one = re.fullmatch(r"/responses/([^/]+)", req["path"])
        try:
            if req["method"] == "POST" and req["path"] == "/responses":
                result = out.take(_create(client, req["body"]))
                if result is not None and req["body"].get("background"):
                    if result.status in PENDING:
                        # Poll as the client that recorded it polled (some send ?stream=false).
                        query = _next_poll_query(interactions, index, result.id) or {}
                        poller = client.with_options(default_query=query) if query else client
                        out.responses.append(wait(poller, result))
            elif req["method"] == "GET" and get_one:
                out.take(client.responses.retrieve(get_one[1], **_query(req["query"])))
            else:
                raise AssertionError(f"no SDK call is known for {req['method']} {req['path']}")
        except openai.APIError as err:
            out.errors.append(err)
    return out


def expected_errors(interactions: list[dict]) -> int:
    """How many calls the recording says must fail: an HTTP error (its retries are one call), or a
    stream that carries an ``error`` event."""
    count, previous = 0, None
    for it in interactions:
        res = it["response"]
        if res["status"] >= 400:
            count += it["request"] != previous
        elif any(isinstance(e["data"], dict) and e["data"].get("type") == "error"
                 for e in res.get("events", [])):  # fmt: skip
            count += 1
        previous = it["request"] if res["status"] >= 400 else None
    return count


# --------------------------------------------------------------------------------------------
# What a rendering must hold
# --------------------------------------------------------------------------------------------


def _texts(value: Any) -> list[str]:
    return [value] if isinstance(value, str) and value.strip() else []


def tool_fragments(item: Any) -> list[str]:
    """What a tool call item must show: what was asked and what came back."""
    kind = get(item, "type")
    found: list[str] = []
    if kind == "function_call":
        found += _texts(get(item, "name")) + _texts(get(item, "arguments"))
    elif kind == "web_search_call":
        action = get(item, "action")
        found += _texts(get(action, "query"))
        for query in get(action, "queries") or []:
            found += _texts(query)
        found += _texts(get(action, "url")) + _texts(get(action, "pattern"))
    elif kind == "file_search_call":
        for query in get(item, "queries") or []:
            found += _texts(query)
        for result in get(item, "results") or []:
            found += _texts(get(result, "filename") or get(result, "file_id"))
    elif kind == "code_interpreter_call":
        found += [line for line in (get(item, "code") or "").splitlines() if line.strip()]
        for output in get(item, "outputs") or []:
            found += _texts(get(output, "logs")) + _texts(get(output, "url"))
    elif kind in ("mcp_call", "mcp_approval_request"):
        found += _texts(get(item, "server_label")) + _texts(get(item, "name"))
        found += _texts(get(item, "arguments")) + _texts(get(item, "output"))
        found += _texts(get(item, "error"))
    elif kind == "mcp_list_tools":
        found += _texts(get(item, "server_label"))
        for tool in get(item, "tools") or []:
            found += _texts(get(tool, "name"))
    elif kind == "custom_tool_call":
        found += _texts(get(item, "name")) + _texts(get(item, "input"))
    elif kind == "image_generation_call":
        found += _texts(get(item, "revised_prompt"))
    return found


def check_rendering(response: Any) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        md = show(response)._repr_markdown_()
        plain = str(show(response))
        show_json(response)
    assert not caught, f"show()/show_json() warned: {[str(w.message) for w in caught]}"

    urls: list[str] = []  # in the order show() numbers them
    cited: dict[str, int] = {}
    for item in get(response, "output") or []:
        kind = get(item, "type")
        if kind == "reasoning":
            for part in get(item, "summary") or []:
                for fragment in _texts(get(part, "text")):
                    assert fragment in md and fragment in plain, f"summary missing: {fragment!r}"
        elif kind == "message":
            for part in get(item, "content") or []:
                if get(part, "type") == "refusal":
                    assert get(part, "refusal") in plain
                    continue
                text = get(part, "text") or ""
                spans = []
                for note in get(part, "annotations") or []:
                    note_type = get(note, "type")
                    if note_type == "url_citation":
                        url = get(note, "url")
                        if url not in urls:
                            urls.append(url)
                        cited[url] = cited.get(url, 0) + 1
                        spans.append((get(note, "start_index"), get(note, "end_index")))
                    elif note_type in ("file_citation", "container_file_citation"):
                        name = get(note, "filename") or get(note, "file_id")
                        assert name in md and name in plain, f"file citation missing: {name}"
                        at = get(note, "index", get(note, "end_index"))
                        spans.append((at, at))  # its marker goes there
                # Every stretch of text outside a cited span appears, in order.
                kept, at = [], 0
                for start, end in sorted(spans):
                    kept.append(text[at:start])
                    at = max(at, end)
                kept.append(text[at:])
                for rendering in (md, plain):
                    pos = 0
                    for piece in (p.strip() for p in kept):
                        if piece:
                            found = rendering.find(piece, pos)
                            assert found >= 0, f"message text missing: {piece[:80]!r}"
                            pos = found + len(piece)
        else:
            for fragment in tool_fragments(item):
                assert fragment in md and fragment in plain, f"{kind} missing: {fragment[:80]!r}"

    for number, url in enumerate(urls, 1):
        link = f"[\\[{number}\\]]({url})"
        assert md.count(link) == cited[url], f"{url} is not linked once per citation:\n{md}"
        # One link per citation and one line in Sources: never a second link beside the first.
        assert md.count(f"]({url})") == cited[url] + 1, f"{url} is linked twice:\n{md}"
        assert plain.count(url) == 1, f"{url} should appear once, in Sources:\n{plain}"
        assert plain.count(f"[{number}]") >= cited[url]


# --------------------------------------------------------------------------------------------
# The test
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", PARAMS)
def test_a_real_exchange_is_accepted_replayed_and_shown(case, monkeypatch, capsys):
    recording = load(case)
    assert recording.meta["source"] == "recorded"
    # As make record checks a live recording: what the API sent never blocks it.
    assert problems(recording) == []

    monkeypatch.setenv("TUTORIAL_RECORDINGS_DIR", str(case.parent))
    monkeypatch.setenv("TUTORIAL_REPLAY_STRICT", "1")
    client = connect(case.stem)
    replayed = replay_case(client, recording.interactions)

    replay = current_session().replay
    assert replay.unplayed() == [], f"requests not replayed: {replay.unplayed()}"
    assert len(replayed.errors) == expected_errors(recording.interactions), replayed.errors
    for err in replayed.errors:
        message = explain(err)
        assert "What to do:" in message and len(message.splitlines()) <= 6, message
        code = get(err.body, "code") if isinstance(err.body, dict) else None
        if code == "insufficient_quota":  # advice fit for the code, on every path
            assert "Waiting will not help" in message and "again" not in message, message
    assert replayed.responses or replayed.errors
    for response in replayed.responses:
        check_rendering(response)
