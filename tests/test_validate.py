"""helpers.validate: a live recording is never refused for what the API sent (the differences are
notes), an illustrative one stays strict, and a failing event or item names its own type and its
own first error."""

from __future__ import annotations

import copy

from bodies import interaction, message, response, usage

from helpers.recording import Recording
from helpers.validate import LIVE_SHAPES, review

ASK = {"model": "gpt-5.4-mini", "input": "Say hi.", "stream": True}


def recording(source: str, *interactions: dict) -> Recording:
    return Recording(meta={"source": source, "models": {}}, interactions=list(interactions))


def events(*data: dict) -> list[dict]:
    return [{"event": d.get("type"), "data": d} for d in data]


def live_usage() -> dict:
    u = usage()
    del u["input_tokens_details"]["cache_write_tokens"]  # as most real answers have it
    return u


def real_shapes() -> list[dict]:
    """One recording's worth of what ../shared/real-traffic shows the live API sends."""
    searched = response(
        {"id": "ws_1", "type": "web_search_call", "status": "completed",
         "action": {"type": "search", "query": "weather: Paris",
                    "sources": [{"type": "api", "name": "oai-weather"}]}},
        message("Sunny."),
        usage=live_usage(), billing={"payer": "developer"}, store=True,
        frequency_penalty=0.0, presence_penalty=0.0,
    )  # fmt: skip
    added = {"id": "ws_1", "type": "web_search_call", "status": "in_progress"}  # no action
    failed = response(status="failed", usage=None, error={
        "code": "insufficient_quota", "message": "You exceeded your current quota."})  # fmt: skip
    stream = events(
        {"type": "response.created", "sequence_number": 0, "response": response(status="in_progress", usage=None)},
        {"type": "response.output_item.added", "sequence_number": 1, "output_index": 0, "item": added},
        {"type": "error", "sequence_number": 2, "error": {
            "type": "insufficient_quota", "code": "insufficient_quota",
            "message": "You exceeded your current quota.", "param": None}},
        {"type": "response.failed", "sequence_number": 3, "response": failed},
    )  # fmt: skip
    early = events(  # March 2025: no sequence_number at all
        {"type": "response.output_text.delta", "item_id": "msg_1", "output_index": 0,
         "content_index": 0, "delta": "Hi", "logprobs": [], "obfuscation": "x1"},
    )  # fmt: skip
    return [
        interaction(ASK, searched),
        interaction(ASK, events=stream),
        interaction(ASK, events=early),
    ]


def test_a_live_recording_with_the_apis_own_shapes_is_never_refused():
    checked = review(recording("recorded", *real_shapes()))
    assert checked.problems == []
    notes = "\n".join(checked.notes)
    for shape in LIVE_SHAPES:
        assert shape in notes, f"no note for: {shape}"
    assert "fields the SDK does not declare: billing, frequency_penalty, obfuscation" in notes
    assert "interaction 2 event 2 (error)" in notes  # where each one is


def test_the_same_shapes_are_accepted_in_an_illustrative_recording():
    checked = review(recording("illustrative", *real_shapes()))
    assert checked == type(checked)([], [])


def test_a_live_recording_is_not_refused_for_anything_the_sdk_rejects():
    odd = response(message("Hi."), status="thinking", colour="blue")  # a literal the SDK lacks
    odd["output"][0]["content"][0].pop("annotations")  # a field the SDK calls required
    checked = review(recording("recorded", interaction(ASK, odd)))
    assert checked.problems == []
    (note,) = checked.notes
    assert note.startswith("2 error(s), first at output.0.ResponseOutputMessage.content.0.")
    assert note.endswith("annotations: Field required (interaction 1)")


def test_an_illustrative_recording_stays_strict():
    typo = response(message("Hi."))
    typo["output"][0]["content"][0]["anotations"] = []
    checked = review(recording("illustrative", interaction(ASK, typo)))
    assert checked.problems == [
        "interaction 1 (POST /responses): unknown field output[0].content[0].anotations"
    ]
    broken = response(message("Hi."))
    del broken["output"][0]["content"][0]["text"]
    (problem,) = review(recording("illustrative", interaction(ASK, broken))).problems
    assert "first at output.0.ResponseOutputMessage.content.0" in problem


def test_a_failing_event_is_named_by_its_own_type_and_its_own_first_error():
    u = usage()
    del u["total_tokens"]
    done = {"type": "response.completed", "sequence_number": 5, "response": response(usage=u)}
    one = interaction(ASK, events=events(done))
    (problem,) = review(recording("illustrative", one)).problems
    assert problem == (
        "interaction 1 (POST /responses) event 0 (response.completed): 1 error(s), "
        "first at response.usage.total_tokens: Field required"
    )
    (note,) = review(recording("recorded", one)).notes
    assert note.startswith("1 error(s), first at response.usage.total_tokens: Field required")


def test_a_failing_output_item_is_named_by_its_own_type():
    ws = {"id": "ws_1", "type": "web_search_call", "status": "done",
          "action": {"type": "search", "query": "q"}}  # fmt: skip
    (problem,) = review(recording("illustrative", interaction(ASK, response(ws)))).problems
    assert "1 error(s), first at output.0.ResponseFunctionWebSearch.status" in problem


def test_an_unknown_event_type_is_named():
    odd = interaction(ASK, events=events({"type": "response.dreaming", "sequence_number": 0}))
    (problem,) = review(recording("illustrative", odd)).problems
    assert "no SDK event class has the type 'response.dreaming'" in problem
    assert review(recording("recorded", copy.deepcopy(odd))).problems == []


def compacted_window() -> dict:
    """What POST /responses/compact answers: the user messages, then one compaction item."""
    return {
        "id": "resp_1",
        "object": "response.compaction",
        "created_at": 1795165200,
        "output": [
            {"id": "msg_1", "type": "message", "role": "user", "status": "completed",
             "content": [{"type": "input_text", "text": "Tell me a joke."}]},
            {"id": "cmp_1", "type": "compaction", "encrypted_content": "gAAAAABsealed"},
        ],
        "usage": usage(),
    }  # fmt: skip


def test_the_context_management_answers_are_checked_against_their_own_types():
    compact = {"method": "POST", "path": "/responses/compact", "query": {},
               "body": {"model": "gpt-5.4-mini", "previous_response_id": "resp_0"}}  # fmt: skip
    count = dict(compact, path="/responses/input_tokens")
    counted = {"object": "response.input_tokens", "input_tokens": 42}
    good = recording(
        "illustrative",
        {
            "request": compact,
            "response": {"status": 200, "headers": {}, "body": compacted_window()},
        },
        {"request": count, "response": {"status": 200, "headers": {}, "body": counted}},
    )
    assert review(good).problems == []

    typo = copy.deepcopy(good)
    typo.interactions[0]["response"]["body"]["output"][1]["encrypted_contnet"] = "x"
    user = copy.deepcopy(good)
    user.interactions[0]["response"]["body"]["output"][0]["content"][0]["txt"] = "x"
    wrong_count = copy.deepcopy(good)
    wrong_count.interactions[1]["response"]["body"]["object"] = "response.input_token"
    for broken, where in (
        (typo, "interaction 1"),
        (user, "interaction 1 (POST /responses/compact) user message 0"),
        (wrong_count, "interaction 2"),
    ):
        problems = review(broken).problems
        assert len(problems) == 1 and problems[0].startswith(where), problems
