"""Pictures drawn from API objects: ``draw_conversation(responses)`` draws responses as the tree that
their ``previous_response_id`` links make.

matplotlib is imported inside the function, so ``import helpers`` stays fast.

Defined in 02_conversation_state.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["draw_conversation", "short_id"]

# Okabe-Ito colours, as in scripts/draw_figures.py.
BLUE = "#0072B2"
VERMILLION = "#D55E00"
GREY = "#666666"
INK = "#222222"
NODE_TINT = "#E6F0F8"
FORK_TINT = "#FBE9DD"


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def short_id(response_id: str) -> str:
    """``resp_…a1b2c3``: the prefix and the last six characters, enough to tell ids apart.

    Defined in 02_conversation_state."""
    prefix, _, rest = response_id.partition("_")
    if not rest or len(rest) <= 8:
        return response_id
    return f"{prefix}_…{rest[-6:]}"


def _output_text(response: Any) -> str:
    text = _get(response, "output_text")
    if isinstance(text, str):
        return text
    parts = []
    for item in _get(response, "output", None) or []:
        if _get(item, "type") == "message":
            for part in _get(item, "content", None) or []:
                if _get(part, "type") == "output_text":
                    parts.append(_get(part, "text", ""))
    return "".join(parts)


def _lines(text: str, fits: Any, max_lines: int) -> list[str]:
    """``text`` wrapped on words into at most ``max_lines`` lines that ``fits(line)`` accepts; the
    last line is cut with an ellipsis when text is left over."""
    words = " ".join(text.split()).split(" ")
    lines: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}" if current else word
        if fits(candidate) or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
    lines.append(current)
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and not fits(last + "…"):
            last = last[:-1].rstrip()
        lines = lines[: max_lines - 1] + [last + "…"]
    return lines


def draw_conversation(
    responses: Iterable[Any],
    *,
    asked: Mapping[str, str] | None = None,
    title: str | None = None,
    figsize: tuple[float, float] = (9.0, 4.8),
):
    """Draw ``responses`` as a tree and return the matplotlib ``Figure``.

    Each response is a node labelled with its short id, the start of what was asked
    (``asked`` maps a response id to the input you sent, which a response object does not hold)
    and the start of its answer. Each ``previous_response_id`` is an arrow from a response to the
    one it continues; a response continued more than once is a fork and is drawn in orange.
    Turns run from left to right. A ``previous_response_id`` that points outside ``responses`` is
    drawn as a dashed node. The figure always has the size ``figsize``.

    Nodes and arrows carry a ``gid`` (``node:<id>``, ``missing:<id>``, ``edge:<id>-><id>``), so
    a test can count them.

    Defined in 02_conversation_state.
    """
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
    from matplotlib.textpath import TextToPath

    asked = dict(asked or {})
    nodes: dict[str, Any] = {}
    order: dict[str, int] = {}
    for response in responses:
        rid = _get(response, "id")
        if rid and rid not in nodes:
            order[rid] = len(order)
            nodes[rid] = response

    parent: dict[str, str | None] = {}
    missing: list[str] = []
    for rid, response in nodes.items():
        prev = _get(response, "previous_response_id")
        parent[rid] = prev
        if prev and prev not in nodes and prev not in missing:
            missing.append(prev)
    for index, rid in enumerate(missing):
        parent[rid] = None
        order[rid] = index - len(missing)  # before every given response

    def when(rid: str) -> tuple[int, int]:
        created = _get(nodes.get(rid), "created_at", 0) if rid in nodes else 0
        return int(created or 0), order[rid]

    children: dict[str, list[str]] = {rid: [] for rid in parent}
    for rid, prev in parent.items():
        if prev:
            children[prev].append(rid)
    for kids in children.values():
        kids.sort(key=when)
    roots = sorted((rid for rid, prev in parent.items() if not prev), key=when)

    # Leaves take one row each, top to bottom; a parent sits level with its first continuation,
    # so that one runs straight on and each later one (a fork) opens downwards.
    depth: dict[str, int] = {}
    row: dict[str, float] = {}
    next_row = 0

    def place(rid: str, level: int) -> None:
        nonlocal next_row
        depth[rid] = level
        kids = [kid for kid in children[rid] if kid not in depth]
        if not kids:
            row[rid] = next_row
            next_row += 1
            return
        for kid in kids:
            place(kid, level + 1)
        row[rid] = row[kids[0]]

    for root in roots:
        place(root, 0)
    for rid in sorted(parent, key=when):  # only ids that link in a loop are left unplaced
        if rid not in depth:
            place(rid, 0)

    columns = max(depth.values(), default=0) + 1
    rows = max(next_row, 1)
    forks = [rid for rid, kids in children.items() if len(kids) > 1]

    width, height = figsize
    fig = Figure(figsize=figsize, dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)  # inches, y pointing down
    ax.set_axis_off()

    top, bottom, side = 0.75, 0.45, 0.2
    col_w = (width - 2 * side) / columns
    row_h = (height - top - bottom) / rows
    box_w = min(col_w - 0.45, 3.0)
    box_h = min(row_h - 0.2, 1.25)
    font = 8.0 if box_w >= 1.6 and box_h >= 0.8 else 6.5
    measure, prop = TextToPath(), FontProperties(family="DejaVu Sans", size=font)
    room = (box_w - 0.2) * 72  # points

    def fits(line: str) -> bool:
        return measure.get_text_width_height_descent(line, prop, ismath=False)[0] <= room

    text_lines = max(1, int(box_h * 72 / (font * 1.3)) - 1)

    def centre(rid: str) -> tuple[float, float]:
        return side + (depth[rid] + 0.5) * col_w, top + (row[rid] + 0.5) * row_h

    if title is None:
        given = len(nodes)
        title = f"{given} response{'s' if given != 1 else ''}"
        if forks:
            title += f", {len(forks)} fork{'s' if len(forks) != 1 else ''}"
    ax.text(side, 0.28, title, ha="left", va="center", fontsize=12, fontweight="bold", color=INK)
    for level in range(columns):
        ax.text(
            side + (level + 0.5) * col_w,
            0.6,
            f"turn {level + 1}",
            ha="center",
            va="center",
            fontsize=9,
            color=GREY,
        )
    ax.text(
        width - side,
        height - 0.22,
        "arrow: previous_response_id (from a response to the one it continues)",
        ha="right",
        va="center",
        fontsize=8.5,
        color=GREY,
    )

    for rid in parent:
        x, y = centre(rid)
        is_missing = rid not in nodes
        is_fork = rid in forks
        colour = VERMILLION if is_fork else BLUE
        box = FancyBboxPatch(
            (x - box_w / 2, y - box_h / 2),
            box_w,
            box_h,
            boxstyle="round,pad=0.02,rounding_size=0.08",
            fc="white" if is_missing else FORK_TINT if is_fork else NODE_TINT,
            ec=GREY if is_missing else colour,
            lw=2.2 if is_fork else 1.4,
            ls=(0, (4, 3)) if is_missing else "-",
            zorder=3,
            gid=f"{'missing' if is_missing else 'node'}:{rid}",
        )
        ax.add_patch(box)
        head = short_id(rid) + (" · fork" if is_fork else "")
        body: list[str] = []
        if is_missing:
            body = _lines("not among the responses drawn", fits, text_lines)
        else:
            question = asked.get(rid)
            answer_lines = text_lines
            if question:
                budget = max(1, text_lines // 2)
                body += _lines(f"you: {question}", fits, budget)
                answer_lines = max(1, text_lines - len(body))
            body += _lines(f"model: {_output_text(nodes[rid])}", fits, answer_lines)
        x0, y0 = x - box_w / 2 + 0.08, y - box_h / 2 + 0.07
        ax.text(
            x0,
            y0,
            head,
            ha="left",
            va="top",
            fontsize=font + 0.5,
            family="DejaVu Sans Mono",
            fontweight="bold",
            color=VERMILLION if is_fork else INK,
            zorder=4,
        )
        ax.text(
            x0,
            y0 + (font + 4) / 72,
            "\n".join(body),
            ha="left",
            va="top",
            fontsize=font,
            linespacing=1.2,
            color=GREY if is_missing else INK,
            zorder=4,
        )

    for rid, prev in parent.items():
        if not prev:
            continue
        (cx, cy), (px, py) = centre(rid), centre(prev)
        colour = VERMILLION if prev in forks else GREY
        arrow = FancyArrowPatch(
            (cx - box_w / 2, cy),
            (px + box_w / 2, py),
            arrowstyle="-|>,head_length=0.45,head_width=0.22",
            mutation_scale=14,
            color=colour,
            lw=1.6,
            shrinkA=2,
            shrinkB=2,
            zorder=2,
            gid=f"edge:{rid}->{prev}",
        )
        ax.add_patch(arrow)
    return fig
