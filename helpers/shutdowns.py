"""When models are shut down, as the installed openai SDK announces it.

The SDK lists the shutdown dates OpenAI announced in the docstrings of its model lists: not in one
place, but wherever a list of models is declared (``types/shared/chat_model.py``, the lists of
Responses-only models in ``types/responses/`` and ``types/beta/``, ...), each as an entry like::

    - "o3-deep-research", "o3-deep-research-2025-06-26", "o4-mini-deep-research",
      "o4-mini-deep-research-2025-06-26": Announced shutdown date: 2026-07-23. See ...

``announced()`` reads every such entry of the installed SDK (so a newer SDK brings newer dates, and
nothing here is a copy of them); ``retiring(name)`` says whether a model is shut down already or
will be within ``WARN_DAYS``. ``doctor()`` and the tests use it to keep the course off such models.

Defined for 00_start_here (``doctor``) and the tests.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = ["Shutdown", "announced", "shutdown_of", "retiring", "models_named", "WARN_DAYS"]

WARN_DAYS = 90  # a model this close to its shutdown is as good as gone for a course
ANNOUNCED = "Announced shutdown"
# One entry of a "Deprecated values:" list, its whitespace collapsed: quoted names, then the date.
ENTRY = re.compile(r'-\s+((?:"[^"]+"\s*,?\s*)+):\s*Announced shutdown date:\s*(\d{4}-\d{2}-\d{2})')
DATED = re.compile(r"^(.+)-\d{4}-\d{2}-\d{2}$")  # a dated snapshot: gpt-4o-2024-11-20
# A token that could be a model id: lower-case letters, digits, dots and dashes, not part of a
# longer word, an id (resp_...), a path or a URL.
TOKEN = re.compile(r"(?<![\w.\-/])[a-z][a-z0-9.\-]*[a-z0-9](?![\w\-/])")


@dataclass(frozen=True)
class Shutdown:
    """A model's announced shutdown: ``model`` on ``date``, as ``source`` (a file of the SDK) says."""

    model: str
    date: dt.date
    source: str

    def days_left(self, today: dt.date | None = None) -> int:
        return (self.date - (today or dt.date.today())).days

    def describe(self, today: dt.date | None = None) -> str:
        """'was shut down on 2026-07-23' or 'will be shut down on 2027-01-14 (in 43 days)'."""
        left = self.days_left(today)
        if left <= 0:
            return f"was shut down on {self.date.isoformat()}"
        return f"will be shut down on {self.date.isoformat()} (in {left} day{'s' * (left != 1)})"


def _docstrings(source: str) -> list[str]:
    """The string literals of a module that announce a shutdown (docstrings of its lists)."""
    return [
        node.value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and ANNOUNCED in node.value
    ]


@cache
def announced() -> dict[str, Shutdown]:
    """Every model with an announced shutdown date in the installed SDK -> its Shutdown. A model
    announced in several lists with different dates gets the earliest."""
    import openai

    package = Path(openai.__file__).resolve().parent
    found: dict[str, Shutdown] = {}
    for path in sorted((package / "types").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if ANNOUNCED not in text:
            continue
        source = path.relative_to(package.parent).as_posix()
        for doc in _docstrings(text):
            for names, date in ENTRY.findall(" ".join(doc.split())):
                when = dt.date.fromisoformat(date)
                for name in re.findall(r'"([^"]+)"', names):
                    if name not in found or when < found[name].date:
                        found[name] = Shutdown(name, when, source)
    return found


def shutdown_of(name: str) -> Shutdown | None:
    """The announced shutdown of model ``name``, or None when none is announced. A dated snapshot
    the SDK does not list shares the shutdown of the model it is a snapshot of."""
    table = announced()
    name = name.strip()
    if name in table:
        return table[name]
    dated = DATED.match(name)
    return table.get(dated[1]) if dated else None


def retiring(name: str, today: dt.date | None = None, within: int = WARN_DAYS) -> Shutdown | None:
    """The shutdown of ``name`` when it is past, or at most ``within`` days away; else None."""
    shutdown = shutdown_of(name)
    if shutdown is not None and shutdown.days_left(today) <= within:
        return shutdown
    return None


def models_named(text: str) -> set[str]:
    """The model ids with an announced shutdown that ``text`` names (as whole words)."""
    return {token for token in TOKEN.findall(text) if shutdown_of(token) is not None}
