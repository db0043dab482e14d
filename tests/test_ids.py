"""No object id occurs in two of the course's recordings, as no two live responses share one: a
learner who reads an id in one notebook and meets it again in another would take them for the same
response. (Within one recording an id comes back on purpose: retrieving, continuing, streaming.)"""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RECORDINGS = sorted((REPO / "notebooks" / "recordings").glob("*.json"))
# The ids the API gives objects: responses, their items (messages, reasoning, searches, function
# calls and their outputs, images, file searches, code interpreter and MCP calls, MCP tool lists
# and approval requests), conversations, function call ids, and the hosted tools' resources
# (files, vector stores and their batches, containers and their files).
ID = re.compile(
    r"\b(?:resp|msg|rs|ws|fc|fco|ig|conv|item|call|fs|ci|mcp|mcpl|mcpr|vs|vsfb|cntr|cfile)"
    r"_[0-9A-Za-z]{12,}\b|\bfile-[0-9A-Za-z]{22}\b"
)


def ids_by_recording(paths: list[Path]) -> dict[str, set[str]]:
    """Each id -> the recordings it occurs in."""
    seen: dict[str, set[str]] = {}
    for path in paths:
        for found in set(ID.findall(path.read_text(encoding="utf-8"))):
            seen.setdefault(found, set()).add(path.name)
    return seen


def shared(paths: list[Path]) -> dict[str, list[str]]:
    return {i: sorted(where) for i, where in ids_by_recording(paths).items() if len(where) > 1}


def test_the_recordings_are_found():
    assert len(RECORDINGS) >= 7


def test_no_id_occurs_in_two_recordings():
    repeated = shared(RECORDINGS)
    listed = "\n  ".join(f"{i}: {', '.join(w)}" for i, w in sorted(repeated.items())[:20])
    assert not repeated, (
        f"{len(repeated)} id(s) occur in more than one recording (make illustrate seeds each "
        f"scenario's ids with its notebook's name; a scenario's SERVER may not share a seed):\n  "
        f"{listed}"
    )


def test_the_check_sees_an_id_two_recordings_share(tmp_path):
    body = '{"id": "resp_0a1b2c3d4e5f60718293a4b5c6d7e8f9"}'
    (tmp_path / "a.json").write_text(body)
    (tmp_path / "b.json").write_text(body.replace("resp_", "msg_"))
    (tmp_path / "c.json").write_text(body)
    assert shared(sorted(tmp_path.glob("*.json"))) == {
        "resp_0a1b2c3d4e5f60718293a4b5c6d7e8f9": ["a.json", "c.json"]
    }
