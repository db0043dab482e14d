"""The relay's way to the model: a plain ``openai.OpenAI`` client, set up the way the notebooks' is.

The provider comes from the same settings as the notebooks' live mode (``.env``: OPENAI_API_KEY,
OPENAI_BASE_URL, Azure), read by ``helpers.config``; ``TUTORIAL_MODE`` chooses between live, record
and replay exactly as for a notebook. In replay the relay answers from its own part of a recording
(``RELAY_RECORDING``, by default notebooks/recordings/10_relay.json): the interactions marked
``"process": "relay"``, which notebook 10's kernel leaves alone, so the two processes never compete
for the same recorded answers. In record mode it writes that part to ``RELAY_RECORD_TO``, which
``make record`` and ``make illustrate`` merge into the notebook's recording.

The research model is the ``deep_research`` role of ``helpers/config.py``, never a name written
here; the data-source tool it needs is chosen from that name (``data_source_tool``).
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
import openai

from helpers import config
from helpers.errors import RecordingError, SetupError, TutorialError
from helpers.recording import Recording, load, relative, write_atomic
from helpers.transport import MeteredTransport, RecordingTransport, ReplayTransport
from helpers.usage import Meter

from .settings import Settings

__all__ = ["Upstream", "UpstreamFailure", "data_source_tool", "failure", "PROCESS", "part_path"]

PROCESS = "relay"  # the tag of the relay's interactions in a notebook's recording
DEFAULT_RECORDING = "10_relay"
# The deep research models took only web_search_preview (or mcp, file_search); both were shut down
# on 2026-07-23. Any other model gets the current hosted tool, web_search.
PREVIEW_ONLY = ("o3-deep-research", "o4-mini-deep-research")


def data_source_tool(model: str, setting: str = "auto") -> dict[str, str]:
    """The hosted search tool a research request must carry for ``model``."""
    if setting != "auto":
        return {"type": setting}
    name = model.strip().lower()
    if name.startswith(PREVIEW_ONLY):
        return {"type": "web_search_preview"}
    return {"type": "web_search"}


def part_path(record_to: str | Path) -> Path:
    """Where the relay writes its part while a notebook is recorded into ``record_to``."""
    path = Path(record_to)
    return path.with_name(f"{path.stem}.{PROCESS}.json")


_RESOURCE = re.compile(r"^/responses/([^/]+)")


def _resource(interaction: dict[str, Any]) -> str | None:
    """The upstream response an interaction is about: from its path, or the id it created."""
    req, res = interaction["request"], interaction["response"]
    match = _RESOURCE.match(req["path"])
    if match:
        return match.group(1)
    body = res.get("body")
    if isinstance(body, dict) and isinstance(body.get("id"), str):
        return body["id"]
    for event in res.get("events") or []:
        data = event.get("data")
        if isinstance(data, dict) and isinstance(data.get("response"), dict):
            return data["response"].get("id")
    return None


class RelayReplay(ReplayTransport):
    """The relay's replay: the course's replay transport, plus a look at what comes next.

    A background job's poller follows its recording: it polls while the next recorded exchange of
    its job is a poll, and when the next one is a cancel it waits for the client's cancel instead
    of polling on. So however fast replay runs, the relay makes the recorded requests in the
    recorded order, and a notebook that cancels a job replays the same way every time.
    """

    def __init__(self, recording: Recording, notebook: str, path: str, strict: bool = False):
        super().__init__(recording, notebook, path, strict)
        self.lock = threading.Lock()
        self.resources = [_resource(it) for it in recording.interactions]

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        with self.lock:  # several job threads replay at once
            return super().handle_request(request)

    def next_for(self, upstream_id: str) -> str | None:
        """``"poll"``, ``"cancel"`` or ``"other"``: the next unplayed recorded exchange of this
        upstream response; None when every one has been played."""
        with self.lock:
            for i, interaction in enumerate(self.recording.interactions):
                if self.played[i] or self.resources[i] != upstream_id:
                    continue
                req = interaction["request"]
                if req["method"] == "GET" and req["path"] == f"/responses/{upstream_id}":
                    return "poll"
                if req["method"] == "POST" and req["path"].endswith("/cancel"):
                    return "cancel"
                return "other"
        return None


@dataclass
class UpstreamFailure:
    """An upstream error as the relay answers it: HTTP status, message, Retry-After."""

    status: int
    message: str
    retry_after: int | None = None


def failure(err: BaseException, upstream: Upstream | None = None) -> UpstreamFailure:
    """What to answer the relay's client when a request to the model failed. Never the key: for a
    refused key the provider's message (which quotes part of it) is not passed on."""
    if isinstance(err, openai.APITimeoutError):
        limit = f" within {upstream.timeout:g} s" if upstream else ""
        return UpstreamFailure(
            504,
            f"The model provider did not answer{limit}. The job may still be running there; "
            "send the request again later.",
        )
    if isinstance(err, openai.APIConnectionError):
        return UpstreamFailure(
            502,
            "The relay could not reach the model provider (connection failed). Its operator "
            "should check OPENAI_BASE_URL (or AZURE_OPENAI_ENDPOINT) and the network; send the "
            "request again later.",
        )
    if isinstance(err, openai.APIStatusError):
        code = err.status_code
        said = _said(err)
        if code == 429:
            wait = _retry_after(err) or 10
            return UpstreamFailure(
                503,
                f"The model provider is limiting the relay's requests (429: {said}). "
                f"Try again in {wait} s.",
                wait,
            )
        if code in (401, 403):
            return UpstreamFailure(
                502,
                f"The model provider refused the relay's own credentials ({code}). Nothing is "
                "wrong with your request: the relay's operator must fix its key in .env.",
            )
        if code >= 500:
            return UpstreamFailure(
                502,
                f"The model provider failed ({code}: {said}), also after the SDK's retries. "
                "Send the request again later.",
                _retry_after(err),
            )
        return UpstreamFailure(
            502, f"The model provider refused the research request ({code}: {said})."
        )
    if isinstance(err, TutorialError):  # a budget cap, or replay without the answer
        status = 429 if type(err).__name__ == "BudgetExceeded" else 502
        return UpstreamFailure(status, str(err))
    return UpstreamFailure(502, f"The request to the model provider failed: {type(err).__name__}.")


def _said(err: openai.APIStatusError) -> str:
    body = err.body
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return body["message"].strip()[:300]
    return re.sub(r"^Error code: \d+( - )?", "", err.message).strip()[:300] or "no message"


def _retry_after(err: openai.APIStatusError) -> int | None:
    headers = err.response.headers if err.response is not None else {}
    raw = headers.get("retry-after")
    if raw:
        try:
            return max(1, int(float(raw)))
        except ValueError:
            return None
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return max(1, round(float(ms) / 1000))
        except ValueError:
            return None
    return None


@dataclass
class Upstream:
    """The client the relay calls the model with, and how it was set up."""

    mode: str  # live | record | replay
    client: openai.OpenAI
    label: str  # safe to print: no key, no host
    meter: Meter
    timeout: float
    replay: RelayReplay | None = None
    models: dict[str, str] = field(default_factory=dict)
    recording: Recording | None = None  # being written, in record mode
    record_to: Path | None = None
    report_to: Path | None = None
    _slots: list[dict[str, Any] | None] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # ---- construction ---------------------------------------------------------------------

    @classmethod
    def from_env(cls, settings: Settings) -> Upstream:
        """As ``helpers.connect`` would set it up, for the relay's part of a recording."""
        config.load_dotenv_once()
        explicit_replay = (os.environ.get("TUTORIAL_MODE") or "").strip().lower() == "replay"
        provider = None if explicit_replay else config.detect_provider()
        mode, _reason = config.resolve_mode(provider)
        path = Path(
            os.environ.get("RELAY_RECORDING")
            or config.recordings_dir() / f"{DEFAULT_RECORDING}.json"
        )
        meter = Meter.from_env()
        report_dir = os.environ.get("TUTORIAL_REPORT_DIR")
        report_to = Path(report_dir) / f"{path.stem}.{PROCESS}.json" if report_dir else None
        if mode == "replay":
            whole = load(path, path.stem)
            mine = [it for it in whole.interactions if it.get("process") == PROCESS]
            replay = RelayReplay(
                Recording(whole.meta, mine),
                path.stem,
                relative(path),
                strict=os.environ.get("TUTORIAL_REPLAY_STRICT") == "1",
            )
            upstream = cls._build(
                "replay", replay, None, f"replay of {relative(path)}", meter, settings
            )
            upstream.replay = replay
            upstream.models = dict(whole.meta["models"])
            upstream.report_to = report_to
            return upstream
        if provider is None:
            raise SetupError(
                f"TUTORIAL_MODE={mode} needs credentials, and none are set. {config.HOW_TO_GO_LIVE}"
            )
        inner: httpx2.BaseTransport = httpx2.HTTPTransport()
        recording = record_to = None
        if mode == "record":
            target = os.environ.get("RELAY_RECORD_TO")
            if not target:
                raise SetupError(
                    "The relay records only while a notebook is recorded (make record NB=... "
                    "starts it with RELAY_RECORD_TO set); run it live or in replay instead."
                )
            record_to = Path(target)
            recording = Recording(
                meta={
                    "notebook": f"{path.stem}.ipynb",
                    "source": os.environ.get("TUTORIAL_RECORD_SOURCE", "recorded"),
                    "recorded_at": _dt.datetime.now(_dt.timezone.utc).date().isoformat(),
                    "provider": os.environ.get("TUTORIAL_RECORD_PROVIDER", provider.name),
                    "sdk_version": openai.__version__,
                    "models": {},
                }
            )
        upstream = cls._build(mode, inner, provider, provider.label, meter, settings)
        upstream.recording, upstream.record_to, upstream.report_to = recording, record_to, report_to
        if recording is not None:
            upstream.client = cls._client(
                RecordingTransport(inner, upstream._recorded), provider, meter, settings, upstream
            )
        return upstream

    @classmethod
    def for_server(
        cls,
        base_url: str,
        settings: Settings,
        *,
        transport: httpx2.BaseTransport | None = None,
        models: dict[str, str] | None = None,
        api_key: str = "sk-relay-test",
    ) -> Upstream:
        """Live against a given server (the tests' fake Responses server)."""
        provider = config.Provider(
            "compatible", base_url, api_key, "OPENAI_API_KEY", "a test server"
        )
        upstream = cls._build(
            "live",
            transport or httpx2.HTTPTransport(),
            provider,
            provider.label,
            Meter(),
            settings,
        )
        upstream.models = dict(
            models
            if models is not None
            else {"default": "gpt-5.4-mini", "deep_research": "gpt-5.5"}
        )
        return upstream

    @classmethod
    def _build(
        cls,
        mode: str,
        inner: httpx2.BaseTransport,
        provider: config.Provider | None,
        label: str,
        meter: Meter,
        settings: Settings,
    ) -> Upstream:
        upstream = cls(
            mode=mode,
            client=None,  # type: ignore[arg-type]
            label=label,
            meter=meter,
            timeout=settings.upstream_timeout,
        )
        upstream.client = cls._client(inner, provider, meter, settings, upstream)
        return upstream

    @staticmethod
    def _client(
        inner: httpx2.BaseTransport,
        provider: config.Provider | None,
        meter: Meter,
        settings: Settings,
        upstream: Upstream,
    ) -> openai.OpenAI:
        live = provider is not None
        metered = MeteredTransport(inner, meter, enforce=live, after=upstream._write_report)
        return openai.OpenAI(
            api_key=provider.api_key if live else "replay-needs-no-key",
            base_url=provider.base_url if live else None,
            http_client=httpx2.Client(transport=metered),
            timeout=settings.upstream_timeout,
            max_retries=settings.upstream_retries,
        )

    # ---- models ---------------------------------------------------------------------------

    def model(self, role: str) -> str:
        """The model for a role: as recorded in replay, else TUTORIAL_* or helpers' default."""
        if self.mode == "replay":
            try:
                return self.models[role]
            except KeyError:
                raise RecordingError(
                    f"The recording names no model for role {role!r}: the relay's part of it was "
                    "made before this request was. Re-record the notebook with make record."
                ) from None
        if role not in self.models:
            self.models[role] = config.model_for(role)
        return self.models[role]

    # ---- record and report ----------------------------------------------------------------

    def _recorded(self, index: int, interaction: dict[str, Any]) -> None:
        assert self.recording is not None and self.record_to is not None
        with self._lock:
            while len(self._slots) <= index:
                self._slots.append(None)
            self._slots[index] = {**interaction, "process": PROCESS}
            self.recording.meta["models"] = dict(self.models)
            self.recording.interactions = [s for s in self._slots if s is not None]
            write_atomic(self.record_to, self.recording.to_json())

    def report(self) -> dict[str, Any]:
        """What the relay sent upstream: safe to show (no key, host or token)."""
        out: dict[str, Any] = {"mode": self.mode, "provider": self.label}
        out["usage"] = self.meter.totals()
        if self.replay is not None:
            out["recorded"] = len(self.replay.played)
            out["unplayed"] = self.replay.unplayed()
        return out

    def _write_report(self) -> None:
        if self.report_to is None:
            return
        with self._lock:
            write_atomic(self.report_to, json.dumps(self.report(), indent=2) + "\n")

    def close(self) -> None:
        self._write_report()
        self.client.close()
