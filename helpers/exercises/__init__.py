"""Exercises that check themselves: ``check("02.1", answer, ...)`` says whether an answer is right and
gives a hint when it is not; ``solution("02.1")`` shows a worked answer when asked, and not before.

Each notebook's exercises live in a module of their own here (``nb01.py``, ``nb02.py``, ...), declared
with ``@exercise``. A checker gets the learner's answer and the objects the exercise is about, works out
the right answer from those objects itself, and returns None when the answer is right or a hint.

Defined in 00_start_here (how exercises work); every notebook ends with some.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["exercise", "check", "solution", "check_solution", "call", "Hint", "Exercise", "Verdict"]

Checker = Callable[..., str | None]


@dataclass(frozen=True)
class Exercise:
    id: str
    title: str
    checker: Checker
    solution: str
    answer: str  # the name the solution code defines, which check() receives
    live: bool = False  # a live challenge needs new requests, so it cannot be checked offline


_REGISTRY: dict[str, Exercise] = {}


def exercise(
    id: str, title: str, solution: str, answer: str = "answer", live: bool = False
) -> Callable[[Checker], Checker]:
    """Declare an exercise; the decorated function is its checker. ``solution`` is code that defines
    the name ``answer``."""

    def register(checker: Checker) -> Checker:
        _REGISTRY[id] = Exercise(id, title, checker, solution.strip("\n"), answer, live)
        return checker

    return register


def _load_all() -> None:
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")


def get(id: str) -> Exercise:
    if id not in _REGISTRY:
        _load_all()
    if id not in _REGISTRY:
        known = ", ".join(sorted(_REGISTRY)) or "none"
        raise KeyError(f"No exercise {id!r}. Known exercises: {known}.")
    return _REGISTRY[id]


class Hint(Exception):
    """Raised inside a checker: its message is the hint the learner sees."""


def call(function: Any, description: str, *args: Any) -> Any:
    """Call the learner's function for a checker. An answer that is not a function, or a function
    that returns None, becomes the hint; ``description`` completes "define a function ..."."""
    if not callable(function):
        raise Hint(f"define a function {description}.")
    result = function(*args)
    if result is None:
        raise Hint("your function returns None: finish it with a return statement.")
    return result


@dataclass(frozen=True)
class Verdict:
    id: str
    title: str
    hint: str | None

    @property
    def passed(self) -> bool:
        return self.hint is None

    def __str__(self) -> str:
        if self.passed:
            return f"Exercise {self.id} ({self.title}): correct."
        return (
            f"Exercise {self.id} ({self.title}): not yet. Hint: {self.hint}\n"
            f'(Stuck? solution("{self.id}") shows one answer.)'
        )

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(str(self))

    def __bool__(self) -> bool:
        return self.passed


def check(id: str, answer: Any, *context: Any) -> Verdict:
    """Check ``answer`` to exercise ``id``; ``context`` is whatever the exercise is about (a response,
    a list of responses ...). Returns a Verdict that prints as one line, or two with a hint."""
    ex = get(id)
    if answer is ...:
        return Verdict(
            ex.id, ex.title, "replace the ... with your answer, then run the cell again."
        )
    try:
        hint = ex.checker(answer, *context)
    except Hint as raised:
        hint = str(raised)
    except Exception as err:  # a malformed answer is a hint, not a crash
        hint = f"your answer could not be checked ({type(err).__name__}: {err})."
    return Verdict(ex.id, ex.title, hint)


class _Code:
    def __init__(self, text: str):
        self.text = text

    def _repr_markdown_(self) -> str:
        return f"```python\n{self.text}\n```"

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(self.text)


def solution(id: str) -> _Code:
    """One worked answer to exercise ``id``, shown as code."""
    return _Code(get(id).solution)


def check_solution(id: str, *context: Any) -> Verdict:
    """Run the worked solution of ``id`` and check it like a learner's answer: the notebooks do this
    at the end, so the tests prove every checker accepts its own solution."""
    ex = get(id)
    # A solution runs where a learner's answer would: in a copy of the notebook's namespace.
    from IPython import get_ipython

    shell = get_ipython()
    namespace: dict[str, Any] = dict(shell.user_ns) if shell is not None else {}
    exec(compile(ex.solution, f"<solution {id}>", "exec"), namespace)
    return check(id, namespace[ex.answer], *context)
