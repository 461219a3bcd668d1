from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cobro.db import Base, UTCDateTime
from cobro.kit.dates import utcnow


class Customer(Base):
    __tablename__ = "customer"
    __table_args__ = (
        UniqueConstraint("company_id", "external_id"),
        # the target of foreign keys that check the tenant too; an index, not a constraint, so
        # that SQLite adds it without rebuilding the table
        Index("uq_customer_id_company_id", "id", "company_id", unique=True),
        CheckConstraint("kind IN ('business', 'consumer')", name="kind"),
        CheckConstraint("credit_limit IS NULL OR credit_limit >= 0", name="credit_limit"),
        # the few customers a policy is set on by hand (the policies' list counts them)
        Index(
            "ix_customer_policy",
            "policy_id",
            postgresql_where=text("policy_id IS NOT NULL"),
            sqlite_where=text("policy_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    external_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(10), default="business")
    country: Mapped[str] = mapped_column(String(2))
    language: Mapped[str] = mapped_column(String(12))
    timezone: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))
    credit_limit: Mapped[int | None] = mapped_column(BigInteger)  # minor units of `currency`
    terms_id: Mapped[int | None] = mapped_column(ForeignKey("payment_terms.id"))
    tax_id: Mapped[str | None] = mapped_column(String(40))
    collector: Mapped[str | None] = mapped_column(String(100))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    # collection: the segment policy rules and settings match on, the risk grade (A best, D
    # worst; set by the cycle from payment history until issue #9's model does it), a policy
    # chosen for this customer, and the credit block a late stage may set
    segment: Mapped[str | None] = mapped_column(String(40))
    grade: Mapped[str | None] = mapped_column(String(1))
    # who set the grade: "model" (the collection ranking's trained model, `cobro.scoring`),
    # which the cycle then leaves alone, or "rules" / None, which the cycle regrades each run
    grade_by: Mapped[str | None] = mapped_column(String(8))
    # the days its payment runs fall on, learnt from its payments (`cobro.policy.runs`): the
    # cycle times preventive reminders to land before the run
    payment_runs: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # electronic bills since this day (None: on paper); whether a bill was paperless is
    # `paperless_since <= issue_date`, a factor of how soon it is paid
    paperless_since: Mapped[date | None] = mapped_column(Date)
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("policy.id"))
    credit_blocked: Mapped[bool] = mapped_column(server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    contacts: Mapped[list[Contact]] = relationship(
        back_populates="customer", cascade="all, delete-orphan", order_by="Contact.id"
    )


class Contact(Base):
    """A person or mailbox to reach; the postal address is structured (SEPA needs it since 2026)."""

    __tablename__ = "contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(40), default="billing")
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(40))
    street: Mapped[str | None] = mapped_column(String(200))
    building_number: Mapped[str | None] = mapped_column(String(20))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    city: Mapped[str | None] = mapped_column(String(100))
    region: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str | None] = mapped_column(String(2))

    customer: Mapped[Customer] = relationship(back_populates="contacts")
