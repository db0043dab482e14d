"""Test set-up for every pytest run in this repository (unit tests and nbval alike).

Tests always replay: credentials are removed and .env is not read, even when pytest is run directly
rather than through `make test`. Notebook kernels started by nbval inherit this environment.
"""

from __future__ import annotations

import os

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
    # Tests talk to servers on 127.0.0.1: never through a proxy the shell names.
    *("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"),
):
    os.environ.pop(_name, None)
os.environ.update(TUTORIAL_MODE="replay", TUTORIAL_DOTENV="0", TUTORIAL_REPLAY_STRICT="1")
