"""A scenario's ``SERVER`` options reach the fake server, by `make illustrate` and by
`python -m fake_api`; and the recordings of scenarios that seed their own ids share none of them
with any other recording (ids are unique across the course, as the live API's are)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from illustrate import load_scenario

from fake_api import FakeResponsesServer, reply
from fake_api.__main__ import load_scenario_and_options

REPO = Path(__file__).resolve().parent.parent
RECORDINGS = REPO / "notebooks" / "recordings"
ID = re.compile(
    r'"((?:resp|msg|rs|fc|ws|ig|ci|conv|item|fco|fs|mcp|mcpl|mcpr|vs|vsfb|cntr|cfile)'
    r'_[0-9A-Za-z]{20,}|call_[0-9A-Za-z]{24}|file-[0-9A-Za-z]{22})"'
)


def seeded() -> list[str]:
    """The notebooks whose scenario sets its own seed."""
    names = []
    for path in sorted((REPO / "scenarios").glob("[0-9][0-9]_*.py")):
        if "seed" in load_scenario(path.stem)[1]:
            names.append(path.stem)
    return names


@pytest.mark.parametrize(
    "name", sorted(p.stem for p in (REPO / "scenarios").glob("[0-9][0-9]_*.py"))
)
def test_both_ways_of_serving_a_scenario_serve_it_alike(name: str) -> None:
    steps, options = load_scenario(name)
    cli_steps, cli_options = load_scenario_and_options(str(REPO / "scenarios" / f"{name}.py"))
    assert cli_options == options and len(cli_steps) == len(steps)
    # Every scenario is served in today's shapes, seeded by its own name unless it says otherwise.
    assert {"seed": name, "live_shapes": True}.items() <= options.items()


def test_a_scenario_s_server_options_reach_the_fake_server() -> None:
    steps, options = load_scenario("08_reasoning")
    assert options == {"seed": "08_reasoning", "live_shapes": True}
    with FakeResponsesServer([reply("x")], **options) as server:
        assert server.live_shapes and server.seed == "08_reasoning"


def ids_in(path: Path) -> set[str]:
    return set(ID.findall(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("name", seeded())
def test_a_seeded_recording_shares_no_id_with_another(name) -> None:
    own = ids_in(RECORDINGS / f"{name}.json")
    assert own, f"{name}.json holds no ids"
    shared = {
        other.stem: sorted(own & ids_in(other))
        for other in sorted(RECORDINGS.glob("*.json"))
        if other.stem != name and own & ids_in(other)
    }
    assert not shared, f"{name}.json shares ids with other recordings: {json.dumps(shared)[:300]}"
