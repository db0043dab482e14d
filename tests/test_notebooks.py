"""Checks over the committed notebooks and recordings that nbval does not make.

nbval passes a notebook with cleared outputs silently and does not look at recordings, so:
every code cell has run, top to bottom; every recording validates strictly against the SDK types;
stored outputs hold nothing machine-specific; every lesson has the lesson's parts.
"""

from __future__ import annotations

import getpass
import json
import re
import socket
import sys
from pathlib import Path

import nbformat
import pytest

from helpers.recording import load
from helpers.validate import problems

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
RECORDINGS = sorted((REPO / "notebooks" / "recordings").glob("*.json"))
LESSONS = [nb for nb in NOTEBOOKS if not nb.name.startswith("00_")]


def ids(paths):
    return [p.name for p in paths]


def code_cells(path: Path):
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def test_there_are_notebooks_and_recordings():
    assert NOTEBOOKS and RECORDINGS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_every_code_cell_ran_in_order(path):
    counts = [c.execution_count for c in code_cells(path)]
    assert None not in counts, (
        f"{path.name}: cells never run: {counts.count(None)} of {len(counts)}"
    )
    assert counts == list(range(1, len(counts) + 1)), (
        f"{path.name}: not run top to bottom: {counts}"
    )


# The course's kernel, as `make venv` registers it in .venv (scripts/lab.py makes JupyterLab use
# this one even when the user has another kernel of the same name).
KERNEL_JSON = Path(sys.prefix) / "share" / "jupyter" / "kernels" / "python3" / "kernel.json"


@pytest.fixture(scope="module")
def installed_kernel() -> dict:
    if not KERNEL_JSON.is_file():
        pytest.fail(f"the course's kernel is not installed ({KERNEL_JSON}): run make venv")
    spec = json.loads(KERNEL_JSON.read_text(encoding="utf-8"))
    return {"display_name": spec["display_name"], "language": spec["language"], "name": "python3"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_stored_kernelspec_is_the_installed_kernel(path, installed_kernel):
    """JupyterLab rewrites a kernelspec that differs from the kernel it starts, so a notebook opened
    and saved unchanged would show up in git status."""
    stored = dict(nbformat.read(path, as_version=4).metadata.get("kernelspec") or {})
    assert stored == installed_kernel, (
        f"{path.name} stores the kernelspec {stored}; the course's kernel is {installed_kernel}. "
        "Store that one: open the notebook in `make lab` and save it, or edit metadata.kernelspec."
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_each_notebook_connects_to_its_own_recording(path):
    names = {m for c in code_cells(path) for m in re.findall(r'connect\("([^"]+)"\)', c.source)}
    assert names <= {path.stem}, f"{path.name} connects to {names}"
    if names:
        assert (REPO / "notebooks" / "recordings" / f"{path.stem}.json").exists()


@pytest.mark.parametrize("path", RECORDINGS, ids=ids(RECORDINGS))
def test_every_recording_validates_strictly_against_the_sdk(path):
    recording = load(path)
    assert recording.meta["notebook"] == f"{path.stem}.ipynb"
    assert (REPO / "notebooks" / recording.meta["notebook"]).exists(), "recording without notebook"
    assert problems(recording) == []


@pytest.mark.parametrize("path", RECORDINGS, ids=ids(RECORDINGS))
def test_written_recordings_say_so(path):
    meta = json.loads(path.read_text())["meta"]
    assert meta["source"] in ("recorded", "illustrative")
    if meta["source"] == "illustrative":
        assert meta["provider"] == "openai"


MACHINE_SPECIFIC = [
    (re.compile(r"(/work/|/home/|/root/|/tmp/|/private/var/|[A-Z]:\\\\Users)"), "an absolute path"),
    (re.compile(r"\b0x[0-9a-f]{8,}\b"), "a memory address"),
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d"), "a timestamp"),
]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_stored_outputs_hold_nothing_machine_specific(path):
    found = []
    for n, cell in enumerate(code_cells(path), 1):
        for out in cell.outputs:
            if out.output_type == "stream" and out.name == "stderr":
                found.append(f"cell {n}: stderr output {out.text[:80]!r}")
            if out.output_type == "error":
                found.append(f"cell {n}: an error output ({out.ename})")
            text = out.get("text", "") + json.dumps(
                {k: v for k, v in out.get("data", {}).items() if k.startswith("text/")}
            )
            for pattern, what in MACHINE_SPECIFIC:
                if pattern.search(text):
                    found.append(f"cell {n}: {what}: {pattern.search(text).group(0)!r}")
    assert not found, f"{path.name}:\n" + "\n".join(found)


# This machine's own names: none may be stored, in a notebook (sources, outputs, metadata) or in a
# recording. Names that are also ordinary words ("square root") count only where they name a user.
HOME = str(Path.home())
USER = getpass.getuser()
HOST = socket.gethostname().split(".")[0]
GENERIC_NAMES = {"root", "runner", "user", "admin", "ubuntu", "jovyan", "vscode", "codespace",
                 "docker", "node", "app", "localhost", "debian"}  # fmt: skip
# An absolute path on its own, not a segment of a URL (a recording's sources are URLs).
LOCAL_PATH = re.compile(r"(?<![\w.:/\-])(/work/|/home/|/root/|/tmp/|/var/folders/|/private/var/"
                        r"|/Users/|[A-Za-z]:\\Users\\)")  # fmt: skip


def personal_patterns() -> list[tuple[re.Pattern, str]]:
    user = re.escape(USER)
    as_user = [rf"(?:/home/|/Users/|\\Users\\){user}\b", rf"\b{user}@", rf"~{user}\b"]
    if USER.lower() not in GENERIC_NAMES and len(USER) >= 3:
        as_user.append(rf"\b{user}\b")
    patterns = [(re.compile("|".join(as_user)), f"this machine's user name {USER!r}")]
    if len(HOME) > 1:
        home = re.compile(rf"(?<![\w.:/\-]){re.escape(HOME)}(?![\w.\-])")
        patterns.append((home, f"this machine's home directory {HOME!r}"))
    if HOST.lower() not in GENERIC_NAMES and len(HOST) >= 6:
        patterns.append((re.compile(rf"\b{re.escape(HOST)}\b"), f"this machine's name {HOST!r}"))
    return patterns


def strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value)


@pytest.mark.parametrize("path", NOTEBOOKS + RECORDINGS, ids=ids(NOTEBOOKS + RECORDINGS))
def test_no_user_name_home_or_local_path_is_stored(path):
    found = set()
    for text in strings(json.loads(path.read_text(encoding="utf-8"))):
        for pattern, what in [*personal_patterns(), (LOCAL_PATH, "an absolute local path")]:
            match = pattern.search(text)
            if match:
                found.add(f"{what}: ...{text[max(0, match.start() - 30) : match.end() + 30]!r}...")
    assert not found, f"{path.name}:\n" + "\n".join(sorted(found))


@pytest.mark.parametrize("path", LESSONS, ids=ids(LESSONS))
def test_every_lesson_has_goals_summary_exercises_and_a_usage_report(path):
    nb = nbformat.read(path, as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for part in ("You will learn", "## Summary", "## Exercises", "## Solutions"):
        assert part in text, f"{path.name} lacks {part!r}"
    code = "\n".join(c.source for c in code_cells(path))
    assert "check(" in code and "check_solution(" in code
    assert code_cells(path)[-1].source.strip() == "session_report()"


# Markdown links and images, and <img src> / <a href> in Markdown cells.
LINK_TARGET = re.compile(
    r"!?\[[^\]]*\]\(<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\)|(?:src|href)=\"([^\"]+)\""
)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_every_relative_link_and_figure_resolves_inside_the_repository(path):
    """JupyterLab and Notebook 7 (serving the repository, as `make lab` does), VS Code, GitHub and
    the docs site all resolve a relative link from the notebook's folder: it must name a file of the
    repository. (A link to a notebook whose number does not exist yet is allowed, as on the docs
    site, where it shows as plain text until that notebook lands.)"""
    from build_docs import future_notebook

    pages = {f"notebooks/{p.name}" for p in NOTEBOOKS}
    broken = []
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type != "markdown":
            continue
        text = re.sub(r"^(```|~~~).*?^\1", "", cell.source, flags=re.M | re.S)  # code blocks
        text = re.sub(r"`[^`\n]*`", "", text)  # inline code
        for match in LINK_TARGET.finditer(text):
            target = (match[1] or match[2]).split("#", 1)[0]
            if not target or re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):
                continue  # an anchor in this notebook, or a URL
            resolved = (path.parent / target).resolve()
            inside = resolved.is_relative_to(REPO)
            rel = resolved.relative_to(REPO).as_posix() if inside else target
            if not inside or not (resolved.is_file() or future_notebook(rel, pages)):
                broken.append(f"{match[0]} -> {rel}")
    assert not broken, f"{path.name}: links that do not resolve:\n  " + "\n  ".join(broken)
