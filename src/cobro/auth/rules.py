"""Who may do what, when a sign-in is refused, what a password must be. Pure: no database, no
clock (the time comes in as `now`), no I/O.

Roles and what they may do (`can(role, permission)`):

| permission     | admin | manager | collector | viewer | auditor |
|----------------|:-----:|:-------:|:---------:|:------:|:-------:|
| read           |  yes  |   yes   |    yes    |  yes   |   yes   |
| work           |  yes  |   yes   |    yes    |        |         |
| configure      |  yes  |   yes   |           |        |         |
| audit          |  yes  |         |           |        |   yes   |
| manage_users   |  yes  |         |           |        |         |

- read: see the company's customers, invoices, outbox and reports;
- work: log a call, add a note, pause or send now: the daily work on items;
- configure: policies, templates, settings, channels, running the cycle, imports;
- audit: read the audit trail;
- manage_users: add users, grant and revoke roles, unlock accounts, API tokens of others.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from cobro.errors import Invalid

ROLES = ("admin", "manager", "collector", "viewer", "auditor")
PERMISSIONS: dict[str, frozenset[str]] = {
    "read": frozenset(ROLES),
    "work": frozenset({"admin", "manager", "collector"}),
    "configure": frozenset({"admin", "manager"}),
    "audit": frozenset({"admin", "auditor"}),
    "manage_users": frozenset({"admin"}),
}
LANGUAGES = ("en", "es")

# API tokens: what each scope lets a program do, within what its user's role allows.
# No scope lets a program manage users.
SCOPES: dict[str, frozenset[str]] = {
    "read": frozenset({"read"}),
    "write": frozenset({"read", "work", "configure"}),
    "audit": frozenset({"read", "audit"}),
}


def check_role(role: str) -> str:
    clean = role.strip().lower()
    if clean not in ROLES:
        raise Invalid(f"role {role!r}: use one of {', '.join(ROLES)}", field="role")
    return clean


def can(role: str, permission: str) -> bool:
    """Whether `role` allows `permission` (one of PERMISSIONS; another name is a bug)."""
    if permission not in PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")
    return role in PERMISSIONS[permission]


def check_scopes(scopes: Iterable[str]) -> list[str]:
    chosen = sorted({scope.strip().lower() for scope in scopes})
    if not chosen:
        raise Invalid(f"give the token at least one scope ({', '.join(SCOPES)})", field="scopes")
    unknown = [scope for scope in chosen if scope not in SCOPES]
    if unknown:
        raise Invalid(
            f"scope {unknown[0]!r}: use {', '.join(SCOPES)}",
            field="scopes",
        )
    return chosen


def token_can(role: str, scopes: Iterable[str], permission: str) -> bool:
    """A token may do what both its user's role and one of its scopes allow."""
    return can(role, permission) and any(permission in SCOPES.get(s, ()) for s in scopes)


# ---- sign-in: lockout and rate limit ------------------------------------------------------------

LOCK_AFTER = 5  # consecutive failed sign-ins lock the account…
LOCK_FIRST = timedelta(minutes=15)  # …for 15 minutes, doubling with every further 5…
LOCK_LONGEST = timedelta(hours=24)  # …up to a day
IP_WINDOW = timedelta(minutes=1)
IP_LIMIT = 10  # sign-in attempts per address per minute


def lock_until(failures: int, now: datetime) -> datetime | None:
    """After the `failures`-th consecutive failure: until when the account is locked (None:
    not locked). 5 → 15 min, 10 → 30 min, 15 → 1 h, … at most 24 h."""
    if failures < LOCK_AFTER or failures % LOCK_AFTER:
        return None
    rounds = failures // LOCK_AFTER - 1
    longer: timedelta = LOCK_FIRST * (2 ** min(rounds, 16))
    return now + min(longer, LOCK_LONGEST)


def is_locked(locked_until: datetime | None, now: datetime) -> bool:
    return locked_until is not None and now < locked_until


def ip_allowed_from(recent: Sequence[datetime], now: datetime) -> datetime | None:
    """Given the times of an address's attempts (any order), None when one more is allowed
    now, else the moment it will be."""
    window = sorted(at for at in recent if now - IP_WINDOW < at <= now)
    if len(window) < IP_LIMIT:
        return None
    return window[-IP_LIMIT] + IP_WINDOW


# ---- passwords and emails -----------------------------------------------------------------------

PASSWORD_MIN = 12
PASSWORD_MAX = 256  # hashing a megabyte of "password" is a denial of service
_COMMON = frozenset(
    {"password1234", "123456789012", "qwertyuiopas", "passwordpassword", "contraseña123"}
)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalize_email(email: str) -> str:
    """The one spelling stored and looked up: trimmed, lower-case."""
    clean = email.strip().lower()
    if len(clean) > 320 or not _EMAIL.match(clean):
        raise Invalid(f"email {email!r} is not an email address", field="email")
    return clean


def check_password(password: str, email: str) -> None:
    """Refuse a weak password with a message naming the field (`password`)."""
    if len(password) < PASSWORD_MIN:
        raise Invalid(f"password: use at least {PASSWORD_MIN} characters", field="password")
    if len(password) > PASSWORD_MAX:
        raise Invalid(f"password: use at most {PASSWORD_MAX} characters", field="password")
    lowered = password.lower()
    local = email.strip().lower().split("@")[0]
    if lowered in (email.strip().lower(), local):
        raise Invalid("password: must not be the email address", field="password")
    if len(set(password)) < 4:
        raise Invalid("password: use more than three different characters", field="password")
    if lowered in _COMMON:
        raise Invalid("password: this one is too common, choose another", field="password")


def check_language(language: str) -> str:
    clean = language.strip().lower()[:2]
    if clean not in LANGUAGES:
        raise Invalid(f"language {language!r}: use {' or '.join(LANGUAGES)}", field="language")
    return clean


# ---- web sessions and API tokens ----------------------------------------------------------------

SESSION_IDLE = timedelta(hours=2)  # signed out after 2 hours without a request…
SESSION_LONGEST = timedelta(hours=12)  # …and after 12 hours whatever happens
SESSION_TOUCH = timedelta(minutes=1)  # last_seen is written at most once a minute
RESET_VALID = timedelta(hours=1)
TOKEN_PREFIX = "cobro"


def session_expiry(created_at: datetime, now: datetime) -> datetime:
    """When a session used at `now` ends: idle timeout, capped by the absolute maximum."""
    return min(now + SESSION_IDLE, created_at + SESSION_LONGEST)


def split_token(plain: str) -> tuple[str, str] | None:
    """`cobro_<prefix>_<secret>` → (prefix, secret); None when it does not look like one."""
    parts = plain.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]
