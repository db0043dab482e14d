"""Live faults, each one clear message: the real client from connect() in live mode against the fake
server on 127.0.0.1, then helpers.faults.explain() on what the SDK raised. And the notebook hook:
an uncaught error shows that message in a real kernel, a caught one is caught, nbval still sees it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import openai
import pytest
from bodies import interaction, write_recording
from nbclient import NotebookClient

from fake_api import FakeResponsesServer, cut_stream, disconnect, error, hang, text
from helpers import ReplayMiss, connect, model
from helpers.faults import explain, install_hook, render

REPO = Path(__file__).resolve().parent.parent
# Built at run time so that no literal in the repository looks like a key.
KEY = "sk-" + "faultskey" * 4
WRONG_KEY = "sk-" + "wrongkey" * 4
FAST = {"retry-after-ms": "5"}  # the SDK waits 5 ms before each retry instead of about a second

HOSTED_TOOL = "Hosted tool 'web_search_preview' is not supported with gpt-4.1-nano."
DEPLOYMENT = (
    "The API deployment for this resource does not exist. If you created the deployment within "
    "the last 5 minutes, please wait a moment and try again."
)


@pytest.fixture
def live(monkeypatch):
    """Start a fake server with the given steps and point a live connect() at it."""
    servers = []

    def start(steps, *, key=KEY, expect_key=None, azure=False, **env):
        server = FakeResponsesServer(steps, expect_key=expect_key).start()
        servers.append(server)
        monkeypatch.setenv("TUTORIAL_MODE", "live")
        if azure:
            monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", server.origin)
            monkeypatch.setenv("AZURE_OPENAI_API_KEY", key)
        else:
            monkeypatch.setenv("OPENAI_API_KEY", key)
            monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return connect("faults"), server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def quick_backoff(monkeypatch):
    """The SDK's own back-off between retries of a connection error or a timeout is about 0.5 s
    then 1 s; shrink it so these tests stay fast. The retries themselves still happen."""
    monkeypatch.setattr("openai._base_client.INITIAL_RETRY_DELAY", 0.001)


def raised(call):
    with pytest.raises(openai.APIError) as info:
        call()
    return info.value


def check(message, *expected):
    """Every fault message names what happened, says what to do, and never holds a key."""
    for part in expected:
        assert part in message, f"{part!r} not in:\n{message}"
    assert "What to do:" in message
    for secret in (KEY, WRONG_KEY, "faultskey", "wrongkey" * 2):
        assert secret not in message
    assert "Traceback" not in message


def test_401_a_wrong_key(live, capsys):
    client, _ = live([], key=WRONG_KEY, expect_key=KEY)
    err = raised(lambda: client.responses.create(model=model(), input="Hi"))
    assert isinstance(err, openai.AuthenticationError)
    check(
        explain(err),
        "refused the API key (HTTP 401",
        "Incorrect API key provided",  # the provider's own words (it masks the key itself)
        "Check OPENAI_API_KEY in .env",
        "TUTORIAL_MODE=replay",
    )


def test_401_on_azure_names_the_azure_key(live):
    client, _ = live([], key=WRONG_KEY, expect_key=KEY, azure=True)
    err = raised(lambda: client.responses.create(model=model(), input="Hi"))
    check(explain(err), "Azure OpenAI (v1 endpoint) refused", "AZURE_OPENAI_API_KEY in .env")


def test_403_forbidden(live):
    said = "You are not allowed to sample from this model."
    client, _ = live([error(403, said, code="model_not_found")])
    err = raised(lambda: client.responses.create(model=model(), input="Hi"))
    assert isinstance(err, openai.PermissionDeniedError)
    check(explain(err), "HTTP 403 Forbidden", said, "'gpt-5.4-mini'", "TUTORIAL_MODEL")


def test_404_unknown_model(live):
    said = "The model `gpt-nope` does not exist or you do not have access to it."
    client, _ = live([error(404, said, code="model_not_found")], TUTORIAL_MODEL="gpt-nope")
    err = raised(lambda: client.responses.create(model=model(), input="Hi"))
    assert isinstance(err, openai.NotFoundError)
    check(explain(err), "has no model 'gpt-nope'", said, "Set TUTORIAL_MODEL")


def test_404_unknown_azure_deployment(live):
    steps = [error(404, DEPLOYMENT, code="DeploymentNotFound")]
    client, server = live(steps, azure=True, TUTORIAL_MODEL="my-gpt")
    err = raised(lambda: client.responses.create(model=model(), input="Hi"))
    assert server.requests[0].path.startswith("/openai/v1/responses")
    check(
        explain(err),
        "Azure has no deployment named 'my-gpt'",
        DEPLOYMENT,
        "model names are deployment names: set TUTORIAL_MODEL",
    )


def test_400_hosted_tool_not_supported(live):
    steps = [error(400, HOSTED_TOOL, param="tools")]
    client, _ = live(steps, TUTORIAL_MODEL="gpt-4.1-nano")
    tools = [{"type": "web_search_preview"}]
    err = raised(lambda: client.responses.create(model=model(), input="News?", tools=tools))
    assert isinstance(err, openai.BadRequestError)
    check(
        explain(err),
        "does not offer the hosted tool 'web_search_preview' with 'gpt-4.1-nano'",
        HOSTED_TOOL,
        "Use a model that supports it: set TUTORIAL_MODEL",
    )


def test_429_after_the_sdk_retries(live):
    said = "Rate limit reached for gpt-5.4-mini on tokens per min (TPM). Please try again in 5ms."
    steps = [error(429, said, code="rate_limit_exceeded", headers=FAST, times=3)]
    client, server = live(steps)
    start = time.perf_counter()
    err = raised(lambda: client.responses.create(model=model(), input="Hi"))
    assert time.perf_counter() - start < 1.0
    assert isinstance(err, openai.RateLimitError)
    assert len(server.requests) == 3  # the SDK's two retries were made
    check(
        explain(err),
        "HTTP 429",
        "also when the SDK retried it (twice)",
        said,
        "Wait a minute",
        "TUTORIAL_MAX_REQUESTS",
    )


def test_429_out_of_quota_says_waiting_will_not_help(live):
    said = "You exceeded your current quota, please check your plan and billing details."
    steps = [error(429, said, code="insufficient_quota", headers=FAST, times=3)]
    client, _ = live(steps)
    err = raised(lambda: client.responses.create(model=model(), input="Hi"))
    check(explain(err), "out of credit or quota", "Waiting will not help", said)


def test_500_after_the_sdk_retries(live):
    said = "The server had an error while processing your request. Sorry about that!"
    client, server = live([error(500, said, headers=FAST, times=3)])
    start = time.perf_counter()
    err = raised(lambda: client.responses.create(model=model(), input="Hi"))
    assert time.perf_counter() - start < 1.0
    assert isinstance(err, openai.InternalServerError) and len(server.requests) == 3
    check(explain(err), "failed with HTTP 500", "This is not your code", said, "run the cell again")


def test_connection_refused(monkeypatch, quick_backoff):
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("TUTORIAL_MODE", "live")
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{port}/v1")
    client = connect("faults")
    err = raised(lambda: client.responses.create(model=model(), input="Hi"))
    assert type(err) is openai.APIConnectionError
    check(
        explain(err),
        "connection was refused",
        f"Check that the server at OPENAI_BASE_URL in .env (now http://127.0.0.1:{port}/v1) is "
        "running",
    )


def test_timeout(live, quick_backoff):
    """Waited once, not three times (the SDK would retry a timeout twice); the advice lengthens
    the limit that passed. More time limits: test_live_limits.py."""
    client, server = live([hang(5, times=3)])
    quick = client.with_options(timeout=0.1)
    start = time.perf_counter()
    err = raised(lambda: quick.responses.create(model=model(), input="Hi"))
    assert time.perf_counter() - start < 1.0
    assert isinstance(err, openai.APITimeoutError) and len(server.requests) == 1
    check(
        explain(err),
        "sent no answer within 0.1 s. The request was not sent again.",
        "background mode",
        "client.with_options(timeout=0.2)",
        "TUTORIAL_TIMEOUT=0.2",
    )


def test_a_connection_closed_before_any_answer(live, quick_backoff):
    client, server = live([disconnect(times=3)])
    err = raised(lambda: client.responses.create(model=model(), input="Hi"))
    assert type(err) is openai.APIConnectionError and len(server.requests) == 3
    check(explain(err), "the connection closed before any answer came", "(twice)")


def test_a_stream_cut_off_midway(live):
    words = "One two three four five six seven eight nine ten eleven twelve."
    client, _ = live([cut_stream(text(words), after=6)])
    seen = []

    def consume():
        for event in client.responses.create(model=model(), input="Count.", stream=True):
            seen.append(event.type)

    err = raised(consume)
    assert type(err) is openai.APIConnectionError
    assert "response.output_text.delta" in seen  # part of the answer had arrived
    check(
        explain(err),
        "was cut off part-way",
        "What was printed so far is all that arrived",
        "starting_after=N",
    )


def test_a_replayed_error_says_it_comes_from_the_recording(tmp_path, monkeypatch):
    monkeypatch.setenv("TUTORIAL_RECORDINGS_DIR", str(tmp_path))
    body = {"message": HOSTED_TOOL, "type": "invalid_request_error", "param": "tools", "code": None}
    ask = {"model": "gpt-5.4-mini", "input": "News?", "tools": [{"type": "web_search_preview"}]}
    write_recording(tmp_path, "nb", [interaction(ask, {"error": body}, status=400)])
    client = connect("nb")
    err = raised(lambda: client.responses.create(**ask))
    message = explain(err)
    check(message, "part of the notebook's recording", HOSTED_TOOL)
    assert "TUTORIAL_MODE=replay" not in message  # it already is offline


def test_helpers_errors_keep_their_own_message(tmp_path, monkeypatch):
    monkeypatch.setenv("TUTORIAL_RECORDINGS_DIR", str(tmp_path))
    write_recording(tmp_path, "nb", [])
    client = connect("nb")
    with pytest.raises(ReplayMiss) as info:
        client.responses.create(model="gpt-5.4-mini", input="Hi")
    assert explain(info.value) == str(info.value)
    shown = render(ReplayMiss, info.value)
    assert shown.startswith("helpers.ReplayMiss: This request is not in the recording for nb")
    assert "run %tb" in shown and "`except helpers.ReplayMiss`" in shown


def test_a_key_echoed_back_by_a_server_is_redacted(live):
    client, _ = live([error(400, f"Bad key {KEY} in request.")])
    err = raised(lambda: client.responses.create(model=model(), input="Hi"))
    assert "Bad key <your key> in request." in explain(err)
    check(explain(err))


def test_outside_ipython_no_hook_is_installed():
    assert install_hook() is False


# --------------------------------------------------------------------------------------------
# In a real kernel, and under nbval
# --------------------------------------------------------------------------------------------

ERROR_BODY = {"message": "Incorrect API key provided: sk-abc***...wxyz.", "type": None,
              "param": None, "code": "invalid_api_key"}  # fmt: skip
ASK = {"model": "gpt-5.4-mini", "input": "Hi"}
CELLS = [
    "import openai\nfrom helpers import connect\nclient = connect('hooknb')",
    # 2: uncaught, so the hook shows it
    "x = 1\nclient.responses.create(model='gpt-5.4-mini', input='Hi')",
    # 3: caught, as a notebook does when it shows a failing call on purpose
    "try:\n    client.responses.create(model='gpt-5.4-mini', input='Hi')\n"
    "except openai.AuthenticationError as err:\n    print('caught', type(err).__name__)",
    "%tb",  # 4: the whole traceback, on demand
    "print('the kernel goes on')",
    # 6: a tutorial error, still shortened (the hook was not unregistered)
    "client.responses.create(model='gpt-5.4-mini', input='Other')",
    "raise ValueError('not ours')",
]
RAISES = {1, 3, 5, 6}  # indexes of the cells that show an error


@pytest.fixture(scope="module")
def kernel_run(tmp_path_factory):
    """Run the notebook once in a real kernel (replaying two 401s) and store it with its outputs."""
    folder = tmp_path_factory.mktemp("hook")
    write_recording(folder, "hooknb", [interaction(ASK, {"error": ERROR_BODY}, status=401)] * 2)
    nb = nbformat.v4.new_notebook()
    for index, source in enumerate(CELLS):
        cell = nbformat.v4.new_code_cell(source)
        if index in RAISES:
            cell.metadata["tags"] = ["raises-exception"]
        nb.cells.append(cell)
    saved = dict(os.environ)
    os.environ["TUTORIAL_RECORDINGS_DIR"] = str(folder)
    try:
        NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True).execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    nbformat.write(nb, folder / "hook.ipynb")
    return folder, nb


def test_in_a_kernel_an_uncaught_error_is_one_clear_message(kernel_run):
    _, nb = kernel_run
    (out,) = nb.cells[1].outputs
    assert out.output_type == "error" and out.ename == "AuthenticationError"
    assert out.evalue.startswith("Error code: 401 - ")  # what nbval compares: unchanged
    shown = "\n".join(out.traceback)
    assert shown.startswith("openai.AuthenticationError: The server refused the API key")
    assert "Incorrect API key provided" in shown and "What to do:" in shown
    assert "This error is part of the notebook's recording" in shown
    assert "Raised in cell [2], line 2: client.responses.create(" in shown
    assert "File " not in shown and len(shown.splitlines()) <= 8


def test_in_a_kernel_a_caught_error_is_caught_and_the_kernel_goes_on(kernel_run):
    _, nb = kernel_run
    assert [o.text for o in nb.cells[2].outputs] == ["caught AuthenticationError\n"]
    (full,) = nb.cells[3].outputs
    assert "Traceback" in "".join(full.traceback) and "_base_client.py" in "".join(full.traceback)
    assert [o.text for o in nb.cells[4].outputs] == ["the kernel goes on\n"]
    (miss,) = nb.cells[5].outputs
    assert miss.ename == "ReplayMiss"
    assert "\n".join(miss.traceback).startswith("helpers.ReplayMiss: This request is not")
    (other,) = nb.cells[6].outputs  # not an SDK error: IPython's own traceback, untouched
    assert other.ename == "ValueError" and "Traceback" in "".join(other.traceback)
    streams = [o for c in nb.cells for o in c.outputs if o.output_type == "stream"]
    assert all(o.name == "stdout" for o in streams)  # no "Custom TB Handler failed" on stderr


def test_nbval_passes_a_stored_error_cell_marked_raises_exception(kernel_run):
    """nbval compares an error cell's name and value (not its traceback): the hook leaves both as
    they were, so a notebook stored with an error on purpose passes, and the cells after it too.
    (Unmarked, an error cell fails nbval as always: the error is raised, not swallowed.)"""
    folder, _ = kernel_run
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval",
         "--nbval-current-env", "--rootdir", str(folder), "-c", os.devnull, "hook.ipynb"],
        capture_output=True, text=True, cwd=folder, timeout=120,
        env={**os.environ, "TUTORIAL_RECORDINGS_DIR": str(folder)},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:]
    assert f"{len(CELLS)} passed" in result.stdout.strip().splitlines()[-1]
