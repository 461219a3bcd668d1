"""Errors of sign-in. Their messages never say whether an email address has an account."""

from __future__ import annotations

from datetime import datetime

from cobro.errors import CobroError

SIGN_IN_FAILED = "sign-in failed: wrong email or password, or the account is locked for a while"


class NotAuthenticated(CobroError):
    """Wrong email, wrong password, inactive or locked account: one message for them all."""

    status = 401

    def __init__(self, message: str = SIGN_IN_FAILED) -> None:
        super().__init__(message)


class TooManyAttempts(CobroError):
    """Too many sign-in attempts from one address: try again at `retry_at`."""

    status = 429

    def __init__(self, retry_at: datetime) -> None:
        super().__init__(
            f"too many sign-in attempts from this address: try again after {retry_at:%H:%M:%S} UTC"
        )
        self.retry_at = retry_at


class Forbidden(CobroError):
    """Signed in, but the role does not allow it."""

    status = 403
