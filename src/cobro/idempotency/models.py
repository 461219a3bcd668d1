from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cobro.db import Base, UTCDateTime
from cobro.kit.dates import utcnow


class IdempotencyKey(Base):
    """A key a client sent with a POST that moves money, the request it came with (a hash) and
    the answer it got. Written in the same transaction as the money it moved: a committed row
    always holds its answer, and the unique key makes a concurrent second request with the same
    key wait for the first (PostgreSQL) or fail (SQLite's single writer), never move money too."""

    __tablename__ = "idempotency_key"
    __table_args__ = (
        UniqueConstraint("company_id", "key"),
        Index("ix_idempotency_key_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))  # sha256 of method, path and body
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(500))
    status: Mapped[int]  # the answer's HTTP status; 0 until it is known
    body: Mapped[str] = mapped_column(Text)  # the answer's JSON, exactly as sent
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
