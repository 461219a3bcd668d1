"""What the reports keep: which manager got which week's report."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cobro.db import Base, UTCDateTime
from cobro.kit.dates import utcnow


class ReportMailing(Base):
    """One weekly report queued for one person: unique per company, week and person, so two
    workers (or a cron job and a worker) queueing the same week send it once."""

    __tablename__ = "report_mailing"
    __table_args__ = (UniqueConstraint("company_id", "week", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    week: Mapped[str] = mapped_column(String(8))  # ISO week, "2026-W48"
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("delivery.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
