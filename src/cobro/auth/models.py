from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cobro.db import Base, UTCDateTime
from cobro.kit.dates import utcnow


class User(Base):
    """A person who signs in. `email` is stored lower-case, so it is unique whatever the case."""

    __tablename__ = "user_account"  # "user" is a reserved word in PostgreSQL
    __table_args__ = (CheckConstraint("language IN ('en', 'es')", name="language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    language: Mapped[str] = mapped_column(String(2), default="en")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_logins: Mapped[int] = mapped_column(default=0)  # consecutive, since the last success
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Membership(Base):
    """A user's role in one company: what they may see and do there (see auth.rules.can)."""

    __tablename__ = "membership"
    __table_args__ = (
        UniqueConstraint("user_id", "company_id"),
        CheckConstraint(
            "role IN ('admin', 'manager', 'collector', 'viewer', 'auditor')", name="role"
        ),
        Index("ix_membership_company_id", "company_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LoginAttempt(Base):
    """Every sign-in attempt, for the per-address rate limit (and the curious administrator)."""

    __tablename__ = "login_attempt"
    __table_args__ = (Index("ix_login_attempt_ip_at", "source_ip", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    source_ip: Mapped[str] = mapped_column(String(45))
    email: Mapped[str] = mapped_column(String(320))
    succeeded: Mapped[bool] = mapped_column(Boolean)


class WebSession(Base):
    """A signed-in browser. `id` is the SHA-256 of the cookie's token: a copy of the table
    signs nobody in. `expires_at` slides with use, never past created_at + the absolute maximum."""

    __tablename__ = "web_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    csrf_secret: Mapped[str] = mapped_column(String(64))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")


class ApiToken(Base):
    """A secret for programs: `cobro_<prefix>_<secret>`; only the secret's SHA-256 is kept."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    name: Mapped[str] = mapped_column(String(100))
    scopes: Mapped[list[str]] = mapped_column(JSON)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")


class PasswordReset(Base):
    """A single-use, expiring reset token; only its SHA-256 is kept."""

    __tablename__ = "password_reset"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
