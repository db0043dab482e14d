"""The errors a learner can meet, each saying what happened and how to go on.

They subclass ``openai.OpenAIError`` on purpose: the SDK re-raises an ``OpenAIError`` that a transport
raises as it is, without retrying it or wrapping it in ``APIConnectionError``.
"""

from __future__ import annotations

import httpx2
import openai

__all__ = [
    "TutorialError",
    "SetupError",
    "RecordingError",
    "ReplayMiss",
    "BudgetExceeded",
    "AnswerTimeout",
    "UnreadableAnswer",
]


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


# Raised by helpers/liveguard.py on a live answer. They subclass the SDK's own error for the case, so
# ``except openai.APITimeoutError`` and ``except openai.APIError`` catch them as always; the SDK does
# not retry them (a transport's OpenAIError is raised as it is), so a learner waits once, not three
# times.


class AnswerTimeout(openai.APITimeoutError):
    """A live request waited longer than its time limit.

    ``phase`` says for what: ``"connect"`` (opening the connection), ``"answer"`` (the server sent
    nothing, or a non-streamed answer was not whole in time), ``"stream"`` (no event for that long).
    ``limit`` is the limit in seconds, ``waited`` the time it actually waited, ``trickle`` whether
    bytes kept arriving meanwhile (keep-alive comments, a body dripped a byte at a time).
    """

    def __init__(
        self,
        request: httpx2.Request,
        *,
        phase: str,
        limit: float,
        waited: float,
        trickle: bool = False,
    ) -> None:
        self.phase, self.limit, self.waited, self.trickle = phase, limit, waited, trickle
        what = {
            "connect": "Could not connect",
            "answer": "No complete answer",
            "stream": "No stream event",
        }[phase]
        openai.APIConnectionError.__init__(
            self, message=f"{what} within {limit:g} s (the time limit).", request=request
        )


class UnreadableAnswer(openai.APIResponseValidationError):
    """A live 2xx answer that the SDK cannot read: ``what`` says what it was instead (an empty
    body, an HTML page, a body that is not JSON, a plain answer to a stream request, a stream
    with no event). ``title`` is an HTML page's title, when it has one."""

    def __init__(
        self,
        response: httpx2.Response,
        *,
        what: str,
        stream: bool,
        title: str | None = None,
    ) -> None:
        self.what, self.stream, self.title = what, stream, title
        super().__init__(
            response,
            None,
            message=f"An HTTP {response.status_code} answer the SDK cannot read: {what}.",
        )
