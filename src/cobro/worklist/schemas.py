"""What the API says and takes about the worklist."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from cobro.worklist.service import PAUSE_LONGEST, REASON_MAX


class WorklistItemOut(BaseModel):
    """One customer's overdue items in one currency, where it stands in the ranking and why."""

    customer: str = Field(description="the customer's external id")
    customer_name: str
    currency: str
    overdue: int = Field(description="minor units overdue, not counting items on hold")
    held: int = Field(description="minor units overdue on items held on their own")
    days_overdue: int = Field(description="of the oldest overdue item not on hold")
    items: int = Field(description="overdue items, held ones included")
    grade: str | None
    collector: str | None
    stage: str | None = Field(description="the current stage of the oldest overdue item")
    call_tasks: int = Field(description="open call tasks")
    failed_messages: int
    queued_actions: int = Field(description="messages waiting in the outbox (send now)")
    hold: str | None = Field(description="the kind of a customer-wide hold in force")
    hold_until: date | None
    promise_broken_on: date | None
    last_call_outcome: str | None
    last_call_on: date | None
    on_hold: bool
    priority: int = Field(description="the rule's priority: higher is sooner")
    reason: str = Field(description="why it is where it is, in words")


class PauseIn(BaseModel):
    days: int = Field(ge=1, le=PAUSE_LONGEST, description="how many days, today included")
    reason: str = Field(min_length=1, max_length=REASON_MAX)


class PauseOut(BaseModel):
    hold_id: int
    customer: str
    kind: str
    reason: str
    starts_on: date
    ends_on: date | None


class SendNowOut(BaseModel):
    customer: str
    actions: list[int] = Field(description="the queued actions now due")
