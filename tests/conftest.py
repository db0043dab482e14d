"""Lets tests import the scripts (record, illustrate, ...) and the fake API (fake_api, at the
repository root). The offline environment is set in the repository's root conftest.py."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


@pytest.fixture(autouse=True)
def fresh_kernel_meters():
    """The budget meter lives as long as a kernel; each test is a new kernel."""
    from helpers.usage import reset_kernel_meters

    reset_kernel_meters()
    yield
    reset_kernel_meters()
