"""Token and request accounting, and the live budget guard for workshops.

Defined in 01_basics (reading usage) and 00_start_here (the budget guard).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import httpx2

from .errors import BudgetExceeded, SetupError
from .recording import api_path

FIELDS = ("input_tokens", "output_tokens", "cached_tokens", "reasoning_tokens")
# The examples in .env.example, quoted by the message about a malformed cap.
EXAMPLE_CAPS = {"TUTORIAL_MAX_REQUESTS": "50", "TUTORIAL_MAX_TOKENS": "200000"}


def _cap(name: str) -> int | None:
    """A cap from the environment: None when unset, else a whole number of 0 or more."""
    value = (os.environ.get(name) or "").strip()
    if not value:
        return None
    try:
        cap = int(value)
    except ValueError:
        cap = -1
    if cap < 0:
        raise SetupError(
            f"{name}={value!r} is not a cap: use a whole number of 0 or more, such as "
            f"{name}={EXAMPLE_CAPS[name]}, in .env (or remove it for no cap), then restart the kernel."
        )
    return cap


@dataclass
class Meter:
    """Counts requests and the tokens of each distinct response (a polled response counts once).

    The caps apply to model requests (``POST /responses``), the ones that cost tokens; polling,
    retrieving, cancelling and listing are free and never refused, so a job already paid for is
    never stranded by the guard.
    """

    max_requests: int | None = None
    max_tokens: int | None = None
    requests: int = 0
    model_requests: int = 0
    by_response: dict[str, dict[str, int]] = field(default_factory=dict)

    @classmethod
    def from_env(cls) -> Meter:
        return cls(_cap("TUTORIAL_MAX_REQUESTS"), _cap("TUTORIAL_MAX_TOKENS"))

    def observe(self, body: Any) -> None:
        """Take usage from a response body or a streamed event that carries a response."""
        if not isinstance(body, dict):
            return
        if isinstance(body.get("response"), dict):  # response.completed and friends
            body = body["response"]
        usage = body.get("usage")
        if body.get("object") != "response" or not isinstance(usage, dict) or "id" not in body:
            return
        self.by_response[body["id"]] = {
            "input_tokens": usage.get("input_tokens") or 0,
            "output_tokens": usage.get("output_tokens") or 0,
            "cached_tokens": (usage.get("input_tokens_details") or {}).get("cached_tokens") or 0,
            "reasoning_tokens": (usage.get("output_tokens_details") or {}).get("reasoning_tokens")
            or 0,
        }

    def totals(self) -> dict[str, int]:
        out = {name: 0 for name in FIELDS}
        for usage in self.by_response.values():
            for name in FIELDS:
                out[name] += usage[name]
        return {
            "requests": self.requests,
            "model_requests": self.model_requests,
            "responses": len(self.by_response),
            **out,
        }

    @staticmethod
    def is_model_request(request: httpx2.Request) -> bool:
        """A call to responses.create: the only kind of request that costs tokens."""
        return request.method == "POST" and api_path(request.url.path) == "/responses"

    def check_budget(self, request: httpx2.Request) -> None:
        """Refuse the model request that would pass a cap, before it is sent."""
        if not self.is_model_request(request):
            return
        used = self.totals()
        tokens = used["input_tokens"] + used["output_tokens"]
        if self.max_requests is not None and self.model_requests >= self.max_requests:
            raise BudgetExceeded(
                f"Budget guard: this would be model request {self.model_requests + 1} "
                f"(responses.create), past TUTORIAL_MAX_REQUESTS={self.max_requests}. Nothing was "
                "sent. Raise the cap in .env (or unset it), restart the kernel, or switch to replay "
                "with TUTORIAL_MODE=replay."
            )
        if self.max_tokens is not None and tokens >= self.max_tokens:
            raise BudgetExceeded(
                f"Budget guard: this kernel has used {tokens:,} tokens, the cap is "
                f"TUTORIAL_MAX_TOKENS={self.max_tokens}, so this model request (responses.create) "
                "was not sent. Raise the cap in .env (or unset it), restart the kernel, or switch to "
                "replay with TUTORIAL_MODE=replay."
            )
