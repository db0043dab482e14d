"""Settings read from the environment: mode, provider and models, all in one place.

Defined in 00_start_here and 01_basics (``connect`` and ``model`` use it).
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx2

from .errors import SetupError

REPO_ROOT = Path(__file__).resolve().parent.parent

# Current models: none has a shutdown date announced in the installed SDK (helpers/shutdowns.py
# reads them; tests/test_models.py fails when a default is shut down or will be within 90 days).
# deep_research is the model for long research jobs, run in background mode with web_search: the
# deep research models (o3-deep-research, o4-mini-deep-research) were shut down on 2026-07-23.
# On Azure these are deployment names: override them with the variables beside them.
DEFAULT_MODELS = {
    "default": "gpt-5.4-mini",
    "deep_research": "gpt-5.5",
}
MODEL_ENV = {
    "default": "TUTORIAL_MODEL",
    "deep_research": "TUTORIAL_DEEP_RESEARCH_MODEL",
}

MODES = ("auto", "replay", "live", "record")
# The variables that can hold an API key (detect_provider reads them; nothing may print them).
KEY_VARIABLES = ("OPENAI_API_KEY", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_KEY")

HOW_TO_GO_LIVE = (
    "Put OPENAI_API_KEY (or AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_API_KEY) in .env at the "
    "repository root (see .env.example), or run offline with TUTORIAL_MODE=replay."
)


@dataclass(frozen=True)
class Provider:
    """Where live requests go. ``label`` is safe to print: it never holds a key or a host."""

    name: str  # "openai" | "azure" | "compatible"
    base_url: str | None
    api_key: str
    key_source: str
    label: str


# A URL's user information: after "scheme://" (or "//"), everything up to the last "@" of the
# authority. An e-mail address has no "//" before it, so it is left alone.
_USERINFO = re.compile(r"(?i)((?:(?<![a-z0-9+.-])[a-z][a-z0-9+.-]*:)?//)[^\s/?#]*@")


def printable_url(url: str) -> str:
    """``url`` safe to print: its user information (``user:password@``, which can hold a password
    or a token) becomes ``***@``; the scheme, host, port and path are kept. Every URL in a longer
    text is cleaned the same way, and a bare ``user:password@host`` (no scheme) too.
    Everything the course prints about a base URL or endpoint goes through here."""
    text = _USERINFO.sub(r"\1***@", url)
    head, at, rest = text.partition("@")
    if at and "//" not in text and not re.search(r"[\s/]", head):
        return f"***@{rest}"
    return text


def recordings_dir() -> Path:
    return Path(os.environ.get("TUTORIAL_RECORDINGS_DIR") or REPO_ROOT / "notebooks" / "recordings")


# What the tests set TUTORIAL_DOTENV to: a file that cannot exist, so they read no .env and report
# what a fresh clone shows.
NO_DOTENV = os.path.join(os.devnull, ".env")


def dotenv_path() -> Path | None:
    """The file ``.env`` settings are read from: ``.env`` at the repository root, or the file that
    TUTORIAL_DOTENV names (the tests name one that cannot exist); None when TUTORIAL_DOTENV=0."""
    value = (os.environ.get("TUTORIAL_DOTENV") or "").strip()
    if value == "0":
        return None
    if value in ("", "1"):
        return REPO_ROOT / ".env"
    return REPO_ROOT / value  # an absolute path stays as it is


def load_dotenv_once() -> None:
    """Read the ``.env`` file (see ``dotenv_path``), never overriding what the shell sets. A .env
    that cannot be read whole is one SetupError (see ``read_dotenv``), never half-read."""
    path = dotenv_path()
    if path is None:
        return
    text = read_dotenv(path)
    if text is None:
        return
    import io

    from dotenv import load_dotenv

    load_dotenv(stream=io.StringIO(text), override=False)


DOTENV_FIX = "Fix .env (at the repository root), then restart the kernel or run the command again."


def read_dotenv(path: Path) -> str | None:
    """The text of a .env file, or None when there is none. Every way it cannot be used is one
    SetupError naming .env: not a regular file, not UTF-8 (saved as UTF-16, or with bytes of
    another encoding), or lines python-dotenv cannot parse or that set nothing (it only logs a
    warning for the first kind and skips both). Lines are named by number, never shown: they may
    hold a key."""
    import io

    from dotenv.parser import parse_stream

    from .files import read_regular_file

    try:
        raw = read_regular_file(path, 1024 * 1024)
    except (FileNotFoundError, NotADirectoryError):  # none (the tests name one under /dev/null)
        return None
    except OSError as err:
        raise SetupError(f".env cannot be read ({err.strerror or err}). {DOTENV_FIX}") from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw:
        raise SetupError(
            ".env is not UTF-8 text: it was saved as UTF-16 (Windows Notepad calls it "
            '"Unicode"). Save it again with the encoding UTF-8, then restart the kernel or run '
            "the command again."
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise SetupError(
            f".env is not UTF-8 text: line {line} holds the byte 0x{raw[err.start]:02x}, which "
            "an editor saving in another encoding (Latin-1, Windows-1252) writes. Save it again "
            "with the encoding UTF-8, then restart the kernel or run the command again."
        ) from None
    unparsed, nothing = [], []
    for binding in parse_stream(io.StringIO(text)):
        if binding.error:
            unparsed.append(binding.original.line)
        elif binding.key is not None and binding.value is None:
            nothing.append(binding.original.line)
    if unparsed or nothing:
        said = []
        if unparsed:
            said.append(f"python-dotenv cannot parse {_lines(unparsed)}, and would skip it")
        if nothing:
            verb = "has" if len(nothing) == 1 else "have"
            said.append(f"{_lines(nothing)} {verb} no '=', so nothing is set from it")
        raise SetupError(
            f"In .env, {'; '.join(said)}. Each line is NAME=value (OPENAI_API_KEY=sk-...), "
            "or a comment starting with #; quote a value that holds spaces or #, and close each "
            f"quote. (The lines are not shown here: they may hold a key.) {DOTENV_FIX}"
        )
    return text


def _lines(numbers: list[int]) -> str:
    listed = ", ".join(map(str, numbers))
    return f"line {listed}" if len(numbers) == 1 else f"lines {listed}"


def _env(name: str) -> str:
    return (os.environ.get(name) or "").strip()


def detect_provider() -> Provider | None:
    """The provider the environment describes, or None when it holds no credentials at all."""
    endpoint = _env("AZURE_OPENAI_ENDPOINT")
    azure_key = _env("AZURE_OPENAI_API_KEY") or _env("AZURE_OPENAI_KEY")
    if endpoint or azure_key:
        if not (endpoint and azure_key):
            missing = "AZURE_OPENAI_API_KEY" if endpoint else "AZURE_OPENAI_ENDPOINT"
            raise SetupError(
                f"Azure OpenAI is half configured: {missing} is not set. Set both "
                "AZURE_OPENAI_ENDPOINT (https://<your-resource>.openai.azure.com) and "
                "AZURE_OPENAI_API_KEY in .env, or remove both to use OpenAI or replay."
            )
        check_url("AZURE_OPENAI_ENDPOINT", endpoint)
        parts = urlsplit(endpoint)
        base = f"{parts.scheme}://{parts.netloc}/openai/v1/"
        source = "AZURE_OPENAI_API_KEY" if _env("AZURE_OPENAI_API_KEY") else "AZURE_OPENAI_KEY"
        check_sendable(source, azure_key)
        check_sendable_ids()
        return Provider("azure", base, azure_key, source, "Azure OpenAI (v1 endpoint)")
    key = _env("OPENAI_API_KEY")
    if not key:
        return None
    check_sendable("OPENAI_API_KEY", key)
    check_sendable_ids()
    base_url = _env("OPENAI_BASE_URL") or None
    if base_url:
        check_url("OPENAI_BASE_URL", base_url)
    if base_url and urlsplit(base_url).hostname not in (None, "api.openai.com"):
        return Provider(
            "compatible", base_url, key, "OPENAI_API_KEY", "a Responses-compatible server"
        )
    return Provider("openai", base_url, key, "OPENAI_API_KEY", "OpenAI")


def resolve_mode(provider: Provider | None) -> tuple[str, str]:
    """The mode to run in and why, from TUTORIAL_MODE and whether credentials exist."""
    asked = (_env("TUTORIAL_MODE") or "auto").lower()
    if asked not in MODES:
        raise SetupError(
            f"TUTORIAL_MODE={asked!r} is not a mode. Use one of: {', '.join(MODES)} "
            "(auto = live when credentials are set, replay otherwise)."
        )
    if asked != "auto":
        return asked, f"TUTORIAL_MODE={asked}"
    if provider is None:
        return "replay", "no API key set"
    return "live", f"{provider.key_source} is set"


def model_for(role: str) -> str:
    """The model for a role when running live: an environment override, else the default."""
    if role not in DEFAULT_MODELS:
        raise SetupError(f"Unknown model role {role!r}. Roles: {', '.join(DEFAULT_MODELS)}.")
    return _env(MODEL_ENV[role]) or DEFAULT_MODELS[role]


# --------------------------------------------------------------------------------------------
# Settings that can never work, refused before anything is sent (a message naming the variable)
# --------------------------------------------------------------------------------------------

URL_FORMS = {
    "OPENAI_BASE_URL": "https://api.openai.com/v1, or http://localhost:4000/v1 for a local server",
    "AZURE_OPENAI_ENDPOINT": "https://<your-resource>.openai.azure.com (the Endpoint on your "
    "resource's Keys and Endpoint page)",
}
# Characters a paste from a document or a chat brings into a key, by what a learner sees.
_LOOKALIKES = {
    **dict.fromkeys("\u201c\u201d\u201e\u2018\u2019\u201a\u00ab\u00bb", "a curly quote"),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2212", "a dash"),
    "\u00a0": "a non-breaking space",
    "\u200b": "a zero-width space",
    "\ufeff": "an invisible byte-order mark",
}


def check_url(name: str, value: str) -> None:
    """Refuse a base URL that no client can reach: no scheme, another scheme than http(s), no
    host. The message names the setting and never repeats its value (it may hold a host)."""
    parts = urlsplit(value)
    scheme = parts.scheme.lower() if "://" in value else ""
    if not scheme:
        problem = "has no scheme: it must start with https:// (or http:// for a local server)"
    elif scheme not in ("http", "https"):
        problem = f"uses {scheme}://, which the API is not served over: use https:// (or http://)"
    elif not parts.hostname:
        problem = "names no host: after https:// comes the server's name"
    else:
        return
    raise SetupError(
        f"{name} {problem}. Write it as {URL_FORMS[name]} in .env, then restart the kernel."
    )


def check_sendable(name: str, value: str) -> None:
    """Refuse a key (or id) that cannot go in an HTTP header, before httpx raises a
    UnicodeEncodeError for it: curly quotes, dashes or spaces from a paste, control characters.
    The message names the variable and the character, never the value."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        raise SetupError(
            f"{name} is wrapped in quotes, which are sent as part of the key. Remove them in .env "
            "(or in the shell where you set it), then restart the kernel."
        )
    for position, char in enumerate(value, start=1):
        if " " <= char <= "~":
            continue
        if char in _LOOKALIKES:
            what = f"{_LOOKALIKES[char]} ({char})" if char.isprintable() else _LOOKALIKES[char]
        elif ord(char) < 32 or ord(char) == 127:
            what = "a control character"
        else:
            what = f"the character {char} ({unicodedata.name(char, 'unnamed').lower()})"
        raise SetupError(
            f"{name} holds {what} at position {position} of {len(value)}: keys and ids are plain "
            "ASCII letters, digits, '-' and '_', so it came with the paste. Copy the key again "
            "into .env from your provider's page (or type the character over), then restart the "
            "kernel."
        )


def check_sendable_ids() -> None:
    """The organisation and project ids that the SDK sends as headers, when they are set."""
    for name in ("OPENAI_ORG_ID", "OPENAI_PROJECT_ID"):
        if _env(name):
            check_sendable(name, _env(name))


# --------------------------------------------------------------------------------------------
# How long a live request may wait (connect() gives the client these; helpers/liveguard.py
# enforces them on every response)
# --------------------------------------------------------------------------------------------

# A lesson's request is answered in seconds, or is a long job that belongs in background mode
# (notebook 05): so a request that gets nothing for two minutes ends in a message, once.
DEFAULT_TIMEOUT = 120.0  # seconds for a whole answer, or between two events of a stream
DEFAULT_CONNECT_TIMEOUT = 10.0  # seconds to open the connection
TIMEOUT_ENV = {
    "TUTORIAL_TIMEOUT": DEFAULT_TIMEOUT,
    "TUTORIAL_CONNECT_TIMEOUT": DEFAULT_CONNECT_TIMEOUT,
}


def _seconds(name: str) -> float:
    value = _env(name)
    if not value:
        return TIMEOUT_ENV[name]
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not (0 < seconds < float("inf")):
        raise SetupError(
            f"{name}={value!r} is not a time limit: use a number of seconds above 0, such as "
            f"{name}={TIMEOUT_ENV[name]:g}, in .env (or remove it for the default), then restart "
            "the kernel."
        )
    return seconds


def request_timeout() -> httpx2.Timeout:
    """The live client's time limits: ``TUTORIAL_TIMEOUT`` for an answer (a stream: between two
    events), ``TUTORIAL_CONNECT_TIMEOUT`` to connect. ``client.with_options(timeout=...)``
    changes them for one call."""
    return httpx2.Timeout(
        _seconds("TUTORIAL_TIMEOUT"), connect=_seconds("TUTORIAL_CONNECT_TIMEOUT")
    )
