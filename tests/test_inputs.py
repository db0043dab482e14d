"""The input files notebook 04 sends (images/, drawn by scripts/draw_inputs.py): the script redraws
them byte for byte, they stay small enough to travel in request bodies, and the recording sends
exactly the committed bytes."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import draw_inputs
import pytest

REPO = Path(__file__).resolve().parent.parent
IMAGES = REPO / "images"
LIMITS = {  # bytes: the image and the PDF go base64-encoded into every request that sends them
    draw_inputs.IMAGE: 60_000,
    draw_inputs.REPORT: 30_000,
    draw_inputs.PREVIEW: 60_000,
}


@pytest.fixture(scope="module")
def redrawn(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("inputs")
    return {path.name: path for path in draw_inputs.draw_all(out)}


def test_the_script_draws_every_committed_input_and_nothing_else(redrawn):
    assert sorted(redrawn) == sorted(LIMITS)


@pytest.mark.parametrize("name", sorted(LIMITS))
def test_the_committed_file_is_what_the_script_draws(redrawn, name):
    committed = IMAGES / name
    assert committed.exists(), (
        f"{committed} is missing: run .venv/bin/python scripts/draw_inputs.py"
    )
    assert committed.read_bytes() == redrawn[name].read_bytes(), (
        f"images/{name} differs from what scripts/draw_inputs.py draws: run it, commit the files, "
        "and re-run make illustrate NB=notebooks/04_multimodal.ipynb"
    )


@pytest.mark.parametrize("name", sorted(LIMITS))
def test_the_file_stays_small(name):
    size = (IMAGES / name).stat().st_size
    assert size < LIMITS[name], f"images/{name} is {size:,} bytes, over {LIMITS[name]:,}"


def test_no_date_or_software_version_in_the_files():
    png = (IMAGES / draw_inputs.IMAGE).read_bytes()
    pdf = (IMAGES / draw_inputs.REPORT).read_bytes()
    assert b"Software" not in png and b"matplotlib" not in png.lower()
    assert b"CreationDate" not in pdf and b"Producer" not in pdf


def test_the_recording_sends_the_committed_bytes():
    """Notebook 04's recording holds the files base64-encoded in its request bodies: after a redraw,
    the notebook must be illustrated again or replay would miss."""
    recording = json.loads((REPO / "notebooks" / "recordings" / "04_multimodal.json").read_text())
    sent = set()
    for interaction in recording["interactions"]:
        for message in interaction["request"]["body"].get("input") or []:
            for part in message.get("content") or []:
                url = part.get("image_url") or part.get("file_data") or ""
                if url.startswith("data:"):
                    sent.add(base64.b64decode(url.split(",", 1)[1]))
    assert (IMAGES / draw_inputs.IMAGE).read_bytes() in sent
    assert (IMAGES / draw_inputs.REPORT).read_bytes() in sent
