"""Invocation tokens and Idempotency-Keys.

A token is made when an invocation is created and returned in that one answer. The relay keeps only
its SHA-256 and compares hashes in constant time. An unknown invocation id and a wrong token get the
same 404, so a caller without the token cannot even learn that an id exists.

A POST with an Idempotency-Key may be retried (its first answer lost on the way): the retry must get
the same token, which the relay never stored. So such a token is derived from the key itself,
HMAC-SHA256(key, salt), with a random salt kept beside the token's hash: whoever holds the key can
have the token again, and the database alone (which holds only the key's hash) gives neither.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from fastapi import HTTPException

TOKEN_PREFIX = "rit_"
KEY_MIN, KEY_MAX = 16, 255
# Compared against when the id is unknown, so both cases take the same time.
_NOBODY = hashlib.sha256(b"no such invocation").hexdigest()


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def keyed_token(key: str, salt: str) -> str:
    mac = hmac.new(key.encode(), f"invocation-token:{salt}".encode(), hashlib.sha256).digest()
    return TOKEN_PREFIX + base64.urlsafe_b64encode(mac).decode().rstrip("=")


def token_matches(given: str | None, stored_hash: str | None) -> bool:
    """Constant-time comparison of a presented token with the stored hash (None: no such id)."""
    presented = digest(given or "")
    return hmac.compare_digest(presented, stored_hash or _NOBODY) and stored_hash is not None


def not_found(inv_id: str) -> HTTPException:
    """The one answer for an unknown id and for a wrong token: they must be indistinguishable."""
    return HTTPException(
        404,
        f"No invocation {inv_id!r} for this token. Check the id, and send the "
        "X-Invocation-Token header that came with the answer that created it.",
    )


def missing_token() -> HTTPException:
    return HTTPException(
        401,
        "Send the invocation's token in the X-Invocation-Token header: it came with the answer "
        "that created the invocation, and only there.",
        headers={"WWW-Authenticate": "X-Invocation-Token"},
    )


def check_key(key: str) -> str | None:
    """Why an Idempotency-Key is not acceptable, or None."""
    if not KEY_MIN <= len(key) <= KEY_MAX or not key.isascii() or not key.isprintable():
        return (
            f"must be {KEY_MIN} to {KEY_MAX} printable ASCII characters (a UUID "
            f"is a good one); it was {len(key)} characters long. It guards the invocation's "
            "token, so make it unguessable."
        )
    return None
