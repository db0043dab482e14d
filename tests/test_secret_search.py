"""scripts/secret_search.py: which secrets a recording run knows, every form each is found in, where
it is reported, and that the course's own files hold none of them.

Every fake secret is built at run time, so no literal here looks like one.
"""

from __future__ import annotations

import base64
import gzip
import html
import json
import struct
import time
import zlib
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from secret_search import Secret, check, report, search, secrets_in_play

REPO = Path(__file__).resolve().parent.parent
KEY = Secret("the API key in OPENAI_API_KEY", "sk-" + "proj-" + "Kq3" * 16)
AZURE = ".openai" + ".azure.com"
HEX = "0f1e2d3c" * 4  # 32 hex digits, as an Azure key
HOST = Secret("the host of AZURE_OPENAI_ENDPOINT", "acme-prod-eastus2" + AZURE, True)
# Every character that an encoding changes: space, quote, backslash, & < @ / : =
PASSWORD = Secret("the password in OPENAI_BASE_URL", 'p@ss/w:rd&x=1 "q\\<' + "Zz9" * 3)


def recording(text: str = "", headers: dict | None = None, request: dict | None = None) -> str:
    """A recording whose one answer says ``text``."""
    answer = {"output": [{"type": "message", "content": [{"type": "output_text", "text": text}]}]}
    interaction = {
        "request": {"method": "POST", "path": "/responses", "query": {}, "body": request or {}},
        "response": {"status": 200, "headers": headers or {}, "body": answer},
    }
    return json.dumps({"format": 1, "meta": {}, "interactions": [interaction]}, indent=2)


def notebook(*outputs: dict) -> str:
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": "# A lesson"},
        {"cell_type": "code", "metadata": {}, "source": "print(1)", "outputs": [], "execution_count": 1},
        {"cell_type": "code", "metadata": {}, "source": "run()", "outputs": list(outputs), "execution_count": 2},
    ]  # fmt: skip
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def stdout(text: str) -> dict:
    return {"output_type": "stream", "name": "stdout", "text": [text]}


def png(chunk_kind: bytes, chunk_data: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(chunk_kind, chunk_data)
        + chunk(b"IDAT", zlib.compress(b"\0\0\0\0"))
        + chunk(b"IEND", b"")
    )


def pdf(content: bytes) -> bytes:
    stream = zlib.compress(content)
    return (
        b"%PDF-1.4\n1 0 obj\n<< /Length "
        + str(len(stream)).encode()
        + b" /Filter /FlateDecode >>\nstream\n"
        + stream
        + b"\nendstream\nendobj\n%%EOF\n"
    )


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


K = KEY.value
RECORDING = "notebooks/recordings/lesson.json"
NOTEBOOK = "notebooks/lesson.ipynb"
ANSWER = "interaction 1 (POST /responses): response.body.output[0].content[0].text"

# (id, secret, file, text, where it is reported, the form reported)
CASES = [
    ("raw in a kept header", KEY, RECORDING, recording(headers={"content-type": f"a/b; k={K}"}),
     "interaction 1 (POST /responses): response.headers.content-type", "as it is"),
    ("raw in a field's name", KEY, RECORDING, recording(headers={K: "1"}),
     "interaction 1 (POST /responses): response.headers.<field 1> (the field's name)", "as it is"),
    ("every character \\u-escaped", KEY, RECORDING,
     recording("".join(f"\\u{ord(c):04x}" for c in K)), ANSWER, "as it is, inside backslash escapes"),
    ("JSON-escaped inside a JSON string", PASSWORD, RECORDING,
     recording(json.dumps({"pw": PASSWORD.value})), ANSWER, "JSON-escaped"),
    ("URL-encoded", PASSWORD, RECORDING,
     recording("https://x.example/?p=" + quote(PASSWORD.value)),
     ANSWER, "URL-encoded"),
    ("URL-encoded with plus for space", PASSWORD, RECORDING,
     recording("p=" + quote_plus(PASSWORD.value)), ANSWER,
     "URL-encoded"),
    ("HTML-escaped", PASSWORD, RECORDING,
     recording("<td>" + html.escape(PASSWORD.value) + "</td>"), ANSWER, "HTML-escaped"),
    ("HTML numeric entities", KEY, RECORDING, recording(K.replace("-", "&#45;")), ANSWER,
     "as it is, inside HTML entities"),
    ("percent-encoded hyphens", KEY, RECORDING, recording(K.replace("-", "%2D")), ANSWER,
     "as it is, inside percent-encoding"),
    ("base64, aligned", KEY, RECORDING, recording(b64(K.encode())), ANSWER, "base64"),
    ("base64 after 1 byte", KEY, RECORDING, recording(b64(b":" + K.encode())), ANSWER, "base64"),
    ("base64 after 2 bytes", KEY, RECORDING, recording(b64(b"k=" + K.encode())), ANSWER, "base64"),
    ("URL-safe base64", PASSWORD, RECORDING,
     recording(base64.urlsafe_b64encode(b"?" + PASSWORD.value.encode()).decode()), ANSWER,
     "base64"),
    ("hex", KEY, RECORDING, recording(K.encode().hex()), ANSWER, "hex"),
    ("hex in capitals", KEY, RECORDING, recording(K.encode().hex().upper()), ANSWER, "hex"),
    ("a host in capitals", HOST, RECORDING, recording(f"GET HTTPS://{HOST.value.upper()}/"), ANSWER,
     "as it is"),
    ("after terminal colour codes", KEY, NOTEBOOK,
     notebook({"output_type": "error", "ename": "E", "evalue": "x",
               "traceback": [f"\x1b[0;31mKeyError\x1b[0m: '{K[:3]}\x1b[1;31m{K[3:]}\x1b[0m'"]}),
     "code cell 2: outputs[0].traceback[0]", "as it is, inside terminal colour codes"),
    ("with non-breaking hyphens", KEY, NOTEBOOK, notebook(stdout(K.replace("-", "\u2011"))),
     "code cell 2: outputs[0].text[0]", "as it is, inside Unicode look-alikes"),
    ("in a PNG zTXt chunk of an image output", KEY, NOTEBOOK,
     notebook({"output_type": "display_data", "metadata": {},
               "data": {"image/png": b64(png(b"zTXt", b"Comment\0\0" + zlib.compress(K.encode())))}}),
     "code cell 2: outputs[0].data.image/png", "as it is, inside base64 > PNG zTXt chunk"),
    ("in a PNG tEXt chunk of a data URL", KEY, RECORDING,
     recording(request={"input": "data:image/png;base64," + b64(png(b"tEXt", b"Key\0" + K.encode()))}),
     "interaction 1 (POST /responses): request.body.input", "base64"),
    ("in a PDF's compressed stream, as a data URL", KEY, RECORDING,
     recording(request={"file_data": "data:application/pdf;base64," + b64(pdf(b"(" + K.encode() + b") Tj"))}),
     "interaction 1 (POST /responses): request.body.file_data",
     "as it is, inside base64 > PDF stream"),
    ("gzip inside base64", KEY, RECORDING, recording(b64(gzip.compress(K.encode() * 3))), ANSWER,
     "as it is, inside base64 > zlib"),
    ("UTF-16 inside base64", KEY, RECORDING, recording(b64(K.encode("utf-16-le"))), ANSWER,
     "as it is, inside base64 > UTF-16"),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_a_secret_is_found_in_every_form_and_named_by_where_it_is(case):
    _, secret, file, text, where, form = case
    hits = search({file: text}, [secret])
    assert [(h.secret, h.file, h.where, h.form) for h in hits] == [
        (secret.name, file, where, form)
    ], hits
    message = report(hits)
    assert secret.value not in message and where in message


def test_the_same_text_without_the_secret_is_clean():
    for _, secret, file, text, _, _ in CASES:
        other = Secret(secret.name, secret.value[::-1], secret.any_case)
        assert search({file: text}, [other]) == [], file


def _committed() -> dict[str, str]:
    files = sorted((REPO / "notebooks").glob("*.ipynb")) + sorted(
        (REPO / "notebooks" / "recordings").glob("*.json")
    )
    return {str(p.relative_to(REPO)): p.read_text() for p in files}


def test_the_committed_notebooks_and_recordings_hold_none_of_a_runs_secrets():
    """No false alarm on the course's own files: images, PDFs, ids, the illustrative fake key."""
    env = {
        "OPENAI_API_KEY": "sk-illustrative",  # what make illustrate records with
        "AZURE_OPENAI_API_KEY": HEX,
        "AZURE_OPENAI_ENDPOINT": "https://acme-prod-eastus2" + AZURE,
        "OPENAI_ORG_ID": "org-" + "Q7Zp" * 6,
        "OPENAI_PROJECT_ID": "proj_" + "T4xW" * 6,
        "OPENAI_BASE_URL": "http://learner:" + "Pa55word9@litellm.internal.example:4000/v1",
    }
    files = _committed()
    start = time.perf_counter()
    assert check(files, env) is None
    seconds = time.perf_counter() - start
    assert seconds < 10, f"{seconds:.1f} s to search {len(files)} files"


def test_secrets_in_play_are_every_credential_the_kernel_inherits():
    env = {
        "OPENAI_API_KEY": "sk-" + "abc123" * 4,
        "AZURE_OPENAI_KEY": "f" * 16 + "0" * 16,
        "AZURE_OPENAI_ENDPOINT": "https://Acme-Prod" + AZURE + "/",
        "OPENAI_ORG_ID": "org-" + "Q7Zp" * 6,
        "OPENAI_PROJECT_ID": "proj_" + "T4xW" * 6,
        "OPENAI_BASE_URL": "http://learner:" + "p%40ss@litellm.internal.example:4000/v1",
        "GITHUB_TOKEN": "ghp_" + "x1" * 18,
        "TUTORIAL_MAX_TOKENS": "100000",  # not named like a secret
        "HOME": "/home/learner",
    }
    found = {s.name: (s.value, s.any_case) for s in secrets_in_play(env)}
    assert found == {
        "the API key in OPENAI_API_KEY": (env["OPENAI_API_KEY"], False),
        "the API key in AZURE_OPENAI_KEY": (env["AZURE_OPENAI_KEY"], False),
        "the organisation id in OPENAI_ORG_ID": (env["OPENAI_ORG_ID"], False),
        "the project id in OPENAI_PROJECT_ID": (env["OPENAI_PROJECT_ID"], False),
        "the user and password in OPENAI_BASE_URL": ("learner:p@ss", False),
        "the host of OPENAI_BASE_URL": ("litellm.internal.example", True),
        "the host of AZURE_OPENAI_ENDPOINT (your resource's name)": ("acme-prod" + AZURE, True),
        "the value of GITHUB_TOKEN": (env["GITHUB_TOKEN"], False),
    }  # fmt: skip
    # "learner" and "p@ss" alone are too short or a word to tell from text; together they count.


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:4000/v1",
        "http://[::1]:4000/v1",
        "http://localhost:8000/v1",
        "https://api.openai.com/v1",
        "https://eu.api.openai.com/v1",
    ],
)
def test_a_local_or_openai_base_url_host_is_not_a_secret(url):
    assert secrets_in_play({"OPENAI_API_KEY": "sk-" + "abc123" * 4, "OPENAI_BASE_URL": url}) == [
        Secret("the API key in OPENAI_API_KEY", "sk-" + "abc123" * 4)
    ]


@pytest.mark.parametrize("value", ["EMPTY", "anything", "Anything", "sk-1234", "none"])
def test_a_word_or_a_short_value_is_not_searched_for(value):
    assert secrets_in_play({"OPENAI_API_KEY": value}) == []


def test_the_report_names_each_secret_and_place_and_never_a_value():
    text = recording(
        K, headers={"content-type": K, "retry-after": K, "x-should-retry": K, "x": K, "y": K}
    )
    hits = search({RECORDING: text}, [KEY, HOST])
    message = report(hits)
    assert message.startswith("the new files hold 1 secret this run knows, so nothing was saved")
    assert "the API key in OPENAI_API_KEY, found in 6 places:" in message
    assert "and 2 more" in message
    assert "the host" not in message
    assert K not in message
