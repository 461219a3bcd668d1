"""Legal cases and agency placements: what happens when reminders did not work. A case moves
through stages (each move kept); a placement hands a customer's invoices to a collection
agency, holds the chase while they work them (`Hold.placement_id`), and ends in a recall."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from cobro.db import Base, UTCDateTime
from cobro.kit.dates import utcnow

CASE_STAGES = ("pre_legal", "claim_filed", "judgment", "enforcement", "closed")
PLACEMENT_STATUSES = ("placed", "recalled", "closed")


class LegalCase(Base):
    __tablename__ = "legal_case"
    __table_args__ = (
        ForeignKeyConstraint(["customer_id", "company_id"], ["customer.id", "customer.company_id"]),
        CheckConstraint(
            "stage IN ('pre_legal', 'claim_filed', 'judgment', 'enforcement', 'closed')",
            name="stage",
        ),
        Index("ix_legal_case_company", "company_id", "stage"),
        Index("ix_legal_case_customer", "customer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int]
    customer_id: Mapped[int]
    stage: Mapped[str] = mapped_column(String(12), default="pre_legal")
    opened_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    amount: Mapped[int] = mapped_column(BigInteger)  # claimed when opened, minor units
    currency: Mapped[str] = mapped_column(String(3))
    court: Mapped[str | None] = mapped_column(String(200))
    case_number: Mapped[str | None] = mapped_column(String(100))  # the court's
    lawyer: Mapped[str | None] = mapped_column(String(200))
    guarantees: Mapped[str | None] = mapped_column(Text)  # guarantees, securities, as told
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CaseStep(Base):
    """A stage a case reached, when and why: the case's history."""

    __tablename__ = "legal_case_step"
    __table_args__ = (
        CheckConstraint(
            "stage IN ('pre_legal', 'claim_filed', 'judgment', 'enforcement', 'closed')",
            name="stage",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("legal_case.id"), index=True)
    stage: Mapped[str] = mapped_column(String(12))
    reached_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(500))
    by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Placement(Base):
    __tablename__ = "agency_placement"
    __table_args__ = (
        ForeignKeyConstraint(["customer_id", "company_id"], ["customer.id", "customer.company_id"]),
        CheckConstraint("status IN ('placed', 'recalled', 'closed')", name="status"),
        CheckConstraint("amount > 0", name="amount_positive"),
        Index("ix_agency_placement_company", "company_id", "status"),
        Index("ix_agency_placement_customer", "customer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int]
    customer_id: Mapped[int]
    agency: Mapped[str] = mapped_column(String(200))
    reference: Mapped[str | None] = mapped_column(String(100))  # the agency's own
    status: Mapped[str] = mapped_column(String(10), default="placed")
    placed_on: Mapped[date] = mapped_column(Date)
    recalled_on: Mapped[date | None] = mapped_column(Date)
    amount: Mapped[int] = mapped_column(BigInteger)  # placed, minor units
    currency: Mapped[str] = mapped_column(String(3))
    commission_percent: Mapped[str | None] = mapped_column(String(8))  # as text, e.g. "15"
    note: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PlacementInvoice(Base):
    __tablename__ = "placement_invoice"
    __table_args__ = (Index("ix_placement_invoice_invoice", "invoice_id"),)

    placement_id: Mapped[int] = mapped_column(ForeignKey("agency_placement.id"), primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"), primary_key=True)
