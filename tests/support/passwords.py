"""Argon2 is slow on purpose; tests use a cheap argon2id (same code path, tiny cost), swapped in
for every test by tests/conftest.py."""

from __future__ import annotations

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

CHEAP_HASHER = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=8, parallelism=1),))
