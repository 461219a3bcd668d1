"""What the API says and takes about notes and calls."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from cobro.note.rules import BODY_MAX

Outcome = Literal[
    "reached",
    "no_answer",
    "left_message",
    "wrong_number",
    "promised_to_pay",
    "disputed",
    "refused",
    "call_back",
]


class NoteOut(BaseModel):
    """A note or a logged call on one customer of the caller's company."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    customer: str = Field(description="the customer's external id")
    customer_name: str
    invoice: str | None = Field(description="the invoice's number, when on one")
    author: str = Field(description="the author's name")
    author_id: int
    kind: Literal["note", "call"]
    outcome: Outcome | None = Field(description="a call's outcome; none for a note")
    body: str
    created_at: datetime


# the lengths of `body` are checked by `note.rules` (its error names the field `body`; a
# pydantic error on a JSON field called "body" would lose the name, see cobro.web.errors)
class NoteIn(BaseModel):
    body: str = Field(description=f"the note: 1 to {BODY_MAX} characters")
    invoice: str | None = Field(default=None, max_length=60, description="an invoice's number")


class CallIn(BaseModel):
    outcome: Outcome
    body: str | None = Field(
        default=None, description=f"what was said: {BODY_MAX} characters at most"
    )
    invoice: str | None = Field(default=None, max_length=60, description="an invoice's number")
    follow_up_on: date | None = Field(
        default=None,
        description="the day of the follow-up call (call_back, no_answer, left_message); "
        "by default the next day for call_back, two days later otherwise",
    )
    # with the outcome promised_to_pay, both: the promise is recorded with the call
    promise_amount: int | None = Field(
        default=None, description="promised_to_pay: the amount promised, in minor units"
    )
    promise_due_on: date | None = Field(
        default=None, description="promised_to_pay: the day the debtor will pay by"
    )
    promise_currency: str | None = Field(
        default=None, description="ISO 4217; default: the customer's open invoices' currency"
    )


class CallOut(BaseModel):
    note: NoteOut
    closed_tasks: list[int] = Field(description="the open call tasks the call closed")
    follow_up_task: int | None = Field(description="the follow-up call task it opened")
    follow_up_on: date | None
    promise_id: int | None = Field(default=None, description="the promise recorded with it")
