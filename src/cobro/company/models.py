from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from cobro.db import Base, UTCDateTime
from cobro.kit.dates import utcnow

CHARGE_MODES = ("off", "claim", "charge")


class Company(Base):
    __tablename__ = "company"
    __table_args__ = (
        CheckConstraint("charge_mode IN ('off', 'claim', 'charge')", name="charge_mode"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    currency: Mapped[str] = mapped_column(String(3))  # the reporting currency
    timezone: Mapped[str] = mapped_column(String(64))
    # what notices show and where replies go; empty until the company fills them in
    language: Mapped[str | None] = mapped_column(String(12))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(40))
    iban: Mapped[str | None] = mapped_column(String(34))
    bic: Mapped[str | None] = mapped_column(String(11))
    # late-payment interest and fees (`cobro.charge`): whose law (a code of
    # `cobro.interest.law`; empty: no statutory interest), and whether charges are only
    # claimed in the letters or charged on a debit note the policy then chases
    jurisdiction: Mapped[str | None] = mapped_column(String(2))
    charge_mode: Mapped[str] = mapped_column(String(6), default="claim", server_default="claim")
    # an agreed rate (% a year, as text: SQLite turns NUMERIC into floats) that replaces the
    # statutory one where the law allows, capped where it must be
    contract_rate: Mapped[str | None] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
