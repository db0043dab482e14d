"""The sending side of a webhook, so a notebook can show the receiving side offline.

OpenAI signs each webhook delivery by the Standard Webhooks scheme: the headers ``webhook-id``,
``webhook-timestamp`` and ``webhook-signature``, the last one ``v1,`` and the base64 HMAC-SHA256 of
``"{id}.{timestamp}.{payload}"`` keyed by the endpoint's secret (the base64 after ``whsec_``).
``sign`` does that, as the installed SDK's ``client.webhooks.verify_signature`` checks it
(``openai/lib/_webhooks.py``), so ``client.webhooks.unwrap`` can be shown on a payload made here,
with a secret made up for the occasion. Nothing is sent anywhere.

Defined in 05_background.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

__all__ = ["sign"]


def sign(payload: str, secret: str, *, webhook_id: str, timestamp: int) -> dict[str, str]:
    """The headers a webhook delivery of ``payload`` carries, signed with ``secret``."""
    key = base64.b64decode(secret[6:]) if secret.startswith("whsec_") else secret.encode()
    signed = f"{webhook_id}.{timestamp}.{payload}".encode()
    signature = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": f"v1,{signature}",
    }
