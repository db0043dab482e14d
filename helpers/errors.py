"""The errors a learner can meet, each saying what happened and how to go on.

They subclass ``openai.OpenAIError`` on purpose: the SDK re-raises an ``OpenAIError`` that a transport
raises as it is, without retrying it or wrapping it in ``APIConnectionError``.
"""

from __future__ import annotations

import openai

__all__ = ["TutorialError", "SetupError", "RecordingError", "ReplayMiss", "BudgetExceeded"]


class TutorialError(openai.OpenAIError):
    """Base class of the errors ``helpers`` raises."""


class SetupError(TutorialError):
    """Credentials or settings are missing or contradict each other."""


class RecordingError(TutorialError):
    """A recording file is missing, unreadable, malformed or used up."""


class ReplayMiss(TutorialError):
    """A request that the notebook's recording does not hold."""


class BudgetExceeded(TutorialError):
    """A live request refused before it was sent, because it would pass a workshop cap."""
