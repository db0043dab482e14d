"""Exercises of 02_conversation_state."""

from __future__ import annotations

from typing import Any

from . import call, exercise


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _said(item: Any) -> tuple[str, str]:
    """(role, text) of a message given as a dict (string or list content) or an SDK item."""
    content = _get(item, "content")
    if isinstance(content, str):
        text = content
    else:
        text = "".join(_get(part, "text", "") or "" for part in content or [])
    return str(_get(item, "role")), " ".join(text.split())


@exercise(
    "02.1",
    "rebuild the fork's input by hand",
    answer="fork_input",
    solution="""
fork_input = [
    {"role": "user", "content": JOKE},
    {"role": "assistant", "content": first.output_text},
    {"role": "user", "content": FORK},
]
""",
)
def _fork_input(fork_input, fork_items):
    if not isinstance(fork_input, list) or not fork_input:
        return "make fork_input a list of messages: [{'role': ..., 'content': ...}, ...]."
    want = [_said(item) for item in fork_items]
    got = [_said(item) for item in fork_input]
    if len(got) != len(want):
        roles = ", ".join(role for role, _ in want)
        return (
            f"the fork's model was given {len(want)} messages ({roles}); your list has "
            f"{len(got)}. A fork sees its own branch only: the first request, the first answer "
            "and the fork's question, nothing from the other follow-up."
        )
    for n, ((role, text), (want_role, want_text)) in enumerate(zip(got, want, strict=True), 1):
        if role != want_role:
            return f"message {n} should have the role {want_role!r}, not {role!r}."
        if text != want_text:
            return (
                f"message {n} ({want_role}) should say {want_text[:50]!r}..., but yours says "
                f"{text[:50]!r}... Use the exact text that was sent or answered."
            )
    return None


@exercise(
    "02.2",
    "find the root of a chain",
    answer="root_of",
    solution="""
def root_of(response_id):
    response = client.responses.retrieve(response_id)
    while response.previous_response_id is not None:
        response = client.responses.retrieve(response.previous_response_id)
    return response.id
""",
)
def _root_of(root_of, start, *known):
    by_id = {r.id: r for r in (start, *known)}
    node, seen = start, {start.id}
    while node.previous_response_id in by_id and node.previous_response_id not in seen:
        node = by_id[node.previous_response_id]
        seen.add(node.id)
    expected = node.id
    got = call(root_of, "root_of(response_id) that returns the id of the first response", start.id)
    if not isinstance(got, str):
        if getattr(got, "id", None) == expected:
            return "that is the right response, but return its id (a string), not the response."
        return f"return a response id (a string), not {type(got).__name__}."
    if got == start.id:
        return (
            "that is the id you started from. Retrieve it, then keep following "
            "previous_response_id until a response has none."
        )
    if got != expected:
        return (
            "that response is in the chain but not at its start: keep going until "
            "previous_response_id is None."
        )
    return None


@exercise(
    "02.3",
    "live challenge: a conversation that remembers",
    answer="answers",
    live=True,
    solution="""
memory = client.conversations.create()
told = client.responses.create(
    model=MODEL, conversation=memory.id, input="Hello! My name is Ada."
)
asked = client.responses.create(model=MODEL, conversation=memory.id, input="What is my name?")
outside = client.responses.create(model=MODEL, input="What is my name?")
answers = [told.output_text, asked.output_text, outside.output_text]
""",
)
def _answers(answers, name):
    if not isinstance(answers, list | tuple) or len(answers) != 3:
        return "answers should be a list of the three output_text strings, in order."
    if not all(isinstance(a, str) for a in answers):
        return "put each response's output_text in the list, not the response itself."
    if name.lower() not in answers[1].lower():
        return (
            f"the second answer does not mention {name!r}: did you pass conversation=... to "
            "both of the first two requests?"
        )
    if name.lower() in answers[2].lower():
        return (
            f"the third answer knows {name!r}: send that request without conversation=... "
            "(and without previous_response_id)."
        )
    return None
