"""Users with a role, at a fixed time: the auth and audit tests' building blocks."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from cobro.auth.models import User
from cobro.auth.users import create_user
from cobro.company.models import Company

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
_seq = itertools.count(1)


def make_user(
    session: Session,
    company: Company | None,
    role: str = "collector",
    email: str | None = None,
    password: str = PASSWORD,
) -> User:
    address = email or f"user{next(_seq)}@example.com"
    return create_user(session, address, "Ana Collector", password, NOW, company, role)
