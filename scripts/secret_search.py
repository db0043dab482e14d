"""Before ``make record`` saves anything: does a secret this run knows appear in the new files?

A recording keeps no request header, but a server can put anything into its answers: one that
echoes the request's headers puts the key into the answer's text, and into the response headers a
recording keeps (``content-type``, ``retry-after``, ``x-should-retry``); a cell can print
``os.environ``. The recorder knows every secret in play, so it looks for each of them in the whole
new recording and the whole new notebook, in every form it can take, and refuses to save when one
is there, saying where without printing it.

The secrets in play (``secrets_in_play``), from the environment the notebook's kernel inherits
(``.env`` included), as ``helpers.config.detect_provider`` reads it:

- the API keys: ``OPENAI_API_KEY``, ``AZURE_OPENAI_API_KEY``, ``AZURE_OPENAI_KEY``;
- the organisation and project ids: ``OPENAI_ORG_ID``, ``OPENAI_PROJECT_ID``;
- the host of ``AZURE_OPENAI_ENDPOINT`` (the resource's name), in any letter case;
- the user information of ``OPENAI_BASE_URL`` and ``AZURE_OPENAI_ENDPOINT``: the user, the
  password, and ``user:password`` as HTTP Basic authentication sends it; and the host of
  ``OPENAI_BASE_URL`` when it is a name (not an IP address, ``localhost`` or OpenAI's own);
- any other variable named like a secret (``..._KEY``, ``..._SECRET``, ``..._TOKEN``,
  ``..._PASSWORD``): the kernel inherits it, so a cell can print it.

A value of fewer than 8 characters, or a single word (a local server's ``EMPTY`` or ``anything``),
cannot be told apart from ordinary text and is not looked for on its own (a short password still
is, inside ``user:password``).

The forms each is looked for in: as it is, JSON-escaped, URL-encoded (``quote`` and
``quote_plus``), HTML-escaped, base64 (standard and URL-safe, at each of the three alignments a
value can have inside a longer encoded text), hex (any case), and hosts in any letter case. They are
looked for in every string of each file's parsed JSON (keys too), named by field path, in every
layer ``decoding.layers`` finds inside each string (escapes undone, base64 and hex payloads such
as images and PDFs decoded, their compressed text chunks and streams inflated), and in each file's
text exactly as it would be written.
"""

from __future__ import annotations

import base64
import html
import json
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus, unquote, urlsplit

from decoding import layers

KEY_VARIABLES = ("OPENAI_API_KEY", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_KEY")
ID_VARIABLES = {"OPENAI_ORG_ID": "organisation id", "OPENAI_PROJECT_ID": "project id"}
URL_VARIABLES = ("OPENAI_BASE_URL", "AZURE_OPENAI_ENDPOINT")
SECRET_NAMES = re.compile(r"(?i)(?:^|_)(?:API_?KEY|KEY|SECRET|TOKEN|PASSWORD|PASSWD)$")
SHORTEST = 8
PLACES_SHOWN = 4  # per secret; the rest are counted


@dataclass(frozen=True)
class Secret:
    name: str  # what it is and where it comes from, safe to print
    value: str
    any_case: bool = False  # a host name: DNS ignores letter case


@dataclass(frozen=True)
class Hit:
    secret: str  # Secret.name
    form: str  # "as it is", "base64", ...
    file: str
    where: str  # "interaction 2 (POST /responses): response.headers.content-type"


def _searchable(value: str) -> bool:
    """Long enough, and not a word (letters only, in one case or capitalised)."""
    word = value.isalpha() and (value.islower() or value.isupper() or value.istitle())
    return len(value) >= SHORTEST and not word


def _url_parts(variable: str, url: str) -> Iterator[Secret]:
    parts = urlsplit(url if "://" in url else f"https://{url}")
    user, password = unquote(parts.username or ""), unquote(parts.password or "")
    if user and password:
        yield Secret(f"the user and password in {variable}", f"{user}:{password}")
    if user:
        yield Secret(f"the user name in {variable}", user)
    if password:
        yield Secret(f"the password in {variable}", password)
    host = (parts.hostname or "").rstrip(".")
    if variable == "AZURE_OPENAI_ENDPOINT":
        if host:
            yield Secret(f"the host of {variable} (your resource's name)", host, any_case=True)
    elif (
        "." in host
        and not host.endswith(".openai.com")  # OpenAI's own hosts are public
        and not re.fullmatch(r"[\d.]+|[0-9a-f:]+|localhost", host)
    ):
        yield Secret(f"the host of {variable}", host, any_case=True)


def secrets_in_play(environ: Mapping[str, str] | None = None) -> list[Secret]:
    """Every secret the environment holds, as the module's docstring lists them."""
    env = os.environ if environ is None else environ
    found: list[Secret] = []
    for variable in KEY_VARIABLES:
        found.append(Secret(f"the API key in {variable}", (env.get(variable) or "").strip()))
    for variable, what in ID_VARIABLES.items():
        found.append(Secret(f"the {what} in {variable}", (env.get(variable) or "").strip()))
    for variable in URL_VARIABLES:
        url = (env.get(variable) or "").strip()
        if url:
            found += _url_parts(variable, url)
    known = {*KEY_VARIABLES, *ID_VARIABLES, *URL_VARIABLES}
    for variable in sorted(env):
        if variable not in known and SECRET_NAMES.search(variable):
            found.append(Secret(f"the value of {variable}", (env.get(variable) or "").strip()))
    unique: dict[str, Secret] = {}
    for secret in found:
        if _searchable(secret.value) or (secret.any_case and len(secret.value) >= 4):
            unique.setdefault(secret.value, secret)
    return list(unique.values())


# --- the forms a value can take ----------------------------------------------------------------


def _base64_middles(data: bytes) -> Iterator[str]:
    """The part of base64 that ``data`` gives wherever it sits in a longer byte string: after 0, 1
    or 2 bytes of something else, only the characters made of its own bits alone are certain."""
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + data).decode()
        first = -(-offset * 8 // 6)  # the first character with none of the prefix's bits
        last = (offset + len(data)) * 8 // 6  # after the last with none of what follows
        middle = encoded[first:last]
        yield middle
        yield middle.replace("+", "-").replace("/", "_")


def forms(secret: Secret) -> dict[str, str]:
    """{needle: form}: every way ``secret`` can be written that is searched for."""
    value = secret.value
    # A host is matched in any letter case; base64 and the escapes of its two common cases too.
    variants = dict.fromkeys([value, value.lower(), value.upper()] if secret.any_case else [value])
    needles: dict[str, str] = {}
    for text in variants:
        needles.setdefault(text, "as it is")
        for escaped in (json.dumps(text)[1:-1], json.dumps(text, ensure_ascii=False)[1:-1]):
            needles.setdefault(escaped, "JSON-escaped")
            needles.setdefault(escaped.replace("/", "\\/"), "JSON-escaped")
        for encoded in (quote(text, safe=""), quote(text), quote_plus(text)):
            needles.setdefault(encoded, "URL-encoded")
            needles.setdefault(
                re.sub(r"%[0-9A-F]{2}", lambda m: m[0].lower(), encoded), "URL-encoded"
            )
        needles.setdefault(html.escape(text), "HTML-escaped")
        needles.setdefault(html.escape(text, quote=False), "HTML-escaped")
        for middle in _base64_middles(text.encode()):
            if len(middle) >= SHORTEST:
                needles.setdefault(middle, "base64")
    needles.setdefault(value.encode().hex(), "hex")
    return needles


class _Needles:
    """All forms of each secret, one regex a secret (forms of two secrets can overlap: base64 of
    ``user:password`` holds the password's), case-folded for hosts and hex."""

    def __init__(self, secrets: Sequence[Secret]):
        self.each: list[tuple[Secret, re.Pattern[str], dict[str, str], bool]] = []
        for secret in secrets:
            exact, folded = {}, {}
            for needle, form in forms(secret).items():
                if form == "hex" or secret.any_case:
                    folded.setdefault(needle.lower(), form)
                else:
                    exact.setdefault(needle, form)
            for needles, fold in ((exact, False), (folded, True)):
                if needles:
                    alternatives = sorted(needles, key=len, reverse=True)
                    regex = re.compile("|".join(map(re.escape, alternatives)))
                    self.each.append((secret, regex, needles, fold))

    def find(self, text: str) -> Iterator[tuple[Secret, str]]:
        """(secret, form) for each secret ``text`` holds, in the first form found."""
        lowered = None
        for secret, regex, needles, fold in self.each:
            if fold and lowered is None:
                lowered = text.lower()
            m = regex.search(lowered if fold else text)
            if m:
                yield secret, needles[m[0]]


# --- where: every string of the parsed files ------------------------------------------------------


def _strings(value: Any, path: tuple = ()) -> Iterator[tuple[tuple, str]]:
    """(field path, string) for every string in a parsed JSON value, keys' names included."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for position, (key, item) in enumerate(value.items()):
            inner = (*path, (str(key), position))
            yield (*inner, None), str(key)  # None: the name itself, not the value
            yield from _strings(item, inner)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, (*path, i))


def _render(path: tuple, hides: Any) -> str:
    """``response.headers.content-type``, ``outputs[0].text[1]``; a field whose name holds a
    secret (``hides(name)``) is shown by its position instead: ``headers.<field 3>``."""
    out = ""
    for part in path:
        if part is None:
            out += " (the field's name)"
        elif isinstance(part, int):
            out += f"[{part}]"
        else:
            name, position = part
            shown = f"<field {position + 1}>" if hides(name) else name
            out += f".{shown}" if out else shown
    return out


def _places(file: str, data: Any) -> Iterator[tuple[str, tuple, str]]:
    """(what holds it, field path, string), naming interactions and cells as a learner would."""
    if file.endswith(".ipynb") and isinstance(data, dict) and isinstance(data.get("cells"), list):
        counts: dict[str, int] = {}
        for cell in data["cells"]:
            kind = cell.get("cell_type", "") if isinstance(cell, dict) else ""
            counts[kind] = counts.get(kind, 0) + 1
            for path, text in _strings(cell):
                yield f"{kind} cell {counts[kind]}: ", path, text
        data = {k: v for k, v in data.items() if k != "cells"}
    elif isinstance(data, dict) and isinstance(data.get("interactions"), list):
        for i, item in enumerate(data["interactions"], 1):
            request = item.get("request") if isinstance(item, dict) else None
            route = (
                f" ({request.get('method')} {request.get('path')})"
                if isinstance(request, dict)
                else ""
            )
            for path, text in _strings(item):
                yield f"interaction {i}{route}: ", path, text
        data = {k: v for k, v in data.items() if k != "interactions"}
    for path, text in _strings(data):
        yield "", path, text


def _shown(path: Path | str) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def search(files: Mapping[Path | str, str], secrets: Sequence[Secret]) -> list[Hit]:
    """Where each secret appears in these files (path -> the text about to be written)."""
    if not secrets:
        return []
    needles = _Needles(secrets)
    hits: dict[tuple[str, str, str], Hit] = {}
    for path, text in files.items():
        file = _shown(path)
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        places = list(_places(file, data)) if data is not None else []

        def hides(name: str) -> bool:
            return any(True for _ in needles.find(name))

        for holder, path, string in places:
            for how, layer in layers(string):
                for secret, form in needles.find(layer):
                    where = holder + _render(path, hides)
                    label = f"{form}, inside {how}" if how else form
                    hits.setdefault(
                        (secret.name, file, where), Hit(secret.name, label, file, where)
                    )
        for secret, form in needles.find(text):  # the file exactly as it would be written
            if not any(h.secret == secret.name and h.file == file for h in hits.values()):
                hits.setdefault(
                    (secret.name, file, "its text"), Hit(secret.name, form, file, "its text")
                )
    return list(hits.values())


def report(hits: Sequence[Hit]) -> str:
    """One message: which secrets, where (never what they are), and what to do."""
    names = list(dict.fromkeys(h.secret for h in hits))
    lines = [
        f"the new files hold {len(names)} secret{'s' if len(names) > 1 else ''} this run knows, "
        "so nothing was saved (the values are never shown):"
    ]
    for name in names:
        mine = [h for h in hits if h.secret == name]
        lines.append(f"  {name}, found in {len(mine)} place{'s' if len(mine) > 1 else ''}:")
        for hit in mine[:PLACES_SHOWN]:
            lines.append(f"    {hit.file}, {hit.where} ({hit.form})")
        if len(mine) > PLACES_SHOWN:
            lines.append(f"    and {len(mine) - PLACES_SHOWN} more")
    lines.append(
        "Either a cell printed it (remove what shows os.environ, a key or a client's settings), "
        "or the server put it into its answers, as a proxy or test server that echoes the "
        "request's headers does: record against the provider itself, then run make record again."
    )
    return "\n".join(lines)


def check(files: Mapping[Path | str, str], environ: Mapping[str, str] | None = None) -> str | None:
    """The message to refuse with when a secret in play appears in ``files``; None when none does."""
    hits = search(files, secrets_in_play(environ))
    return report(hits) if hits else None
