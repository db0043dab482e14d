"""The committed figures in images/ are exactly what scripts/draw_figures.py draws.

If a test here fails after you changed the script, run `make figures` and commit the PNGs with it;
if it fails without a change to the script, someone edited a PNG by hand.
"""

import importlib.util
import struct
from pathlib import Path

import matplotlib
import pytest
from matplotlib.font_manager import FontProperties, findfont

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "draw_figures.py"
IMAGES = ROOT / "images"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_BYTES = 150 * 1024


def _load_script():
    spec = importlib.util.spec_from_file_location("draw_figures", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def drawn(tmp_path_factory) -> list[Path]:
    """Every figure, freshly drawn into a temporary folder."""
    return _load_script().draw_all(tmp_path_factory.mktemp("figures"))


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE, "not a PNG file"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13, "PNG does not start with an IHDR chunk"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize(
    "props",
    [{}, {"weight": "bold"}, {"style": "italic"}, {"family": "DejaVu Sans Mono"}],
    ids=["regular", "bold", "italic", "mono"],
)
def test_fonts_are_the_copies_matplotlib_ships(props):
    """A system copy of DejaVu (another version) would change the bytes of every figure."""
    path = findfont(FontProperties(**{"family": "DejaVu Sans", **props}), fallback_to_default=False)
    assert Path(path).is_relative_to(matplotlib.get_data_path()), path


def test_draws_the_expected_figures(drawn):
    assert sorted(p.name for p in drawn) == ["comparisons.png", "server_side_loop.png"]


def test_committed_figures_match_the_script(drawn):
    for fresh in drawn:
        committed = IMAGES / fresh.name
        assert committed.exists(), f"{committed} is missing: run `make figures` and commit it"
        assert committed.read_bytes() == fresh.read_bytes(), (
            f"{committed.relative_to(ROOT)} differs from what scripts/draw_figures.py draws: "
            "run `make figures` and commit the result (do not edit the PNG by hand)"
        )


def test_figures_are_valid_small_pngs(drawn):
    for path in drawn:
        data = path.read_bytes()
        width, height = _png_size(data)
        assert 1000 <= width <= 2400, (path.name, width)
        assert 500 <= height <= 1600, (path.name, height)
        assert 0.4 <= height / width <= 1.0, (path.name, width, height)
        assert len(data) < MAX_BYTES, f"{path.name} is {len(data)} bytes"
        assert b"Software" not in data, "savefig should drop the Software tag"
