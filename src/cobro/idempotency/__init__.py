"""Idempotency keys: a POST that moves money, sent twice with one key, moves it once."""
