"""Test set-up for every pytest run in this repository (unit tests and nbval alike).

Tests run as a fresh clone with no key and no .env, even when pytest is run directly rather than
through `make test`: credentials are removed, TUTORIAL_MODE is unset (auto, which replays without
credentials) and .env is not read (TUTORIAL_DOTENV names a file that cannot exist). So nothing can
go live, and notebook kernels started by nbval, which inherit this environment, print what a learner
sees ("Mode: replay (no API key set)"). The same as the Makefile's OFFLINE and nbexec.FRESH_CLONE.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

for _name in (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "OPENAI_ORG_ID",
    "OPENAI_PROJECT_ID",
    "AZURE_OPENAI_API_KEY",
    "AZURE_OPENAI_KEY",
    "AZURE_OPENAI_ENDPOINT",
    "TUTORIAL_MODEL",
    "TUTORIAL_DEEP_RESEARCH_MODEL",
    "TUTORIAL_RECORDINGS_DIR",
    "TUTORIAL_MAX_REQUESTS",
    "TUTORIAL_MAX_TOKENS",
    "TUTORIAL_TIMEOUT",
    "TUTORIAL_CONNECT_TIMEOUT",
    "TUTORIAL_MODE",
    # Tests talk to servers on 127.0.0.1: never through a proxy the shell names.
    *("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"),
):
    os.environ.pop(_name, None)
os.environ.update(TUTORIAL_DOTENV=os.path.join(os.devnull, ".env"), TUTORIAL_REPLAY_STRICT="1")


SHIPPED_RECORDINGS = Path(__file__).resolve().parent / "notebooks" / "recordings"


def pytest_sessionstart(session) -> None:
    """A `make record` killed between its two final renames (SIGKILL, a power cut) leaves a
    journal beside the recording: complete that save first, as the next `make record` would, so
    that nbval compares the notebook with its own recording rather than a half-saved pair."""
    sys.path.insert(0, str(Path(__file__).resolve().parent / "scripts"))
    import record_guard

    for line in record_guard.finish_interrupted_saves(SHIPPED_RECORDINGS):
        print(line, file=sys.stderr)
