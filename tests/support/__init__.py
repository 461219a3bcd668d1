"""Reusable test helpers that run real things: SMTP and HTTP servers, TLS certificates..."""
