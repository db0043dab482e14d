"""Draw the files that notebook 04 sends to the model as inputs, into images/.

Run it by hand (it is not part of `make figures`, which draws the diagrams):

    .venv/bin/python scripts/draw_inputs.py            # writes into images/
    .venv/bin/python scripts/draw_inputs.py OUT_DIR    # writes somewhere else (the tests do)

It writes:

- ``pythagoras_3_4_5.png``: a right triangle with sides 3, 4 and 5 and a square on each side, cut
  into unit squares (9 + 16 = 25). Notebook 04 sends it as a base64 data URL.
- ``build_report.pdf``: a one-page report of a made-up project's weekly build times, with a
  paragraph, a bar chart and a table. Notebook 04 sends it as an ``input_file``.
- ``build_report_preview.png``: the same page as a small PNG, so the notebook and the docs can show
  what the PDF holds (a browser page cannot embed a PDF offline).

These files go base64-encoded into request bodies, and so into the notebook's recording: they are
kept small (the PNG under 60 KB, the PDF under 30 KB). Drawing uses the Agg and PDF renderers, the
DejaVu fonts that ship with matplotlib, fixed sizes and dpi, and no date or software version in the
files' metadata, so two runs give byte-identical files. tests/test_inputs.py redraws them into a
temporary folder and compares the bytes with the committed ones: after changing this file, run it
and commit the files with it (and re-run `make illustrate NB=notebooks/04_multimodal.ipynb`, since
the recording holds their bytes).
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.patches import Polygon, Rectangle

IMAGES = Path(__file__).resolve().parent.parent / "images"

IMAGE = "pythagoras_3_4_5.png"
REPORT = "build_report.pdf"
PREVIEW = "build_report_preview.png"

# The report's numbers: median build time in minutes for each week. Notebook 04's exercises and
# its scenario (what the illustrative model answers) depend on them.
WEEKS = [1, 2, 3, 4, 5, 6]
MINUTES = [8.2, 9.1, 11.4, 12.0, 9.6, 7.9]
TARGET = 10.0

# Okabe-Ito colours, as in scripts/draw_figures.py.
BLUE = "#0072B2"
VERMILLION = "#D55E00"
GREEN = "#009E73"
ORANGE = "#E69F00"
INK = "#222222"
GREY = "#666666"

STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 11,
    "text.color": INK,
    "axes.unicode_minus": False,
    "path.simplify": True,
    "savefig.facecolor": "white",
    "pdf.compression": 9,
    "pdf.fonttype": 3,  # subsets of DejaVu drawn as Type 3 fonts: small, and text stays extractable
}

PNG_METADATA = {"Software": None}
PDF_METADATA = {"Creator": None, "Producer": None, "CreationDate": None}


def draw_pythagoras() -> Figure:
    """A 3-4-5 right triangle with the square on each side drawn as a grid of unit squares."""
    fig = Figure(figsize=(4.4, 4.8), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_aspect("equal")
    ax.set_axis_off()

    a, b = (0.0, 0.0), (4.0, 0.0)  # legs: 4 along the bottom, 3 up the right side
    c = (4.0, 3.0)

    def grid_square(p, q, n, colour):
        """The square on side p->q, outwards (to the right of p->q), cut into n x n cells."""
        (x0, y0), (x1, y1) = p, q
        ux, uy = (x1 - x0) / n, (y1 - y0) / n  # one cell along the side
        vx, vy = uy, -ux  # one cell outwards, perpendicular
        for i in range(n):
            for j in range(n):
                ox, oy = x0 + i * ux + j * vx, y0 + i * uy + j * vy
                cell = [
                    (ox, oy),
                    (ox + ux, oy + uy),
                    (ox + ux + vx, oy + uy + vy),
                    (ox + vx, oy + vy),
                ]
                ax.add_patch(
                    Polygon(cell, closed=True, facecolor=colour, edgecolor="white", lw=1.5)
                )

    grid_square(a, b, 4, BLUE)  # below the bottom leg: 16 cells
    grid_square(b, c, 3, ORANGE)  # right of the vertical leg: 9 cells
    grid_square(c, a, 5, GREEN)  # outside the hypotenuse: 25 cells
    ax.add_patch(Polygon([a, b, c], closed=True, facecolor="white", edgecolor=INK, lw=2.5))
    ax.add_patch(Rectangle((3.65, 0.0), 0.35, 0.35, fill=False, edgecolor=INK, lw=1.5))

    # Each side's length, inside the triangle next to it.
    style = {"ha": "center", "va": "center", "fontsize": 16, "fontweight": "bold", "color": INK}
    ax.text(2.6, 0.35, "4", **style)
    ax.text(3.7, 1.35, "3", **style)
    ax.text(2.1, 1.95, "5", **style)
    ax.set_xlim(-3.5, 7.5)
    ax.set_ylim(-4.5, 7.5)
    return fig


def draw_report() -> Figure:
    """One A5 page: title, a paragraph, a bar chart against the target line, and a small table."""
    fig = Figure(figsize=(5.83, 8.27), dpi=100)  # A5, portrait
    fig.text(0.08, 0.94, "Weekly build report", fontsize=18, fontweight="bold")
    fig.text(0.08, 0.91, "Project Lighthouse · continuous integration", fontsize=10, color=GREY)
    paragraph = (
        "This report shows the median time of a full build on the main branch,\n"
        f"for six weeks. The team's target is a build under {TARGET:g} minutes.\n"
        "Weeks 3 and 4 included the migration to the new test runner."
    )
    fig.text(0.08, 0.855, paragraph, fontsize=9.5, va="top", linespacing=1.5)

    ax = fig.add_axes((0.12, 0.37, 0.8, 0.36))
    colours = [VERMILLION if m > TARGET else BLUE for m in MINUTES]
    bars = ax.bar([f"Week {w}" for w in WEEKS], MINUTES, color=colours, width=0.65)
    labels = [f"{m:.1f}" for m in MINUTES]
    ax.bar_label(bars, labels=labels, padding=-14, fontsize=9, color="white")
    ax.axhline(TARGET, color=INK, lw=1.2, ls="--")
    ax.text(-0.4, TARGET + 0.25, f"target {TARGET:g} min", ha="left", fontsize=9)
    ax.set_ylim(0, 14)
    ax.set_ylabel("median build time (minutes)", fontsize=9)
    ax.tick_params(labelsize=8.5)
    ax.spines[["top", "right"]].set_visible(False)

    rows = [["Week", "Median (min)", "Target met"]]
    rows += [
        [str(w), f"{m:.1f}", "no" if m > TARGET else "yes"]
        for w, m in zip(WEEKS, MINUTES, strict=True)
    ]
    top = 0.29
    for r, row in enumerate(rows):
        y = top - r * 0.028
        weight = "bold" if r == 0 else "normal"
        for x, cell in zip((0.12, 0.35, 0.62), row, strict=True):
            fig.text(x, y, cell, fontsize=9, fontweight=weight)
    fig.text(
        0.08,
        0.04,
        "An example document drawn for the Responses API tutorial.",
        fontsize=7.5,
        color=GREY,
    )
    return fig


def draw_all(out_dir: Path) -> list[Path]:
    """Draw every input file into ``out_dir``; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with matplotlib.rc_context(STYLE):
        path = out_dir / IMAGE
        draw_pythagoras().savefig(path, format="png", metadata=PNG_METADATA)
        written.append(path)

        report = draw_report()
        path = out_dir / REPORT
        with PdfPages(path, metadata=PDF_METADATA) as pdf:
            pdf.savefig(report)
        written.append(path)

        path = out_dir / PREVIEW
        report.savefig(path, format="png", dpi=72, metadata=PNG_METADATA)
        written.append(path)
    return written


def main(argv: list[str]) -> int:
    out_dir = Path(argv[1]) if len(argv) > 1 else IMAGES
    for path in draw_all(out_dir):
        print(f"{path} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
