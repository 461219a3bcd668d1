"""Typed errors. Each carries the HTTP status it maps to, so one handler can render them all."""

from __future__ import annotations


class CobroError(Exception):
    """Base of every error a user can cause and should be told about in plain words."""

    status: int = 400

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        # the input field at fault, when one is (an importer points at the file's column with it)
        self.field = field


class NotFound(CobroError):
    status = 404


class Conflict(CobroError):
    status = 409


class Invalid(CobroError):
    """Input that breaks a rule of the domain (a bad amount, an impossible date…)."""

    status = 422


class DatabaseUnavailable(CobroError):
    status = 503
