"""Find secrets in the files git would commit; exit 1 if there are any.

    python scripts/scan_secrets.py            every file git tracks
    python scripts/scan_secrets.py --all      ... and the untracked files .gitignore does not hide
    python scripts/scan_secrets.py FILE...    just these files (what pre-commit passes)

Each finding is one line, ``path:line: <masked value> (<pattern>[; <where it hid>])``; the value is
never printed, nor a file name that holds one (that part of the path is masked). Line 0 means the
file's name, or the content of a binary file.

What is read: every file in full, whatever it is, and its name. A text file is read as UTF-8, or
as UTF-16 or UTF-32 when it starts with a byte-order mark or has the NUL bytes of UTF-16 text. A
binary file (a suffix such as .png or .pdf, or a NUL byte in the first 8000 bytes, as git
decides) is read for what it carries: a PNG's text chunks (tEXt, zTXt, iTXt) and its other
chunks but not its pixels, a PDF's bytes and its streams inflated, any other file's bytes.

Three passes run over each file.

1. The project's own patterns over the file's text. Any literal of these shapes is a finding,
   however fake it looks:
   - OpenAI keys: ``sk-``, ``sk-proj-``, ``sk-svcacct-``, ``sk-admin-`` and 20+ key characters;
     Anthropic keys (``sk-ant-``); GitHub tokens (``ghp_`` and the other ``gh?_``,
     ``github_pat_``); JSON Web Tokens (``ey...`` ``.ey...`` ``.signature``);
   - Azure keys: 32+ letters and digits assigned to anything named ``...key`` or ``...secret``
     (``api-key: ...``, ``AZURE_OPENAI_API_KEY=...``, ``AZURE_OPENAI_SECRET=...``), 32 hex
     digits standing alone (``print(os.environ["AZURE_OPENAI_API_KEY"])``: object ids carry a
     prefix such as ``resp_``, and hashes are longer), and the 84-character keys with ``AAAAA``
     near the end;
   - Azure resource hosts, in any letter case: ``<name>.openai.azure.com``,
     ``.cognitiveservices.azure.com`` and ``.services.ai.azure.com`` (and their ``.azure.us`` and
     ``.azure.cn`` clouds), and API Management gateways ``<name>.azure-api.net``; unless the name
     is a template (``<your-resource>``, ``{name}``, ``$NAME``, or capitals before a lower-case
     domain, ``YOUR-RESOURCE.openai.azure.com``) or one of ``x``, ``example``, ``contoso``,
     ``resource``, ``myresource``. Bare ``your-resource`` or ``example-resource`` as the name IS a
     finding: the team's before-stop hook flags hyphenated names like these too.
   These count only when the value looks generated (it mixes two of lower case, capitals and
   digits) and is not a placeholder (``_PLACEHOLDER``: fake, dummy, example, your, test, xxxx,
   ``...``, ``<...>``):
   - ``Bearer <token>`` with a 20+ character token;
   - organisation and project ids: ``org-...``, ``proj_...``, and ``openai-organization`` and
     ``openai-project`` header values.

2. detect-secrets 1.5, with all its default plugins and filters, over the same lines. A run of
   1000+ base64 characters (an image, audio or embedding payload) is blanked for passes 1 and 2
   (pass 3 decodes it). Extra secret filters (``_NOT_SECRETS``), each tested against the flagged
   string only, never the whole line (so a key on the same line as an id is still found), keep
   tutorial content from tripping the Base64 entropy plugin:
   - OpenAI object ids (``resp_``, ``msg_``, ``call_``, ``file-``, ... ``_ID_PREFIXES``), alone
     (or printed, with a JSON ``\\n`` after them) or as request paths
     (``/responses/resp_.../input_items``): base62 ids such as ``call_...`` and ``file-...``
     score over its 4.5 bits about one time in four, recorded paths always (hex ids like
     ``resp_68af...`` alone score about 4.0, and the hex plugin never sees them, since ``resp_``
     is not hex). ``org-`` and ``proj_`` are not in the list;
   - base64 that starts with a file signature (PNG, JPEG, GIF, WEBP/WAV, PDF, MP3), and reasoning
     ``encrypted_content`` (a Fernet token, ``gAAAAA...``): about 6 bits;
   - placeholders, and ``sk-`` values too short to be keys.
   The keyword plugin (a quoted value after ``api_key =``, ``password:`` ...) counts only values
   that look generated, so ``REPLAY_API_KEY = "replay-needs-no-key"`` is not a finding.
   detect-secrets' own line loop costs about 0.6 ms a line (30 s for 50,000 lines), so it is given
   only the lines where one of its plugins could fire: lines matching a regex plugin's own
   pattern, holding a keyword of the keyword plugin, or holding a quoted string over an entropy
   plugin's limit. Those lines then go through detect-secrets' own per-line code, plugins then
   filters; ``--no-prefilter`` gives it every line (slow, same findings). Its ``# pragma:
   allowlist secret`` comment silences it on a line; nothing silences passes 1 and 3.

3. The project's patterns again over everything decoded (``decoding.py``): each line holding an
   escape, a non-ASCII character, or a base64 or hex run is decoded (backslash escapes such as
   ``\\u0073``, HTML entities, percent-encoding, terminal colour codes removed, Unicode
   look-alikes such as a non-breaking hyphen folded; base64 payloads and data URLs and hex
   decoded, and what they carry: PNG text chunks, PDF streams, zlib and gzip data, UTF-16 text),
   and so are a binary file's contents and every file's name. A finding says how it hid
   (``; base64 > PNG zTXt chunk``). detect-secrets does not run here: its entropy plugins would
   find noise in decoded binary data, and what it knows beyond pass 1 is not what this course
   handles.

The rule for fakes: write ``sk-...`` and ``https://<your-resource>.openai.azure.com`` in docs and
notebooks; short fakes such as ``sk-test`` or ``org-fakefakefake`` pass as they are; a test that
needs a long, real-looking fake builds it at run time (``"sk-" + "proj-" + "x" * 40``) so that no
literal in the repository matches. Nothing is allow-listed by path: tests are scanned too.
"""

from __future__ import annotations

import argparse
import bisect
import dataclasses
import os
import re
import string
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from decoding import carried, file_text, layers
from detect_secrets.core.scan import _is_filtered_out, _scan_line
from detect_secrets.plugins.base import RegexBasedDetector
from detect_secrets.plugins.high_entropy_strings import HighEntropyStringsPlugin
from detect_secrets.plugins.keyword import DENYLIST_REGEX, KeywordDetector
from detect_secrets.settings import default_settings, get_filters, get_plugins, get_settings
from detect_secrets.util.code_snippet import get_code_snippet

# Obvious placeholders, wherever they appear in a value.
_PLACEHOLDER = re.compile(
    r"(?i:fake|dummy|placeholder|example|changeme|redacted|your|xxxx|(?<![a-z])test)|\.\.\.|…|^[<{$%]"
)
# Prefixes of OpenAI object ids (responses, items, tool calls, files, stores, containers, ...).
_ID_PREFIXES = (
    "resp msg rs fc fco call ctc ci cntr cfile ig ws fs mcp mcpr mcpl lsh sh cu conv item vs vsfb "
    "batch req chatcmpl"
).split()
_ID = rf"(?:(?:{'|'.join(_ID_PREFIXES)})_[A-Za-z0-9]+|file-[A-Za-z0-9]+)"
_NOT_SECRETS = [
    rf"^{_ID}(?:\\[nrt])*$",  # alone, or printed: a notebook's JSON writes "call_...\n"
    rf"^(?:/(?:{_ID}|[a-z_]+))+$",  # a request path, such as /responses/resp_.../input_items
    # base64 of PNG, JPEG, GIF, RIFF (WEBP, WAV), PDF, MP3 (ID3); a Fernet token
    r"^(?:iVBORw0KGgo|/9j/|R0lGOD|UklGR|JVBERi0|SUQz|gAAAAA)",
    r"^sk-[A-Za-z0-9_-]{0,19}$",  # too short to be an OpenAI key
    _PLACEHOLDER.pattern,
]
_NOT_SECRET = re.compile("|".join(_NOT_SECRETS))
# Payloads to blank: 1000+ standard base64 characters (no "-", so no sk- key can hide inside).
_PAYLOAD = re.compile(r"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{1000,}={0,2}")

# A token starts after a non-alphanumeric character, or right after a JSON escape such as \n.
# Written after its literal start, so that the regex engine can look for the literal fast:
# _starts("sk-") matches where "sk-" begins a token.
_START = r"(?:(?<![A-Za-z0-9])|(?<=\\[nrt]))"


def _starts(literal: str) -> str:
    lit = re.escape(literal)
    return rf"{lit}(?:(?<![A-Za-z0-9]{lit})|(?<=\\[nrt]{lit}))"


# An assignment: closing quote or bracket, then = : , or =>, then an opening quote, all optional.
_ASSIGN = r"""\\?["'\]]{0,2}[^\S\n]*(?:=>|[:=,])[^\S\n]*\\?["']?"""
_PLACEHOLDER_HOSTS = re.compile(r"x+|example|contoso|resource|myresource")


def _looks_generated(value: str) -> bool:
    """Mixes at least two of lower case, capitals and digits, as generated keys and ids do."""
    classes = (str.islower, str.isupper, str.isdigit)
    return sum(any(test(c) for c in value) for test in classes) >= 2


def _real(value: str) -> bool:
    return _looks_generated(value) and not _PLACEHOLDER.search(value)


def _real_host(host: str) -> bool:
    name, _, domain = host.partition(".")
    if any(c.islower() for c in domain):
        # Capitals and hyphens only (YOUR-RESOURCE, $NAME) before a lower-case domain is a
        # template, not a name; a host in capitals throughout, domain too, is a name.
        if not re.search(r"[a-z0-9]", name):
            return False
    return not _PLACEHOLDER_HOSTS.fullmatch(name.lower())


def _hex_key(value: str) -> bool:
    """32 hex digits with letters and digits both, as every generated Azure key has."""
    return bool(re.search(r"[a-fA-F]", value)) and bool(re.search(r"[0-9]", value))


def _always(value: str) -> bool:
    return True


@dataclass(frozen=True)
class _Pattern:
    name: str
    regex: re.Pattern[str]  # the value is its group "secret"
    counts: Callable[[str], bool]  # is this value a finding?
    public: str = ""  # regex for a leading part that may be shown, such as "sk-proj-"
    judged: str = "secret"  # the group ``counts`` is given
    # A fast regex every line the pattern matches in also matches (a literal, for a pattern that
    # cannot start with one); run on the lower-cased text when it is lower case.
    hint: re.Pattern[str] | None = None

    def matches(self, joined: str, lowered: str) -> Iterator[re.Match[str]]:
        """What ``regex.finditer(joined)`` finds, looking only at lines the hint matches."""
        if self.hint is None:
            yield from self.regex.finditer(joined)
            return
        done = -1
        for h in self.hint.finditer(lowered if self.hint.pattern.islower() else joined):
            if h.start() < done:
                continue  # that line was searched already
            start = joined.rfind("\n", 0, h.start()) + 1
            end = joined.find("\n", h.end())
            done = len(joined) if end < 0 else end
            yield from self.regex.finditer(joined, start, done)

    def shown(self, secret: str) -> str:
        keep = re.match(self.public, secret)
        return f"{keep.group() if keep else ''}****({len(secret)} chars)"


_PATTERNS = [
    _Pattern(
        "Anthropic API key",
        re.compile(rf"(?P<secret>{_starts('sk-ant-')}[A-Za-z0-9_-]{{20,}})"),
        _always,
        r"sk-ant-(?:[a-z]+\d\d-)?",
    ),
    _Pattern(
        "OpenAI API key",
        re.compile(rf"(?P<secret>{_starts('sk-')}[A-Za-z0-9_-]{{20,}})"),
        _always,
        r"sk-(?:proj-|svcacct-|admin-)?",
    ),
    _Pattern(
        "GitHub token",
        re.compile(
            r"(?P<secret>g(?<![A-Za-z0-9_]g)(?:h[pousr]_[A-Za-z0-9]{36,}|ithub_pat_[A-Za-z0-9_]{22,}))"
        ),
        _always,
        r"gh[pousr]_|github_pat_",
    ),
    _Pattern(  # header.payload.signature, base64url; header and payload are JSON objects
        "JSON Web Token",
        re.compile(
            r"(?P<secret>ey(?<![A-Za-z0-9_-]ey)[A-Za-z0-9_-]{10,}\.ey[A-Za-z0-9_-]{10,}"
            r"\.[A-Za-z0-9_-]*)"
        ),
        _always,
    ),
    _Pattern(
        "Azure OpenAI key",
        re.compile(
            r"(?:(?<![A-Za-z0-9+/])|(?<=\\[nrt]))"
            r"(?P<secret>[A-Za-z0-9]{70,90}AAAAA[A-Za-z0-9]{4,12})(?![A-Za-z0-9+/=])"
        ),
        _always,
        hint=re.compile("AAAAA"),
    ),
    _Pattern(
        "Key or secret assignment",
        re.compile(
            r"(?i)(?:key|secret)[12]?" + _ASSIGN + r"(?P<secret>[A-Za-z0-9]{32,})(?![\w.(\[-])"
        ),
        _always,
        hint=re.compile("key|secret"),
    ),
    _Pattern(  # what print(os.environ["AZURE_OPENAI_API_KEY"]) shows; ids carry a prefix
        "Azure OpenAI key (32 hex digits)",
        re.compile(
            r"(?:(?<![A-Za-z0-9_.-])|(?<=\\[nrt]))(?P<secret>[0-9a-fA-F]{32})(?![A-Za-z0-9_-])"
        ),
        _hex_key,
        hint=re.compile("[0-9a-fA-F]{32}"),
    ),
    _Pattern(
        "Bearer token",
        re.compile(r"(?i)" + _START + r"bearer[^\S\n]+(?P<secret>[A-Za-z0-9._~+/-]{20,}=*)"),
        _real,
        hint=re.compile("bearer"),
    ),
    _Pattern(
        "OpenAI organization id",
        re.compile(rf"(?P<secret>{_starts('org-')}[A-Za-z0-9]{{12,}})(?![A-Za-z0-9_-])"),
        _real,
        r"org-",
    ),
    _Pattern(
        "OpenAI project id",
        re.compile(rf"(?P<secret>{_starts('proj_')}[A-Za-z0-9]{{12,}})(?![A-Za-z0-9_-])"),
        _real,
        r"proj_",
    ),
    _Pattern(
        "OpenAI organization/project header",
        re.compile(
            r"(?i)openai[-_](?:organi[sz]ation|project)"
            r"""(?:\\?["']\]?[^\S\n]*[:=,][^\S\n]*\\?["']|[:=][^\S\n]*)"""
            r"(?P<secret>[A-Za-z0-9_-]{4,})(?![\w.(\[-])"
        ),
        _real,
        r"org-|proj_",
        hint=re.compile("openai[-_]"),
    ),
    _Pattern(  # the name is the secret; the whole host is judged, to see its letter case
        "Azure resource host",
        re.compile(
            r"(?i)(?<![A-Za-z0-9-])(?P<host>(?P<secret>[A-Za-z0-9][A-Za-z0-9-]*)\."
            r"(?:(?:openai|cognitiveservices|services\.ai)\.azure\.(?:com|us|cn)"
            r"|azure-api\.(?:net|us|cn)))(?![A-Za-z0-9-])"
        ),
        _real_host,
        judged="host",
        hint=re.compile(r"\.(?:openai|cognitiveservices|ai)\.azure\.|\.azure-api\."),
    ),
]


@dataclass(frozen=True, order=True)
class Finding:
    path: str  # with a file name that holds a secret masked
    line: int  # 0: not a line of text (the file's name, a binary file's content)
    shown: str  # the value, masked
    pattern: str
    how: str = ""  # where it hid: "base64 > PNG zTXt chunk", "UTF-16 text", ...

    def __str__(self) -> str:
        hid = f"; {self.how}" if self.how else ""
        return f"{self.path}:{self.line}: {self.shown} ({self.pattern}{hid})"


class _Text:
    """A file's lines (payloads blanked), and each distinct line once, joined for the regexes.

    Every pattern here and in detect-secrets works line by line, so matching the distinct lines
    finds the same things as matching every line, in about half the text of a recording.
    """

    def __init__(self, text: str, how: str = "") -> None:
        self.how = how
        self.original = text
        self.lines = _PAYLOAD.sub("", text).split("\n")
        self._numbers: dict[str, list[int]] = {}
        for number, line in enumerate(self.lines, 1):
            self._numbers.setdefault(line, []).append(number)
        self._distinct = list(self._numbers)
        self.joined = "\n".join(self._distinct)
        self._newlines = [m.start() for m in re.finditer("\n", self.joined)]

    def numbers(self, start: int, end: int) -> list[int]:
        """Line numbers of every line that holds part of ``joined[start:end]``."""
        first = bisect.bisect_left(self._newlines, start)
        last = bisect.bisect_left(self._newlines, max(end - 1, start))
        return [n for line in self._distinct[first : last + 1] for n in self._numbers[line]]

    def spots(self, start: int) -> list[tuple[int, str]]:
        return [(n, self.how) for n in self.numbers(start, start)]


class _Layers:
    """Decoded layers (each with the lines it came from and how it was found), joined for the
    regexes like _Text: every layer starts on a line of its own."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._starts: list[int] = []
        self._where: list[tuple[list[int], str]] = []
        self._size = 0

    def add(self, numbers: list[int], how: str, text: str) -> None:
        self._starts.append(self._size)
        self._parts.append(text)
        self._where.append((numbers, how))
        self._size += len(text) + 1

    @property
    def joined(self) -> str:
        return "\n".join(self._parts)

    def spots(self, start: int) -> list[tuple[int, str]]:
        numbers, how = self._where[bisect.bisect_right(self._starts, start) - 1]
        return [(n, how) for n in numbers]


_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def _own_findings(path: str, text: _Text | _Layers) -> Iterator[tuple[Finding, str]]:
    joined = text.joined
    lowered = joined.lower()  # for the hints; positions must carry over, so the same length
    if len(lowered) != len(joined):
        lowered = joined.translate(_ASCII_LOWER)
    for pattern in _PATTERNS:
        for m in pattern.matches(joined, lowered):
            secret = m["secret"]
            if pattern.counts(m[pattern.judged]):
                for number, how in text.spots(m.start("secret")):
                    yield Finding(path, number, pattern.shown(secret), pattern.name, how), secret


# A line worth decoding: something unescape() would undo, or a payload (base64 or hex) in it.
_LAYERED = re.compile(
    r"""\\[^nrt"]|&#?\w+;|%[0-9A-Fa-f]{2}|\x1b|[^\x00-\x7f]"""
    r"|[A-Za-z0-9+/_-]{20,}|(?<![0-9A-Fa-f])[0-9A-Fa-f]{32,}"
)


def _layers_of_lines(text: _Text) -> _Layers:
    """Every layer decoded from the file's lines, each line decoded once."""
    found = _Layers()
    lines = text.original.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    candidates: dict[int, None] = {}
    for m in _LAYERED.finditer(text.original):
        candidates[bisect.bisect_right(starts, m.start()) - 1] = None
    numbers: dict[str, list[int]] = {}
    for index in candidates:
        numbers.setdefault(lines[index], []).append(index + 1)
    for line, where in numbers.items():
        for how, layer in layers(line):
            if how:  # the line itself is already scanned
                found.add(where, _joined(text.how, how), layer)
    return found


def _layers_of_data(data: bytes) -> _Layers:
    """Every layer of a binary file: its bytes as text, and what they carry (line 0)."""
    found = _Layers()
    for how, text, textual in carried(data):
        for deeper, layer in layers(text) if textual else [("", text)]:
            found.add([0], _joined(how, deeper) or "the file's bytes", layer)
    return found


def _joined(*hows: str) -> str:
    return " > ".join(h for h in hows if h)


class _DetectSecrets:
    """detect-secrets' plugins and filters, given only the lines where a plugin could fire.

    Build it inside ``default_settings()``. Each line it is given goes through what
    detect-secrets' ``scan_file`` does to a line: line filters, each plugin with its secret
    filters, then context filters.
    """

    def __init__(self) -> None:
        get_settings().filters["detect_secrets.filters.regex.should_exclude_secret"] = {
            "pattern": _NOT_SECRETS
        }
        get_filters.cache_clear()
        self.plugins = get_plugins()
        self.gates = [gate for plugin in self.plugins for gate in self._gates(plugin)]

    @staticmethod
    def _gates(plugin: object) -> Iterator[tuple[re.Pattern[str], bool, Callable | None]]:
        """(regex, run on lower-cased text?, test of a match): a line the plugin reports matches."""
        if isinstance(plugin, HighEntropyStringsPlugin):
            # Entropy over `limit` bits needs more than 2**limit distinct characters.
            shortest = int(2**plugin.entropy_limit) + 1
            charset = re.escape(plugin.charset)
            quoted = re.compile(rf"""(?=(['"])([{charset}]{{{shortest},}})\1)""")
            limit = plugin.entropy_limit

            def reportable(m: re.Match[str]) -> bool:  # what the plugin and _NOT_SECRETS say
                value = m[2]
                return not _NOT_SECRET.search(value) and (
                    plugin.calculate_shannon_entropy(value) > limit
                )

            yield quoted, False, reportable
        elif isinstance(plugin, RegexBasedDetector):
            for regex in plugin.denylist:
                yield re.compile(regex.pattern, regex.flags | re.MULTILINE), False, None
        elif isinstance(plugin, KeywordDetector):
            yield re.compile(DENYLIST_REGEX), True, None  # its keywords are lower case
        else:  # a plugin this script does not know: every line
            yield re.compile(r"^", re.MULTILINE), False, None

    def _candidates(self, text: _Text) -> set[int]:
        lowered = text.joined.lower()
        numbers: set[int] = set()
        for regex, lower, test in self.gates:
            for m in regex.finditer(lowered if lower else text.joined):
                if test is None or test(m):
                    numbers.update(text.numbers(m.start(), m.end()))
        return numbers

    def findings(self, path: str, text: _Text, prefilter: bool) -> Iterator[tuple[Finding, str]]:
        if _is_filtered_out(required_filter_parameters=["filename"], filename=path):
            return
        numbers = self._candidates(text) if prefilter else range(1, len(text.lines) + 1)
        for number in sorted(numbers):
            line = text.lines[number - 1].rstrip()
            context = get_code_snippet(lines=text.lines, line_number=number)
            if _is_filtered_out(
                required_filter_parameters=["line"], filename=path, line=line, context=context
            ):
                continue
            for plugin in self.plugins:
                for secret in _scan_line(
                    plugin=plugin, filename=path, line=line, line_number=number, context=context
                ):
                    value = secret.secret_value or ""
                    if isinstance(plugin, KeywordDetector) and not _looks_generated(value):
                        continue
                    if not _is_filtered_out(
                        required_filter_parameters=["context"],
                        filename=path,
                        secret=value,
                        plugin=plugin,
                        line=line,
                        context=context,
                    ):
                        shown = f"****({len(value)} chars)"
                        name = f"detect-secrets: {secret.type}"
                        yield Finding(path, number, shown, name, text.how), value


_BINARY_SUFFIXES = frozenset(
    ".png .jpg .jpeg .gif .webp .ico .bmp .tif .tiff .pdf .zip .gz .bz2 .xz .7z .tar .whl .so "
    ".dylib .dll .exe .bin .woff .woff2 .ttf .otf .eot .mp3 .mp4 .wav .ogg .webm .pyc".split()
)


def read_bytes(path: str) -> bytes | None:
    """The file's bytes; None for a symlink or a file that is not there."""
    if os.path.islink(path) or not os.path.isfile(path):
        return None
    with open(path, "rb") as f:
        return f.read()


def _name_findings(path: str) -> tuple[str, list[tuple[Finding, str]]]:
    """Secrets in the file's path, each component decoded as a text; and the path to show, with
    each component that holds one masked."""
    parts = path.split("/")
    results: list[tuple[Finding, str]] = []
    for i, part in enumerate(parts):
        found = _Layers()
        for how, layer in layers(part):
            found.add([0], _joined("the file's name", how), layer)
        hits = list(_own_findings(path, found))
        if hits:
            results += hits
            parts[i] = f"****({len(part)} chars)"
    return "/".join(parts), results


def scan(paths: Iterable[str], prefilter: bool = True) -> tuple[list[Finding], int]:
    """Findings in these files, one per value and line, sorted; and how many files were read.

    Each file's name, its text (UTF-8 or UTF-16; binary files' text chunks and bytes), and every
    layer decoded from them (module docstring) go through the project's patterns; the text
    itself also goes through detect-secrets."""
    found: dict[tuple[str, int, str], Finding] = {}
    scanned = 0
    with default_settings():
        detect_secrets = _DetectSecrets()
        for path in paths:
            data = read_bytes(path)
            if data is None:
                continue
            scanned += 1
            shown, results = _name_findings(path)
            decoded = None
            if os.path.splitext(path)[1].lower() not in _BINARY_SUFFIXES:
                decoded = file_text(data)
            if decoded is None:
                results += _own_findings(path, _layers_of_data(data))
            else:
                text = _Text(decoded[0], f"{decoded[1]} text" if decoded[1] else "")
                results += _own_findings(path, text)
                results += detect_secrets.findings(path, text, prefilter)
                results += _own_findings(path, _layers_of_lines(text))
            for finding, value in results:
                if shown != path:
                    finding = dataclasses.replace(finding, path=shown)
                found.setdefault((shown, finding.line, value), finding)
    return sorted(found.values()), scanned


def git_files(untracked: bool) -> list[str]:
    """What git tracks (and with `untracked`, what it would add), relative to the repo's top."""
    command = ["git", "ls-files", "-z", "--full-name"]
    out = subprocess.run(command + (["-co", "--exclude-standard"] if untracked else []), **_GIT)
    return sorted({p for p in out.stdout.decode("utf-8", "surrogateescape").split("\0") if p})


_GIT = {"capture_output": True, "check": True}


def main(argv: list[str] | None = None) -> int:
    started = time.perf_counter()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="*", help="files to scan (default: what git tracks)")
    parser.add_argument(
        "--all", action="store_true", help="also the untracked files .gitignore does not hide"
    )
    parser.add_argument(
        "--no-prefilter",
        action="store_true",
        help="give detect-secrets every line, not only those its plugins could match (slow)",
    )
    args = parser.parse_args(argv)
    if args.files:
        paths = args.files
    else:
        try:
            top = subprocess.run(["git", "rev-parse", "--show-toplevel"], **_GIT).stdout
            os.chdir(top.decode().strip())  # findings name files from the repository's top
            paths = git_files(untracked=args.all)
        except (OSError, subprocess.CalledProcessError):
            print("scan_secrets: not in a git repository; name the files to scan", file=sys.stderr)
            return 2
    findings, scanned = scan(paths, prefilter=not args.no_prefilter)
    seconds = time.perf_counter() - started
    for finding in findings:
        print(finding)
    if findings:
        files = len({f.path for f in findings})
        print(
            f"scan_secrets: {len(findings)} possible secret(s) in {files} of {scanned} files "
            f"({seconds:.2f} s). Replace each with a placeholder (sk-..., <your-resource>); "
            "the rules are in scripts/scan_secrets.py."
        )
        return 1
    print(f"scan_secrets: no secrets in {scanned} files ({seconds:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
