"""Sign-ins for the demo company: an admin and a collector, so that `make run` ends with an app
someone can sign in to. Each call gives them fresh random passwords (and lifts any lockout):
the passwords are printed once and stored nowhere else, and the users, under `.example`
addresses, reach the demo company only."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy.orm import Session

from cobro.auth.service import create_user, find_user, grant, set_password, unlock
from cobro.company.models import Company

DEMO_USERS = (
    ("admin@demo.example", "Demo Admin", "admin"),
    ("collector@demo.example", "Demo Collector", "collector"),
)


def demo_logins(session: Session, company: Company, now: datetime) -> list[tuple[str, str, str]]:
    """(email, role, password) of each demo user, created or given a new password."""
    logins = []
    for email, name, role in DEMO_USERS:
        password = secrets.token_urlsafe(12)  # 16 characters
        user = find_user(session, email)
        if user is None:
            create_user(session, email, name, password, now, company, role, source="demo")
        else:
            set_password(session, user, password)
            unlock(session, user, now, source="demo")
            grant(session, user, company, role, now, source="demo")
        logins.append((email, role, password))
    return logins
