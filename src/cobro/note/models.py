"""A note on a customer (and optionally one of its invoices), or a call logged with its
outcome. Written once, never changed: corrections are new notes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, ForeignKeyConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from cobro.db import Base, UTCDateTime
from cobro.kit.dates import utcnow
from cobro.note.rules import BODY_MAX


class Note(Base):
    __tablename__ = "note"
    __table_args__ = (
        # one check for both: the customer exists and is the company's (as `action` does)
        ForeignKeyConstraint(["customer_id", "company_id"], ["customer.id", "customer.company_id"]),
        CheckConstraint("kind IN ('note', 'call')", name="kind"),
        CheckConstraint(
            "outcome IS NULL OR outcome IN ('reached', 'no_answer', 'left_message', "
            "'wrong_number', 'promised_to_pay', 'disputed', 'refused', 'call_back')",
            name="outcome",
        ),
        # a call always has its outcome, a note never has one
        CheckConstraint("(kind = 'call') = (outcome IS NOT NULL)", name="call_outcome"),
        # the customer's timeline and its latest call; the company's notes newest first
        Index("ix_note_customer", "customer_id", "created_at"),
        Index("ix_note_company", "company_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int]
    customer_id: Mapped[int]
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    kind: Mapped[str] = mapped_column(String(4))
    outcome: Mapped[str | None] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(String(BODY_MAX))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
