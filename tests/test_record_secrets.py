"""`make record` against a server that echoes the request's headers back, into its answer's text and
into the response headers a recording keeps: nothing is saved, and the message says which secret
is where without printing it.

Every fake secret is built at run time, so no literal here looks like one.
"""

from __future__ import annotations

import json
import random
import string
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import nbformat
import pytest
from bodies import message, response

rng = random.Random(14)
AZURE_KEY = "".join(rng.choice("0123456789abcdef") for _ in range(32))
OPENAI_KEY = "sk-" + "proj-" + "".join(rng.choice(string.ascii_letters) for _ in range(40)) + "7"
ORG = "org-" + "Echo" * 5 + "9"
PROJECT = "proj_" + "Echo" * 5 + "8"
USER = "learner" + "42"
PASSWORD = "pw" + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(14))


class _Echo(BaseHTTPRequestHandler):
    """Answers every POST with a valid response whose text is the request's headers; puts the
    Authorization header into content-type, retry-after and x-should-retry as well."""

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        self.rfile.read(int(self.headers.get("content-length") or 0))
        seen = {k.lower(): v for k, v in self.headers.items()}
        said = json.dumps(seen, sort_keys=True)
        body = json.dumps(response(message(f"Your request's headers: {said}"))).encode()
        auth = seen.get("authorization", "")
        self.send_response(200)
        self.send_header("content-type", f"application/json; echo={auth}")
        self.send_header("retry-after", auth)
        self.send_header("x-should-retry", auth)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture
def echo():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def echo_notebook(tmp_path, monkeypatch):
    notebooks = tmp_path / "notebooks"
    (notebooks / "recordings").mkdir(parents=True)
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell('from helpers import connect, model\n\nclient = connect("echo")'),
        nbformat.v4.new_code_cell(
            'answer = client.responses.create(model=model(), input="Echo my headers.")\n'
            "print(answer.output_text)"
        ),
    ]
    path = notebooks / "echo.ipynb"
    nbformat.write(nb, path)
    monkeypatch.setenv("TUTORIAL_RECORDINGS_DIR", str(notebooks / "recordings"))
    monkeypatch.setenv("TUTORIAL_DOTENV", "0")
    return path


def refused(notebook: Path, capsys) -> str:
    """Record; assert that nothing was saved and no secret was printed; return stderr."""
    from record import record

    before = notebook.read_bytes()
    status = record(notebook)
    out, err = capsys.readouterr()
    assert status == 1, f"the recording was saved:\n{out}{err}"
    assert notebook.read_bytes() == before
    assert sorted(p.name for p in notebook.parent.rglob("*")) == ["echo.ipynb", "recordings"]
    for secret in (AZURE_KEY, OPENAI_KEY, ORG, PROJECT, PASSWORD, f"{USER}:{PASSWORD}"):
        assert secret not in out + err, "the message printed a secret"
    assert "Not recorded: the new files hold" in err and "Nothing was changed" in err
    return err


def test_an_echoed_key_ids_and_azure_host_are_not_saved(echo, echo_notebook, monkeypatch, capsys):
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", f"http://{echo}")
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", AZURE_KEY)
    monkeypatch.setenv("OPENAI_ORG_ID", ORG)
    monkeypatch.setenv("OPENAI_PROJECT_ID", PROJECT)
    err = refused(echo_notebook, capsys)
    assert "the new files hold 4 secrets this run knows" in err
    recording = "recordings/echo.json, interaction 1 (POST /responses): "
    for place in (
        recording + "response.headers.content-type (as it is)",
        recording + "response.headers.retry-after (as it is)",
        recording + "response.headers.x-should-retry (as it is)",
        recording + "response.body.output[0].content[0].text (as it is)",
        "echo.ipynb, code cell 2: outputs[0].text[0] (as it is)",
    ):
        assert place in err, f"{place!r} not in:\n{err}"
    for name in (
        "the API key in AZURE_OPENAI_API_KEY, found in 5 places",
        "the organisation id in OPENAI_ORG_ID, found in 2 places",
        "the project id in OPENAI_PROJECT_ID, found in 2 places",
        "the host of AZURE_OPENAI_ENDPOINT (your resource's name), found in 2 places",
    ):
        assert name in err, f"{name!r} not in:\n{err}"


def test_an_echoed_base_url_password_is_not_saved(echo, echo_notebook, monkeypatch, capsys):
    # User information in the URL: the client sends it as HTTP Basic auth, base64 of user:password.
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://{USER}:{PASSWORD}@{echo}/v1")
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    err = refused(echo_notebook, capsys)
    for name in (
        "the user and password in OPENAI_BASE_URL, found in 5 places",
        "the password in OPENAI_BASE_URL, found in 5 places",
        "the user name in OPENAI_BASE_URL, found in 5 places",
    ):
        assert name in err, f"{name!r} not in:\n{err}"
    assert "response.headers.content-type (base64)" in err
