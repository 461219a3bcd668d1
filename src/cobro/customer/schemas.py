"""What the API says about customers."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict


class CustomerOut(BaseModel):
    """A customer (debtor) of the caller's company. Money in integer minor units of `currency`."""

    model_config = ConfigDict(from_attributes=True)

    external_id: str
    name: str
    kind: str
    country: str
    language: str
    timezone: str
    currency: str
    credit_limit: int | None
    tax_id: str | None
    collector: str | None
    tags: list[str]
    segment: str | None
    grade: str | None
    paperless_since: date | None  # electronic bills since that day
    credit_blocked: bool
    created_at: datetime
