"""Draw the course's static figures into images/ with matplotlib.

Run it with `make figures` (or `.venv/bin/python scripts/draw_figures.py [OUT_DIR]`). Every figure is
drawn with the Agg renderer, the DejaVu fonts that ship with matplotlib, a fixed size and dpi, and no
`Software` tag in the PNG, so running the script twice gives byte-identical files.
tests/test_figures.py redraws them into a temporary folder and compares the bytes with the
committed PNGs: after changing this file, run `make figures` and commit the images with it.

Each figure is a sequence diagram: one lifeline per party, time runs downwards, arrows are messages.
All drawing is in inches (each panel's axes spans exactly its size in inches), so text sizes in points
and positions can be reasoned about together.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle

IMAGES = Path(__file__).resolve().parent.parent / "images"
DPI = 110

# Okabe-Ito colours (safe for the common colour-vision deficiencies) plus greys.
BLUE = "#0072B2"
VERMILLION = "#D55E00"
GREEN = "#009E73"
INK = "#222222"
GREY = "#666666"
API_TINT = "#E6F0F8"
SERVER_TINT = "#E5F5EF"

STYLE = {
    "font.family": "DejaVu Sans",
    "font.monospace": ["DejaVu Sans Mono"],
    "font.size": 11,
    "text.color": INK,
    "axes.unicode_minus": False,
    "path.simplify": True,
    "savefig.facecolor": "white",
}
MONO = "DejaVu Sans Mono"


# Font sizes (points). The figures are 12 in wide and shown about 800 px wide in the docs, where
# 11.5 pt comes out near 11 px; nothing is smaller than 10 pt.
FS_TITLE, FS_SUBTITLE, FS_PANEL = 18, 13, 15
FS_NAME, FS_SUB = 12.5, 10
FS_LABEL, FS_CODE, FS_NOTE, FS_BADGE = 11.5, 10.5, 11, 10.5
FS_CAPTION, FS_LEGEND = 12, 11


# --- sequence-diagram building blocks -------------------------------------------------------


def _new_figure(width: float, height: float) -> Figure:
    """A figure of the given size (inches) with an Agg canvas, so text can be measured."""
    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    return fig


def _panel(fig: Figure, left: float, bottom: float, width: float, height: float):
    """An axes covering the given rectangle (inches), with data units of inches, y pointing down."""
    fw, fh = fig.get_size_inches()
    ax = fig.add_axes((left / fw, bottom / fh, width / fw, height / fh))
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.set_axis_off()
    return ax


def _text_width(ax, artist) -> float:
    """Width in inches of a text artist, as it will be drawn."""
    renderer = ax.figure.canvas.get_renderer()
    return artist.get_window_extent(renderer=renderer).width / ax.figure.dpi


def _titles(fig: Figure, title: str, subtitle: str | None = None) -> None:
    fh = fig.get_size_inches()[1]
    fig.text(
        0.5, 1 - 0.3 / fh, title, ha="center", va="center", fontsize=FS_TITLE, fontweight="bold"
    )
    if subtitle:
        fig.text(
            0.5,
            1 - 0.62 / fh,
            subtitle,
            ha="center",
            va="center",
            fontsize=FS_SUBTITLE,
            style="italic",
            color=GREY,
        )


def _panel_title(ax, text: str, color: str) -> None:
    ax.text(
        ax.get_xlim()[1] / 2,
        0.05,
        text,
        ha="center",
        va="top",
        fontsize=FS_PANEL,
        fontweight="bold",
        color=color,
    )


def _lifeline(ax, x, y_top, y_bottom, name, color, sub=None):
    """A header box (sized to its text) with the party's name and a dashed line to y_bottom."""
    ax.plot([x, x], [y_top + 0.3, y_bottom], color=color, lw=1.3, ls=(0, (4, 3)), zorder=1)
    texts = [
        ax.text(
            x,
            y_top - (0.08 if sub else 0),
            name,
            ha="center",
            va="center",
            fontsize=FS_NAME,
            fontweight="bold",
            color=INK,
            zorder=4,
        )
    ]
    if sub:
        texts.append(
            ax.text(
                x,
                y_top + 0.17,
                sub,
                ha="center",
                va="center",
                fontsize=FS_SUB,
                color=GREY,
                zorder=4,
            )
        )
    width = max(_text_width(ax, t) for t in texts) + 0.3
    box = FancyBboxPatch(
        (x - width / 2, y_top - 0.32),
        width,
        0.64,
        boxstyle="round,pad=0.02,rounding_size=0.08",
        fc="white",
        ec=color,
        lw=1.8,
        zorder=3,
    )
    ax.add_patch(box)


def _activation(ax, x, y0, y1, color):
    """A narrow bar on a lifeline: this party is busy between y0 and y1."""
    ax.add_patch(Rectangle((x - 0.06, y0), 0.12, y1 - y0, fc=color, ec="none", alpha=0.9, zorder=2))


def _badge(ax, x, y, label, color):
    """A numbered (or lettered) circle."""
    ax.text(
        x,
        y,
        label,
        ha="center",
        va="center",
        fontsize=FS_BADGE,
        fontweight="bold",
        color="white",
        zorder=6,
        bbox={"boxstyle": "circle,pad=0.22", "fc": color, "ec": "none"},
    )


_WHITE = {"boxstyle": "square,pad=0.05", "fc": "white", "ec": "none", "alpha": 0.9}


def _message(ax, x0, x1, y, label, color, *, badge=None, dashed=False, code=None, above=True):
    """An arrow from x0 to x1 at height y, a label above it (or below) and optional code below."""
    inset = 0.08 if x1 > x0 else -0.08
    arrow = FancyArrowPatch(
        (x0 + inset, y),
        (x1 - inset, y),
        arrowstyle="-|>,head_length=0.5,head_width=0.25",
        mutation_scale=14,
        color=color,
        lw=2.0,
        ls=(0, (5, 3)) if dashed else "-",
        shrinkA=0,
        shrinkB=0,
        zorder=5,
    )
    ax.add_patch(arrow)
    mid = (x0 + x1) / 2
    step = 0.32 if x1 > x0 else -0.32
    if badge:
        _badge(ax, x0 + step, y, badge, color)
    if label:
        t = ax.text(
            mid,
            y - 0.09 if above else y + 0.1,
            label,
            ha="center",
            va="bottom" if above else "top",
            fontsize=FS_LABEL,
            color=INK,
            zorder=6,
            bbox=_WHITE,
        )
        if badge and above:  # centred on the arrow, but clear of the badge at its start
            half = _text_width(ax, t) / 2
            if x1 > x0:
                t.set_x(max(mid, x0 + step + 0.2 + half))
            else:
                t.set_x(min(mid, x0 + step - 0.2 - half))
    if code:  # below the arrow and the badge
        ax.text(
            mid,
            y + 0.15,
            code,
            ha="center",
            va="top",
            fontsize=FS_CODE,
            family=MONO,
            color=INK,
            zorder=6,
            bbox=_WHITE,
        )


def _note(ax, x, y, text, color, *, ha="left"):
    """A small rounded box of text anchored at (x, y)."""
    ax.text(
        x,
        y,
        text,
        ha=ha,
        va="center",
        fontsize=FS_NOTE,
        color=INK,
        zorder=7,
        linespacing=1.25,
        bbox={
            "boxstyle": "round,pad=0.3,rounding_size=0.15",
            "fc": "white",
            "ec": color,
            "lw": 1.3,
        },
    )


def _aside(ax, x, y, text):
    """Grey text to the left of x: what a party does between two arrows."""
    ax.text(x, y, text, ha="right", va="center", fontsize=FS_NOTE, color=GREY)


def _captions(fig: Figure, y: float, items) -> None:
    """One line of text under each panel: items are (x_centre_inches, text)."""
    fw, fh = fig.get_size_inches()
    for x, text in items:
        fig.text(x / fw, y / fh, text, ha="center", va="center", fontsize=FS_CAPTION)


def _legend(ax, y, items):
    """A centred row of (colour, style, text) samples at height y; style is "-", "--" or a badge."""
    gap, sample = 0.4, 0.55
    texts = [ax.text(0, y, text, ha="left", va="center", fontsize=FS_LEGEND) for *_, text in items]
    widths = [_text_width(ax, t) for t in texts]
    x = (ax.get_xlim()[1] - sum(widths) - len(items) * (sample + gap) + gap) / 2
    for (color, style, _), t, w in zip(items, texts, widths, strict=True):
        if style in ("-", "--"):
            ls = (0, (5, 3)) if style == "--" else "-"
            ax.plot([x, x + 0.42], [y, y], color=color, lw=2.2, ls=ls)
        else:
            _badge(ax, x + 0.25, y, style, color)
        t.set_x(x + sample)
        x += sample + w + gap


def _tint(ax, x0, x1, y0, y1, color):
    """A rounded background area grouping lifelines."""
    ax.add_patch(
        FancyBboxPatch(
            (x0, y0),
            x1 - x0,
            y1 - y0,
            fc=color,
            ec="none",
            zorder=0,
            boxstyle="round,pad=0,rounding_size=0.12",
        )
    )


def _save(fig: Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(
        path, dpi=DPI, format="png", metadata={"Software": None}, pil_kwargs={"optimize": True}
    )
    return path


def _styled(draw):
    """Run a drawing function with matplotlib's defaults plus STYLE, ignoring any matplotlibrc."""

    @functools.wraps(draw)
    def wrapper(out_dir: Path) -> Path:
        with matplotlib.rc_context():
            matplotlib.rcdefaults()
            matplotlib.rcParams.update(STYLE)
            return draw(Path(out_dir))

    return wrapper


# --- figures ---------------------------------------------------------------------------------


@_styled
def draw_comparisons(out_dir: Path) -> Path:
    """images/comparisons.png: one Responses call against two Chat Completions calls and a search
    of the app's own between them."""
    fig = _new_figure(12, 7.8)
    _titles(
        fig,
        "One Responses call vs two Chat Completions calls and your own search",
        "Task: \u201clook at this image, search the web about it, summarise with sources\u201d",
    )
    top, y_end = 1.0, 5.45
    xa, xb, xc = 0.8, 2.95, 4.85

    # Left: Responses API.
    ax = _panel(fig, 0.15, 1.1, 5.7, 5.9)
    _panel_title(ax, "Responses API: 1 request", BLUE)
    _tint(ax, 2.0, 5.65, 0.5, 5.85, API_TINT)
    ax.text(
        3.825,
        5.65,
        "inside the API: no app code",
        ha="center",
        va="center",
        fontsize=FS_NOTE,
        color=BLUE,
        style="italic",
    )
    _lifeline(ax, xa, top, y_end, "Your app", GREY)
    _lifeline(ax, xb, top, y_end, "Responses API", BLUE, sub="model")
    _lifeline(ax, xc, top, y_end, "Web search", GREEN, sub="hosted tool")
    _message(
        ax,
        xa,
        xb,
        1.9,
        "image + question",
        BLUE,
        badge="1",
        code='tools=[{"type":\n "web_search"}]',
    )
    _activation(ax, xb, 1.9, 5.05, BLUE)
    _badge(ax, xb + 0.32, 2.9, "a", GREEN)
    _note(ax, xb + 0.62, 2.9, "analyse\nthe image", GREEN)
    _message(ax, xb, xc, 3.55, "search", GREEN, badge="b")
    _message(ax, xc, xb, 3.95, "pages", GREEN, dashed=True)
    _activation(ax, xc, 3.55, 3.95, GREEN)
    _badge(ax, xb + 0.32, 4.45, "c", GREEN)
    _note(ax, xb + 0.62, 4.45, "write a cited\nsummary", GREEN)
    _message(ax, xb, xa, 5.05, "one response", BLUE, dashed=True, code="text + url_citation")

    # Right: Chat Completions.
    ax = _panel(fig, 6.15, 1.1, 5.7, 5.9)
    _panel_title(ax, "Chat Completions: 2 calls + your search", VERMILLION)
    _lifeline(ax, xa, top, y_end, "Your app", GREY)
    _lifeline(ax, xb, top, y_end, "Chat Completions", BLUE, sub="model")
    _lifeline(ax, xc, top, y_end, "Search API", VERMILLION, sub="outside the API")
    _message(ax, xa, xb, 1.9, "image + question", BLUE, badge="1")
    _message(ax, xb, xa, 2.35, "analysis, keywords", BLUE, dashed=True)
    _aside(ax, xa - 0.15, 2.75, "parse")
    _message(ax, xa, xc, 3.2, "query (your code, your key)", VERMILLION, badge="S")
    _message(ax, xc, xa, 3.65, "results + URLs", VERMILLION, dashed=True)
    _activation(ax, xc, 3.2, 3.65, VERMILLION)
    _aside(ax, xa - 0.15, 4.05, "re-send")
    _message(ax, xa, xb, 4.5, "results + question", BLUE, badge="2")
    _message(ax, xb, xa, 4.95, "summary", BLUE, dashed=True)
    _activation(ax, xa, 1.9, 4.95, GREY)
    _activation(ax, xb, 1.9, 2.35, BLUE)
    _activation(ax, xb, 4.5, 4.95, BLUE)

    _captions(
        fig,
        0.85,
        [
            (3.0, "The model, the search and the citations: one call."),
            (9.0, "Between the calls it is yours: parse, search, re-send."),
        ],
    )
    _legend(
        _panel(fig, 0.15, 0.1, 11.7, 0.5),
        0.25,
        [
            (INK, "-", "request"),
            (INK, "--", "reply"),
            (BLUE, "-", "model API"),
            (GREEN, "-", "hosted tool"),
            (VERMILLION, "-", "your app's own call"),
            (GREY, "1", "model call your app makes"),
        ],
    )
    return _save(fig, out_dir / "comparisons.png")


@_styled
def draw_server_side_loop(out_dir: Path) -> Path:
    """images/server_side_loop.png: the function-call loop in the client vs on a relay server."""
    fig = _new_figure(12, 7.5)
    _titles(fig, "Where the tool loop runs")
    top, y_end = 1.0, 5.75

    # Left: the client runs the loop.
    ax = _panel(fig, 0.1, 0.85, 4.15, 6.1)
    _panel_title(ax, "Tool loop in the client", GREY)
    xa, xb = 0.8, 3.25
    _lifeline(ax, xa, top, y_end, "Client", GREY, sub="API key + loop")
    _lifeline(ax, xb, top, y_end, "Responses API", BLUE)
    _message(ax, xa, xb, 1.85, "input", BLUE, badge="1", code="tools=[deep_research]")
    _message(ax, xb, xa, 2.7, "function_call", BLUE, dashed=True, code="call_id")
    _activation(ax, xa, 2.7, 3.85, GREY)
    _note(ax, xa + 0.2, 3.3, "runs deep_research()\nand waits (minutes)", VERMILLION)
    _message(
        ax,
        xa,
        xb,
        4.2,
        "function_call_output",
        BLUE,
        badge="2",
        code="call_id +\nprevious_response_id",
    )
    _message(ax, xb, xa, 5.3, "final answer", BLUE, dashed=True)

    # Right: a relay server runs the loop.
    ax = _panel(fig, 4.45, 0.85, 7.45, 6.1)
    _panel_title(ax, "Tool loop on a server", GREEN)
    xa, xb, xc, xd = 0.8, 2.8, 4.7, 6.55
    _tint(ax, xb - 0.95, xb + 0.95, 0.5, y_end + 0.3, SERVER_TINT)
    _lifeline(ax, xa, top, y_end, "Browser", GREY, sub="no key, no loop")
    _lifeline(ax, xb, top, y_end, "Relay server", GREEN, sub="API key + loop")
    _lifeline(ax, xc, top, y_end, "Responses API", BLUE)
    _lifeline(ax, xd, top, y_end, "Deep research", VERMILLION, sub="background job")
    _message(ax, xa, xb, 1.7, "one message", GREY, badge="1", code="POST /chat")
    _activation(ax, xb, 1.7, 5.35, GREEN)
    _message(ax, xb, xc, 2.4, "create", BLUE, code="tools=[...]")
    _message(ax, xc, xb, 3.1, "function_call", BLUE, dashed=True)
    _message(ax, xb, xd, 3.55, "start deep_research", VERMILLION)
    _message(ax, xb, xa, 3.8, "SSE: progress", GREEN, dashed=True, above=False)
    _message(ax, xd, xb, 4.35, "report", VERMILLION, dashed=True)
    _activation(ax, xd, 3.55, 4.35, VERMILLION)
    _message(ax, xb, xc, 4.75, "function_call_output", BLUE)
    _message(ax, xc, xb, 5.15, "final answer", BLUE, dashed=True)
    _message(ax, xb, xa, 5.35, "SSE: answer", GREEN, dashed=True)

    _captions(
        fig,
        0.45,
        [
            (2.175, "2 round trips; key and loop in the client."),
            (8.175, "1 request and one event stream; no key in the client."),
        ],
    )
    return _save(fig, out_dir / "server_side_loop.png")


FIGURES = (draw_comparisons, draw_server_side_loop)


def draw_all(out_dir: Path = IMAGES) -> list[Path]:
    """Draw every figure into out_dir and return the paths written."""
    return [draw(Path(out_dir)) for draw in FIGURES]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out_dir = Path(args[0]) if args else IMAGES
    for path in draw_all(out_dir):
        print(f"{path}  {path.stat().st_size / 1024:.1f} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
