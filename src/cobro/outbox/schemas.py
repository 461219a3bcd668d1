"""What the API says about the outbox's actions."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class ActionOut(BaseModel):
    """One action of the caller's company: a message, task or escalation for one customer,
    with where it stands in the outbox."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    customer: str = Field(description="the customer's external id")
    customer_name: str
    kind: str
    stage: str
    tone: str
    cycle_on: date
    status: str
    not_before: datetime
    attempts: int
    last_error: str | None
    sent_at: datetime | None
    created_at: datetime


class CancelIn(BaseModel):
    reason: str | None = Field(default=None, max_length=500)
