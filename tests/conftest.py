"""Lets tests import the scripts (record, illustrate, ...) and the fake API (fake_api, at the
repository root). The offline environment is set in the repository's root conftest.py."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
