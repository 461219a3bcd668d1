"""What makes a promise to pay acceptable, how one ends, and the kept rate. Pure: the day comes
in as `on`, amounts as integer minor units; no database, no clock.

A promise is *kept* once what was paid on its invoices since the day it was made reaches the
amount; *cancelled* when nothing is left to pay on them though the promise was not met (a
credit note, a write-off settled them otherwise); *broken* once the grace days past its due date
have run out unpaid; *open* until then."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from cobro.errors import Invalid

Outcome = Literal["open", "kept", "broken", "cancelled"]
OUTCOMES: tuple[Outcome, ...] = ("open", "kept", "broken", "cancelled")
ENDED: tuple[Outcome, ...] = ("kept", "broken")  # the promises a kept rate counts
LONGEST_ALLOWED = 365  # no setting lets a debtor promise further out than a year
GRACE_ALLOWED = 60


def last_held_day(due_on: date, grace_days: int) -> date:
    """The last day the chase waits for the money: the due date plus the grace days."""
    return due_on + timedelta(days=grace_days)


def latest_due(on: date, longest_days: int) -> date:
    """The furthest day a promise made on `on` may name."""
    return on + timedelta(days=longest_days)


def check_promise(
    amount: int,
    due_on: date,
    on: date,
    open_amount: int,
    longest_days: int,
    grace_days: int,
) -> None:
    """Refuse a promise the company's guardrails do not allow (an `Invalid` naming the field):
    nothing promised, a day past or too far away, more than is open on what it covers."""
    if amount <= 0:
        raise Invalid("a promise needs an amount above zero", field="amount")
    if due_on < on:
        raise Invalid(f"a promise in the past ({due_on}, today is {on})", field="due_on")
    if due_on > latest_due(on, longest_days):
        raise Invalid(
            f"a promise may run {longest_days} days at most: by {latest_due(on, longest_days)}",
            field="due_on",
        )
    if open_amount <= 0:
        raise Invalid("nothing is open to promise", field="invoices")
    if amount > open_amount:
        raise Invalid(
            f"the promise ({amount}) is more than is open on its invoices ({open_amount})",
            field="amount",
        )
    if grace_days < 0:
        raise Invalid("grace days cannot be negative", field="grace_days")


def check_settings(grace_days: int, longest_days: int) -> None:
    """The company's promise settings: grace 0..60 days, longest 1..365 days."""
    if not 0 <= grace_days <= GRACE_ALLOWED:
        raise Invalid(f"grace days must be 0 to {GRACE_ALLOWED}", field="grace_days")
    if not 1 <= longest_days <= LONGEST_ALLOWED:
        raise Invalid(f"longest days must be 1 to {LONGEST_ALLOWED}", field="longest_days")


def outcome(
    amount: int, paid: int, open_left: int, due_on: date, grace_days: int, on: date
) -> Outcome:
    """How a promise stands on `on`, from what was paid toward it and what is still open on
    its invoices. Kept wins over everything: money that came is never a broken promise."""
    if paid >= amount:
        return "kept"
    if open_left <= 0:
        return "cancelled"  # nothing left to pay: settled otherwise, the promise is moot
    if on > last_held_day(due_on, grace_days):
        return "broken"
    return "open"


def kept_rate(kept: int, broken: int) -> float | None:
    """Kept ÷ (kept + broken); None when no promise ended (open and cancelled ones do not
    count: they say nothing yet about the debtor's word)."""
    ended = kept + broken
    return None if ended == 0 else kept / ended


@dataclass(frozen=True)
class Tally:
    """The promises of one customer or collector over a period, by how they stand."""

    key: str
    made: int = 0
    kept: int = 0
    broken: int = 0
    open: int = 0
    cancelled: int = 0

    @property
    def rate(self) -> float | None:
        return kept_rate(self.kept, self.broken)


def tally(key: str, counts: dict[str, int]) -> Tally:
    """A Tally from {status: promises}."""
    return Tally(
        key=key,
        made=sum(counts.values()),
        kept=counts.get("kept", 0),
        broken=counts.get("broken", 0),
        open=counts.get("open", 0),
        cancelled=counts.get("cancelled", 0),
    )
