"""Argon2 is slow on purpose; these tests use a cheap argon2id (same code path, tiny cost)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from cobro.auth import passwords

CHEAP = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=8, parallelism=1),))


@pytest.fixture(autouse=True)
def cheap_hashing() -> Iterator[None]:
    saved = passwords.HASHER
    passwords.HASHER = CHEAP
    yield
    passwords.HASHER = saved
