"""Reasoning settings: what each model takes and does by default, the settings a response echoes,
and the API's rules for reasoning items sent back as input.

- ``effective(request)``: the ``reasoning`` a body echoes, the settings the model really used: the
  effort asked for or the model's default, and a summary of ``"auto"`` resolved to the
  summarizer that ran (``"detailed"``, as real gpt-5.2 traffic echoes for ``"auto"``).
- ``check_request(state, body)``: the API's 400 for an effort the model does not take (worded as
  users report the live API words it) or for reasoning settings sent to a model without
  reasoning; and its 404 for a reasoning item sent back by id alone when nothing was stored for
  it (``store=False``): such an item must carry its ``encrypted_content``. Items that carry it are
  taken as they are and never looked up, as Zero Data Retention organisations rely on.
- ``check_step(request, items)``: a scripting mistake when a step holds a reasoning item although
  the request does not make the model reason (its effective effort is ``none``).

What is known about the models (``MODELS``), and how: gpt-5.4 echoes a default effort of ``none``
(real traffic); the effort values gpt-5.4-mini takes are those its 400 lists (reported by users);
that gpt-5.4-mini defaults to ``none`` like gpt-5.4 is **unverified**, assumed here and said so
in the reasoning lesson; gpt-5.5 defaults to ``medium`` (the reasoning guide).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .errors import ApiError
from .state import State
from .steps import Item

FIVE_LEVELS = ("none", "low", "medium", "high", "xhigh")

# model (or its dated snapshot's prefix) -> (default effort, efforts it takes)
MODELS: dict[str, tuple[str, tuple[str, ...]]] = {
    "gpt-5.4-mini": ("none", FIVE_LEVELS),  # default assumed from gpt-5.4 (unverified)
    "gpt-5.4": ("none", FIVE_LEVELS),
    "gpt-5.5": ("medium", FIVE_LEVELS),
}
# Models that do not reason: a reasoning setting is refused.
NO_REASONING = ("gpt-4o", "gpt-4.1")

NOT_PERSISTED = (
    "Item with id '{id}' not found. Items are not persisted when `store` is set to false. Try "
    "again with `store` set to true, or remove this item from your input."
)


def profile(model: str) -> tuple[str, tuple[str, ...]] | None:
    """(default effort, efforts taken) for a known model or its dated snapshot, else None."""
    for name in sorted(MODELS, key=len, reverse=True):
        if model == name or model.startswith(name + "-20"):
            return MODELS[name]
    return None


def reasons(model: str) -> bool:
    return not any(model == name or model.startswith(name + "-") for name in NO_REASONING)


def effective(request: Mapping[str, Any]) -> dict[str, Any]:
    """The ``reasoning`` field of a response body: the settings the model ran with."""
    asked = dict(request.get("reasoning") or {})
    known = profile(str(request.get("model", "")))
    effort = asked.get("effort")
    if effort is None and known:
        effort = known[0]
    summary = asked.get("summary")
    if summary == "auto":
        summary = "detailed"
    return {**asked, "effort": effort, "summary": summary}


def _join(values: Iterable[str]) -> str:
    quoted = [f"'{v}'" for v in values]
    return (
        ", ".join(quoted[:-1]) + f", and {quoted[-1]}" if len(quoted) > 2 else " and ".join(quoted)
    )


def check_request(state: State, body: Mapping[str, Any]) -> None:
    """Raise the API's error for reasoning settings or reasoning input items it refuses."""
    model = str(body.get("model", ""))
    effort = (body.get("reasoning") or {}).get("effort")
    if effort is not None and not reasons(model):
        raise ApiError(
            400,
            "Unsupported parameter: 'reasoning.effort' is not supported with this model.",
            param="reasoning.effort",
            code="unsupported_parameter",
        )
    known = profile(model)
    if effort is not None and known and effort not in known[1]:
        raise ApiError(
            400,
            f"Unsupported value: '{effort}' is not supported with the '{model}' model. "
            f"Supported values are: {_join(known[1])}.",
            param="reasoning.effort",
            code="unsupported_value",
        )
    items = body.get("input")
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, Mapping) or item.get("type") != "reasoning":
            continue
        if item.get("encrypted_content"):
            continue  # stateless use: the item carries itself, nothing is looked up
        if not _stored(state, str(item.get("id", ""))):
            raise ApiError(404, NOT_PERSISTED.format(id=item.get("id")), param="input")


def _stored(state: State, item_id: str) -> bool:
    for stored in state.responses.values():
        if any(item.get("id") == item_id for item in stored.final["output"]):
            return stored.store and not stored.deleted
    return False


TOOL_CALLS = ("web_search", "function_call", "image_generation")
HOSTED = ("web_search", "image_generation")  # tools the API runs inside the response


def check_step(request: Mapping[str, Any], items: Iterable[Item]) -> None:
    """Scripting mistakes against what reasoning looks like live: a reasoning item in the answer
    to a request that does not reason; and, for one that does, a tool call with no reasoning item
    since the previous tool call (parallel function calls share one; a commentary message may
    come between), or a message after a hosted tool's result with none since (real gpt-5 traffic:
    reasoning, web_search_call, reasoning, message)."""
    effort = effective(request)["effort"]
    items = list(items)
    if effort == "none" and any(item.kind == "reasoning" for item in items):
        raise RuntimeError(
            "the step has a reasoning item, but the request's effective reasoning effort is "
            f"'none' ({request.get('model')}'s default when no effort is asked for): set "
            "reasoning={'effort': ...} in the request or drop the item"
        )
    if effort in (None, "none"):
        return  # not a reasoning request, or a model nothing is known about
    reasoned, after_hosted = False, False
    for n, item in enumerate(items):
        before = items[n - 1].kind if n else None
        if item.kind == "reasoning":
            reasoned, after_hosted = True, False
        elif item.kind in TOOL_CALLS:
            if not reasoned and not item.kind == before == "function_call":
                raise RuntimeError(
                    f"item {n + 1} ({item.kind}) is a tool call of a reasoning model (effort "
                    f"'{effort}') with no reasoning item before it: add reasoning(...) before it"
                )
            reasoned, after_hosted = False, item.kind in HOSTED
        elif item.kind == "message" and after_hosted:
            raise RuntimeError(
                f"item {n + 1} (message) follows a hosted tool's result with no reasoning item "
                f"between them, though the model reasons (effort '{effort}'): add reasoning(...)"
            )
