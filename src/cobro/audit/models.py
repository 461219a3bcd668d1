from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from cobro.db import Base, UTCDateTime


class AuditEvent(Base):
    """One thing that happened: a sign-in, a role granted, a token revoked… Append-only: the
    migration adds triggers that refuse UPDATE and DELETE on this table (SQLite and PostgreSQL).

    `actor_id` is the user who did it (None for the system or an unknown email), `source` where
    from: an IP address, "cli" or a job's name."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_company_at", "company_id", "at"),
        Index("ix_audit_event_at", "at"),
        # deleting a company's data (`cobro demo --replace`) leaves its history alone
        {"info": {"append_only": True}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    # no foreign keys: the record outlives the users and companies it names
    actor_id: Mapped[int | None]
    company_id: Mapped[int | None]
    action: Mapped[str] = mapped_column(String(60))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    source: Mapped[str | None] = mapped_column(String(64))
