"""Exercises of 10_relay."""

from __future__ import annotations

from . import call, exercise


@exercise(
    "10.1",
    "the text of a stream",
    answer="text_of",
    solution="""
def text_of(events):
    return "".join(e["data"]["text"] for e in events if e["event"] == "output_text")
""",
)
def _text_of(text_of, events):
    got = call(text_of, "text_of(events) that returns a string", events)
    if not isinstance(got, str):
        return f"return a string, not {type(got).__name__}."
    final = next((e["data"]["output_text"] for e in events if e["event"] == "completed"), None)
    chunks = [e["data"]["text"] for e in events if e["event"] == "output_text"]
    if final is None:
        return "check it on events that reach the end: cut + rest, with the completed event."
    if got == final:
        return None
    if not got:
        return "join data['text'] of the events whose event is 'output_text'."
    if got.replace(" ", "") == final.replace(" ", "") or got == " ".join(chunks):
        return "join the chunks with no separator: each chunk already carries its own spaces."
    if final in got:
        return "keep only the output_text events: the completed event repeats the whole text."
    return "the text should equal the output_text of the completed event."


@exercise(
    "10.2",
    "when and where to look again",
    answer="next_poll",
    solution="""
def next_poll(response):
    if "Location" not in response.headers:
        return None
    return int(response.headers["Retry-After"]), response.headers["Location"]
""",
)
def _next_poll(next_poll, *responses):
    if not callable(next_poll):
        return "define a function next_poll(response) that returns a pair or None."
    for response in responses:
        running = "location" in response.headers
        expected = (
            (int(response.headers["retry-after"]), response.headers["location"])
            if running
            else None
        )
        got = next_poll(response)
        if expected is None and got is not None:
            return (
                f"a {response.status_code} without a Location header is an invocation that has "
                "ended: return None for it."
            )
        if expected is None:
            continue
        if got is None:
            return f"the {response.status_code} has a Location header: return (seconds, url)."
        if not isinstance(got, tuple) or len(got) != 2:
            return "return a pair: (seconds, url)."
        seconds, url = got
        if isinstance(seconds, str):
            return "Retry-After is a string of seconds: turn it into an int."
        if (seconds, url) != expected:
            return f"expected {expected!r}, got {got!r}."
    return None


IDS = ("response_id", "previous_response_id", "call_id", "invocation_id", "upstream_response_id")


@exercise(
    "10.3",
    "the ids that tie the loop together",
    answer="ids",
    solution="""
ids = {
    "response_id": asked.id,
    "previous_response_id": answer.previous_response_id,
    "call_id": call.call_id,
    "invocation_id": run["invocation_id"],
    "upstream_response_id": run["upstream_response_id"],
}
""",
)
def _ids(ids, asked, answer, call_item, run):
    if not isinstance(ids, dict):
        return f"ids should be a dict with the keys {', '.join(IDS)}."
    missing = [k for k in IDS if k not in ids]
    if missing:
        return f"the dict lacks {', '.join(missing)}."
    if any(v is ... for v in ids.values()):
        return "replace every ... with an id."
    expected = {
        "response_id": asked.id,
        "previous_response_id": answer.previous_response_id,
        "call_id": call_item.call_id,
        "invocation_id": run["invocation_id"],
        "upstream_response_id": run["upstream_response_id"],
    }
    for key in IDS:
        if ids[key] == expected[key]:
            continue
        if key == "response_id" and ids[key] == answer.id:
            return "response_id is the response that asked for the call (asked), not the answer."
        if key == "call_id" and ids[key] == call_item.id:
            return "call_id is call.call_id (call_...), not the item's own id (fc_...)."
        if key == "upstream_response_id" and ids[key] == run["invocation_id"]:
            return (
                "upstream_response_id is the provider's id (resp_...), not the relay's (inv_...)."
            )
        return f"{key} is not right: look at where it comes from in the cells above."
    if expected["response_id"] != expected["previous_response_id"]:
        return "these objects do not come from one loop: run the cells of that section again."
    return None
