"""Models that exist: the course never defaults to, records or uses a model that is shut down, or
will be within 90 days, by the shutdown dates the installed openai SDK announces in its model lists
(helpers/shutdowns.py reads them; nothing here copies them). doctor() says the same to a learner
whose .env names such a model."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import nbformat
import openai
import pytest

from helpers import config
from helpers.doctor import check_environment
from helpers.shutdowns import WARN_DAYS, announced, models_named, retiring, shutdown_of

REPO = Path(__file__).resolve().parent.parent
FILES = sorted(
    [*(REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"), *(REPO / "notebooks" / "recordings").glob("*.json"),
     *(REPO / "scenarios").glob("*.py")]
)  # fmt: skip

# Files known to name such a model today. Each is an expected failure, strict: once the file is
# fixed the test passes, strict makes that a failure, and the marker here must go.
# (none today: 03's hosted-tool demo names a deployment placeholder; 05 and 06 run on gpt-5.5)
KNOWN: dict[str, str] = {}


def named_in(path: Path) -> set[str]:
    """The models a file uses: a notebook's code and outputs (its prose may tell the history of a
    retired model), a recording's model fields, a scenario's whole text."""
    if path.suffix == ".ipynb":
        texts = []
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "code":
                continue
            texts.append(cell.source)
            for out in cell.get("outputs", []):
                texts.append(out.get("text", ""))
                texts += [v for k, v in out.get("data", {}).items() if k.startswith("text/")]
        return models_named("\n".join(texts))
    if path.suffix == ".json":
        found: set[str] = set()

        def walk(node):
            if isinstance(node, dict):
                for key, value in node.items():
                    if key in ("model", "models") and isinstance(value, str):
                        found.add(value)
                    elif key == "models" and isinstance(value, dict):
                        found.update(v for v in value.values() if isinstance(v, str))
                    else:
                        walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)

        walk(json.loads(path.read_text(encoding="utf-8")))
        return {name for name in found if shutdown_of(name) is not None}
    return models_named(path.read_text(encoding="utf-8"))


def retired(names, today: dt.date | None = None) -> list[str]:
    """One line per model in ``names`` that is shut down or will be within WARN_DAYS."""
    lines = []
    for name in sorted(names):
        shutdown = retiring(name, today)
        if shutdown is not None:
            lines.append(f"{name} {shutdown.describe(today)}")
    return lines


def retired_defaults(defaults: dict[str, str], today: dt.date | None = None) -> list[str]:
    return [f"{role}: {line}" for role, name in defaults.items() for line in retired([name], today)]


# --------------------------------------------------------------------------------------------


def test_the_dates_are_read_from_the_sdks_own_model_lists():
    table = announced()
    assert table["o4-mini-deep-research"].date == dt.date(2026, 7, 23)
    assert table["o3-deep-research-2025-06-26"].date == dt.date(2026, 7, 23)
    assert table["gpt-5"].date == dt.date(2026, 12, 11)
    assert table["gpt-4o"].date == dt.date(2027, 1, 14)
    # An entry whose "Announced shutdown date" wraps across two lines of the docstring.
    assert table["gpt-4-0125-preview"].date == dt.date(2026, 3, 26)
    # Responses-only models are announced outside chat_model.py, in lists of their own.
    chat_models = Path(openai.__file__).parent / "types" / "shared" / "chat_model.py"
    assert "o4-mini-deep-research" not in chat_models.read_text(encoding="utf-8")
    assert table["o4-mini-deep-research"].source != "openai/types/shared/chat_model.py"
    for current in ("gpt-5.4-mini", "gpt-5.5", "gpt-5.5-pro", "gpt-6-astra"):
        assert current not in table
    assert shutdown_of("gpt-5-mini-2025-08-07").date == dt.date(2026, 12, 11)


def test_the_course_defaults_to_models_that_are_not_shut_down_or_about_to_be():
    assert retired_defaults(config.DEFAULT_MODELS) == []


def test_that_check_fails_for_a_default_of_o4_mini_deep_research():
    defaults = {**config.DEFAULT_MODELS, "deep_research": "o4-mini-deep-research"}
    assert retired_defaults(defaults, dt.date(2026, 12, 2)) == [
        "deep_research: o4-mini-deep-research was shut down on 2026-07-23"
    ]
    # and for one whose shutdown is near: 90 days ahead counts, 91 does not
    soon = {"default": "gpt-4o"}
    assert retired_defaults(soon, dt.date(2027, 1, 14) - dt.timedelta(days=WARN_DAYS)) != []
    assert retired_defaults(soon, dt.date(2027, 1, 14) - dt.timedelta(days=WARN_DAYS + 1)) == []


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(
            p,
            id=p.relative_to(REPO).as_posix(),
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN[p.relative_to(REPO).as_posix()])]
            if p.relative_to(REPO).as_posix() in KNOWN
            else [],
        )
        for p in FILES
    ],
)
def test_no_notebook_recording_or_scenario_names_a_model_that_is_going(path):
    assert retired(named_in(path)) == [], f"{path.relative_to(REPO)} names retiring models"


def test_the_known_failures_are_files_that_exist():
    assert {p.relative_to(REPO).as_posix() for p in FILES} >= set(KNOWN)


def test_doctor_says_when_env_names_a_model_that_is_shut_down(monkeypatch):
    monkeypatch.setenv("TUTORIAL_DEEP_RESEARCH_MODEL", "o4-mini-deep-research")
    (problem,) = check_environment().problems
    assert problem.topic == "Deep research model"
    assert problem.found == (
        "TUTORIAL_DEEP_RESEARCH_MODEL=o4-mini-deep-research: OpenAI announced that "
        "o4-mini-deep-research was shut down on 2026-07-23 (in the installed openai SDK's model "
        "lists)"
    )
    assert problem.fix.startswith(
        "set TUTORIAL_DEEP_RESEARCH_MODEL in .env to a current model, such as "
        f"{config.DEFAULT_MODELS['deep_research']} (the course's default)"
    )


def test_doctor_says_when_env_names_a_model_shut_down_within_90_days(monkeypatch):
    monkeypatch.setenv("TUTORIAL_MODEL", "gpt-4o")
    (problem,) = check_environment().problems
    assert problem.topic == "Default model"
    assert "gpt-4o will be shut down on 2027-01-14 (in " in problem.found
    assert problem.fix.startswith("it still answers, but a model 90 days or less from its shutdown")


def test_doctor_is_silent_about_current_models(monkeypatch):
    monkeypatch.setenv("TUTORIAL_MODEL", "gpt-5.4-mini")
    monkeypatch.setenv("TUTORIAL_DEEP_RESEARCH_MODEL", "my-azure-deployment")
    assert check_environment().problems == []
