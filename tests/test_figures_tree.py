"""helpers.figures.draw_conversation: responses become nodes, previous_response_id links become
arrows, and the figure keeps one size (nbval compares its text/plain repr)."""

from __future__ import annotations

import io
import subprocess
import sys

import matplotlib
import pytest
from openai.types.responses import Response

from helpers.figures import draw_conversation, short_id

matplotlib.use("Agg")

BASE = 1795165200


def rid(n: int) -> str:
    return f"resp_{BASE + n:08x}{n:040x}"


def response(n: int, previous: int | None = None, text: str = "An answer.") -> Response:
    return Response.model_validate(
        {
            "id": rid(n),
            "object": "response",
            "created_at": BASE + n,
            "model": "gpt-5.4-mini",
            "status": "completed",
            "output": [
                {
                    "type": "message",
                    "id": f"msg_{n}",
                    "status": "completed",
                    "role": "assistant",
                    "content": [{"type": "output_text", "text": text, "annotations": []}],
                }
            ],
            "parallel_tool_calls": True,
            "tool_choice": "auto",
            "tools": [],
            "previous_response_id": rid(previous) if previous is not None else None,
        }
    )


def gids(fig, prefix: str) -> list[str]:
    return [p.get_gid() for p in fig.axes[0].patches if (p.get_gid() or "").startswith(prefix)]


@pytest.fixture
def forked():
    """1 <- 2 <- 4 <- 5, and 1 <- 3: a chain of four turns with a fork at the first."""
    return [
        response(1, text="Why do programmers prefer dark mode? Because light attracts bugs."),
        response(2, 1, "I came home with twelve loaves."),
        response(3, 1, "There are 10 kinds of people. " * 8),
        response(4, 2),
        response(5, 4),
    ]


def test_one_node_per_response_and_one_arrow_per_link(forked):
    fig = draw_conversation(forked, asked={rid(1): "Tell me a joke."})
    assert sorted(gids(fig, "node:")) == sorted(f"node:{rid(n)}" for n in range(1, 6))
    assert sorted(gids(fig, "edge:")) == sorted(
        f"edge:{rid(child)}->{rid(parent)}" for child, parent in [(2, 1), (3, 1), (4, 2), (5, 4)]
    )
    assert gids(fig, "missing:") == []
    assert repr(fig) == "<Figure size 900x480 with 1 Axes>"


def test_the_fork_is_marked_and_the_first_branch_runs_straight(forked):
    fig = draw_conversation(forked)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert f"{short_id(rid(1))} · fork" in texts
    assert "5 responses, 1 fork" in texts
    boxes = {p.get_gid(): p for p in fig.axes[0].patches if p.get_gid()}
    y = {n: boxes[f"node:{rid(n)}"].get_y() for n in range(1, 6)}
    assert y[1] == y[2] == y[4] == y[5] < y[3]


def test_a_parent_not_given_is_drawn_as_a_dashed_node():
    fig = draw_conversation([response(2, 1), response(3, 2)])
    assert gids(fig, "missing:") == [f"missing:{rid(1)}"]
    assert len(gids(fig, "node:")) == 2
    assert len(gids(fig, "edge:")) == 2


def test_the_size_stays_fixed_and_it_renders_to_png(forked):
    small = draw_conversation(forked[:1])
    large = draw_conversation(forked * 2)  # duplicates are drawn once
    assert repr(small) == repr(large) == "<Figure size 900x480 with 1 Axes>"
    assert len(gids(large, "node:")) == 5
    buffer = io.BytesIO()
    large.savefig(buffer, format="png")
    assert buffer.getvalue().startswith(b"\x89PNG")


def test_links_in_a_loop_do_not_hang_or_crash():
    a = response(1, 2)
    b = response(2, 1)
    fig = draw_conversation([a, b])
    assert len(gids(fig, "node:")) == 2


def test_short_id_keeps_the_prefix_and_the_end():
    assert short_id(rid(7)) == "resp_…000007"
    assert short_id("conv_abc") == "conv_abc"


def test_importing_helpers_does_not_import_matplotlib():
    code = "import sys, helpers, helpers.figures; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
