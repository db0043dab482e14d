"""Settings read from the environment: mode, provider and models, all in one place.

Defined in 00_start_here and 01_basics (``connect`` and ``model`` use it).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .errors import SetupError

REPO_ROOT = Path(__file__).resolve().parent.parent

# Current models: none has a shutdown date announced in the installed SDK (helpers/shutdowns.py
# reads them; tests/test_models.py fails when a default is shut down or will be within 90 days).
# deep_research is the model for long research jobs, run in background mode with web_search: the
# deep research models (o3-deep-research, o4-mini-deep-research) were shut down on 2026-07-23.
# On Azure these are deployment names: override them with the variables beside them.
DEFAULT_MODELS = {
    "default": "gpt-5.4-mini",
    "deep_research": "gpt-5.5",
}
MODEL_ENV = {
    "default": "TUTORIAL_MODEL",
    "deep_research": "TUTORIAL_DEEP_RESEARCH_MODEL",
}

MODES = ("auto", "replay", "live", "record")
# The variables that can hold an API key (detect_provider reads them; nothing may print them).
KEY_VARIABLES = ("OPENAI_API_KEY", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_KEY")

HOW_TO_GO_LIVE = (
    "Put OPENAI_API_KEY (or AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_API_KEY) in .env at the "
    "repository root (see .env.example), or run offline with TUTORIAL_MODE=replay."
)


@dataclass(frozen=True)
class Provider:
    """Where live requests go. ``label`` is safe to print: it never holds a key or a host."""

    name: str  # "openai" | "azure" | "compatible"
    base_url: str | None
    api_key: str
    key_source: str
    label: str


def recordings_dir() -> Path:
    return Path(os.environ.get("TUTORIAL_RECORDINGS_DIR") or REPO_ROOT / "notebooks" / "recordings")


def load_dotenv_once() -> None:
    """Read ``.env`` at the repository root (never overriding the shell), unless TUTORIAL_DOTENV=0."""
    if os.environ.get("TUTORIAL_DOTENV", "1") == "0":
        return
    from dotenv import load_dotenv

    load_dotenv(REPO_ROOT / ".env", override=False)


def _env(name: str) -> str:
    return (os.environ.get(name) or "").strip()


def detect_provider() -> Provider | None:
    """The provider the environment describes, or None when it holds no credentials at all."""
    endpoint = _env("AZURE_OPENAI_ENDPOINT")
    azure_key = _env("AZURE_OPENAI_API_KEY") or _env("AZURE_OPENAI_KEY")
    if endpoint or azure_key:
        if not (endpoint and azure_key):
            missing = "AZURE_OPENAI_API_KEY" if endpoint else "AZURE_OPENAI_ENDPOINT"
            raise SetupError(
                f"Azure OpenAI is half configured: {missing} is not set. Set both "
                "AZURE_OPENAI_ENDPOINT (https://<your-resource>.openai.azure.com) and "
                "AZURE_OPENAI_API_KEY in .env, or remove both to use OpenAI or replay."
            )
        parts = urlsplit(endpoint if "://" in endpoint else f"https://{endpoint}")
        if not parts.netloc:
            raise SetupError(
                "AZURE_OPENAI_ENDPOINT is not a URL. Use https://<your-resource>.openai.azure.com "
                "(the 'Endpoint' on your resource's Keys and Endpoint page)."
            )
        base = f"{parts.scheme}://{parts.netloc}/openai/v1/"
        source = "AZURE_OPENAI_API_KEY" if _env("AZURE_OPENAI_API_KEY") else "AZURE_OPENAI_KEY"
        return Provider("azure", base, azure_key, source, "Azure OpenAI (v1 endpoint)")
    key = _env("OPENAI_API_KEY")
    if not key:
        return None
    base_url = _env("OPENAI_BASE_URL") or None
    if base_url and urlsplit(base_url).hostname not in (None, "api.openai.com"):
        return Provider(
            "compatible", base_url, key, "OPENAI_API_KEY", "a Responses-compatible server"
        )
    return Provider("openai", base_url, key, "OPENAI_API_KEY", "OpenAI")


def resolve_mode(provider: Provider | None) -> tuple[str, str]:
    """The mode to run in and why, from TUTORIAL_MODE and whether credentials exist."""
    asked = (_env("TUTORIAL_MODE") or "auto").lower()
    if asked not in MODES:
        raise SetupError(
            f"TUTORIAL_MODE={asked!r} is not a mode. Use one of: {', '.join(MODES)} "
            "(auto = live when credentials are set, replay otherwise)."
        )
    if asked != "auto":
        return asked, f"TUTORIAL_MODE={asked}"
    if provider is None:
        return "replay", "no API key set"
    return "live", f"{provider.key_source} is set"


def model_for(role: str) -> str:
    """The model for a role when running live: an environment override, else the default."""
    if role not in DEFAULT_MODELS:
        raise SetupError(f"Unknown model role {role!r}. Roles: {', '.join(DEFAULT_MODELS)}.")
    return _env(MODEL_ENV[role]) or DEFAULT_MODELS[role]
