"""What the write-off endpoints take and answer. Money is integer minor units."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from cobro.invoice.schemas import MAX_MINOR, MINOR
from cobro.invoice.schemas import WriteOffIn as PlainWriteOffIn
from cobro.writeoff.models import REQUEST_STATUSES, WRITE_OFF_REASONS

ReasonCode = Literal[
    "bad_debt", "small_balance", "goodwill", "dispute", "insolvency", "statute_barred", "other"
]
RequestStatus = Literal["pending", "approved", "rejected", "cancelled"]
assert get_args(ReasonCode) == WRITE_OFF_REASONS  # the API offers every code the table takes
assert get_args(RequestStatus) == REQUEST_STATUSES


class WriteOffIn(PlainWriteOffIn):
    """Give up collecting some or all of what is open, for a reason."""

    reason_code: ReasonCode = Field(
        default="other", description="why, as a code reports group by (default: other)"
    )


class RequestOut(BaseModel):
    """A write-off waiting for (or past) someone's approval."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    invoice: str = Field(description="the invoice's number")
    customer: str = Field(description="the customer's external id")
    customer_name: str
    currency: str
    amount: int | None = Field(description=f"None: all that is open when approved; {MINOR}")
    amount_now: int = Field(description=f"what approving it now would write off; {MINOR}")
    open_amount: int = Field(description=f"open on the invoice now; {MINOR}")
    reason_code: str
    reason: str
    requested_on: date
    requested_by: str
    status: RequestStatus
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None
    write_off_id: int | None = Field(description="the write-off made when it was approved")


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str | None = Field(default=None, max_length=300, description="why (shown to the asker)")


class SettingsOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    small_balance_limit: int = Field(
        description=f"the cycle writes off remainders up to this; 0: never; {MINOR}"
    )
    collector_write_off_limit: int = Field(
        description=f"a collector writes off up to this alone; above, a request; {MINOR}"
    )
    manager_write_off_limit: int | None = Field(
        description=f"a manager writes off up to this alone; None: any amount; {MINOR}"
    )


class SettingsIn(BaseModel):
    """Only the fields given change; `manager_write_off_limit: null` means any amount."""

    model_config = ConfigDict(extra="forbid")

    small_balance_limit: int | None = Field(default=None, ge=0, le=MAX_MINOR)
    collector_write_off_limit: int | None = Field(default=None, ge=0, le=MAX_MINOR)
    manager_write_off_limit: int | None = Field(default=None, ge=0, le=MAX_MINOR)

    def changes(self) -> dict[str, int | None]:
        given = {name: getattr(self, name) for name in self.model_fields_set}
        # only the manager's limit may be emptied; another null is left as it is
        return {
            name: value
            for name, value in given.items()
            if value is not None or name == "manager_write_off_limit"
        }
