from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from cobro.db import Base, UTCDateTime
from cobro.kit.dates import utcnow


class Company(Base):
    __tablename__ = "company"

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
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
