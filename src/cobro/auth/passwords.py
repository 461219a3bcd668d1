"""Password hashing: argon2id through pwdlib, with the library's recommended parameters
(argon2-cffi's RFC 9106 profile: time cost 3, 64 MiB, parallelism 4). Tests swap `HASHER` for a
cheap one (tests/conftest.py); nothing else should."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

HASHER = PasswordHash((Argon2Hasher(),))
_dummy: dict[int, str] = {}


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify_password(password: str, hashed: str) -> tuple[bool, str | None]:
    """(matches, a new hash when the stored one uses outdated parameters)."""
    return HASHER.verify_and_update(password, hashed)


def burn_time(password: str) -> None:
    """Verify against a hash of nothing, so an unknown email costs as long as a known one."""
    key = id(HASHER)
    if key not in _dummy:
        _dummy[key] = HASHER.hash(secrets.token_urlsafe(16))
    HASHER.verify(password, _dummy[key])


def digest(secret: str) -> str:
    """SHA-256 (hex) of a random token: enough for secrets with 256 bits of entropy."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> tuple[str, str]:
    """A random 256-bit token to hand out once, and its digest: the only thing to store."""
    plain = secrets.token_urlsafe(32)
    return plain, digest(plain)


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
