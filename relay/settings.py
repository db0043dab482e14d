"""The relay's settings, read once from the environment (``RELAY_*``); every one has a default.

Provider settings (the key, ``OPENAI_BASE_URL``, Azure) are not here: the relay reads them the way
the notebooks do, through ``helpers.config`` (see ``relay/upstream.py``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path

# Not helpers.config.REPO_ROOT: importing helpers loads the SDK, and a relay that cannot start
# should say so before that.
REPO_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(ValueError):
    """A RELAY_* variable holds something the relay cannot use."""


def default_db() -> str:
    return str(REPO_ROOT / "build" / "relay" / "relay.db")


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8080
    # A file path (SQLite) or a postgresql:// URL (several relays can share it).
    db: str = ""
    # Largest request body accepted, in bytes (413 above it).
    max_body: int = 64 * 1024
    # Jobs (foreground, background, stream) one relay process runs at once (503 above it).
    max_jobs: int = 64
    # Seconds between polls of a background job upstream; None: 2 s live, 0 in replay.
    poll_interval: float | None = None
    # Seconds of silence after which an event stream sends a heartbeat comment.
    heartbeat: float = 15.0
    # The reconnection delay an event stream suggests to its client (SSE ``retry:``), in ms.
    retry_ms: int = 2000
    # Retry-After on a 202: when to look again, in seconds.
    retry_after: int = 2
    # Longest /wait?timeout=, in seconds.
    wait_max: float = 60.0
    # Upstream: seconds before a request times out, and how often the SDK retries.
    upstream_timeout: float = 600.0
    upstream_retries: int = 2
    # Consecutive failed polls of a background job before it is marked failed.
    poll_errors: int = 5
    # The chat loop: responses per chat request at most.
    max_turns: int = 4
    # Searches a research job may make (max_tool_calls); 0 leaves it to the model.
    max_tool_calls: int = 12
    # The data-source tool for research: "auto" picks it from the model's name.
    research_tool: str = "auto"
    # How long a job's owner holds it without renewing, in seconds (other relays take it over then).
    lease: float = 30.0
    # How often a relay looks for jobs whose owner stopped, in seconds.
    recover_every: float = 10.0
    # Seconds between reads of the database by an event stream, for events other relays write.
    event_poll: float = 0.25
    # Idempotency keys are remembered this long, in seconds.
    idempotency_ttl: float = 24 * 3600.0
    # Hypercorn's access log (method, path, status; never headers) on stderr.
    access_log: bool = False

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: object) -> Settings:
        env = dict(os.environ if env is None else env)
        values: dict[str, object] = {}
        for f in fields(cls):
            name = f"RELAY_{f.name.upper()}"
            raw = (env.get(name) or "").strip()
            if not raw:
                continue
            values[f.name] = _parse(name, raw, f.default)
        settings = cls(**values)
        if not settings.db:
            settings = replace(settings, db=default_db())
        settings = replace(settings, **overrides)  # type: ignore[arg-type]
        settings.check()
        return settings

    def check(self) -> None:
        if self.research_tool not in ("auto", "web_search", "web_search_preview"):
            raise SettingsError(
                f"RELAY_RESEARCH_TOOL={self.research_tool!r}: use auto (pick it from the model), "
                "web_search or web_search_preview."
            )
        if not 0 <= self.port <= 65535:
            raise SettingsError(f"RELAY_PORT={self.port}: use 0 (any free port) to 65535.")
        for name in ("max_body", "max_jobs", "max_turns"):
            if getattr(self, name) < 1:
                raise SettingsError(f"RELAY_{name.upper()} must be at least 1.")

    @property
    def is_postgres(self) -> bool:
        return self.db.startswith(("postgres://", "postgresql://"))

    def db_label(self) -> str:
        """Where state is kept, for a log line: no password, no path outside the repository."""
        if self.is_postgres:
            return "PostgreSQL"
        path = Path(self.db)
        try:
            shown = str(path.resolve().relative_to(REPO_ROOT))
        except ValueError:
            shown = path.name
        return f"SQLite ({shown})"


def _parse(name: str, raw: str, default: object) -> object:
    try:
        if isinstance(default, bool):
            if raw.lower() not in ("1", "0", "true", "false", "yes", "no"):
                raise ValueError
            return raw.lower() in ("1", "true", "yes")
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float) or default is None:
            return float(raw)
    except ValueError:
        kind = (
            "1 or 0"
            if isinstance(default, bool)
            else "a whole number"
            if isinstance(default, int)
            else "a number of seconds"
        )
        raise SettingsError(f"{name}={raw!r} is not {kind}.") from None
    return raw
