"""Mode and provider selection, and the messages a learner gets when set-up is wrong."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from helpers import SetupError, config, connect, model
from helpers.config import DEFAULT_MODELS, detect_provider, resolve_mode

# Built at run time so no literal in the repository looks like a key.
FAKE_KEY = "sk-" + "unit" + "test" * 6


@pytest.fixture
def env(monkeypatch):
    for name in ("TUTORIAL_MODE", "OPENAI_API_KEY", "OPENAI_BASE_URL", "AZURE_OPENAI_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("AZURE_OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("AZURE_OPENAI_KEY", raising=False)
    return monkeypatch


def test_auto_without_credentials_replays(env):
    assert detect_provider() is None
    assert resolve_mode(None) == ("replay", "no API key set")


def test_auto_with_openai_key_is_live(env):
    env.setenv("OPENAI_API_KEY", FAKE_KEY)
    provider = detect_provider()
    assert (provider.name, provider.base_url, provider.label) == ("openai", None, "OpenAI")
    assert resolve_mode(provider) == ("live", "OPENAI_API_KEY is set")


def test_base_url_elsewhere_is_a_compatible_server(env):
    env.setenv("OPENAI_API_KEY", FAKE_KEY)
    env.setenv("OPENAI_BASE_URL", "http://localhost:4000/v1")
    provider = detect_provider()
    assert provider.name == "compatible"
    assert provider.base_url == "http://localhost:4000/v1"


@pytest.mark.parametrize("key_var", ["AZURE_OPENAI_API_KEY", "AZURE_OPENAI_KEY"])
def test_azure_uses_the_v1_endpoint(env, key_var):
    env.setenv("AZURE_OPENAI_ENDPOINT", "https://contoso.openai.azure.com/")
    env.setenv(key_var, "0" * 32)
    provider = detect_provider()
    assert provider.name == "azure"
    assert provider.base_url == "https://contoso.openai.azure.com/openai/v1/"
    assert provider.key_source == key_var
    assert "contoso" not in provider.label  # the banner never names the resource


def test_half_configured_azure_names_what_is_missing(env):
    env.setenv("AZURE_OPENAI_ENDPOINT", "https://contoso.openai.azure.com")
    with pytest.raises(SetupError, match="AZURE_OPENAI_API_KEY is not set"):
        detect_provider()


def test_unknown_mode_lists_the_valid_ones(env):
    env.setenv("TUTORIAL_MODE", "replya")
    with pytest.raises(SetupError, match="auto, replay, live, record"):
        resolve_mode(None)


def test_live_without_credentials_says_where_to_put_them(env):
    env.setenv("TUTORIAL_MODE", "live")
    with pytest.raises(SetupError) as err:
        connect("01_basics")
    message = str(err.value)
    assert "OPENAI_API_KEY" in message and ".env" in message and "Replay needs no key" in message


def test_record_mode_is_only_driven_by_make_record(env):
    env.setenv("TUTORIAL_MODE", "record")
    env.setenv("OPENAI_API_KEY", FAKE_KEY)
    with pytest.raises(SetupError, match="make record NB=notebooks/01_basics.ipynb"):
        connect("01_basics")


def test_live_banner_never_shows_the_key(env, capsys):
    env.setenv("OPENAI_API_KEY", FAKE_KEY)
    client = connect("01_basics")
    out = capsys.readouterr().out
    assert out.startswith("Mode: live (OPENAI_API_KEY is set). Requests go to OpenAI")
    assert FAKE_KEY not in out
    assert client.api_key == FAKE_KEY


def test_replay_models_come_from_the_recording_not_the_environment(env, tmp_path, capsys):
    from bodies import write_recording

    write_recording(tmp_path, "nb", [], models={"default": "recorded-model"})
    env.setenv("TUTORIAL_RECORDINGS_DIR", str(tmp_path))
    env.setenv("TUTORIAL_MODEL", "my-azure-deployment")
    connect("nb")
    assert model() == "recorded-model"
    assert "illustrative recording" in capsys.readouterr().out


def test_live_models_take_the_environment_override(env):
    env.setenv("OPENAI_API_KEY", FAKE_KEY)
    env.setenv("TUTORIAL_MODEL", "my-azure-deployment")
    connect("01_basics")
    assert model() == "my-azure-deployment"
    assert model("deep_research") == DEFAULT_MODELS["deep_research"]


# --- the tests' own environment: a fresh clone that cannot go live ----------------------------

REPO = Path(__file__).resolve().parent.parent


def test_the_tests_run_as_a_fresh_clone_with_no_key_and_no_dotenv():
    """What conftest.py sets (make test sets the same): stored outputs made and checked here show
    what a learner without a key sees, and nothing can reach a provider."""
    assert config.dotenv_path() is not None and not config.dotenv_path().exists()
    assert "TUTORIAL_MODE" not in os.environ
    assert detect_provider() is None
    assert resolve_mode(detect_provider()) == ("replay", "no API key set")


class _Reads(dict):
    """os.environ that remembers the names looked up."""

    def __init__(self, data):
        super().__init__(data)
        self.names: set[str] = set()

    def get(self, key, default=None):
        self.names.add(key)
        return super().get(key, default)

    def __getitem__(self, key):
        self.names.add(key)
        return super().__getitem__(key)


def credential_variables(monkeypatch) -> set[str]:
    """Every variable provider detection reads, with each kind of provider configured."""
    names: set[str] = set()
    for setting in (
        {},
        {"OPENAI_API_KEY": FAKE_KEY, "OPENAI_BASE_URL": "http://localhost:4000/v1"},
        {"AZURE_OPENAI_ENDPOINT": "https://contoso.openai.azure.com", "AZURE_OPENAI_KEY": "0" * 32},
    ):
        reads = _Reads(setting)
        monkeypatch.setattr(os, "environ", reads)
        detect_provider()
        names |= reads.names
    monkeypatch.undo()
    return names


def makefile_offline() -> tuple[set[str], dict[str, str]]:
    """The variables the Makefile's OFFLINE removes, and those it sets."""
    text = (REPO / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^OFFLINE :=((?:.*\\\n)*.*)$", text, re.M)
    assert recipe, "the Makefile has no OFFLINE := env ... line"
    words = recipe[1].replace("\\\n", " ").split()
    removed = {words[i + 1] for i, w in enumerate(words) if w == "-u"}
    assigned = dict(w.split("=", 1) for w in words if "=" in w)
    return removed, assigned


def test_every_test_environment_removes_every_credential_and_reads_no_dotenv(monkeypatch):
    from nbexec import FRESH_CLONE

    credentials = credential_variables(monkeypatch)
    assert {"OPENAI_API_KEY", "AZURE_OPENAI_API_KEY", "OPENAI_BASE_URL"} <= credentials
    removed, assigned = makefile_offline()
    fresh_removed = {name for name, value in FRESH_CLONE.items() if value is None}
    for where, gone in (("the Makefile's OFFLINE", removed), ("nbexec.FRESH_CLONE", fresh_removed)):
        left = (credentials | {"TUTORIAL_MODE"}) - gone
        assert not left, f"{where} leaves {sorted(left)} set"
    assert not credentials & set(os.environ), "conftest.py leaves credentials set"
    dotenv = {
        "helpers.config.NO_DOTENV": config.NO_DOTENV,
        "the Makefile's OFFLINE": assigned.get("TUTORIAL_DOTENV"),
        "nbexec.FRESH_CLONE": FRESH_CLONE["TUTORIAL_DOTENV"],
        "conftest.py": os.environ.get("TUTORIAL_DOTENV"),
    }
    assert len(set(dotenv.values())) == 1, f"TUTORIAL_DOTENV differs: {dotenv}"
    assert not Path(config.NO_DOTENV).exists()
