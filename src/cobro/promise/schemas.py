"""What the API says and takes about promises to pay. Money is integer minor units next to
its ISO 4217 currency."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

MINOR = "minor units of `currency` (cents for EUR)"
Status = Literal["open", "kept", "broken", "cancelled"]


class PromiseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    customer: str = Field(description="the customer's external id")
    customer_name: str
    amount: int = Field(description=MINOR)
    currency: str
    promised_on: date
    due_on: date = Field(description="the day the debtor said they would pay by")
    grace_days: int = Field(description="the chase waits this long past `due_on`")
    status: Status
    paid: int = Field(description=f"paid toward it since it was made, {MINOR}")
    resolved_on: date | None
    source: str
    collector: str | None = Field(description="who owned the customer when it was made")
    created_by: str | None
    note: str | None
    invoices: list[str] = Field(description="the invoices it covers; empty: the whole balance")
    created_at: datetime


class PromiseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer: str = Field(min_length=1, max_length=100, description="external id")
    amount: int = Field(description=MINOR)
    currency: str | None = Field(
        default=None, description="ISO 4217; default: the customer's open invoices' currency"
    )
    due_on: date = Field(description="the day the debtor will pay by")
    invoices: list[str] = Field(
        default_factory=list, max_length=200, description="numbers; none: the whole balance"
    )
    note: str | None = Field(default=None, description="300 characters at most")


class KeptRateOut(BaseModel):
    key: str = Field(description="the customer's external id, or the collector")
    made: int
    kept: int
    broken: int
    open: int
    cancelled: int
    kept_rate: float | None = Field(description="kept ÷ (kept + broken); none when none ended")


class PromiseStatsOut(BaseModel):
    by: Literal["customer", "collector"]
    start: date
    end: date
    rows: list[KeptRateOut]
