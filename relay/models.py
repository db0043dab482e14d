"""Request and response bodies, as pydantic models: FastAPI validates every request against them, and
a 422 names the field and what it allows.

The shapes are the seed relay's, so its clients keep working; fields it did not have are marked.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

DeliverableFormat = Literal["markdown_brief", "markdown_report", "json_outline"]
Mode = Literal["foreground", "background", "stream"]
# Every status of a Responses job: the first two run, the other four are terminal.
Status = Literal["queued", "in_progress", "completed", "failed", "cancelled", "incomplete"]
RUNNING = ("queued", "in_progress")
TERMINAL = ("completed", "failed", "cancelled", "incomplete")

SHORT = 2_000  # characters of a system prompt
LONG = 8_000  # characters of a question or a chat message


class Strict(BaseModel):
    # An unknown field is refused (422 naming it) rather than silently ignored: a misspelt
    # "deliverable_fromat" would otherwise run with the default.
    model_config = ConfigDict(extra="forbid")


class ResearchArguments(Strict):
    research_question: str = Field(min_length=1, max_length=LONG)
    deliverable_format: DeliverableFormat = "markdown_brief"
    system_prompt: str | None = Field(default=None, max_length=SHORT)
    # The Responses text format: plain text, or a JSON object (say "JSON" in the question).
    text_format: Literal["text", "json_object"] | None = None
    context: list[str] = Field(default_factory=list, max_length=20)
    constraints: list[str] = Field(default_factory=list, max_length=20)
    require_citations: bool = True
    background: bool = False
    stream: bool = False

    @model_validator(mode="after")
    def _one_mode(self) -> ResearchArguments:
        if self.background and self.stream:
            raise ValueError(
                "background and stream cannot both be true: background=true polls, "
                "stream=true sends events (both run in the background upstream)"
            )
        return self

    @property
    def mode(self) -> Mode:
        return "stream" if self.stream else "background" if self.background else "foreground"


class InvocationRequest(Strict):
    tool_name: Literal["deep_research"]
    arguments: ResearchArguments


class InvocationView(BaseModel):
    """What every endpoint answers about an invocation. ``invocation_token`` is only ever filled in
    the answer that creates the invocation (the relay keeps no copy of it, only its hash)."""

    invocation_id: str
    tool_name: str
    mode: Mode
    status: Status
    deliverable_format: DeliverableFormat
    invocation_token: str | None = None
    upstream_response_id: str | None = None
    output_text: str | None = None
    response: dict[str, Any] | None = None
    error_message: str | None = None
    # Not in the seed: the model that ran the research.
    model: str | None = None


class ChatRequest(Strict):
    message: str = Field(min_length=1, max_length=LONG)
    context: list[str] = Field(default_factory=list, max_length=20)
    auto_tool_call: bool = True
    system_prompt: str | None = Field(default=None, max_length=SHORT)
    deliverable_format: DeliverableFormat = "markdown_brief"


class ToolCall(BaseModel):
    """One function call the model made during a chat (not in the seed)."""

    call_id: str
    name: str
    arguments: str
    output: str
    invocation_id: str | None = None
    invocation_token: str | None = None
    upstream_response_id: str | None = None
    status: Status | None = None


class ChatAnswer(BaseModel):
    content: str
    tool_called: bool
    tool_name: str | None = None
    research_summary: str | None = None
    # Not in the seed: the ids that tie the loop together.
    response_id: str
    turns: int
    tool_calls: list[ToolCall] = Field(default_factory=list)
