"""Write-offs that wait for approval: a person asks to write off more than their role may
alone; a manager or an admin approves (the write-off is then made) or rejects it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from cobro.db import Base, UTCDateTime
from cobro.kit.dates import utcnow

WRITE_OFF_REASONS = (
    "bad_debt",
    "small_balance",
    "goodwill",
    "dispute",
    "insolvency",
    "statute_barred",
    "other",
)
REQUEST_STATUSES = ("pending", "approved", "rejected", "cancelled")


class WriteOffRequest(Base):
    __tablename__ = "write_off_request"
    __table_args__ = (
        CheckConstraint("amount IS NULL OR amount > 0", name="amount_positive"),
        CheckConstraint(
            "status IN ('pending', 'approved', 'rejected', 'cancelled')", name="status"
        ),
        Index("ix_write_off_request_open", "company_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"), index=True)
    amount: Mapped[int | None] = mapped_column(BigInteger)  # None: all that is open then
    reason_code: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(300))
    requested_on: Mapped[date] = mapped_column(Date)
    requested_by: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(String(300))
    write_off_id: Mapped[int | None] = mapped_column(ForeignKey("write_off.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
