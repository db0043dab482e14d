"""Draw the files that stand in for what notebook 09's hosted tools make, into images/.

The course cannot run the hosted tools, so its illustrative recording of 09 carries files drawn
here (scenarios/09_hosted_tools.py reads them):

- ``hosted_late_by_month.png``: the bar chart the code interpreter's code saves, from the course's
  own ``notebooks/data/orders.csv`` (orders more than 2 days late, by promised month), drawn as the
  pandas code in the scenario would draw it (its title and labels). The notebook downloads it from
  the container.
- ``hosted_lighthouse.png``: a 64x64 flat icon of a lighthouse at dusk, the image generation
  tool's stand-in result (live, the tool returns the size you ask for, 1024x1024 and up). Drawn
  pixel by pixel and written with zlib, without matplotlib, so it stays a few hundred bytes.

Run it by hand (it is not part of ``make figures``):

    .venv/bin/python scripts/draw_hosted.py            # writes into images/
    .venv/bin/python scripts/draw_hosted.py OUT_DIR    # writes somewhere else (the tests do)

Both files travel base64-encoded in the recording, so they stay small, and they are drawn with no
date or software version in them, so two runs give byte-identical files: tests/test_hosted_media.py
redraws them and compares the bytes with the committed ones. After changing this file or the CSV,
run it, commit the files, and re-run ``make illustrate NB=notebooks/09_hosted_tools.ipynb``.
"""

from __future__ import annotations

import csv
import datetime as dt
import struct
import sys
import zlib
from collections import Counter
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure

REPO = Path(__file__).resolve().parent.parent
IMAGES = REPO / "images"
ORDERS = REPO / "notebooks" / "data" / "orders.csv"

CHART = "hosted_late_by_month.png"
ICON = "hosted_lighthouse.png"
LATE_AFTER_DAYS = 2  # the shop's policy (notebooks/data/help_centre/shipping.md)

STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.unicode_minus": False,
    "path.simplify": True,
    "savefig.facecolor": "white",
}
PNG_METADATA = {"Software": None}


def late_orders(path: Path = ORDERS) -> list[dict[str, str]]:
    """The orders delivered more than ``LATE_AFTER_DAYS`` days after their promised date."""
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    late = []
    for row in rows:
        days = dt.date.fromisoformat(row["delivered"]) - dt.date.fromisoformat(row["promised"])
        if days.days > LATE_AFTER_DAYS:
            late.append(row)
    return late


def late_by_month(path: Path = ORDERS) -> dict[str, int]:
    """Promised month (``2026-09``) -> number of late orders, in month order."""
    counts = Counter(row["promised"][:7] for row in late_orders(path))
    return dict(sorted(counts.items()))


def draw_chart() -> Figure:
    """A bar chart like ``by_month.plot.bar(...)`` in the scenario's pandas code draws."""
    months = late_by_month()
    fig = Figure(figsize=(4.8, 3.2), dpi=80)
    ax = fig.add_subplot()
    ax.bar(list(months), list(months.values()), color="#D55E00", width=0.5)
    ax.set_title("Late deliveries by month")
    ax.set_xlabel("promised month")
    ax.set_ylabel("orders more than 2 days late")
    ax.tick_params(axis="x", labelrotation=90)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------------------------
# The 64x64 icon, pixel by pixel
# --------------------------------------------------------------------------------------------

SIZE = 64
DUSK_TOP, DUSK_LOW = (38, 52, 97), (236, 140, 92)
SEA, SEA_DEEP = (38, 84, 124), (24, 58, 92)
ROCK = (62, 56, 58)
RED, WHITE, LAMP = (196, 48, 43), (244, 240, 232), (255, 214, 92)
BEAM = (255, 232, 160)


def _mix(a: tuple[int, ...], b: tuple[int, ...], t: float) -> tuple[int, int, int]:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def icon_pixels() -> list[list[tuple[int, int, int]]]:
    """Rows of RGB pixels: a dusk sky, two beams, the sea, a rock and a striped lighthouse."""
    rows = []
    for y in range(SIZE):
        row = []
        for x in range(SIZE):
            if y < 44:
                colour = _mix(DUSK_TOP, DUSK_LOW, y / 43)
                # two beams from the lamp at (32, 17), widening with distance
                dy, dx = y - 17, abs(x - 32)
                if dx > 4 and abs(dy) <= 1 + dx // 8:
                    colour = _mix(colour, BEAM, 0.55)
            else:
                colour = SEA if (x + y) % 7 else SEA_DEEP
            # the rock under the tower
            if 40 <= y < 48 and abs(x - 32) <= 14 - (y - 40):
                colour = ROCK
            # the tower, narrowing upwards, red and white bands
            half = 5 + (y - 20) // 8
            if 20 <= y < 42 and abs(x - 32) <= half:
                colour = RED if ((y - 20) // 5) % 2 == 0 else WHITE
            # the lantern room and its roof
            if 14 <= y < 20 and abs(x - 32) <= 4:
                colour = LAMP if 15 <= y <= 18 and abs(x - 32) <= 3 else ROCK
            if 10 <= y < 14 and abs(x - 32) <= y - 10:
                colour = RED
            row.append(colour)
        rows.append(row)
    return rows


def png_bytes(rows: list[list[tuple[int, int, int]]]) -> bytes:
    """An 8-bit RGB PNG of ``rows``: signature, IHDR, one IDAT, IEND; no text chunk."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    height, width = len(rows), len(rows[0])
    raw = b"".join(b"\x00" + bytes(v for pixel in row for v in pixel) for row in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def draw_all(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    with matplotlib.rc_context(STYLE):
        chart = out_dir / CHART
        draw_chart().savefig(chart, format="png", metadata=PNG_METADATA)
    icon = out_dir / ICON
    icon.write_bytes(png_bytes(icon_pixels()))
    return [chart, icon]


def main(argv: list[str]) -> int:
    out_dir = Path(argv[0]) if argv else IMAGES
    for path in draw_all(out_dir):
        print(f"{path.name}: {path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
