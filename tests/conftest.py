"""Lets tests import the scripts (fake_server, record, ...). The offline environment is set in
the repository's root conftest.py."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
