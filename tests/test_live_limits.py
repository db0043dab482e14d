"""Live faults a well-behaved server never commits, each one clear message, soon: a server that
accepts the connection and never answers, a stream of keep-alive comments only, a body dripped a
byte at a time, a 200 whose body the SDK cannot read (invalid JSON, empty, an HTML page), a key
pasted with curly quotes, a base URL without a scheme. The client is the one connect() builds, live,
against a bare local server (tests/rawserver.py); each call runs in a thread, so a test that would
hang fails after a bound instead of hanging the suite."""

from __future__ import annotations

import json
import threading
import time

import httpx2
import openai
import pytest
from rawserver import RawServer, answer, drip, keep_alive_only, never_answer

from helpers import SetupError, connect, explain
from helpers.config import DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT
from helpers.faults import render

# Built at run time so that no literal in the repository looks like a key.
KEY = "sk-" + "limitskey" * 4
MODEL = "gpt-5.4-mini"
HTML = (
    b"<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>Sign in to continue - Corporate "
    b"Web Gateway</title></head><body><form>user <input name=u></form></body></html>\n"
)
EVENT = {
    "type": "response.created",
    "sequence_number": 0,
    "response": {"id": "resp_1", "object": "response", "status": "in_progress", "output": []},
}


@pytest.fixture
def live(monkeypatch):
    """Serve ``answer`` on a bare local server and point a live connect() at it."""
    servers = []

    def start(serve, **env):
        server = RawServer(serve).start()
        servers.append(server)
        monkeypatch.setenv("TUTORIAL_MODE", "live")
        monkeypatch.setenv("OPENAI_API_KEY", KEY)
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return connect("limits"), server

    yield start
    for server in servers:
        server.stop()


def outcome(call, bound: float):
    """Run ``call`` in a thread: (what it returned or raised, seconds it took). Fails the test when
    nothing came back within ``bound`` seconds, as a learner would see it: no message at all."""
    box: dict = {}

    def run():
        try:
            box["value"] = call()
        except BaseException as err:  # noqa: BLE001 - the test inspects whatever was raised
            box["value"] = err

    start = time.monotonic()
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(bound)
    taken = time.monotonic() - start
    assert "value" in box, f"no answer and no message after {bound:g} s"
    return box["value"], taken


def check(message: str, *expected: str) -> None:
    for part in expected:
        assert part in message, f"{part!r} not in:\n{message}"
    assert "What to do:" in message
    assert KEY not in message and "limitskey" not in message
    assert "Traceback" not in message


def create(client, **kwargs):
    return lambda: client.responses.create(model=MODEL, input="Hi", **kwargs)


def streamed(client):
    return lambda: [event.type for event in client.responses.create(model=MODEL, input="Hi",
                                                                    stream=True)]  # fmt: skip


# --------------------------------------------------------------------------------------------
# Time limits
# --------------------------------------------------------------------------------------------


def test_the_course_client_has_lesson_timeouts(live):
    client, _ = live(answer(b"{}"))
    assert client.timeout == httpx2.Timeout(DEFAULT_TIMEOUT, connect=DEFAULT_CONNECT_TIMEOUT)
    # Fit for a lesson: a request that gets no answer ends in a message within about two minutes.
    assert DEFAULT_TIMEOUT <= 120 and DEFAULT_CONNECT_TIMEOUT <= 15


def test_the_time_limits_are_set_in_the_environment(live):
    client, _ = live(answer(b"{}"), TUTORIAL_TIMEOUT="45", TUTORIAL_CONNECT_TIMEOUT="3.5")
    assert client.timeout == httpx2.Timeout(45.0, connect=3.5)


@pytest.mark.parametrize("value", ["soon", "0", "-5", "nan", "inf"])
def test_a_malformed_time_limit_says_what_is_wrong(monkeypatch, value):
    monkeypatch.setenv("TUTORIAL_MODE", "live")
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("TUTORIAL_TIMEOUT", value)
    with pytest.raises(SetupError) as err:
        connect("limits")
    assert f"TUTORIAL_TIMEOUT={value!r} is not a time limit" in str(err.value)
    assert "a number of seconds above 0, such as TUTORIAL_TIMEOUT=120" in str(err.value)


def test_a_server_that_never_answers_is_one_message_within_the_limit(live):
    client, server = live(never_answer, TUTORIAL_TIMEOUT="1")
    err, taken = outcome(create(client), bound=8)
    assert isinstance(err, openai.APITimeoutError), err
    assert taken < 2.5, f"the message came after {taken:.1f} s"
    assert len(server.requests) == 1, "a request that timed out was sent again"
    message = explain(err)
    check(
        message,
        "sent no answer within 1 s",
        "The request was not sent again",
        # How to wait longer, with a limit longer than the one that was hit:
        "TUTORIAL_TIMEOUT=2 in .env",
        "client.with_options(timeout=2).responses.create(...)",
        "background mode (notebook 05)",
    )
    assert "timeout=300" not in message
    # In a notebook: caught by the SDK's own class, as any timeout.
    shown = render(type(err), err)
    assert shown.startswith("openai.APITimeoutError: A Responses-compatible server accepted")
    assert "Catch this error with `except openai.APITimeoutError`" in shown


def test_with_options_lengthens_the_limit_for_one_call(live):
    client, _ = live(never_answer, TUTORIAL_TIMEOUT="0.5")
    err, taken = outcome(create(client.with_options(timeout=1.5)), bound=8)
    assert isinstance(err, openai.APITimeoutError), err
    assert 1.4 < taken < 3.0, f"the message came after {taken:.1f} s"
    check(explain(err), "sent no answer within 1.5 s", "timeout=3)")


def test_a_stream_of_keep_alive_comments_only_is_one_message(live):
    client, server = live(keep_alive_only(every=0.05), TUTORIAL_TIMEOUT="1")
    err, taken = outcome(streamed(client), bound=8)
    assert isinstance(err, openai.APITimeoutError), err
    assert taken < 2.5, f"the message came after {taken:.1f} s"
    assert len(server.requests) == 1
    check(
        explain(err),
        "stream from a Responses-compatible server sent no event for 1 s",
        "only keep-alive comments or a trickle of bytes",
        "starting_after=N",
        "TUTORIAL_TIMEOUT=2",
    )


@pytest.mark.parametrize("content_type", ["application/json", "text/event-stream"])
def test_a_body_dripped_a_byte_at_a_time_is_one_message(live, content_type):
    body = (
        json.dumps({"id": "resp_1", "object": "response", "output": []}).encode() * 4
        if content_type == "application/json"
        else f"data: {json.dumps(EVENT)}\n\n".encode()
    )
    client, server = live(drip(body, every=0.02, content_type=content_type), TUTORIAL_TIMEOUT="1")
    call = streamed(client) if content_type == "text/event-stream" else create(client)
    err, taken = outcome(call, bound=8)
    assert len(body) * 0.02 > 2.5  # dripped whole, it would take more than twice the limit
    assert isinstance(err, openai.APITimeoutError), err
    assert taken < 2.5, f"the message came after {taken:.1f} s"
    assert len(server.requests) == 1
    expected = (
        "sent no event for 1 s"
        if content_type == "text/event-stream"
        else ("still arriving after 1 s")
    )
    check(explain(err), expected, "TUTORIAL_TIMEOUT=2")


def test_a_slow_answer_within_the_limit_is_not_cut(live):
    """The limits bound waiting, not work: a stream that keeps sending events may run longer than
    the limit, and a non-streamed answer that arrives in time is read whole."""
    events = b"".join(
        f"data: {json.dumps({**EVENT, 'sequence_number': n})}\n\n".encode() for n in range(8)
    )

    def paced(conn, request):
        if request.json().get("stream"):
            conn.send(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                      b"Connection: close\r\n\r\n")  # fmt: skip
            for chunk in events.split(b"\n\n")[:-1]:
                conn.wait(0.3)
                conn.send(chunk + b"\n\n")
            conn.close()
        else:
            conn.wait(0.6)
            answer(json.dumps(EVENT["response"]).encode())(conn, request)

    client, _ = live(paced, TUTORIAL_TIMEOUT="1")
    events_seen, taken = outcome(streamed(client), bound=10)
    assert events_seen == ["response.created"] * 8 and taken > 2, events_seen
    answered, _ = outcome(create(client), bound=10)
    assert answered.id == "resp_1", answered


# --------------------------------------------------------------------------------------------
# A 200 the SDK cannot read
# --------------------------------------------------------------------------------------------

UNREADABLE = {
    "invalid JSON": (b'{"id": "resp_1", "object": ', "application/json", "is not valid JSON"),
    "empty": (b"", "application/json", "an empty body"),
    "an HTML page": (HTML, "text/html; charset=utf-8", "an HTML page"),
}


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "streamed"])
@pytest.mark.parametrize("case", UNREADABLE)
def test_a_200_the_sdk_cannot_read_is_one_message(live, case, stream):
    body, content_type, said = UNREADABLE[case]
    if stream and content_type == "application/json" and body:
        body, content_type = b"data: " + body + b"\n\n", "text/event-stream"
    client, server = live(answer(body, content_type))
    err, _ = outcome(streamed(client) if stream else create(client), bound=8)
    assert isinstance(err, openai.APIError), f"{type(err).__name__}: {err}"
    assert len(server.requests) == 1
    message = explain(err)
    check(message, "answered HTTP 200", said, "OPENAI_BASE_URL in .env")
    assert "`except openai.APIResponseValidationError`" in render(type(err), err)
    if case == "an HTML page":
        # A proxy's login page: say so, with its title, and how to get past it.
        check(message, "'Sign in to continue - Corporate Web Gateway'", "proxy")


def test_a_stream_answered_with_plain_json_is_one_message(live):
    client, _ = live(answer(json.dumps(EVENT["response"]).encode()))
    err, _ = outcome(streamed(client), bound=8)
    assert isinstance(err, openai.APIError), f"{type(err).__name__}: {err}"
    check(explain(err), "answered HTTP 200 with a plain body", "asked for a stream (stream=True)")


def test_a_stream_that_ends_without_any_event_is_one_message(live):
    client, _ = live(answer(b": nothing to see\n\n", "text/event-stream"))
    err, _ = outcome(streamed(client), bound=8)
    assert isinstance(err, openai.APIError), f"{type(err).__name__}: {err}"
    check(explain(err), "ended without a single event")


def test_a_readable_answer_still_reads(live):
    body = json.dumps({"id": "conv_1", "object": "conversation", "created_at": 1, "metadata": {}})
    client, _ = live(answer(body.encode(), content_type=None))  # no content-type: still JSON
    conversation, _ = outcome(lambda: client.conversations.create(), bound=8)
    assert conversation.id == "conv_1", conversation


# --------------------------------------------------------------------------------------------
# Settings that can never work, at connect()
# --------------------------------------------------------------------------------------------

CURLY = "\u201c" + KEY + "\u201d"


@pytest.mark.parametrize(
    "name, value, named",
    [
        ("OPENAI_API_KEY", CURLY, "a curly quote (\u201c)"),
        ("OPENAI_API_KEY", KEY[:10] + "\u2013" + KEY[10:], "a dash (\u2013)"),
        ("OPENAI_API_KEY", KEY[:10] + "\u00a0" + KEY[10:], "a non-breaking space"),
        ("OPENAI_API_KEY", KEY[:10] + "\x07" + KEY[10:], "a control character"),
        ("AZURE_OPENAI_API_KEY", CURLY, "a curly quote (\u201c)"),
        ("OPENAI_ORG_ID", "\u2018org-" + "x" * 20 + "\u2019", "a curly quote (\u2018)"),
    ],
)
def test_a_key_pasted_with_curly_quotes_is_refused_at_connect(monkeypatch, name, value, named):
    monkeypatch.setenv("TUTORIAL_MODE", "live")
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    if name.startswith("AZURE"):
        monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", "https://contoso.openai.azure.com")
    monkeypatch.setenv(name, value)
    with pytest.raises(SetupError) as info:
        connect("limits")
    message = str(info.value)
    assert f"{name} holds {named}" in message, message
    assert "plain ASCII" in message and ".env" in message and "restart the kernel" in message
    assert KEY not in message and "limitskey" not in message and "x" * 20 not in message


def test_a_key_wrapped_in_straight_quotes_is_refused(monkeypatch):
    monkeypatch.setenv("TUTORIAL_MODE", "live")
    monkeypatch.setenv("OPENAI_API_KEY", f'"{KEY}"')
    with pytest.raises(SetupError, match="OPENAI_API_KEY is wrapped in quotes"):
        connect("limits")


@pytest.mark.parametrize(
    "name, value, problem",
    [
        ("OPENAI_BASE_URL", "localhost:4000/v1", "has no scheme"),
        ("OPENAI_BASE_URL", "api.example.com/v1", "has no scheme"),
        ("OPENAI_BASE_URL", "ftp://example.com/v1", "uses ftp://"),
        ("OPENAI_BASE_URL", "http:///v1", "names no host"),
        ("AZURE_OPENAI_ENDPOINT", "contoso.openai.azure.com", "has no scheme"),
        ("AZURE_OPENAI_ENDPOINT", "ftp://contoso.openai.azure.com", "uses ftp://"),
    ],
)
def test_a_base_url_that_cannot_work_names_the_setting(monkeypatch, name, value, problem):
    monkeypatch.setenv("TUTORIAL_MODE", "live")
    if name.startswith("AZURE"):
        monkeypatch.setenv("AZURE_OPENAI_API_KEY", KEY)
    else:
        monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv(name, value)
    with pytest.raises(SetupError) as info:
        connect("limits")
    message = str(info.value)
    assert message.startswith(f"{name} {problem}"), message
    assert "https://" in message and ".env" in message and "network" not in message
    assert "example.com" not in message and "contoso" not in message  # never echo a host


def test_a_proxy_in_the_environment_is_used_and_its_login_page_is_one_message(live, monkeypatch):
    """HTTPS_PROXY / HTTP_PROXY as httpx2 reads them; here the proxy answers its login page."""
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "HTTPS_PROXY", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    proxy = RawServer(answer(HTML, "text/html")).start()
    try:
        monkeypatch.setenv("HTTP_PROXY", proxy.base_url.removesuffix("/v1"))
        client, server = live(answer(json.dumps(EVENT["response"]).encode()))
        err, _ = outcome(create(client), bound=8)
        assert [r.path for r in proxy.requests] == [f"{server.base_url}/responses"]
        assert server.requests == []
        check(explain(err), "an HTML page titled 'Sign in to continue", "proxy")
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")  # and NO_PROXY is honoured
        client, _ = live(answer(json.dumps(EVENT["response"]).encode()))
        answered, _ = outcome(create(client), bound=8)
        assert answered.id == "resp_1", answered
    finally:
        proxy.stop()
