"""Find secrets in the files git would commit; exit 1 if there are any.

    python scripts/scan_secrets.py            every file git tracks
    python scripts/scan_secrets.py --all      ... and the untracked files .gitignore does not hide
    python scripts/scan_secrets.py FILE...    just these files (what pre-commit passes)

Each finding is one line, ``path:line: <masked value> (<pattern>)``; the value is never printed.
Binary files (a NUL byte in the first 8000 bytes, as git decides, or a suffix such as .png) are
skipped; every text file is read in full, notebooks' stored outputs and JSON recordings included.
A run of 1000+ base64 characters (an image, audio or embedding payload) is blanked first: no key
is that long, and no pattern below can match inside one.

Two passes run over each file.

1. The project's own patterns. Any literal of these shapes is a finding, however fake it looks:
   - OpenAI keys: ``sk-``, ``sk-proj-``, ``sk-svcacct-``, ``sk-admin-`` and 20+ key characters;
   - Azure keys: 32+ letters and digits assigned to anything named ``...key`` (``api-key: ...``,
     ``AZURE_OPENAI_API_KEY=...``, so the 32-hex keys), and the 84-character keys with ``AAAAA``
     near the end;
   - Azure resource hosts ``<name>.openai.azure.com``, ``.cognitiveservices.azure.com`` and
     ``.services.ai.azure.com``, unless the name is a template (``<your-resource>``, ``{name}``,
     ``$NAME``, capitals only) or one of ``x``, ``example``, ``contoso``, ``resource``,
     ``myresource``. Bare ``your-resource`` or ``example-resource`` as the name IS a finding:
     the team's before-stop hook flags hyphenated names like these too.
   These count only when the value looks generated (it mixes two of lower case, capitals and
   digits) and is not a placeholder (``_PLACEHOLDER``: fake, dummy, example, your, test, xxxx,
   ``...``, ``<...>``):
   - ``Bearer <token>`` with a 20+ character token;
   - organisation and project ids: ``org-...``, ``proj_...``, and ``openai-organization`` and
     ``openai-project`` header values.

2. detect-secrets 1.5, with all its default plugins and filters, over the same lines. Extra
   secret filters (``_NOT_SECRETS``), each tested against the flagged string only, never the whole
   line (so a key on the same line as an id is still found), keep tutorial content from tripping
   the Base64 entropy plugin:
   - OpenAI object ids (``resp_``, ``msg_``, ``call_``, ``file-``, ... ``_ID_PREFIXES``), alone
     or as request paths (``/responses/resp_.../input_items``): base62 ids such as ``call_...``
     and ``file-...`` score over its 4.5 bits about one time in four, recorded paths always (hex
     ids like ``resp_68af...`` alone score about 4.0, and the hex plugin never sees them, since
     ``resp_`` is not hex). ``org-`` and ``proj_`` are not in the list;
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
   allowlist secret`` comment silences it on a line; nothing silences pass 1.

The rule for fakes: write ``sk-...`` and ``https://<your-resource>.openai.azure.com`` in docs and
notebooks; short fakes such as ``sk-test`` or ``org-fakefakefake`` pass as they are; a test that
needs a long, real-looking fake builds it at run time (``"sk-" + "proj-" + "x" * 40``) so that no
literal in the repository matches. Nothing is allow-listed by path: tests are scanned too.
"""

from __future__ import annotations

import argparse
import bisect
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

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
    rf"^{_ID}$",
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
_START = r"(?:(?<![A-Za-z0-9])|(?<=\\[nrt]))"
# An assignment: closing quote or bracket, then = : , or =>, then an opening quote, all optional.
_ASSIGN = r"""\\?["'\]]{0,2}[^\S\n]*(?:=>|[:=,])[^\S\n]*\\?["']?"""
_PLACEHOLDER_HOSTS = re.compile(r"x+|example|contoso|resource|myresource")


def _looks_generated(value: str) -> bool:
    """Mixes at least two of lower case, capitals and digits, as generated keys and ids do."""
    classes = (str.islower, str.isupper, str.isdigit)
    return sum(any(test(c) for c in value) for test in classes) >= 2


def _real(value: str) -> bool:
    return _looks_generated(value) and not _PLACEHOLDER.search(value)


def _real_host(name: str) -> bool:
    # Capitals and hyphens only (YOUR-RESOURCE, $NAME) is a template, not a name.
    return bool(re.search(r"[a-z0-9]", name)) and not _PLACEHOLDER_HOSTS.fullmatch(name.lower())


def _always(value: str) -> bool:
    return True


@dataclass(frozen=True)
class _Pattern:
    name: str
    regex: re.Pattern[str]  # the value is its group "secret"
    counts: Callable[[str], bool]  # is this value a finding?
    public: str = ""  # regex for a leading part that may be shown, such as "sk-proj-"

    def shown(self, secret: str) -> str:
        keep = re.match(self.public, secret)
        return f"{keep.group() if keep else ''}****({len(secret)} chars)"


_PATTERNS = [
    _Pattern(
        "OpenAI API key",
        re.compile(_START + r"(?P<secret>sk-[A-Za-z0-9_-]{20,})"),
        _always,
        r"sk-(?:proj-|svcacct-|admin-)?",
    ),
    _Pattern(
        "Azure OpenAI key",
        re.compile(
            r"(?:(?<![A-Za-z0-9+/])|(?<=\\[nrt]))"
            r"(?P<secret>[A-Za-z0-9]{70,90}AAAAA[A-Za-z0-9]{4,12})(?![A-Za-z0-9+/=])"
        ),
        _always,
    ),
    _Pattern(
        "API key assignment",
        re.compile(r"(?i)key[12]?" + _ASSIGN + r"(?P<secret>[A-Za-z0-9]{32,})(?![\w.(\[-])"),
        _always,
    ),
    _Pattern(
        "Bearer token",
        re.compile(r"(?i)" + _START + r"bearer[^\S\n]+(?P<secret>[A-Za-z0-9._~+/-]{20,}=*)"),
        _real,
    ),
    _Pattern(
        "OpenAI organization id",
        re.compile(_START + r"(?P<secret>org-[A-Za-z0-9]{12,})(?![A-Za-z0-9_-])"),
        _real,
        r"org-",
    ),
    _Pattern(
        "OpenAI project id",
        re.compile(_START + r"(?P<secret>proj_[A-Za-z0-9]{12,})(?![A-Za-z0-9_-])"),
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
    ),
    _Pattern(
        "Azure resource host",
        re.compile(
            r"(?<![A-Za-z0-9-])(?P<secret>[A-Za-z0-9][A-Za-z0-9-]*)"
            r"(?=\.(?:openai|cognitiveservices|services\.ai)\.azure\.com)"
        ),
        _real_host,
    ),
]


@dataclass(frozen=True, order=True)
class Finding:
    path: str
    line: int
    shown: str  # the value, masked
    pattern: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.shown} ({self.pattern})"


class _Text:
    """A file's lines (payloads blanked), and each distinct line once, joined for the regexes.

    Every pattern here and in detect-secrets works line by line, so matching the distinct lines
    finds the same things as matching every line, in about half the text of a recording.
    """

    def __init__(self, text: str) -> None:
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


def _own_findings(path: str, text: _Text) -> Iterator[tuple[Finding, str]]:
    for pattern in _PATTERNS:
        for m in pattern.regex.finditer(text.joined):
            secret = m["secret"]
            if pattern.counts(secret):
                for number in text.numbers(m.start("secret"), m.start("secret")):
                    yield Finding(path, number, pattern.shown(secret), pattern.name), secret


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
                        yield Finding(path, number, shown, f"detect-secrets: {secret.type}"), value


_BINARY_SUFFIXES = frozenset(
    ".png .jpg .jpeg .gif .webp .ico .bmp .tif .tiff .pdf .zip .gz .bz2 .xz .7z .tar .whl .so "
    ".dylib .dll .exe .bin .woff .woff2 .ttf .otf .eot .mp3 .mp4 .wav .ogg .webm .pyc".split()
)


def read_text(path: str) -> str | None:
    """The file's text; None for a binary file, a symlink, or a file that is not there."""
    if os.path.islink(path) or not os.path.isfile(path):
        return None
    if os.path.splitext(path)[1].lower() in _BINARY_SUFFIXES:
        return None
    with open(path, "rb") as f:
        data = f.read()
    if b"\0" in data[:8000]:
        return None
    return data.decode("utf-8", errors="ignore")


def scan(paths: Iterable[str], prefilter: bool = True) -> tuple[list[Finding], int]:
    """Findings in these files, one per value and line, sorted; and how many files were read."""
    found: dict[tuple[str, int, str], Finding] = {}
    scanned = 0
    with default_settings():
        detect_secrets = _DetectSecrets()
        for path in paths:
            raw = read_text(path)
            if raw is None:
                continue
            scanned += 1
            text = _Text(raw)
            for finding, value in [
                *_own_findings(path, text),
                *detect_secrets.findings(path, text, prefilter),
            ]:
                found.setdefault((path, finding.line, value), finding)
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
