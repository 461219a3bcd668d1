from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cobro.db import Base, UTCDateTime
from cobro.kit.dates import utcnow

TASK_KINDS = ("call", "follow_up", "failed_message", "escalation", "review")


class Task(Base):
    """Something a collector or manager must do, raised by the cycle, the worker or a person.

    `not_before` carries the contact rules for calls (Regulation F: no call before 8:00 local time,
    none in the 7 days after a conversation): the worklist shows a call only once it may be made.
    """

    __tablename__ = "task"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('call', 'follow_up', 'failed_message', 'escalation', 'review')",
            name="kind",
        ),
        CheckConstraint("status IN ('open', 'done', 'cancelled')", name="status"),
        Index("ix_task_open", "company_id", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"), index=True)
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id"))
    action_id: Mapped[int | None] = mapped_column(ForeignKey("action.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    detail: Mapped[str | None] = mapped_column(Text)
    assignee: Mapped[str | None] = mapped_column(String(100))
    due_on: Mapped[date] = mapped_column(Date)
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(10), default="open")
    outcome: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
