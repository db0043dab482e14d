"""A URL's user information (``user:password@``) is never printed: not in a fault message, not by
doctor(), not in connect()'s banner. config.printable_url() is the one place that makes a URL safe
to print; faults.explain() also runs it over every message it builds.

The user name and password are built at run time, so no literal here looks like a secret.
"""

from __future__ import annotations

import socket

import openai
import pytest

from helpers import config, connect, model
from helpers.doctor import doctor
from helpers.faults import explain

USER = "course" + "user" * 2
PASSWORD = "pw" + "Xq7" * 6  # not the key: the case the fault message got wrong
KEY = "sk-" + "safeurlkey" * 3


@pytest.mark.parametrize(
    "url, shown",
    [
        ("http://{u}:{p}@127.0.0.1:4000/v1", "http://***@127.0.0.1:4000/v1"),
        ("https://{u}@proxy.internal/v1", "https://***@proxy.internal/v1"),
        ("https://:{p}@proxy.internal/v1", "https://***@proxy.internal/v1"),
        ("HTTP://{u}:{p}@Proxy.Internal:8080/v1?x=1#y", "HTTP://***@Proxy.Internal:8080/v1?x=1#y"),
        ("{u}:{p}@localhost:4000/v1", "***@localhost:4000/v1"),  # no scheme
        ("http://{u}:" + "p%40ss{p}@host/v1", "http://***@host/v1"),  # an encoded @ in it
        ("http://localhost:4000/v1", "http://localhost:4000/v1"),  # nothing to hide
        ("https://api.openai.com/v1", "https://api.openai.com/v1"),
    ],
)
def test_printable_url_drops_the_user_information(url, shown):
    url = url.format(u=USER, p=PASSWORD)
    assert config.printable_url(url) == shown


def test_printable_url_cleans_every_url_in_a_text_and_leaves_addresses_alone():
    text = (
        f"POST http://{USER}:{PASSWORD}@a.example/v1/responses failed; retried "
        f"https://{USER}@b.example/v1; mail admin@example.org"
    )
    shown = config.printable_url(text)
    assert USER not in shown and PASSWORD not in shown
    assert "http://***@a.example/v1/responses" in shown and "https://***@b.example/v1" in shown
    assert "admin@example.org" in shown  # an e-mail address is not a URL's user information


def _refusing_port() -> int:
    with socket.socket() as sock:  # free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_fault_message_never_prints_the_base_urls_password(monkeypatch):
    monkeypatch.setattr("openai._base_client.INITIAL_RETRY_DELAY", 0.001)
    port = _refusing_port()
    monkeypatch.setenv("TUTORIAL_MODE", "live")
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://{USER}:{PASSWORD}@127.0.0.1:{port}/v1")
    client = connect("safe_urls")
    with pytest.raises(openai.APIConnectionError) as info:
        client.responses.create(model=model(), input="Hi")
    message = explain(info.value)
    assert f"OPENAI_BASE_URL in .env (now http://***@127.0.0.1:{port}/v1)" in message, message
    for secret in (PASSWORD, USER, KEY):
        assert secret not in message, message


def test_a_url_with_user_information_in_what_the_server_said_is_cleaned(monkeypatch):
    monkeypatch.setenv("TUTORIAL_MODE", "live")
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://{USER}:{PASSWORD}@127.0.0.1:9/v1")
    connect("safe_urls")
    request = openai._base_client.httpx2.Request("POST", "http://127.0.0.1/v1/responses")
    said = f"Invalid URL (POST http://{USER}:{PASSWORD}@127.0.0.1/v1/responses)"
    response = openai._base_client.httpx2.Response(
        404, request=request, json={"error": {"message": said}}
    )
    err = openai.NotFoundError(said, response=response, body={"message": said})
    message = explain(err)
    assert "http://***@127.0.0.1/v1/responses" in message, message
    assert PASSWORD not in message and USER not in message


def test_doctor_and_the_banner_never_print_user_information(monkeypatch, capsys):
    monkeypatch.setenv("TUTORIAL_MODE", "live")
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://{USER}:{PASSWORD}@127.0.0.1:9/v1")
    connect("safe_urls")
    report = doctor()
    shown = capsys.readouterr().out + str(report) + report._repr_markdown_()
    assert "Responses-compatible server" in shown
    for secret in (PASSWORD, USER, KEY):
        assert secret not in shown
