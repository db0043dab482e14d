"""``start_relay()``: run the course's relay (``relay/``) beside a notebook, in the notebook's mode.

In replay the relay answers from its own part of the notebook's recording, live it calls the
provider in ``.env``, and while the notebook is recorded it records its part too. It listens on
127.0.0.1 on a free port and stops with the kernel (see ``relay/launch.py``).

Defined in 10_relay.
"""

from __future__ import annotations

import os

from .client import current_session
from .errors import SetupError

__all__ = ["start_relay"]


def start_relay(**settings: str | float | int):
    """Start a relay for this notebook and return it (``.url``, ``.stop()``). Keyword arguments
    are relay settings, e.g. ``heartbeat=5`` for RELAY_HEARTBEAT=5."""
    from relay.launch import RelayStartError, start
    from relay.upstream import part_path

    session = current_session()
    env: dict[str, str | None] = {
        "TUTORIAL_MODE": session.mode,
        "RELAY_RECORDING": str(session.recording_path),
    }
    if session.mode == "record":
        env["RELAY_RECORD_TO"] = str(part_path(os.environ["TUTORIAL_RECORD_TO"]))
    for name, value in settings.items():
        env[f"RELAY_{name.upper()}"] = str(value)
    try:
        return start(env)
    except RelayStartError as err:
        raise SetupError(f"{err}\nFix what it says, then run this cell again.") from None
