"""Shared helpers for the Responses API notebooks.

Setup and display only: notebook code calls ``client.responses...`` itself, as it would at work.
Each function's docstring names the notebook that introduces it.
"""

from .client import connect, current_session, model, session_report
from .display import show, show_json
from .errors import BudgetExceeded, RecordingError, ReplayMiss, SetupError, TutorialError
from .faults import explain

__all__ = [
    "connect",
    "model",
    "session_report",
    "current_session",
    "show",
    "show_json",
    "explain",
    "TutorialError",
    "SetupError",
    "RecordingError",
    "ReplayMiss",
    "BudgetExceeded",
]
