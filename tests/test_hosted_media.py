"""What notebook 09's illustrative recording carries instead of the hosted tools' own results: the
chart the code interpreter's code saves and the image generation tool's 64x64 icon, drawn by
scripts/draw_hosted.py (byte for byte, small, no metadata), and numbers the code prints that are
true of the course's own orders.csv, the file the notebook uploads."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import json
import struct
from pathlib import Path

import draw_hosted
import pytest

REPO = Path(__file__).resolve().parent.parent
IMAGES = REPO / "images"
RECORDING = REPO / "notebooks" / "recordings" / "09_hosted_tools.json"
LIMITS = {draw_hosted.CHART: 20_000, draw_hosted.ICON: 2_000}  # bytes, base64-encoded in it


@pytest.fixture(scope="module")
def redrawn(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("hosted")
    return {path.name: path for path in draw_hosted.draw_all(out)}


@pytest.fixture(scope="module")
def recording() -> dict:
    return json.loads(RECORDING.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(LIMITS))
def test_the_committed_file_is_what_the_script_draws_and_stays_small(redrawn, name) -> None:
    committed = IMAGES / name
    assert committed.read_bytes() == redrawn[name].read_bytes(), (
        f"images/{name} differs from what scripts/draw_hosted.py draws: run it, commit the files, "
        "and re-run make illustrate NB=notebooks/09_hosted_tools.ipynb"
    )
    assert committed.stat().st_size < LIMITS[name]
    data = committed.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"tEXt" not in data and b"iTXt" not in data and b"matplotlib" not in data.lower()


def test_the_icon_is_64_by_64() -> None:
    data = (IMAGES / draw_hosted.ICON).read_bytes()
    assert struct.unpack(">II", data[16:24]) == (64, 64)


def test_the_recording_carries_the_committed_files(recording) -> None:
    downloads, images = [], []
    for interaction in recording["interactions"]:
        response = interaction["response"]
        if "body_base64" in response:
            downloads.append(base64.b64decode(response["body_base64"]))
        for item in (response.get("body") or {}).get("output") or []:
            if item.get("type") == "image_generation_call":
                images.append(base64.b64decode(item["result"]))
    assert downloads == [(IMAGES / draw_hosted.CHART).read_bytes()]
    assert images == [(IMAGES / draw_hosted.ICON).read_bytes()]


def test_what_the_code_prints_is_true_of_the_uploaded_csv(recording) -> None:
    with (REPO / "notebooks" / "data" / "orders.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    late = [
        r
        for r in rows
        if (dt.date.fromisoformat(r["delivered"]) - dt.date.fromisoformat(r["promised"])).days > 2
    ]
    months: dict[str, int] = {}
    for r in late:
        months[r["promised"][:7]] = months.get(r["promised"][:7], 0) + 1
    expected = (
        "promised\n"
        + "".join(f"{m}    {n}\n" for m, n in sorted(months.items()))
        + f"late orders: {len(late)} of {len(rows)}\n"
        + f"shipping fees to refund: {sum(float(r['shipping_fee']) for r in late):.2f} EUR\n"
    )
    logs = [
        output["logs"]
        for interaction in recording["interactions"]
        for item in (interaction["response"].get("body") or {}).get("output") or []
        if item.get("type") == "code_interpreter_call"
        for output in item.get("outputs") or []
    ]
    assert logs == [expected]
