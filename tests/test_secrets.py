"""The secret scanner (scripts/scan_secrets.py): the repository is clean, planted secrets of every
kind are found wherever they hide, the project's placeholders pass, and it finds at least what
the team's before-stop hook finds.

Every fake secret here is built at run time, so this file itself stays clean.
"""

from __future__ import annotations

import base64
import json
import math
import os
import random
import re
import string
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCANNER = ROOT / "scripts" / "scan_secrets.py"
ALNUM = string.ascii_letters + string.digits

# The before-stop hook's check (/work/shared/hooks/before-stop), copied: the scanner must flag
# every line this flags.
HOOK_PARTS = [
    r"(?<![A-Za-z0-9])sk-(?:proj-|svcacct-)?[A-Za-z0-9_\-]{20,}",
    r"|(?<![A-Za-z0-9+/])[A-Za-z0-9]{70,90}AAAAA[A-Za-z0-9]{4,12}(?![A-Za-z0-9+/=])",
    r"|(?i:api[-_]?key)\s*[:=]\s*[\"'][A-Za-z0-9]{32,}[\"']",
    r"|[a-z0-9-]+-[a-z0-9]{6,}\.openai\.azure\.com",
]
HOOK = re.compile("".join(HOOK_PARTS))
HOOK_FILE = Path("/work/shared/hooks/before-stop")


# git run from a hook sets GIT_DIR and friends; the scanner and the test repos must not see them.
ENV = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}


def scanner(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(SCANNER), *args]
    return subprocess.run(command, cwd=cwd, env=ENV, capture_output=True, text=True, timeout=300)


def findings(out: str) -> list[tuple[str, int, str]]:
    """(path, line, pattern) of each finding the scanner printed."""
    rows = re.findall(r"^(.+?):(\d+): \S*\*{4}\(\d+ chars\) \((.+)\)$", out, re.MULTILINE)
    return [(path, int(line), pattern) for path, line, pattern in rows]


def rand(n: int, seed: int, alphabet: str = ALNUM) -> str:
    """A seeded random string; drawn from letters and digits, it has all three kinds."""
    rng = random.Random(seed)
    while True:
        value = "".join(rng.choice(alphabet) for _ in range(n))
        kinds = (str.islower, str.isupper, str.isdigit)
        if alphabet != ALNUM or all(any(map(kind, value)) for kind in kinds):
            return value


def entropy(value: str) -> float:
    return -sum(
        value.count(c) / len(value) * math.log2(value.count(c) / len(value)) for c in set(value)
    )


def png_base64(side: int, seed: int) -> str:
    """A real PNG of random pixels (so it does not compress), base64-encoded."""
    rng = random.Random(seed)

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    rows = b"".join(b"\0" + rng.randbytes(side * 3) for _ in range(side))
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
    return base64.b64encode(png + chunk(b"IEND", b"")).decode()


def host(name: str, domain: str = "openai") -> str:
    return name + "." + domain + ".azure.com"


# Fakes of every kind the scanner knows; planted_files says where each hides, and as what it
# must be reported.
OPENAI_KEY = "sk-" + "proj-" + rand(48, 1)
SERVICE_KEY = "sk-" + "svcacct-" + rand(40, 2)
ADMIN_KEY = "sk-" + "admin-" + rand(40, 3)
LEGACY_KEY = "sk-" + rand(48, 4)
AZURE_HEX_KEY = rand(32, 5, string.hexdigits[:16])
AZURE_LONG_KEY = rand(52, 6).upper() + "JQQJ99BAACYeBjFXJ3w3" + "AAAAA" + "COGxY7z"
TOKEN = rand(40, 7)
ORG_ID = "org-" + rand(24, 8)
PROJECT_ID = "proj_" + rand(24, 9)
ORG_HEADER_VALUE = "user-" + rand(20, 10)
REAL_HOST = host("acme-prod-eastus2")
COGNITIVE_HOST = host("fabrikam42", "cognitiveservices")
FOUNDRY_HOST = host("Tailspin-AI", "services.ai")
AWS_KEY = "AKIA" + rand(16, 11, string.ascii_uppercase + string.digits)
GITHUB_TOKEN = "ghp_" + rand(36, 12)
PASSWORD = rand(20, 13)
RANDOM_TOKEN = rand(40, 15)
RANDOM_HEX = rand(40, 16, "0123456789abcdef")
PRIVATE_KEY_HEADER = "-----BEGIN RSA " + "PRIVATE KEY-----"


def planted_files(tmp: Path) -> list[tuple[Path, str, str]]:
    """Write files that hide fakes; return (file, fake, expected pattern) for each."""
    cases: list[tuple[Path, str, str]] = []

    notebook = tmp / "lesson.ipynb"
    source = ["from openai import OpenAI\n", f'client = OpenAI(api_key="{OPENAI_KEY}")\n']
    outputs = [
        {"output_type": "stream", "name": "stdout", "text": [f"key {SERVICE_KEY}\n", "done\n"]},
        {
            "output_type": "execute_result",
            "execution_count": 1,
            "metadata": {},
            "data": {"text/plain": [f"{{'Authorization': 'Bearer {TOKEN}'}}"]},
        },
        {
            "output_type": "display_data",
            "metadata": {},
            "data": {
                "image/png": png_base64(30, 1),
                "text/plain": [f"endpoint https://{REAL_HOST}/openai/v1/"],
            },
        },
        {
            "output_type": "error",
            "ename": "PermissionDeniedError",
            "evalue": f"organization {ORG_ID} has no access",
            "traceback": [],
        },
    ]
    cell = {
        "cell_type": "code",
        "execution_count": 1,
        "id": "a1b2c3d4",
        "metadata": {},
        "source": source,
        "outputs": outputs,
    }
    nb = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    notebook.write_text(json.dumps(nb, indent=1))
    cases += [
        (notebook, OPENAI_KEY, "OpenAI API key"),
        (notebook, SERVICE_KEY, "OpenAI API key"),
        (notebook, TOKEN, "Bearer token"),
        (notebook, REAL_HOST.split(".")[0] + ".", "Azure resource host"),
        (notebook, ORG_ID, "OpenAI organization id"),
    ]

    recording = tmp / "lesson.json"
    interaction = {
        "request": {
            "method": "POST",
            "path": "/responses",
            "query": {},
            "body": {"model": "gpt-5.4-mini", "input": f"call https://{COGNITIVE_HOST}/ for me"},
        },
        "response": {
            "status": 200,
            "headers": {
                "content-type": "application/json",
                "openai-organization": ORG_HEADER_VALUE,
                "openai-project": PROJECT_ID,
                "api-key": AZURE_HEX_KEY,
            },
            "body": {
                "id": "resp_" + rand(48, 14, "0123456789abcdef"),
                "output_text": f"Your key is:\n{LEGACY_KEY}\nKeep it safe.",
            },
        },
    }
    stream = {
        "request": {"method": "POST", "path": "/responses", "query": {}, "body": {"stream": True}},
        "response": {
            "status": 200,
            "headers": {"content-type": "text/event-stream"},
            "events": [{"event": "delta", "data": {"type": "delta", "delta": AZURE_LONG_KEY}}],
        },
    }
    doc = {"format": 1, "meta": {}, "interactions": [interaction, stream]}
    recording.write_text(json.dumps(doc, indent=2, sort_keys=True))
    cases += [
        (recording, COGNITIVE_HOST.split(".")[0] + ".", "Azure resource host"),
        (recording, ORG_HEADER_VALUE, "OpenAI organization/project header"),
        (recording, PROJECT_ID, "OpenAI project id"),
        (recording, AZURE_HEX_KEY, "Key or secret assignment"),
        (recording, LEGACY_KEY, "OpenAI API key"),
        (recording, AZURE_LONG_KEY, "Azure OpenAI key"),
    ]

    env = tmp / "settings.env"
    env.write_text(
        f"AZURE_OPENAI_API_KEY={AZURE_HEX_KEY}\nAZURE_OPENAI_ENDPOINT=https://{FOUNDRY_HOST}/\n"
    )
    cases += [
        (env, AZURE_HEX_KEY, "Key or secret assignment"),
        (env, FOUNDRY_HOST.split(".")[0] + ".", "Azure resource host"),
    ]

    notes = tmp / "notes.md"
    notes.write_text(f'curl -H "Authorization: Bearer {ADMIN_KEY}" https://api.openai.com/v1\n')
    cases.append((notes, ADMIN_KEY, "OpenAI API key"))

    others = tmp / "other_credentials.py"
    others.write_text(
        f'AWS_ACCESS_KEY_ID = "{AWS_KEY}"\n'
        f'token = "{GITHUB_TOKEN}"\n'
        f'password = "{PASSWORD}"\n'
        f'WEBHOOK_TOKEN = "{RANDOM_TOKEN}"\n'
        f'BUILD_SALT = "{RANDOM_HEX}"\n'
        f'KEY = """\n{PRIVATE_KEY_HEADER}\n"""\n'
    )
    cases += [
        (others, AWS_KEY, "detect-secrets: AWS Access Key"),
        (others, GITHUB_TOKEN, "detect-secrets: GitHub Token"),
        (others, PASSWORD, "detect-secrets: Secret Keyword"),
        (others, RANDOM_TOKEN, "detect-secrets: Base64 High Entropy String"),
        (others, RANDOM_HEX, "detect-secrets: Hex High Entropy String"),
        (others, PRIVATE_KEY_HEADER, "detect-secrets: Private Key"),
    ]
    return cases


def line_of(path: Path, text: str) -> int:
    for number, line in enumerate(path.read_text().split("\n"), 1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} is not in {path}")


def test_the_repository_is_clean():
    result = scanner()
    assert result.returncode == 0, "secrets in files git tracks:\n" + result.stdout + result.stderr
    assert re.fullmatch(r"scan_secrets: no secrets in \d+ files \([\d.]+ s\)\n", result.stdout)


def test_planted_secrets_are_found_and_masked(tmp_path):
    cases = planted_files(tmp_path)
    files = sorted({str(path) for path, _, _ in cases})
    result = scanner(*files)
    assert result.returncode == 1, result.stdout + result.stderr
    found = findings(result.stdout)
    for path, fake, pattern in cases:
        spot = (str(path), line_of(path, fake), pattern)
        assert spot in found, f"{spot} not reported:\n{result.stdout}"
    for _, fake, _ in cases:
        assert fake.rstrip(".") not in result.stdout, "the scanner printed a secret"
    # one finding per value and line: the admin key is not also reported as a Bearer token
    assert len(found) == len(set(found))
    assert sum(1 for f in found if f[0] == str(tmp_path / "notes.md")) == 1
    assert "files (" in result.stdout.splitlines()[-1]


def test_prefilter_changes_no_finding(tmp_path):
    planted_files(tmp_path)
    placeholder_files(tmp_path)
    files = sorted(str(p) for p in tmp_path.iterdir())
    fast, slow = scanner(*files), scanner("--no-prefilter", *files)
    assert fast.returncode == slow.returncode == 1
    assert findings(fast.stdout) == findings(slow.stdout)
    assert any(pattern.startswith("detect-secrets") for _, _, pattern in findings(fast.stdout))


def placeholder_files(tmp: Path) -> list[Path]:
    """Files with what the project writes on purpose: placeholders, ids, images."""
    docs = tmp / "placeholders.md"
    docs.write_text(
        "\n".join(
            [
                "OPENAI_API_KEY=sk-...",
                'client = OpenAI(api_key="sk-...")',
                'client = OpenAI(api_key="sk-test")',
                'OPENAI_API_KEY="sk-illustrative"',
                'api_key = "sk-fake-key"',
                'api_key = "Fake-Key-0001"',
                'REPLAY_API_KEY = "replay-needs-no-key"',
                "AZURE_OPENAI_API_KEY=...",
                "api-key: <your-key>",
                "AZURE_OPENAI_ENDPOINT=https://<your-resource>.openai.azure.com",
                "https://" + host("x") + "/openai/v1/responses",
                "https://" + host("example") + " and https://" + host("contoso"),
                "https://" + host("{resource}") + " https://" + host("YOUR-RESOURCE"),
                "https://" + host("${AZURE_RESOURCE}", "cognitiveservices"),
                'client = OpenAI(organization="org-fakefakefake")',
                '"openai-organization": "org-fakefakefake"',
                "OpenAI-Organization: org-...",
                "Authorization: Bearer sk-...",
                "Authorization: Bearer <token>",
                "Authorization: Bearer $OPENAI_API_KEY",
                'headers = {"Authorization": f"Bearer {key}"}',
                "Bearer YOUR_API_KEY_GOES_RIGHT_HERE_PLEASE",
                # decoded, these are still placeholders, ids, hashes and prose
                "https://<your-resource>.openai.azure.us/openai/v1/ (Azure Government)",
                "https://<apim-name>.azure-api.net/openai/v1/ and https://{apim}.azure-api.net",
                "&lt;your-resource&gt;.openai.azure.com, &#60;your-key&#62;",
                "https://example.com/search?q=a%20b%2Fc&lang=en",
                "GPT\u20115 answers \u2013 quickly \u2014 in \uff11 second",
                "git commit " + rand(40, 24, "0123456789abcdef"),
                "uuid 123e4567-e89b-12d3-a456-426614174000",
                "sha256:" + rand(64, 25, "0123456789abcdef"),
                '"text": "caf\\u00e9 \\u2014 na\\u00efve \\u001b[1mbold\\u001b[0m"',
            ]
        )
        + "\n"
    )
    rng = random.Random(20)
    call_id = "call_" + "".join(rng.sample(ALNUM, 24))
    file_id = "file-" + "".join(rng.sample(ALNUM, 22))
    path = "/responses/resp_" + rand(48, 23, "0123456789abcdef") + "/input_items"
    assert min(map(entropy, [call_id, file_id, path])) > 4.5  # what trips the entropy plugin
    fernet = "gAAAAAB" + base64.urlsafe_b64encode(rng.randbytes(600)).decode()
    small_png, big_png = png_base64(8, 2), png_base64(40, 3)
    assert len(small_png) < 1000 < len(big_png)
    body = {
        "id": "resp_" + rand(48, 21, "0123456789abcdef"),
        "output": [
            {"id": "rs_" + rand(48, 22, "0123456789abcdef"), "encrypted_content": fernet},
            {"id": call_id, "type": "function_call", "arguments": "{}"},
            {"type": "image_generation_call", "result": big_png},
            {"type": "message", "content": [{"annotations": [{"file": file_id}]}]},
        ],
    }
    recording = tmp / "placeholders.json"
    figure = png_with(b"tEXt", b"Software\0Matplotlib version3.10.0, https://matplotlib.org/")
    report = pdf_with(b"Build report: 441 tests passed in 41 s")
    request = {
        "input": [
            {"type": "input_image", "image_url": "data:image/png;base64," + small_png},
            {"type": "input_image", "image_url": "data:image/png;base64," + b64(figure)},
            {"type": "input_file", "file_data": "data:application/pdf;base64," + b64(report)},
        ]
    }
    interaction = {"request": {"path": path, "body": request}, "response": {"body": body}}
    recording.write_text(json.dumps({"interactions": [interaction]}, indent=2, sort_keys=True))
    notebook = tmp / "placeholders.ipynb"
    output = {"output_type": "display_data", "metadata": {}, "data": {"image/png": small_png}}
    ids = {"output_type": "stream", "name": "stdout", "text": [body["id"] + "\n", call_id + "\n"]}
    error = {
        "output_type": "error",
        "ename": "BadRequestError",
        "evalue": "400",
        "traceback": [
            "\x1b[0;31mBadRequestError\x1b[0m: Hosted tool 'web_search' is not supported"
        ],
    }
    cell = {
        "cell_type": "code",
        "source": ["plot()"],
        "outputs": [output, ids, error],
        "metadata": {},
    }
    notebook.write_text(json.dumps({"cells": [cell], "nbformat": 4, "nbformat_minor": 5}))
    return [docs, recording, notebook]


def test_placeholders_ids_and_images_pass(tmp_path):
    files = placeholder_files(tmp_path)
    result = scanner(*map(str, files))
    assert result.returncode == 0, result.stdout + result.stderr
    for path in files:  # the hook does not flag them either
        assert not any(HOOK.search(line) for line in path.read_text().splitlines()), path


def hook_cases() -> list[str]:
    """Lines the hook flags, one or more per part of its regex, and some it does not."""
    return [
        "key = " + "sk-" + "a" * 20,
        "sk-" + "_" * 20,
        "x = '" + "sk-" + "proj-" + rand(30, 30) + "'",
        '"' + "sk-" + "svcacct-" + rand(30, 31) + '"',
        "AZURE=" + rand(70, 32) + "AAAAA" + "abcd",
        "k: " + "Q" * 90 + "AAAAA" + rand(12, 33),
        "api_key = '" + rand(32, 34) + "'",
        "API-KEY:" + '"' + "f" * 40 + '"',
        'xapikey="' + rand(33, 35) + '"',
        "https://" + host("your-resource"),
        "https://" + host("example-resource") + "/",
        "AB_" + host("cd-abcdef"),
        host("RES-12-345678"),
        host("ab--123456"),
        "https://<your-resource>.openai.azure.com",
        "sk-...",
    ]


def test_the_scanner_flags_every_line_the_hook_flags(tmp_path):
    lines = hook_cases()
    cases = tmp_path / "hook_cases.txt"
    cases.write_text("\n".join(lines) + "\n")
    files = [cases] + sorted({path for path, _, _ in planted_files(tmp_path)})
    result = scanner(*map(str, files))
    flagged = {(path, line) for path, line, _ in findings(result.stdout)}
    hook_hits = [
        (str(path), number)
        for path in files
        for number, line in enumerate(path.read_text().split("\n"), 1)
        if HOOK.search(line)
    ]
    assert len([hit for hit in hook_hits if hit[0] == str(cases)]) == len(lines) - 2
    missed = [hit for hit in hook_hits if hit not in flagged]
    assert not missed, f"the hook flags these and the scanner does not: {missed}"


@pytest.mark.skipif(not HOOK_FILE.exists(), reason="the team's hook is not on this machine")
def test_the_hook_copy_is_current():
    text = HOOK_FILE.read_text()
    for part in HOOK_PARTS:
        assert part in text, f"the before-stop hook changed; update HOOK_PARTS: {part}"


def test_git_modes_tracked_and_all(tmp_path):
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, env=ENV, check=True, capture_output=True)

    git("init", "-q")
    (tmp_path / ".gitignore").write_text("ignored.txt\n")
    (tmp_path / "tracked.md").write_text("clean\n")
    git("add", ".gitignore", "tracked.md")
    (tmp_path / "untracked.md").write_text(f"key {OPENAI_KEY}\n")
    (tmp_path / "ignored.txt").write_text(f"key {OPENAI_KEY}\n")
    (tmp_path / "image.png").write_bytes(base64.b64decode(png_base64(4, 1)))
    git("add", "image.png")

    tracked = scanner(cwd=tmp_path)
    assert tracked.returncode == 0, tracked.stdout
    assert "no secrets in 3 files" in tracked.stdout  # the PNG is read too

    everything = scanner("--all", cwd=tmp_path)
    assert everything.returncode == 1
    assert [(p, n) for p, n, _ in findings(everything.stdout)] == [("untracked.md", 1)]


def test_outside_git_without_files_is_a_clear_error(tmp_path):
    result = scanner(cwd=tmp_path)
    assert result.returncode == 2
    assert "not in a git repository" in result.stderr


# --- Secrets hidden by an encoding or a file format: each is decoded, then matched -------------


def png_with(kind: bytes, data: bytes) -> bytes:
    """A small valid PNG with one extra chunk (tEXt, zTXt, iTXt) before its pixels."""

    def chunk(name: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + name + body + struct.pack(">I", zlib.crc32(name + body))
        )

    png = base64.b64decode(png_base64(4, 40))
    return png[:33] + chunk(kind, data) + png[33:]  # after the signature and IHDR


def pdf_with(text: bytes) -> bytes:
    """A small PDF whose page content (compressed, as PDFs write it) shows ``text``."""
    stream = zlib.compress(b"BT /F1 12 Tf 72 712 Td (" + text + b") Tj ET")
    return (
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n4 0 obj\n<< /Length "
        + str(len(stream)).encode()
        + b" /Filter /FlateDecode >>\nstream\n"
        + stream
        + b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def notebook_with(source: str, *outputs: dict) -> str:
    cell = {"cell_type": "code", "execution_count": 1, "id": "c0ffee00", "metadata": {},
            "source": source, "outputs": list(outputs)}  # fmt: skip
    return json.dumps(
        {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1
    )


def recording_with(request_body: dict) -> str:
    interaction = {
        "request": {"method": "POST", "path": "/responses", "query": {}, "body": request_body},
        "response": {"status": 200, "headers": {}, "body": {"id": "resp_1"}},
    }
    return json.dumps({"format": 1, "meta": {}, "interactions": [interaction]}, indent=2)


def jwt(seed: int) -> str:
    def part(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    header, claims = {"alg": "RS256", "typ": "JWT"}, {"sub": rand(12, seed), "aud": "api"}
    return f"{part(header)}.{part(claims)}.{rand(86, seed + 1, ALNUM + '-_')}"


K = OPENAI_KEY
ANTHROPIC_KEY = "sk-" + "ant-" + "api03-" + rand(93, 41, ALNUM + "-_")
GITHUB_PAT = "github_" + "pat_" + rand(22, 42) + "_" + rand(59, 43)
TOKEN_JWT = jwt(44)
NB_OUTPUT = {"output_type": "stream", "name": "stdout"}

# (id, file name, content (str: UTF-8; bytes as they are), the fake, the pattern, how it hid,
# text on the line it is reported on: None for line 0, the file's name or a binary file)
HIDDEN = [
    ("Azure 32-hex key printed in a notebook output", "lesson.ipynb",
     notebook_with('import os\nprint(os.environ["AZURE_OPENAI_API_KEY"])',
                   {**NB_OUTPUT, "text": [AZURE_HEX_KEY + "\n"]}),
     AZURE_HEX_KEY, "Azure OpenAI key (32 hex digits)", "", AZURE_HEX_KEY),
    ("sk-proj- key after ANSI colour codes in a traceback", "lesson.ipynb",
     notebook_with("connect()", {"output_type": "error", "ename": "AuthenticationError", "evalue": "401",
                                 "traceback": [f"\x1b[0;31mAuthenticationError\x1b[0m: key=\x1b[1;32m{K}\x1b[0m"]}),
     K, "OpenAI API key", "terminal colour codes", "AuthenticationError\\u001b"),
    ("key in a PNG tEXt chunk", "figure.png", png_with(b"tEXt", b"Comment\0" + K.encode()),
     K, "OpenAI API key", "PNG tEXt chunk", None),
    ("key in a compressed PNG zTXt chunk", "figure.png",
     png_with(b"zTXt", b"Comment\0\0" + zlib.compress(K.encode())), K, "OpenAI API key",
     "PNG zTXt chunk", None),
    ("key in a compressed PNG iTXt chunk", "figure.png",
     png_with(b"iTXt", b"Comment\0\1\0en\0\0" + zlib.compress(K.encode())), K, "OpenAI API key",
     "PNG iTXt chunk", None),
    ("UTF-16 file with a byte-order mark", "notes.txt", f"OPENAI_API_KEY={K}\n".encode("utf-16"),
     K, "OpenAI API key", "UTF-16 text", "OPENAI_API_KEY"),
    ("UTF-16 file without a byte-order mark", "notes.txt",
     f"# settings\nOPENAI_API_KEY={K}\n".encode("utf-16-le"), K, "OpenAI API key", "UTF-16 text",
     "OPENAI_API_KEY"),
    ("fully \\uXXXX-escaped key in a JSON file", "data.json",
     '{"note": "' + "".join(f"\\u{ord(c):04x}" for c in K) + '"}\n', K, "OpenAI API key",
     "backslash escapes", "note"),
    ("Azure host in capitals", "notes.md", f"Endpoint: HTTPS://{REAL_HOST.upper()}/\n",
     REAL_HOST.split(".")[0].upper(), "Azure resource host", "", "Endpoint"),
    ("AZURE_OPENAI_SECRET=<32 hex>", "settings.env", f"AZURE_OPENAI_SECRET={AZURE_HEX_KEY}\n",
     AZURE_HEX_KEY, "Key or secret assignment", "", "AZURE_OPENAI_SECRET"),
    ("key in a base64 PDF data URL in a recording", "lesson.json",
     recording_with({"input": [{"type": "input_file", "filename": "report.pdf",
                                "file_data": "data:application/pdf;base64," + b64(pdf_with(K.encode()))}]}),
     K, "OpenAI API key", "base64 > PDF stream", "file_data"),
    ("key in a base64 PNG data URL in a recording", "lesson.json",
     recording_with({"input": [{"type": "input_image", "image_url": "data:image/png;base64,"
                                + b64(png_with(b"tEXt", b"Comment\0" + K.encode()))}]}),
     K, "OpenAI API key", "base64 > PNG tEXt chunk", "image_url"),
    ("key in a PNG image output", "lesson.ipynb",
     notebook_with("plot()", {"output_type": "display_data", "metadata": {}, "data": {
         "image/png": b64(png_with(b"zTXt", b"Comment\0\0" + zlib.compress(K.encode()))) + "\n",
         "text/plain": ["<Figure>"]}}),
     K, "OpenAI API key", "base64 > PNG zTXt chunk", "image/png"),
    ("hex-encoded key", "notes.md", f"payload = {K.encode().hex()}\n", K, "OpenAI API key", "hex",
     "payload"),
    ("key with %2D for its hyphens", "notes.md", f"url?key={K.replace('-', '%2D')}\n", K,
     "OpenAI API key", "percent-encoding", "url?key"),
    ("key with &#45; for its hyphens", "page.html", f"<code>{K.replace('-', '&#45;')}</code>\n", K,
     "OpenAI API key", "HTML entities", "<code>"),
    ("key with non-breaking hyphens", "notes.md", f"key: {K.replace('-', chr(0x2011))}\n", K,
     "OpenAI API key", "Unicode look-alikes", "key:"),
    ("key in a file name", f"backup-{K}.txt", "nothing to see\n", K, "OpenAI API key",
     "the file's name", None),
    ("Azure Government host (.openai.azure.us)", "notes.md",
     "https://" + "contoso-gov-east" + ".openai" + ".azure.us/openai/v1/\n", "contoso-gov-east",
     "Azure resource host", "", "https"),
    ("API Management host (*.azure-api.net)", "notes.md",
     "https://" + "fabrikam-llm-gw" + ".azure-api" + ".net/openai/v1/\n", "fabrikam-llm-gw",
     "Azure resource host", "", "https"),
    ("github_pat_ token", "ci.env", f"GH={GITHUB_PAT}\n", GITHUB_PAT, "GitHub token", "", "GH="),
    ("sk-ant- token", "notes.md", f"ANTHROPIC={ANTHROPIC_KEY}\n", ANTHROPIC_KEY,
     "Anthropic API key", "", "ANTHROPIC"),
    ("JWT bearer token", "notes.md", f"Authorization: Bearer {TOKEN_JWT}\n", TOKEN_JWT,
     "JSON Web Token", "", "Bearer"),
    ("JWT bearer token inside base64", "lesson.json",
     recording_with({"input": b64(json.dumps({"Authorization": f"Bearer {TOKEN_JWT}"}).encode())}),
     TOKEN_JWT, "JSON Web Token", "base64", '"input"'),
]  # fmt: skip


@pytest.mark.parametrize("case", HIDDEN, ids=[case[0] for case in HIDDEN])
def test_a_secret_hidden_in_an_encoding_or_format_is_found(tmp_path, case):
    import scan_secrets

    _, name, content, fake, pattern, how, on_line = case
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
        text = content.decode("utf-16") if name.endswith(".txt") else ""
    else:
        path.write_text(content, encoding="utf-8")
        text = content
    found, scanned = scan_secrets.scan([str(path)])
    assert scanned == 1
    shown = "\n".join(map(str, found))
    matching = [f for f in found if f.pattern == pattern and how in getattr(f, "how", "")]
    assert matching, f"no {pattern!r} finding ({how}) in:\n{shown}"
    if on_line is None:
        expected = 0
    else:
        expected = next(n for n, line in enumerate(text.split("\n"), 1) if on_line in line)
    assert expected in {f.line for f in matching}, shown
    assert fake not in shown, "the scanner printed a secret"


def test_a_decompression_bomb_is_read_only_so_far(tmp_path):
    """A PNG whose text chunk inflates to 32 MB: at most decoding.MAX_INFLATE bytes come out of
    it, so the scan stays quick, and a key among the first ones is still found."""
    import time

    import decoding
    import scan_secrets

    packer = zlib.compressobj(9)
    bomb = packer.compress(K.encode()) + b"".join(
        packer.compress(bytes(1 << 20)) for _ in range(32)
    )
    path = tmp_path / "bomb.png"
    path.write_bytes(png_with(b"zTXt", b"Comment\0\0" + bomb + packer.flush()))
    assert decoding.MAX_INFLATE < 32 << 20 and path.stat().st_size < 100_000
    start = time.perf_counter()
    found, _ = scan_secrets.scan([str(path)])
    assert time.perf_counter() - start < 10
    assert [(f.line, f.pattern, f.how) for f in found] == [(0, "OpenAI API key", "PNG zTXt chunk")]
