"""The FX rates a company keeps: one per currency and day, in units of the company's
reporting currency (`Company.currency`) per unit of the currency."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, Dialect, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator, TypeEngine

from cobro.db import Base, UTCDateTime
from cobro.kit.dates import utcnow

RATE_TEXT = 24  # "9999999999.9999999999" and room: the SQLite column's length
SOURCE_MAX = 40


class RateType(TypeDecorator[Decimal]):
    """NUMERIC(20, 10) on PostgreSQL. SQLite would turn NUMERIC into a float (0.1 is not
    0.1 there): it keeps the rate as decimal text, always with 10 decimals, so both give
    back the same `Decimal`."""

    impl = Numeric(20, 10)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(RATE_TEXT))
        return dialect.type_descriptor(Numeric(20, 10, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None or dialect.name != "sqlite":
            return value
        return f"{Decimal(value).quantize(Decimal('1e-10')):f}"

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return Decimal(value) if dialect.name == "sqlite" else value


class FxRate(Base):
    __tablename__ = "fx_rate"
    # rules.check_rate keeps rates positive: SQLite's text column cannot check it
    __table_args__ = (UniqueConstraint("company_id", "currency", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    day: Mapped[date] = mapped_column(Date)  # the rate holds from this day until the next one
    rate: Mapped[Decimal] = mapped_column(RateType)  # reporting units per unit of `currency`
    source: Mapped[str | None] = mapped_column(String(SOURCE_MAX))  # "ECB", "bank", …
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
