"""Waiting for background responses: ``wait(client, response)`` polls until the job ends and prints
one line per status change; ``plot_timeline(statuses)`` draws the statuses it saw; ``pause(seconds)``
is the wait between two polls of anything else (a vector store's files being indexed).

Defined in 05_background (used again in 06_tool_calling); ``pause`` in 09_hosted_tools.
"""

from __future__ import annotations

import time
from typing import Any

from .client import current_session
from .faults import what_to_do

__all__ = ["wait", "pause", "plot_timeline", "why_unfinished", "TERMINAL", "PENDING"]

PENDING = ("queued", "in_progress")
TERMINAL = ("completed", "failed", "cancelled", "incomplete")


def wait(
    client: Any,
    response: Any,
    *,
    interval: float = 2.0,
    timeout: float | None = None,
    statuses: list[str] | None = None,
) -> Any:
    """Poll ``client.responses.retrieve`` until ``response`` (a Response or its id) reaches a
    terminal status, and return the final Response.

    Prints one line per status change ("poll 3 · in_progress"; poll 0 is the status passed in) and,
    for ``failed``, ``cancelled`` and ``incomplete``, a line saying what happened and what to do.
    Polls every ``interval`` seconds when live (``TUTORIAL_POLL_INTERVAL`` overrides it) and never
    waits in replay, so a job that took minutes replays at once. ``timeout`` (seconds) only applies
    live: past it, wait() stops polling and returns the unfinished response; the job keeps running
    on the server. Pass a list as ``statuses`` to get the status seen at every poll (for
    ``plot_timeline``).
    """
    session = current_session()
    pause = session.poll_interval(interval)
    if isinstance(response, str):
        response = client.responses.retrieve(response)
    seen = statuses if statuses is not None else []
    seen.append(response.status)
    print(f"poll 0 · {response.status}")
    started = time.monotonic()
    poll = 0
    while response.status in PENDING:
        if timeout is not None and session.live and time.monotonic() - started >= timeout:
            print(
                f"Stopped waiting after {timeout:g} s (poll {poll}): {response.id} is still "
                f"{response.status}. The job keeps running on the server: call wait() with it "
                "again to keep waiting, or client.responses.cancel(id) to stop it."
            )
            return response
        if pause:
            time.sleep(pause)
        response = client.responses.retrieve(response.id)
        poll += 1
        if response.status != seen[-1]:
            print(f"poll {poll} · {response.status}")
        seen.append(response.status)
    note = why_unfinished(response)
    if note:
        print(note)
    return response


def pause(seconds: float) -> None:
    """Wait ``seconds`` between two polls when live (``TUTORIAL_POLL_INTERVAL`` overrides it), and
    not at all in replay, where the recorded answers are already there."""
    wait_for = current_session().poll_interval(seconds)
    if wait_for:
        time.sleep(wait_for)


def why_unfinished(response: Any) -> str | None:
    """One line on why a response ended without completing and what to do, or None."""
    status = response.status
    if status == "failed":
        error = response.error
        what = f"{error.code}: {error.message}" if error else "no error details were given"
        what = what if what.endswith((".", "!", "?")) else what + "."
        todo = what_to_do(response) or "Send the request again."
        return f"failed · {what} Nothing more will come from this job. {todo}"
    if status == "cancelled":
        return (
            f"cancelled · the job was stopped with client.responses.cancel before it finished, and "
            f"kept {len(response.output)} output item(s). Send the request again to run it."
        )
    if status == "incomplete":
        reason = response.incomplete_details.reason if response.incomplete_details else None
        written = len(response.output_text)
        if reason == "max_output_tokens":
            usage = response.usage
            spent = ""
            if usage is not None:
                thinking = usage.output_tokens_details.reasoning_tokens
                spent = f" ({usage.output_tokens} output tokens, {thinking} of them reasoning)"
            return (
                f"incomplete · the job reached max_output_tokens{spent} and kept "
                f"{written} characters of text. Raise max_output_tokens, or lower the reasoning "
                "effort so less of the budget goes to thinking."
            )
        if reason == "content_filter":
            return (
                f"incomplete · the content filter stopped the job after {written} characters of "
                "text. Rephrase the request."
            )
        return f"incomplete · the job stopped early ({reason}) after {written} characters of text."
    return None


STATUS_COLORS = {
    "queued": "#9aa5b1",
    "in_progress": "#3b82f6",
    "completed": "#16a34a",
    "incomplete": "#d97706",
    "failed": "#dc2626",
    "cancelled": "#6b7280",
}


def plot_timeline(statuses: list[str], title: str | None = None) -> Any:
    """A figure of a job's status at each poll (a list filled by ``wait(..., statuses=...)``):
    one row per status, a bar over the polls that saw it. Returns a matplotlib Figure."""
    import matplotlib.pyplot as plt  # here, not at import time: most notebooks never draw

    rows = [s for s in STATUS_COLORS if s in statuses]
    rows += [s for s in dict.fromkeys(statuses) if s not in rows]
    fig, ax = plt.subplots(figsize=(8, 0.9 + 0.45 * len(rows)), dpi=100)
    right = len(statuses) + max(3, len(statuses) // 8)  # room for a label after the last bar
    start = 0
    for poll in range(1, len(statuses) + 1):
        if poll == len(statuses) or statuses[poll] != statuses[start]:
            status, width, row = statuses[start], poll - start, rows.index(statuses[start])
            color = STATUS_COLORS.get(status, "#a855f7")
            ax.broken_barh([(start - 0.45, width - 0.1)], (row - 0.3, 0.6), color=color)
            label = f"{width} poll" + ("s" if width > 1 else "")
            if width >= len(statuses) / 4:  # a long bar holds its label
                ax.text(
                    start + width / 2 - 0.5,
                    row,
                    label,
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white",
                )
            else:
                ax.text(
                    poll - 0.2,
                    row,
                    f" {label}",
                    ha="left",
                    va="center",
                    fontsize=8,
                    color="#374151",
                )
            start = poll
    ax.set_yticks(range(len(rows)), rows)
    ax.set_ylim(len(rows) - 0.4, -0.7)
    ax.set_xlim(-1, right)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel("poll number (0 = the answer to create)")
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="x", color="#e5e7eb", linewidth=0.6)
    ax.set_axisbelow(True)
    if title:
        ax.set_title(title, fontsize=10, loc="left")
    fig.tight_layout()
    plt.close(fig)  # the notebook shows the returned figure once, not a second time
    return fig
