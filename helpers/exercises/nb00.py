"""Exercises of 00_start_here: which mode runs, what a recording holds, and the budget guard."""

from __future__ import annotations

import os
from typing import Any

from .. import config
from ..errors import BudgetExceeded, SetupError
from . import exercise

MODES = ("replay", "live", "error")
# Everything that decides the mode; a situation sets some of these and none of the others.
MODE_VARIABLES = (
    "TUTORIAL_MODE",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "AZURE_OPENAI_ENDPOINT",
    "AZURE_OPENAI_API_KEY",
    "AZURE_OPENAI_KEY",
)


def mode_in(variables: dict[str, str]) -> str:
    """The mode ``connect()`` would choose with exactly ``variables`` set ("error" when it would
    refuse to start), worked out by the same code that ``connect()`` runs."""
    names = set(MODE_VARIABLES) | set(variables)
    saved = {name: os.environ.get(name) for name in names}
    try:
        for name in names:
            os.environ.pop(name, None)
        os.environ.update(variables)
        explicit_replay = (variables.get("TUTORIAL_MODE") or "").strip().lower() == "replay"
        provider = None if explicit_replay else config.detect_provider()
        mode, _ = config.resolve_mode(provider)
    except SetupError:
        return "error"
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    if mode in ("live", "record") and provider is None:
        return "error"
    return mode


RULES = {
    "replay": "with no credentials and TUTORIAL_MODE unset (auto), the notebooks replay; and "
    "TUTORIAL_MODE=replay replays whatever keys are set.",
    "live": "with TUTORIAL_MODE unset (auto), credentials mean live: an OpenAI key, or an Azure "
    "endpoint with its key.",
    "error": "connect() refuses to start when it cannot do what the settings ask: live with no "
    "credentials, or Azure with only one of its endpoint and key.",
}


@exercise(
    "00.1",
    "which mode runs?",
    answer="modes",
    solution="""
modes = {
    "a": "replay",  # nothing set: auto falls back to replay
    "b": "live",  # a key and auto: live
    "c": "replay",  # TUTORIAL_MODE=replay wins over the key
    "d": "live",  # Azure endpoint and key: live, on Azure
    "e": "error",  # live asked for, but no credentials
    "f": "error",  # Azure half configured: the key is missing
}
""",
)
def _modes(modes: Any, situations: dict[str, dict[str, str]]) -> str | None:
    if not isinstance(modes, dict):
        return 'answer with a dict from letter to mode, like {"a": "replay", "b": "live", ...}.'
    missing = [letter for letter in situations if letter not in modes]
    if missing:
        return f"give a mode for every situation; missing: {', '.join(missing)}."
    for letter, variables in situations.items():
        given = modes[letter]
        if given is ...:
            return f'replace the ... of situation {letter} with "replay", "live" or "error".'
        if given not in MODES:
            return f"situation {letter}: {given!r} is not one of {', '.join(map(repr, MODES))}."
        right = mode_in(variables)
        if given != right:
            return f"situation {letter} is not {given!r}. Remember: {RULES[right]}"
    return None


@exercise(
    "00.2",
    "what replay matches",
    answer="recorded_input",
    solution="""
recorded_input = recording["interactions"][0]["request"]["body"]["input"]
""",
)
def _recorded_input(recorded_input: Any, recording: dict[str, Any]) -> str | None:
    first = recording["interactions"][0]["request"]["body"]
    if isinstance(recorded_input, dict):
        return "that is a whole request body: take the value of its 'input' field."
    if recorded_input != first["input"]:
        return (
            "follow the keys down: recording['interactions'] is a list; its first element has a "
            "'request', which has a 'body', which has the 'input' the notebook sent."
        )
    return None


@exercise(
    "00.3",
    "live challenge: meet the budget guard",
    answer="refused",
    live=True,
    solution="""
# In .env: TUTORIAL_MAX_REQUESTS=1; restart the kernel, run the cells down to the first request.
try:
    client.responses.create(model=MODEL, input="One more, please.")
    refused = None
except Exception as err:
    refused = type(err).__name__
""",
)
def _refused(refused: Any) -> str | None:
    if refused is None:
        return (
            "the request was sent: set TUTORIAL_MAX_REQUESTS=1 in .env, restart the kernel, run "
            "the first request once, then try a second one."
        )
    name = refused if isinstance(refused, str) else getattr(refused, "__name__", "")
    if name != BudgetExceeded.__name__:
        return (
            f"{name or refused!r} is not what the guard raises. The guard only acts live: check "
            "that the setup line says 'Mode: live', and store type(err).__name__."
        )
    return None
