"""What a valid idempotency key is and when two requests are the same one. Pure."""

from __future__ import annotations

import hashlib
import json
import re

from cobro.errors import Invalid

HEADER = "Idempotency-Key"
KEY_MAX = 200
# 1 to 200 printable ASCII characters; spaces only inside (HTTP trims them at the ends)
KEY_PATTERN = r"^[!-~]([ -~]{0,198}[!-~])?$"
_KEY = re.compile(KEY_PATTERN)


def check_key(key: str) -> str:
    if not _KEY.fullmatch(key):
        raise Invalid(
            f"{HEADER}: use 1 to {KEY_MAX} printable ASCII characters (a UUID is a good key)",
            field=HEADER,
        )
    return key


def fingerprint(method: str, path: str, body: bytes) -> str:
    """One hash per request: method, path (with its query) and body. A JSON body counts by its
    content, so the same object with other spacing or key order is the same request."""
    try:
        canonical = json.dumps(
            json.loads(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()
    except (ValueError, UnicodeDecodeError):
        canonical = body
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), canonical):
        digest.update(len(part).to_bytes(8, "big"))  # lengths first: no two splits hash alike
        digest.update(part)
    return digest.hexdigest()


def check_same_request(key: str, stored_hash: str, given_hash: str) -> None:
    """A key answers one request only: another request with it is refused, not replayed."""
    if stored_hash != given_hash:
        raise Invalid(
            f"{HEADER} {key!r} was already used for a different request; use a new key",
            field=HEADER,
        )
