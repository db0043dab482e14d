"""Every text a string or a file carries inside it, decoded: the layers a secret can hide under.

Two users: ``scan_secrets.py`` runs its patterns over each layer of every tracked file, and
``secret_search.py`` looks for the secrets a recording run knows in each layer of the files
``make record`` is about to save. What is decoded:

- a file's own text: UTF-8, or UTF-16 or UTF-32 with a byte-order mark, or UTF-16 without one
  (every other byte NUL);
- escapes (``unescape``): backslash escapes (``\\u0073``, ``\\x73``, ``\\163``, ``\\n``, as JSON,
  Python and JavaScript write them), HTML entities (``&#45;``, ``&#x2d;``, ``&dash;``),
  percent-encoding (``%2D``), each undone again until nothing changes (at most ``DEPTH`` times);
  terminal colour codes (ANSI escapes) removed; Unicode look-alikes folded (NFKC, every dash and
  minus to ``-``, zero-width and other invisible characters dropped);
- payloads (``payloads``): base64 runs (standard or URL-safe alphabet, data URLs, lines broken
  by real or JSON-escaped newlines; short runs at each of the four alignments) and hex runs;
- binary data (``carried``): its bytes as Latin-1 text (an ASCII secret shows as itself), UTF-16
  text, the text chunks of a PNG (tEXt, zTXt, iTXt; never its pixel data), the streams of a PDF
  inflated, a zlib or gzip stream inflated.

``layers`` puts these together. Everything is cheap when there is nothing to decode (a regex
decides first) and bounded when there is: at most ``MAX_INFLATE`` bytes out of any compressed
stream, at most ``DEPTH`` layers deep.
"""

from __future__ import annotations

import binascii
import html
import re
import struct
import unicodedata
import zlib
from collections.abc import Iterator
from urllib.parse import unquote

DEPTH = 3
MAX_INFLATE = 2 << 20  # bytes out of one compressed stream: a decompression bomb stops there
SHORTEST = 20  # base64 characters: 15 bytes, shorter than any secret worth a pattern

# --- a file's text ------------------------------------------------------------------------------

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig", "UTF-8 with a BOM"),
    (b"\xff\xfe\x00\x00", "utf-32", "UTF-32"),
    (b"\x00\x00\xfe\xff", "utf-32", "UTF-32"),
    (b"\xff\xfe", "utf-16", "UTF-16"),
    (b"\xfe\xff", "utf-16", "UTF-16"),
)


def file_text(data: bytes) -> tuple[str, str] | None:
    """(text, encoding named for a finding, "" for UTF-8) of a text file; None for binary data
    (a NUL byte in the first 8000 bytes, as git decides, that is not UTF-16's)."""
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            return data.decode(codec, errors="ignore"), "" if codec == "utf-8-sig" else name
    utf16 = _utf16_codec(data)
    if utf16:
        return data[: len(data) // 2 * 2].decode(utf16, errors="ignore"), "UTF-16"
    if b"\0" in data[:8000]:
        return None
    return data.decode("utf-8", errors="ignore"), ""


def _utf16_codec(data: bytes) -> str | None:
    """utf-16-le or -be for text written as UTF-16 without a BOM: mostly ASCII, so every other
    byte is NUL and the others almost never are."""
    sample = data[:8000]
    if len(sample) < 8 or b"\0" not in sample:
        return None
    half = len(sample) // 2
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd >= 0.4 * half and even <= 0.05 * half:
        return "utf-16-le"
    if even >= 0.4 * half and odd <= 0.05 * half:
        return "utf-16-be"
    return None


# --- escapes ------------------------------------------------------------------------------------

# A text holds something unescape could undo: a backslash escape other than the plain \n \r \t \"
# (they cannot hide a character of a secret), an entity, a percent escape, ESC, or non-ASCII.
_TRIGGER = re.compile(r"""\\[^nrt"]|&#?\w+;|%[0-9A-Fa-f]{2}|\x1b|[^\x00-\x7f]""")
_BACKSLASH = re.compile(
    r"\\(?:u\{([0-9a-fA-F]{1,6})\}|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|x([0-9a-fA-F]{2})"
    r"|([0-7]{1,3})|(.))",
    re.DOTALL,
)
_SIMPLE = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", "v": "\v", "a": "\a", "e": "\x1b"}
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
# Default-ignorable characters (zero-width spaces and joiners, soft hyphen, bidi controls,
# variation selectors, BOM): invisible, so they can sit inside a key unseen.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8]"
)
# Dashes and minus signs that look like "-" (NFKC keeps them): hyphen, non-breaking hyphen,
# figure dash, en and em dash, horizontal bar, minus, small and full-width hyphen-minus, ...
_DASHES = dict.fromkeys(
    map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\ufe58\ufe63\uff0d"), "-"
)


def _unbackslash(text: str) -> str:
    def one(m: re.Match[str]) -> str:
        code = m[1] or m[2] or m[3] or m[4]
        if code:
            value = int(code, 16)
            return chr(value) if value < 0x110000 else m[0]
        if m[5]:
            return chr(int(m[5], 8))
        return _SIMPLE.get(m[6], m[6])

    decoded = _BACKSLASH.sub(one, text)
    try:  # \ud83d\ude00: a surrogate pair, as JSON writes characters beyond the BMP
        return decoded.encode("utf-16", "surrogatepass").decode("utf-16")
    except UnicodeError:
        return decoded


def _fold(text: str) -> str:
    if text.isascii():
        return text
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", text)).translate(_DASHES)


_STEPS = (
    ("backslash escapes", lambda t: _unbackslash(t) if "\\" in t else t),
    ("HTML entities", lambda t: html.unescape(t) if "&" in t else t),
    ("percent-encoding", lambda t: unquote(t) if "%" in t else t),
    ("terminal colour codes", lambda t: _ANSI.sub("", t) if "\x1b" in t else t),
    ("Unicode look-alikes", _fold),
)


def unescape(text: str) -> tuple[str, str] | None:
    """(the text with every escape undone, what was undone), or None when nothing changes."""
    if not _TRIGGER.search(text):
        return None
    undone: list[str] = []
    current = text
    for _ in range(DEPTH):
        before = current
        for name, step in _STEPS:
            after = step(current)
            if after != current:
                current = after
                if name not in undone:
                    undone.append(name)
        if current == before:
            break
    if current == text:
        return None
    return current, ", ".join(undone)


# --- payloads -----------------------------------------------------------------------------------

# Base64 (either alphabet), in lines of 16+ characters broken by newlines or JSON's \n, ending
# in a line of SHORTEST+; and hex of 16+ bytes.
_BASE64 = re.compile(
    r"(?<![A-Za-z0-9+/_-])(?:[A-Za-z0-9+/_-]{16,}(?:\\r\\n|\\n|\r?\n))*"
    rf"[A-Za-z0-9+/_-]{{{SHORTEST},}}={{0,2}}"
)
_BREAKS = re.compile(r"\\r|\\n|[\r\n=]")
_HEX = re.compile(r"(?<![0-9A-Fa-f])[0-9A-Fa-f]{32,}(?![0-9A-Fa-f])")
_NOT_HEX = re.compile(r"[^0-9A-Fa-f]")
_URL_SAFE = bytes.maketrans(b"-_", b"+/")
ALIGNED = 256  # runs up to this long are decoded at every alignment, longer ones from their start


def _kinds(run: str) -> int:
    return (
        any(c.islower() for c in run)
        + any(c.isupper() for c in run)
        + any(c.isdigit() for c in run)
    )


def _b64(run: str) -> bytes | None:
    if len(run) % 4 == 1:
        run = run[:-1]
    try:
        raw = run.encode("ascii").translate(_URL_SAFE)
        return binascii.a2b_base64(raw + b"=" * (-len(raw) % 4))
    except (binascii.Error, ValueError):
        return None


def payloads(text: str) -> Iterator[tuple[int, bytes, str]]:
    """(where it starts in ``text``, the bytes, "base64" or "hex") of each payload in ``text``."""
    for m in _BASE64.finditer(text):
        run = _BREAKS.sub("", m[0])
        if not _NOT_HEX.search(run):
            continue  # hex, below
        standard, url_safe = ("+" in run or "/" in run), ("-" in run or "_" in run)
        if (standard and url_safe) or _kinds(run) < 2:
            continue  # a path, a word or an identifier, not base64
        for offset in range(4 if len(run) <= ALIGNED else 1):
            data = _b64(run[offset:])
            if data:
                yield m.start(), data, "base64"
    for m in _HEX.finditer(text):
        run = m[0]
        if run.isdigit():
            continue
        for offset in (0, 1) if len(run) % 2 else (0,):
            yield (
                m.start(),
                bytes.fromhex(run[offset : offset + (len(run) - offset) // 2 * 2]),
                "hex",
            )


# --- binary data --------------------------------------------------------------------------------

_PNG = b"\x89PNG\r\n\x1a\n"
_PDF_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\n?endstream", re.DOTALL)


def inflate(data: bytes) -> bytes | None:
    """A zlib or gzip stream inflated (at most MAX_INFLATE bytes), or None if it is not one."""
    try:
        out = zlib.decompressobj(wbits=47).decompress(data, MAX_INFLATE)
    except zlib.error:
        return None
    return out or None


def _png(data: bytes) -> Iterator[tuple[str, bytes | str]]:
    """What a PNG carries besides its pixels: every chunk but IDAT, text chunks decoded."""
    pos, raw = len(_PNG), []
    while pos + 12 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if pos + 12 + length > len(data) or not kind.isalpha():
            break  # not a chunk: the rest is kept whole, below
        body = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        name = kind.decode("latin-1")
        if kind == b"IDAT":
            continue
        raw.append(body)
        keyword, _, rest = body.partition(b"\0")
        if kind == b"tEXt":
            yield f"PNG {name} chunk", rest.decode("latin-1")
        elif kind == b"zTXt" and rest[:1] == b"\0":
            text = inflate(rest[1:])
            if text:
                yield f"PNG {name} chunk", text.decode("latin-1")
        elif kind == b"iTXt" and len(rest) >= 2:
            compressed = rest[0] == 1
            _language, _, rest = rest[2:].partition(b"\0")
            translated, _, text = rest.partition(b"\0")
            if compressed:
                text = inflate(text) or b""
            yield f"PNG {name} chunk", (translated + b"\n" + text).decode("utf-8", "replace")
        if kind == b"IEND":
            break
    raw.append(data[pos:])  # anything after the last chunk, or that is not a chunk
    yield "PNG", b"\n".join(raw)


def _pdf(data: bytes) -> Iterator[tuple[str, bytes | str]]:
    yield "PDF", data
    for m in _PDF_STREAM.finditer(data):
        inflated = inflate(m[1])
        if inflated:
            yield "PDF stream", inflated


def carried(data: bytes, depth: int = 0) -> Iterator[tuple[str, str, bool]]:
    """(how, text, is it text?) for what binary ``data`` carries: its bytes as Latin-1 (not text:
    escapes and payloads are not looked for in it), and the texts inside it."""
    parts: Iterator[tuple[str, bytes | str]]
    if data.startswith(_PNG):
        parts = _png(data)
    elif data.startswith(b"%PDF-"):
        parts = _pdf(data)
    else:
        parts = iter([("", data)])
        zlib_header = data[:1] == b"\x78" and int.from_bytes(data[:2], "big") % 31 == 0
        if depth < DEPTH and (zlib_header or data[:2] == b"\x1f\x8b"):
            inflated = inflate(data)
            if inflated:
                for how, text, textual in carried(inflated, depth + 1):
                    yield _join("zlib", how), text, textual
    for how, part in parts:
        if isinstance(part, str):
            yield how, part, True
            continue
        utf16 = _utf16_codec(part)
        if utf16:
            yield _join(how, "UTF-16"), part.decode(utf16, errors="ignore"), True
        # Text, if it decodes as UTF-8 (escapes and payloads in it are looked for); else bytes.
        try:
            yield how, part.decode("utf-8"), True
        except UnicodeDecodeError:
            yield how, part.decode("latin-1"), False


def _join(*hows: str) -> str:
    return " > ".join(h for h in hows if h)


def layers(text: str, depth: int = 0) -> Iterator[tuple[str, str]]:
    """(how, text) for ``text`` itself (how is "") and every layer it carries, how naming the
    way down, such as "base64 > PNG zTXt chunk" or "backslash escapes, terminal colour codes"."""
    yield "", text
    view = unescape(text)
    sources = [("", text)]
    if view is not None:
        yield view[1], view[0]
        sources.append((view[1], view[0]))
    if depth >= DEPTH:
        return
    seen: set[bytes] = set()
    for how, source in sources:
        for _, data, kind in payloads(source):
            if data in seen:
                continue
            seen.add(data)
            for inner_how, inner, textual in carried(data, depth + 1):
                label = _join(how, kind, inner_how)
                if textual:
                    for deeper_how, deeper in layers(inner, depth + 1):
                        yield _join(label, deeper_how), deeper
                else:
                    yield label, inner
