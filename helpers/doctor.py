"""``doctor()``: check that this machine can run the course, and say what to do about each problem.

It reports the mode the notebooks will run in, the provider and whether a key is set (never a key,
never a host name), a model .env names that is shut down or will be within 90 days (by the dates
the installed SDK announces, helpers/shutdowns.py), the openai SDK against the pinned version,
Python, the budget caps, and whether every notebook's recording can be replayed. Everything it
prints is the same on every machine set up alike, and stays the same when a notebook is
re-recorded, so 00_start_here can store its output.

Defined in 00_start_here.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from . import config
from .errors import RecordingError, SetupError
from .recording import load
from .usage import Meter

__all__ = ["doctor", "check_environment", "Report", "Finding"]

REQUIREMENTS = config.REPO_ROOT / "requirements.txt"
PYPROJECT = config.REPO_ROOT / "pyproject.toml"
NOTEBOOKS = config.REPO_ROOT / "notebooks"
SHIPPED_RECORDINGS = NOTEBOOKS / "recordings"
RESTART = "then restart the kernel (Kernel > Restart Kernel)"


@dataclass(frozen=True)
class Finding:
    """One line of the report: what was checked, what was found, and the fix when it is a problem."""

    topic: str
    found: str
    fix: str | None = None

    @property
    def ok(self) -> bool:
        return self.fix is None


@dataclass
class Report:
    """What ``doctor()`` found; shown as a table in JupyterLab and as aligned text elsewhere."""

    checks: list[Finding] = field(default_factory=list)
    recordings: list[Finding] = field(default_factory=list)

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.checks + self.recordings if not f.ok]

    def _verdict(self) -> list[str]:
        if not self.problems:
            return ["No problems found."]
        count = len(self.problems)
        lines = [f"{count} problem{'s' if count > 1 else ''} to fix:"]
        for n, f in enumerate(self.problems, 1):
            lines.append(f"{n}. {f.topic}: {f.fix}")
        return lines

    def __str__(self) -> str:
        # A fixed width, so that adding a notebook with a longer name moves no other line.
        width = max([22, *(len(f.topic) for f in self.checks + self.recordings)]) + 2
        lines = ["Environment"]
        lines += [f"  {f.topic:<{width}}{_mark(f)}{f.found}" for f in self.checks]
        lines.append("Recordings (notebooks/recordings/)")
        lines += [f"  {f.topic:<{width}}{_mark(f)}{f.found}" for f in self.recordings]
        return "\n".join([*lines, "", *self._verdict()])

    def _repr_pretty_(self, p, cycle: bool) -> None:
        p.text(str(self))

    def _repr_markdown_(self) -> str:
        def table(head: tuple[str, str], rows: list[Finding]) -> list[str]:
            out = [f"| {head[0]} | {head[1]} |", "|---|---|"]
            out += [f"| {f.topic} | {_mark(f, md=True)}{_md(f.found)} |" for f in rows]
            return out

        lines = table(("Check", "Found"), self.checks) + [""]
        lines += table(("Notebook", "Recording (`notebooks/recordings/`)"), self.recordings) + [""]
        verdict = self._verdict()
        lines.append(f"**{verdict[0]}**")
        if len(verdict) > 1:
            lines.append("")
            lines += [_md(line) for line in verdict[1:]]
        return "\n".join(lines)


def _mark(finding: Finding, md: bool = False) -> str:
    if finding.ok:
        return ""
    return "**problem:** " if md else "PROBLEM: "


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def doctor() -> Report:
    """Check this environment and return the report (a notebook shows it as a table)."""
    return check_environment()


def check_environment() -> Report:
    """Everything ``doctor()`` reports, as data: ``report.problems`` lists what needs a fix."""
    report = Report()
    unreadable = _load_dotenv()
    provider, provider_problem = _provider()
    mode = _mode(report, provider, provider_problem)
    report.checks.append(_provider_finding(provider, provider_problem))
    report.checks.append(_key_finding(provider))
    report.checks.append(unreadable or _dotenv_finding())
    if mode in ("live", "record"):
        report.checks.append(_model_finding(provider))
    report.checks += _shutdown_findings(provider)
    report.checks.append(_sdk_finding())
    report.checks.append(_python_finding())
    report.checks.append(_caps_finding())
    report.recordings = _recording_findings(mode)
    return report


# --- mode, provider, key ---------------------------------------------------------------------


def _provider() -> tuple[config.Provider | None, str | None]:
    try:
        return config.detect_provider(), None
    except SetupError as err:
        return None, str(err)


def _mode(report: Report, provider, provider_problem) -> str | None:
    try:
        mode, reason = config.resolve_mode(provider)
    except SetupError as err:
        report.checks.append(Finding("Mode", "TUTORIAL_MODE is not a mode", str(err)))
        return None
    if mode == "replay":
        found = f"replay ({reason}): answers come from the recordings; nothing is sent anywhere"
        report.checks.append(Finding("Mode", found))
    elif mode == "record" and os.environ.get("TUTORIAL_RECORD_TO"):
        report.checks.append(Finding("Mode", f"record ({reason}), driven by make record"))
    elif mode == "record":
        report.checks.append(
            Finding(
                "Mode",
                f"record ({reason})",
                "record mode is set for you by `make record NB=...`, which saves a recording only "
                f"when every cell succeeds. Remove TUTORIAL_MODE from .env, {RESTART}.",
            )
        )
    elif provider is None:
        fix = provider_problem or (
            f"TUTORIAL_MODE={mode} needs credentials, and none are set. {config.HOW_TO_GO_LIVE}"
        )
        report.checks.append(Finding("Mode", f"{mode} ({reason}), without credentials", fix))
    else:
        found = f"live ({reason}): requests go to {provider.label} and use tokens on your account"
        report.checks.append(Finding("Mode", found))
    return mode


def _provider_finding(provider, problem) -> Finding:
    if problem:
        return Finding("Provider", "misconfigured", problem)
    if provider is None:
        return Finding("Provider", "none (no credentials are set; replay needs none)")
    where = {
        "openai": "OpenAI",
        "azure": "Azure OpenAI, from AZURE_OPENAI_ENDPOINT (v1 endpoint)",
        "compatible": "a Responses-compatible server, from OPENAI_BASE_URL",
    }[provider.name]
    if provider.name == "azure" and _set("OPENAI_API_KEY"):
        where += "; OPENAI_API_KEY is set too and is not used"
    return Finding("Provider", where)


def _key_finding(provider) -> Finding:
    names = [n for n in config.KEY_VARIABLES if _set(n)]
    if provider is not None:
        value = (os.environ.get(provider.key_source) or "").strip()
        if _placeholder(value):
            return Finding(
                "API key",
                f"{provider.key_source} is set to a placeholder",
                f"put your real key in {provider.key_source} in .env (not the example from "
                f".env.example), {RESTART}.",
            )
        return Finding("API key", f"{provider.key_source} is set (its value is never shown)")
    if names:
        return Finding("API key", f"{', '.join(names)} set, but not usable (see Provider)")
    if _set("OPENAI_BASE_URL"):
        return Finding(
            "API key",
            "not set, but OPENAI_BASE_URL is",
            "a compatible server is only used with a key: set OPENAI_API_KEY in .env too (any "
            f"word, if your server checks none), {RESTART}.",
        )
    return Finding(
        "API key",
        "none set: fine for replay. To run live, put OPENAI_API_KEY (or the Azure pair) in .env",
    )


def _placeholder(value: str) -> bool:
    return "..." in value or "<" in value or value.lower() in ("sk-", "your-key", "changeme")


def _set(name: str) -> bool:
    return bool((os.environ.get(name) or "").strip())


def _load_dotenv() -> Finding | None:
    """Read .env as connect() does; a .env it cannot use is the .env row's problem."""
    try:
        config.load_dotenv_once()
    except SetupError as err:
        return Finding(".env", "found, but cannot be used", str(err))
    return None


def _dotenv_finding() -> Finding:
    path = config.dotenv_path()
    if path is None:
        return Finding(".env", "not read (TUTORIAL_DOTENV=0)")
    if path.is_file():
        if path == config.REPO_ROOT / ".env":
            return Finding(".env", "found at the repository root and read")
        return Finding(".env", "read from the file TUTORIAL_DOTENV names")
    return Finding(".env", "none yet: copy .env.example to .env when you want to add a key")


def _model_finding(provider) -> Finding:
    name = config.model_for("default")
    if provider is not None and provider.name == "azure" and not _set("TUTORIAL_MODEL"):
        return Finding(
            "Model",
            f"{name} (the default)",
            "on Azure, the model is your deployment's name: set TUTORIAL_MODEL (and "
            "TUTORIAL_DEEP_RESEARCH_MODEL for the deep research in notebooks 05 and 06) in .env, "
            f"{RESTART}.",
        )
    source = "TUTORIAL_MODEL" if _set("TUTORIAL_MODEL") else "the default in helpers/config.py"
    return Finding("Model", f"{name} ({source})")


def _shutdown_findings(provider) -> list[Finding]:
    """A problem for each model .env names (or the course defaults to) that is shut down, or will be
    within WARN_DAYS, by the dates the installed openai SDK announces; nothing when all are fine."""
    from .shutdowns import WARN_DAYS, retiring

    findings = []
    for role, variable in config.MODEL_ENV.items():
        name = (os.environ.get(variable) or "").strip()
        shutdown = retiring(name) if name else retiring(config.DEFAULT_MODELS[role])
        if shutdown is None:
            continue
        where = f"{variable}={name}" if name else f"the default {role} model in helpers/config.py"
        what = name or config.DEFAULT_MODELS[role]
        if provider is not None and provider.name == "azure":
            fix = (
                "Azure retires models on its own dates (see Azure OpenAI's model retirements "
                f"page): deploy a current model and put its deployment name in {variable}, {RESTART}."
            )
        elif name:
            fix = (
                f"set {variable} in .env to a current model, such as "
                f"{config.DEFAULT_MODELS[role]} (the course's default), or remove it, {RESTART}."
            )
        else:
            fix = "the course needs a new default: update DEFAULT_MODELS in helpers/config.py."
        if shutdown.days_left() > 0:
            fix = (
                f"it still answers, but a model {WARN_DAYS} days or less from its shutdown is "
                f"about to go: {fix}"
            )
        findings.append(
            Finding(
                f"{role.replace('_', ' ').capitalize()} model",
                f"{where}: OpenAI announced that {what} {shutdown.describe()} (in the installed "
                "openai SDK's model lists)",
                fix,
            )
        )
    return findings


# --- software ---------------------------------------------------------------------------------


def pinned_version(package: str) -> str | None:
    """The version requirements.txt pins ``package`` to, or None."""
    try:
        text = REQUIREMENTS.read_text(encoding="utf-8")
    except OSError:
        return None
    match = re.search(rf"^{re.escape(package)}==([^\s;#]+)", text, re.M | re.I)
    return match[1] if match else None


def _sdk_finding() -> Finding:
    pinned = pinned_version("openai")
    try:
        installed = metadata.version("openai")
    except metadata.PackageNotFoundError:  # pragma: no cover - helpers imports openai
        installed = None
    install = (
        "install the pinned packages into the Python this kernel runs: "
        ".venv/bin/python -m pip install -r requirements.txt (or `make venv` in a fresh "
        f"checkout), {RESTART}."
    )
    if pinned is None:
        return Finding("openai SDK", "requirements.txt pins no version to compare with", install)
    if installed == pinned:
        return Finding("openai SDK", f"matches the pinned version (openai=={pinned})")
    return Finding(
        "openai SDK",
        f"{installed} is installed, the course pins {pinned}",
        f"the recordings and stored outputs were made with openai=={pinned}; {install}",
    )


def python_needed() -> tuple[int, int]:
    """The oldest Python the course supports, from ``requires-python`` in pyproject.toml."""
    try:
        text = PYPROJECT.read_text(encoding="utf-8")
    except OSError:
        return (3, 10)
    match = re.search(r'^requires-python\s*=\s*">=\s*(\d+)\.(\d+)', text, re.M)
    return (int(match[1]), int(match[2])) if match else (3, 10)


def _python_finding() -> Finding:
    oldest = python_needed()
    needed = ".".join(map(str, oldest))
    if sys.version_info[:2] >= oldest:
        return Finding("Python", f"{needed} or newer, as the course needs")
    here = ".".join(map(str, sys.version_info[:3]))
    return Finding(
        "Python",
        f"{here}, older than the course needs",
        f"use Python {needed} or newer: remove .venv and make it again with a newer Python "
        "(make venv PYTHON=python3.12).",
    )


def _caps_finding() -> Finding:
    try:
        meter = Meter.from_env()
    except SetupError as err:
        return Finding("Budget caps", "malformed", str(err))
    caps = []
    if meter.max_requests is not None:
        caps.append(f"{meter.max_requests:,} model requests")
    if meter.max_tokens is not None:
        caps.append(f"{meter.max_tokens:,} tokens")
    if not caps:
        return Finding(
            "Budget caps",
            "none set (TUTORIAL_MAX_REQUESTS and TUTORIAL_MAX_TOKENS limit live runs)",
        )
    return Finding(
        "Budget caps",
        f"at most {' and '.join(caps)} per notebook, counted from its setup cell; live only",
    )


# --- recordings -------------------------------------------------------------------------------


def _recording_findings(mode: str | None) -> list[Finding]:
    notebooks = sorted(p.stem for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    shipped = sorted(p.stem for p in SHIPPED_RECORDINGS.glob("[0-9][0-9]_*.json"))
    findings = []
    for name in sorted(set(notebooks) | set(shipped)):
        path = _recording_path(name)
        if name not in notebooks:
            findings.append(Finding(name, "a recording with no notebook of that name"))
        elif path is None:
            missing = "missing"
            fix = (
                f"restore it with `git checkout -- notebooks/recordings/{name}.json`, or run live "
                "with a key."
            )
            findings.append(Finding(name, missing, fix if mode != "live" else None))
        else:
            findings.append(_describe_recording(name, path))
    return findings


def _recording_path(name: str) -> Path | None:
    """The file replay reads: TUTORIAL_RECORDINGS_DIR first (make record and the tests point it at a
    scratch copy), then the recordings that ship with the course."""
    for folder in dict.fromkeys([config.recordings_dir(), SHIPPED_RECORDINGS]):
        if (Path(folder) / f"{name}.json").is_file():
            return Path(folder) / f"{name}.json"
    return None


def _describe_recording(name: str, path: Path) -> Finding:
    """Whether replay can use the recording: the same words whenever it can, so that re-recording
    a notebook (live or illustrative, any day, any provider) leaves 00's stored report as it is.
    Where a recording comes from, each notebook's first line says, and its docs page."""
    try:
        load(path, name)
    except RecordingError as err:
        return Finding(name, "unreadable", str(err))
    return Finding(name, "ready to replay")
