"""``connect()``: one call gives a notebook a plain ``openai.OpenAI`` client that replays, runs live,
or records, as the environment says; ``model()`` names the model to ask for; ``session_report()``
closes a notebook with what it used.

Defined in 01_basics.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
import openai

from . import config
from .errors import RecordingError, SetupError
from .faults import install_hook
from .liveguard import LiveGuardTransport, network_transport
from .recording import Recording, load, relative, write_atomic
from .transport import MeteredTransport, RecordingTransport, ReplayTransport, unplayed_message
from .usage import Meter, kernel_meter

__all__ = ["connect", "model", "session_report", "current_session", "Session"]

# Replay needs no key; the SDK insists on one, so it gets a word that is plainly not a key.
REPLAY_API_KEY = "replay-needs-no-key"


@dataclass
class Session:
    """What ``connect`` set up for the running notebook."""

    notebook: str
    mode: str
    reason: str
    provider: config.Provider | None
    recording_path: Path
    meter: Meter
    replay: ReplayTransport | None = None
    recording: Recording | None = None  # the one being written, in record mode
    slots: list[dict[str, Any] | None] = field(default_factory=list)
    models: dict[str, str] = field(default_factory=dict)

    @property
    def live(self) -> bool:
        return self.mode in ("live", "record")

    def poll_interval(self, seconds: float) -> float:
        """How long to wait between polls: as asked when live, never in replay."""
        if not self.live:
            return 0.0
        override = os.environ.get("TUTORIAL_POLL_INTERVAL")
        return float(override) if override else seconds

    # Record mode: every finished exchange is written to TUTORIAL_RECORD_TO at once, so the
    # process that drives the recording (scripts/record.py) can read it when the kernel is done.
    def _recorded(self, index: int, interaction: dict[str, Any]) -> None:
        while len(self.slots) <= index:
            self.slots.append(None)
        self.slots[index] = interaction
        self._write_partial()

    def _write_partial(self) -> None:
        assert self.recording is not None
        self.recording.meta["models"] = dict(self.models)
        self.recording.interactions = [s for s in self.slots if s is not None]
        write_atomic(Path(os.environ["TUTORIAL_RECORD_TO"]), self.recording.to_json())

    def _report(self) -> None:
        """With TUTORIAL_REPORT_DIR set (make run, tests), leave a small JSON report per notebook."""
        folder = os.environ.get("TUTORIAL_REPORT_DIR")
        if not folder:
            return
        report = {
            "notebook": self.notebook,
            "mode": self.mode,
            "usage": self.meter.totals(),
            "recorded_requests": len(self.replay.played) if self.replay else None,
            "unplayed": self.replay.unplayed() if self.replay else [],
        }
        write_atomic(Path(folder) / f"{self.notebook}.json", json.dumps(report, indent=2) + "\n")


_session: Session | None = None


def current_session() -> Session:
    if _session is None:
        raise SetupError('No client yet: run the setup cell first (client = connect("NN_name")).')
    return _session


def connect(notebook: str) -> openai.OpenAI:
    """Return an ``openai.OpenAI`` client for ``notebook`` (e.g. "01_basics") and print one line
    saying the mode, the provider and why. The notebook names itself because a kernel cannot
    reliably know which notebook it runs.

    Live, the client waits at most ``TUTORIAL_CONNECT_TIMEOUT`` (10 s) to connect and
    ``TUTORIAL_TIMEOUT`` (120 s) for an answer or between two events of a stream, once, without
    retrying (helpers/liveguard.py); ``client.with_options(timeout=...)`` changes that for a call.
    The budget meter belongs to the kernel: calling ``connect`` again keeps its counts."""
    global _session
    # First, so that even a set-up error below reaches a notebook as one clear message.
    install_hook()
    notebook = Path(notebook).stem
    config.load_dotenv_once()
    explicit_replay = (os.environ.get("TUTORIAL_MODE") or "").strip().lower() == "replay"
    provider = None if explicit_replay else config.detect_provider()
    mode, reason = config.resolve_mode(provider)
    path = config.recordings_dir() / f"{notebook}.json"
    meter = kernel_meter(live=mode != "replay")
    session = Session(notebook, mode, reason, provider, path, meter)

    if mode == "replay":
        recording = load(path, notebook)
        session.replay = ReplayTransport(
            recording,
            notebook,
            relative(path),
            strict=os.environ.get("TUTORIAL_REPLAY_STRICT") == "1",
        )
        session.models = dict(recording.meta["models"])
        inner: httpx2.BaseTransport = session.replay
    else:
        if provider is None:
            raise SetupError(
                f"TUTORIAL_MODE={mode} needs credentials, and none are set. "
                f"{config.HOW_TO_GO_LIVE} Replay needs no key: unset TUTORIAL_MODE."
            )
        inner = LiveGuardTransport(network_transport(provider.base_url))
        if mode == "record":
            if not os.environ.get("TUTORIAL_RECORD_TO"):
                raise SetupError(
                    "Record mode is driven from the shell, so that a recording is only saved when "
                    f"every cell succeeds: make record NB=notebooks/{notebook}.ipynb"
                )
            session.recording = Recording(
                meta={
                    "notebook": f"{notebook}.ipynb",
                    "source": os.environ.get("TUTORIAL_RECORD_SOURCE", "recorded"),
                    "recorded_at": _dt.datetime.now(_dt.timezone.utc).date().isoformat(),
                    "provider": os.environ.get("TUTORIAL_RECORD_PROVIDER", provider.name),
                    "sdk_version": openai.__version__,
                    "models": {},
                }
            )
            if session.recording.meta["source"] == "illustrative":
                session.recording.meta["note"] = (
                    "Written for this course, not captured from the live API: served by "
                    f"fake_api/ from scenarios/{notebook}.py. Re-record it with a key: "
                    f"make record NB=notebooks/{notebook}.ipynb"
                )
            inner = RecordingTransport(inner, session._recorded)

    metered = MeteredTransport(inner, meter, enforce=session.live, after=session._report)
    client = openai.OpenAI(
        api_key=provider.api_key if provider and session.live else REPLAY_API_KEY,
        base_url=provider.base_url if provider and session.live else None,
        http_client=httpx2.Client(transport=metered),
        # Live: limits fit for a lesson (helpers/liveguard.py enforces them, once, no retry).
        timeout=config.request_timeout() if session.live else openai.DEFAULT_TIMEOUT,
    )
    _session = session
    session._report()
    print(banner(session))
    return client


def banner(session: Session) -> str:
    if session.mode == "replay":
        meta = session.replay.recording.meta if session.replay else {}
        if meta.get("source") == "illustrative":
            origin = "an illustrative recording written for this course"
        else:
            origin = (
                f"a recording made live on {meta.get('recorded_at')} via {meta.get('provider')}"
            )
        # Named as the notebook sees it (from notebooks/), whichever folder the file was read from.
        return (
            f"Mode: replay ({session.reason}). Answers come from recordings/{session.notebook}.json, "
            f"{origin}; nothing is sent anywhere."
        )
    assert session.provider is not None
    where = f"Requests go to {session.provider.label}"
    if session.mode == "record":
        return (
            f"Mode: record ({session.reason}). {where} and are captured for "
            f"{relative(session.recording_path)}."
        )
    return f"Mode: live ({session.reason}). {where} and use tokens on your account."


def model(role: str = "default") -> str:
    """The model name for a role ("default", "deep_research"). In replay it is the one recorded,
    whatever .env says; live it is TUTORIAL_MODEL / TUTORIAL_DEEP_RESEARCH_MODEL or the default."""
    session = current_session()
    if session.mode == "replay":
        try:
            return session.models[role]
        except KeyError:
            raise RecordingError(
                f"{relative(session.recording_path)} names no model for role {role!r}; it was "
                f"recorded before this cell asked for one. Re-record: "
                f"make record NB=notebooks/{session.notebook}.ipynb"
            ) from None
    name = config.model_for(role)
    session.models[role] = name
    return name


def session_report() -> None:
    """Print what this notebook used: requests, tokens, and in replay whether every recorded
    request was played."""
    session = current_session()
    t = session.meter.totals()
    print(
        f"Requests: {t['requests']} · tokens in: {t['input_tokens']:,} "
        f"({t['cached_tokens']:,} cached) · out: {t['output_tokens']:,} "
        f"({t['reasoning_tokens']:,} reasoning) over {t['responses']} "
        f"response{'' if t['responses'] == 1 else 's'}"
    )
    if t["unknown_usage"]:
        print(unknown_usage_note(t["unknown_usage"]))
    if session.replay:
        recorded = len(session.replay.played)
        every = (
            "The one recorded request was"
            if recorded == 1
            else f"All {recorded} recorded requests were"
        )
        print(unplayed_message(session.replay) or f"{every} replayed.")


def unknown_usage_note(count: int) -> str:
    """What the totals above leave out: model requests whose answers never told their tokens."""
    requests = "1 model request" if count == 1 else f"{count} model requests"
    return (
        f"The tokens of {requests} are not known (a stream closed before its end, a background "
        "job cancelled or not polled to its end, or a request that got no answer): they are not "
        "in these totals, nor in what TUTORIAL_MAX_TOKENS counts."
    )
