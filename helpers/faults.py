"""What went wrong, in one message a learner can act on.

``explain(err)`` turns any error the SDK or ``helpers`` raises into a few lines: what happened, what
the provider said, and what to do (fix a setting in ``.env``, wait and retry, or run offline with
``TUTORIAL_MODE=replay``). It never contains the API key, nor a URL's user information
(``user:password@``).

In Jupyter, ``connect()`` calls ``install_hook()``: an *uncaught* SDK or tutorial error then shows
that message, with the exception's type and the line of the cell that raised it, instead of a
screen of traceback (``%tb`` still shows the traceback). The exception is raised as before, so
``try: ... except openai.BadRequestError:`` works as always, the cell still counts as failed, and
nbval sees the same error name and value.

Defined in 01_basics (``connect`` installs the hook; any notebook can ``print(explain(err))``).
"""

from __future__ import annotations

import json
import linecache
import os
import re
import sys
from dataclasses import dataclass, replace
from typing import Any

import openai

from .config import KEY_VARIABLES, printable_url
from .errors import AnswerTimeout, TutorialError, UnreadableAnswer

__all__ = ["explain", "what_to_do", "install_hook", "HOOKED"]

# The errors the notebook hook shortens; anything else keeps IPython's full traceback.
HOOKED: tuple[type[BaseException], ...] = (openai.APIError, TutorialError)

OFFLINE = "Or run offline with TUTORIAL_MODE=replay."
SEE_IT_OFFLINE = (
    "To see the tool at work anyway, run this notebook offline with TUTORIAL_MODE=replay."
)
RESTART = "then restart the kernel"


@dataclass(frozen=True)
class _Where:
    """What is known about where the failed request went, without ever holding the key."""

    provider: str | None  # "openai" | "azure" | "compatible" | None (unknown or replay)
    label: str
    key_var: str
    address: str
    replay: bool
    model: str | None
    retries: int  # how many times the SDK had already retried the request

    @property
    def retried(self) -> str:
        if not self.retries:
            return ""
        times = {1: "once", 2: "twice"}.get(self.retries, f"{self.retries} times")
        return f", also when the SDK retried it ({times})"


def explain(err: BaseException | Any) -> str:
    """A learner-facing message for ``err``: what happened, what the provider said, what to do.

    ``err`` is an exception, or what a stream or a background job hands back instead of raising:
    a failed response, its ``response.failed`` event, or an ``error`` event."""
    if not isinstance(err, BaseException):
        return _explain_failure(err)
    if isinstance(err, TutorialError):
        return _redact(str(err))  # helpers' own messages already say what to do
    if not isinstance(err, openai.APIError):
        return _redact(f"{type(err).__name__}: {err}")
    where = _where(err)
    happened, todo = _diagnose(err, where)
    lines = [happened[:1].upper() + happened[1:]]
    said = _provider_said(err)
    if said:
        lines.append(f"The server said: {said}")
    if where.replay:
        lines.append(
            "This error is part of the notebook's recording: replay plays it back as the "
            "provider answered when the notebook was recorded."
        )
        for offline in (OFFLINE, SEE_IT_OFFLINE):  # it already is offline
            todo = todo.replace(f" {offline}", "")
    lines.append(f"What to do: {todo}")
    return _redact("\n".join(lines))


# --------------------------------------------------------------------------------------------
# Diagnosis
# --------------------------------------------------------------------------------------------


def _diagnose(err: openai.APIError, w: _Where) -> tuple[str, str]:
    if isinstance(err, openai.APIStatusError):
        return _status(err, w)
    if isinstance(err, AnswerTimeout):
        return _answer_timeout(err, w)
    if isinstance(err, UnreadableAnswer):
        return _unreadable(err, w)
    if isinstance(err, openai.APITimeoutError):
        return (
            f"No answer arrived from {w.label} in time: the request timed out{w.retried}.",
            "Run the cell again. Long jobs (deep research, high reasoning effort) belong in "
            "background mode (notebook 05); to wait longer for one call, pass a timeout in "
            "seconds longer than the one that passed: "
            "client.with_options(timeout=...).responses.create(...). If nothing ever answers, "
            f"check your network and {w.address}. {OFFLINE}",
        )
    if isinstance(err, openai.APIConnectionError):
        return _connection(err, w)
    # An error event in the middle of a stream, or another error the SDK built from a body.
    return _stream_error(err, w)


def _status(err: openai.APIStatusError, w: _Where) -> tuple[str, str]:
    code = err.status_code
    said = (_provider_said(err) or "").lower()
    error_code = (err.code or "").lower()
    model = f"'{w.model}'" if w.model else "the model you asked for"
    on_azure = w.provider == "azure"

    if code == 401:
        extra = (
            ", and a key of the resource that AZURE_OPENAI_ENDPOINT names (see its Keys and "
            "Endpoint page)"
            if on_azure
            else ""
        )
        return (
            f"{w.label} refused the API key (HTTP 401 Unauthorized).",
            f"Check {w.key_var} in .env at the repository root: the whole key, without quotes "
            f"or spaces, not revoked{extra}; {RESTART}. {OFFLINE}",
        )
    if code == 403:
        where = (
            "your role on the Azure resource and its network rules allow this call"
            if on_azure
            else (
                f"the key's project may use {model} (Settings > Project > Limits on "
                "platform.openai.com) and, if the model asks for it, that your organisation is "
                "verified"
            )
        )
        return (
            f"{w.label} accepted the key but does not allow this request (HTTP 403 Forbidden).",
            f"Check that {where}; or set TUTORIAL_MODEL in .env to a model you may use, "
            f"{RESTART}. {OFFLINE}",
        )
    if code == 404:
        if error_code == "deploymentnotfound" or "deployment" in said:
            return (
                f"Azure has no deployment named {model} on this resource (HTTP 404).",
                "On Azure, model names are deployment names: set TUTORIAL_MODEL (and "
                "TUTORIAL_DEEP_RESEARCH_MODEL for deep research) in .env to the name of a "
                "deployment listed under Deployments in the Azure AI Foundry portal, "
                f"{RESTART}. A deployment made in the last few minutes may not be ready yet. "
                f"{OFFLINE}",
            )
        if error_code == "model_not_found" or ("model" in said and "not exist" in said):
            azure = " On Azure it must be one of your deployment names." if on_azure else ""
            return (
                f"{w.label} has no model {model}, or this key may not use it (HTTP 404).",
                "Set TUTORIAL_MODEL (or TUTORIAL_DEEP_RESEARCH_MODEL) in .env to a model your "
                f"account can use (the course's defaults are in helpers/config.py), {RESTART}."
                f"{azure} {OFFLINE}",
            )
        if said.startswith("invalid url"):
            return (
                f"{w.label} has no such endpoint (HTTP 404).",
                f"Check {w.address}: OPENAI_BASE_URL ends in /v1 (http://localhost:4000/v1), "
                "AZURE_OPENAI_ENDPOINT is only https://<your-resource>.openai.azure.com. A "
                f"compatible server may not offer this endpoint at all. {OFFLINE}",
            )
        return (
            f"{w.label} found nothing under the id this request names (HTTP 404).",
            "Check the id you passed (and previous_response_id): a response made with "
            "store=False cannot be retrieved later, and ids exist only in the project and "
            f"provider that made them. {OFFLINE}",
        )
    if code == 400:
        tool = re.search(r"hosted tool '([^']+)' is not supported with (.+?)\.?$", said)
        if tool or ("tool" in said and "not supported" in said):
            name = f"'{tool.group(1)}'" if tool else "this tool"
            used = tool.group(2).strip() if tool else None
            used = f"'{w.model}'" if w.model else f"'{used}'" if used else model
            return (
                f"{w.label} does not offer the hosted tool {name} with {used} (HTTP 400).",
                "Use a model that supports it: set TUTORIAL_MODEL in .env to one that does (on "
                "Azure, a deployment of such a model, in a region that offers the tool), "
                f"{RESTART}. {SEE_IT_OFFLINE}",
            )
        if error_code == "context_length_exceeded":
            return (
                f"The input is longer than {model} can read at once (HTTP 400).",
                "Send less: shorten the input, or start a new conversation instead of adding "
                f"to a long one with previous_response_id. {OFFLINE}",
            )
        param = f" (parameter '{err.param}')" if err.param else ""
        return (
            f"{w.label} refused the request as invalid{param} (HTTP 400).",
            "The server's message says what is wrong. Usually a parameter this model or "
            "provider does not take (a sampling setting on a reasoning model, background mode "
            "or previous_response_id on a compatible server): remove or change it, or set "
            f"TUTORIAL_MODEL in .env to another model. {OFFLINE}",
        )
    if code == 429:
        if error_code == "insufficient_quota" or "quota" in said:
            return (
                f"{w.label} refused the request: the account is out of credit or quota "
                "(HTTP 429). Waiting will not help.",
                "Add credit in your OpenAI billing settings, or raise the deployment's quota "
                f"on Azure. {OFFLINE}",
            )
        return (
            f"{w.label} is rate-limiting this key (HTTP 429 Too Many Requests){w.retried}.",
            "Wait a minute and run the cell again. When many people share a key (a workshop), "
            "run fewer cells live or cap each kernel lower with TUTORIAL_MAX_REQUESTS and "
            f"TUTORIAL_MAX_TOKENS in .env. {OFFLINE}",
        )
    if code >= 500:
        return (
            f"{w.label} failed with HTTP {code}{w.retried}. This is not your code.",
            "Wait a little and run the cell again (status.openai.com lists OpenAI outages; "
            f"Azure shows them under Service Health). {OFFLINE}",
        )
    return (
        f"{w.label} answered HTTP {code} instead of a response.",
        f"The server's message says why; change the request and run the cell again. {OFFLINE}",
    )


def _answer_timeout(err: AnswerTimeout, w: _Where) -> tuple[str, str]:
    """A time limit of helpers/liveguard.py passed: what waited, how long, how to allow longer."""
    limit = f"{err.limit:g}"
    longer = f"{err.limit * 2:g}"
    if err.phase == "connect":
        return (
            f"Could not connect to {w.label} within {limit} s: nothing accepted the connection "
            "in time. The request was not sent.",
            f"Check your network, proxy or firewall, and {w.address}; then run the cell again. "
            f"On a slow network, allow longer with TUTORIAL_CONNECT_TIMEOUT={longer} in .env, "
            f"{RESTART}. {OFFLINE}",
        )
    if err.phase == "send":
        happened = f"The request could not be sent to {w.label} within {limit} s (a large upload?)."
    elif err.phase == "stream" and err.trickle:
        happened = (
            f"The stream from {w.label} sent no event for {limit} s: only keep-alive comments or a "
            "trickle of bytes arrived."
        )
    elif err.phase == "stream":
        happened = f"The stream from {w.label} sent nothing for {limit} s."
    elif err.trickle:
        happened = (
            f"The answer from {w.label} was still arriving after {limit} s: it came a few bytes "
            "at a time."
        )
    else:
        happened = f"{w.label} accepted the request but sent no answer within {limit} s."
    resume = (
        " A background job goes on without the stream: pick it up where it stopped with "
        "client.responses.retrieve(id, stream=True, starting_after=N) (notebook 05)."
        if err.phase == "stream"
        else ""
    )
    return (
        f"{happened} The request was not sent again.",
        f"Run the cell again. If it keeps happening, check your network and {w.address}; a "
        "proxy can hold a connection open without answering. To wait longer, set "
        f"TUTORIAL_TIMEOUT={longer} in .env and restart the kernel, or for one call use "
        f"client.with_options(timeout={longer}).responses.create(...). Long jobs (deep "
        f"research, high reasoning effort) belong in background mode (notebook 05).{resume} "
        f"{OFFLINE}",
    )


def _unreadable(err: UnreadableAnswer, w: _Where) -> tuple[str, str]:
    """A 2xx answer the SDK cannot read (helpers/liveguard.py): what it was, and why that is."""
    what = f"{err.what} titled '{err.title}'" if err.title else err.what
    happened = f"{w.label} answered HTTP {err.status_code}, but with {what}, not an API answer."
    if err.what == "an HTML page":
        return (
            f"{happened} A web page in place of the API is what a proxy, captive portal or "
            "firewall sends (a login or block page), or a base URL that names a website.",
            "Open any web page in a browser on this network and sign in if it asks; on a company "
            "network, ask how to reach the API from Python (HTTPS_PROXY, and SSL_CERT_FILE for "
            f"the proxy's certificate). Check {w.address}. {OFFLINE}",
        )
    if err.what.startswith("a plain body"):
        return (
            f"{w.label} answered HTTP {err.status_code} with a plain body, though the request "
            "asked for a stream (stream=True): something on the way (a proxy that buffers, or a "
            "server that does not stream) answered in one piece.",
            f"Run the call without stream=True, or check {w.address} and what is in between. "
            f"{OFFLINE}",
        )
    return (
        happened,
        f"Check {w.address}: it must be the API's base URL (ending in /v1). A compatible server "
        "that answers like this is failing: its log says why. Run the cell again. "
        f"{OFFLINE}",
    )


def _connection(err: openai.APIConnectionError, w: _Where) -> tuple[str, str]:
    cause = " ".join(str(e) for e in _causes(err)).lower()
    if _raised_mid_stream(err):
        return (
            f"The stream from {w.label} was cut off part-way: the connection closed before the "
            "response was complete. What was printed so far is all that arrived.",
            "Run the cell again. For long answers, run in background mode and pick the stream "
            "up where it stopped with client.responses.retrieve(id, stream=True, "
            f"starting_after=N) (notebook 05). {OFFLINE}",
        )
    if "refused" in cause:
        what = "the connection was refused (nothing is listening at that address)"
        fix = (
            f"Check that the server at {w.address} is running, and its host and port"
            if w.provider == "compatible"
            else f"Check your network, proxy or firewall, and {w.address}"
        )
    elif any(s in cause for s in ("name or service not known", "nodename nor servname", "getaddr")):
        what = "its host name could not be found"
        fix = (
            "Check that you are online and that api.openai.com can be reached from here (a "
            "proxy or firewall may block it)"
            if w.provider == "openai" and "OPENAI_BASE_URL" not in w.address
            else f"Check the spelling of {w.address}, and that you are online"
        )
    elif "certificate" in cause:
        what = "its TLS certificate could not be verified"
        fix = (
            "Behind a company proxy, point SSL_CERT_FILE at the proxy's certificate bundle; "
            f"otherwise check {w.address}"
        )
    elif any(s in cause for s in ("disconnected", "reset", "closed")):
        what = "the connection closed before any answer came"
        fix = f"Run the cell again; if it keeps happening, check your network and {w.address}"
    else:
        what = "the connection failed"
        fix = f"Check your network, proxy or firewall, and {w.address}"
    return (
        f"Could not reach {w.label}: {what}{w.retried}.",
        f"{fix}. {OFFLINE}",
    )


# --------------------------------------------------------------------------------------------
# Errors inside a response: a stream's error event, a failed response
# --------------------------------------------------------------------------------------------

# Codes of a failed response (openai.types.responses.ResponseError) and of stream error events.
QUOTA_CODES = ("insufficient_quota",)
RATE_CODES = ("rate_limit_exceeded", "rate_limit_error", "tokens", "requests")
SERVER_CODES = ("server_error", "internal_error", "server_overloaded", "service_unavailable")
POLICY_CODES = (
    "invalid_prompt",
    "bio_policy",
    "misalignment_policy_violation",
    "content_filter",
    "content_policy_violation",
    "image_content_policy_violation",
)


def _by_code(code: str | None, w: _Where, during: str) -> tuple[str, str]:
    """What happened and what to do, for an error ``code`` the server reported ``during`` a
    response ("while streaming", "in the background") rather than as an HTTP status."""
    code = (code or "").lower()
    named = f" ({code})" if code else ""
    model = f"'{w.model}'" if w.model else "the model you asked for"
    if code in QUOTA_CODES:
        return (
            f"{w.label} stopped the response {during}: the account is out of credit or quota"
            f"{named}. Waiting will not help.",
            f"Add credit in your OpenAI billing settings, or raise the deployment's quota on Azure. "
            f"{OFFLINE}",
        )
    if code in RATE_CODES:
        return (
            f"{w.label} stopped the response {during}: this key is rate-limited{named}.",
            "Wait a minute and run the cell again. When many people share a key (a workshop), "
            "run fewer cells live or cap each kernel lower with TUTORIAL_MAX_REQUESTS and "
            f"TUTORIAL_MAX_TOKENS in .env. {OFFLINE}",
        )
    if code in SERVER_CODES or not code:
        return (
            f"{w.label} failed {during}{named or ' with an error'}. This is not your code.",
            "Wait a little and run the cell again (status.openai.com lists OpenAI outages; "
            f"Azure shows them under Service Health). {OFFLINE}",
        )
    if code == "context_length_exceeded":
        return (
            f"The input is longer than {model} can read at once{named}.",
            "Send less: shorten the input, or start a new conversation instead of adding "
            f"to a long one with previous_response_id. {OFFLINE}",
        )
    if code in POLICY_CODES:
        return (
            f"{w.label} refused to answer this prompt {during}{named}.",
            f"Rephrase the request; the server's message says what it objected to. {OFFLINE}",
        )
    if "image" in code:
        return (
            f"{w.label} could not use an image in the input{named}.",
            "Send a PNG, JPEG, WEBP or non-animated GIF that is not too large, by a URL the "
            "server can download or as a data URL with the right media type; or leave the "
            f"image out. {OFFLINE}",
        )
    if code == "vector_store_timeout":
        return (
            f"File search timed out reading the vector store {during}{named}.",
            "Run the cell again; if it keeps happening, check that the vector store's files have "
            f"finished processing, or search fewer of them. {OFFLINE}",
        )
    return (
        f"{w.label} stopped the response {during} with an error{named}.",
        "The server's message says what went wrong: if it names something in your request, "
        f"change that; otherwise run the cell again. {OFFLINE}",
    )


def _stream_error(err: openai.APIError, w: _Where) -> tuple[str, str]:
    """An ``error`` event in a stream (the SDK raises it as a plain APIError; the event nests
    ``type``, ``code``, ``message`` and ``param`` under ``error``)."""
    body = err.body if isinstance(err.body, dict) else {}
    code = err.code or body.get("type")
    return _by_code(code if isinstance(code, str) else None, w, "while streaming")


def _field(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def _failure(obj: Any) -> tuple[Any, Any, str]:
    """(the response if any, its error, when it happened) of what a stream or a job handed back."""
    kind = _field(obj, "type")
    if kind in ("response.failed", "response.incomplete", "response.completed"):
        response = _field(obj, "response")
        return response, _field(response, "error"), "while streaming"
    if kind == "error":  # an error event the SDK yielded instead of raising
        nested = _field(obj, "error")
        return None, nested if nested else obj, "while streaming"
    during = "in the background" if _field(obj, "background") else "while answering"
    return obj, _field(obj, "error"), during


def _failure_message(obj: Any) -> tuple[str, str | None, str] | None:
    """(what happened, what the server said, what to do) for a failed response or an error
    event, or None when ``obj`` carries no error."""
    response, error, during = _failure(obj)
    if not error:
        return None
    where = _where(obj)
    model = _field(response, "model") if response is not None else None
    if isinstance(model, str):
        where = replace(where, model=model)
    code = _field(error, "code")
    happened, todo = _by_code(code if isinstance(code, str) else None, where, during)
    said = _field(error, "message")
    said = said.strip() if isinstance(said, str) and said.strip() else None
    if where.replay:
        todo = todo.replace(f" {OFFLINE}", "")
    return happened[:1].upper() + happened[1:], said, todo


def what_to_do(failed: Any) -> str | None:
    """The advice ``explain`` gives for a failed response or an error event (``wait`` ends a failed
    background job with it), or None when it carries no error."""
    found = _failure_message(failed)
    return _redact(found[2]) if found else None


def _explain_failure(obj: Any) -> str:
    found = _failure_message(obj)
    if found is None:
        response = _failure(obj)[0]
        status = _field(response, "status") if response is not None else None
        what = f"a {status} response" if status else f"a {type(obj).__name__}"
        return (
            f"Nothing to explain: {what} carries no error. explain() takes an exception, a failed "
            "response, or a stream's error or response.failed event."
        )
    happened, said, todo = found
    lines = [happened]
    if said:
        lines.append(f"The server said: {said}")
    if _where(obj).replay:
        lines.append(
            "This error is part of the notebook's recording: replay plays it back as the "
            "provider answered when the notebook was recorded."
        )
    lines.append(f"What to do: {todo}")
    return _redact("\n".join(lines))


# --------------------------------------------------------------------------------------------
# Facts about the failed request
# --------------------------------------------------------------------------------------------


def _where(err: openai.APIError) -> _Where:
    from .client import _session  # late: client imports this module

    url = getattr(getattr(err, "request", None), "url", None)
    path = url.path if url is not None else ""
    session = _session
    provider = session.provider if session is not None and session.live else None
    replay = session is not None and session.mode == "replay"
    if provider is not None:
        name, label, key_var = provider.name, provider.label, provider.key_source
        base = provider.base_url
    elif "/openai/" in path:
        name, label, key_var, base = "azure", "Azure OpenAI", "AZURE_OPENAI_API_KEY", None
    else:
        name, label, key_var, base = None, "The server", "OPENAI_API_KEY", None
        if not replay:
            key_var = "OPENAI_API_KEY (AZURE_OPENAI_API_KEY on Azure)"
    if name == "azure":
        address = "AZURE_OPENAI_ENDPOINT in .env"
    elif name == "compatible":
        address = f"OPENAI_BASE_URL in .env (now {printable_url(base)})"
    elif name == "openai":
        address = "OPENAI_BASE_URL in .env" if base else "api.openai.com"
    else:
        address = "OPENAI_BASE_URL or AZURE_OPENAI_ENDPOINT in .env"
    return _Where(name, label, key_var, address, replay, _requested_model(err), _retries(err))


def _retries(err: openai.APIError) -> int:
    """The SDK numbers each attempt in a header; the error carries the last attempt's request."""
    try:
        return int(err.request.headers.get("x-stainless-retry-count", 0))
    except (AttributeError, ValueError):
        return 0


def _requested_model(err: openai.APIError) -> str | None:
    try:
        body = json.loads(err.request.content or b"null")
    except (AttributeError, ValueError, RuntimeError):  # RuntimeError: a body not read
        return None
    model = body.get("model") if isinstance(body, dict) else None
    return model if isinstance(model, str) else None


def _provider_said(err: openai.APIError) -> str | None:
    if isinstance(err, UnreadableAnswer):
        return None  # what it sent is described, not repeated (an HTML page, broken JSON)
    body = err.body
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        said = body["message"]
    elif isinstance(body, str) and body.strip():
        said = body.strip()[:300]
    elif isinstance(err, openai.APIStatusError):
        said = re.sub(r"^Error code: \d+( - )?", "", err.message)
    elif isinstance(err, openai.APIConnectionError):
        return None  # the SDK's "Connection error." says less than the diagnosis
    else:
        said = err.message
    return said.strip() or None


def _causes(err: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current = err.__cause__ or err.__context__
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _raised_mid_stream(err: BaseException) -> bool:
    """True when the SDK raised it while reading an event stream (the answer had begun)."""
    tb = err.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename.replace("\\", "/")
        if filename.endswith("/openai/_streaming.py"):
            return True
        tb = tb.tb_next
    return False


def _redact(text: str) -> str:
    """Remove every API key this process knows of, should any provider echo one back, and the user
    information (``user:password@``) of every URL."""
    text = printable_url(text)
    secrets = {os.environ.get(name, "").strip() for name in KEY_VARIABLES}
    from .client import _session

    if _session is not None and _session.provider is not None:
        secrets.add(_session.provider.api_key)
    for secret in sorted((s for s in secrets if len(s) >= 8), key=len, reverse=True):
        text = text.replace(secret, "<your key>")
    return text


# --------------------------------------------------------------------------------------------
# The notebook hook
# --------------------------------------------------------------------------------------------


def _public_name(etype: type[BaseException]) -> str:
    """The name to catch it by: ``openai.BadRequestError``, ``helpers.ReplayMiss``; for a private
    subclass, the public class it extends (``AnswerTimeout`` is an ``openai.APITimeoutError``)."""
    import helpers

    for cls in etype.__mro__:
        for package in (openai, helpers):
            if getattr(package, cls.__name__, None) is cls:
                return f"{package.__name__}.{cls.__name__}"
    return f"{etype.__module__}.{etype.__qualname__}"


def _cell_line(shell: Any, tb: Any) -> str | None:
    """Where in the notebook it was raised: the last traceback frame inside a cell."""
    cells = getattr(getattr(shell, "compile", None), "_filename_map", None) or {}
    found = None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename in cells:
            found = (cells[filename], tb.tb_lineno, filename)
        tb = tb.tb_next
    if found is None:
        return None
    count, lineno, filename = found
    source = linecache.getline(filename, lineno).strip()
    return f"Raised in cell [{count}], line {lineno}: {source}"


def render(etype: type[BaseException], value: BaseException, tb: Any = None, shell: Any = None):
    """The lines the notebook shows in place of the traceback."""
    name = _public_name(etype)
    lines = [f"{name}: {explain(value)}"]
    where = _cell_line(shell, tb) if shell is not None else None
    if where:
        lines.append(where)
    lines.append(
        f"(The full traceback is hidden: run %tb to see it. Catch this error with `except {name}`.)"
    )
    return "\n".join(lines)


def _handler(shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: Any = None):
    # %tb and %debug read these, as they do after any other error.
    sys.last_type, sys.last_value, sys.last_traceback = etype, value, tb
    if sys.version_info >= (3, 12):
        sys.last_exc = value
    try:
        text = render(etype, value, tb, shell)
    except Exception:  # never let a message hide the error itself
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
        return None
    # ipykernel sends this as the cell's error output (ename, evalue unchanged; this text as its
    # traceback); a terminal IPython prints it.
    shell._showtraceback(etype, value, [text])
    return None


def install_hook() -> bool:
    """In IPython (Jupyter), show uncaught SDK and tutorial errors as ``explain`` messages.

    Returns whether the hook is in place. Does nothing outside IPython, and leaves alone a shell
    where something else already set a custom exception handler."""
    ipython = sys.modules.get("IPython")  # not imported: this is not IPython
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return False
    if shell.custom_exceptions and not getattr(shell, "_tutorial_faults_hook", False):
        return False
    shell.set_custom_exc(HOOKED, _handler)  # setting it again (a second connect) is harmless
    shell._tutorial_faults_hook = True
    return True
