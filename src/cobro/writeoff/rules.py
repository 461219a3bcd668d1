"""Who may write off how much, who may approve what others asked, and which small remainders
the cycle writes off by itself. Pure: no database, no clock.

| role      | writes off alone up to          | approves a request of another person |
|-----------|---------------------------------|--------------------------------------|
| admin     | any amount                      | any amount                           |
| manager   | `manager_write_off_limit`       | up to that limit (empty: any)        |
| collector | `collector_write_off_limit`     | up to that limit                     |
| viewer    | nothing (may not ask either)    | nothing                              |
| auditor   | nothing (may not ask either)    | nothing                              |

Above their limit a person's write-off becomes a pending request; nobody approves their own
(four eyes), however high their limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cobro.auth.rules import can
from cobro.errors import Invalid

# the same codes as `cobro.writeoff.models.WRITE_OFF_REASONS` (a test keeps them equal): the
# models module imports SQLAlchemy, which rules may not
REASONS = (
    "bad_debt",
    "small_balance",
    "goodwill",
    "dispute",
    "insolvency",
    "statute_barred",
    "other",
)
REASON_MAX = 300


@dataclass(frozen=True)
class Limits:
    """A company's write-off limits, minor units of its currency. `manager` None: any."""

    collector: int = 0
    manager: int | None = None


def alone_limit(role: str, limits: Limits) -> int | None:
    """The most `role` writes off without anyone's approval; None: any amount."""
    if role == "admin":
        return None
    if role == "manager":
        return limits.manager
    if role == "collector":
        return limits.collector
    return 0  # viewer, auditor: never (they may not ask either, see `may_request`)


def covers(limit: int | None, amount: int) -> bool:
    return limit is None or amount <= limit


def may_request(role: str) -> bool:
    """Whether `role` may ask for a write-off at all: those who do the daily work."""
    return can(role, "work")


def may_write_off_alone(role: str, amount: int, limits: Limits) -> bool:
    """Whether `role` writes off `amount` at once; else it waits for someone's approval."""
    return may_request(role) and covers(alone_limit(role, limits), amount)


def may_approve(role: str, amount: int, limits: Limits, *, approver: str, requester: str) -> bool:
    """Whether `approver` (with `role`) may approve a request of `requester` for `amount`:
    their own limit covers it, and they are not the person who asked (four eyes)."""
    if same_person(approver, requester):
        return False
    return may_write_off_alone(role, amount, limits)


def same_person(one: str, other: str) -> bool:
    """People are named by their email (or "cli", "cycle"): one person, however it is cased."""
    return one.strip().casefold() == other.strip().casefold()


def check_reason(code: str, text: str) -> tuple[str, str]:
    """The reason code (one of REASONS) and the reason in words (required, ≤ 300), cleaned."""
    clean_code = code.strip().lower()
    if clean_code not in REASONS:
        raise Invalid(f"reason code {code!r}: use one of {', '.join(REASONS)}", field="reason_code")
    clean_text = text.strip()
    if not clean_text:
        raise Invalid("say why the invoice is written off", field="reason")
    if len(clean_text) > REASON_MAX:
        raise Invalid(f"the reason is longer than {REASON_MAX} characters", field="reason")
    return clean_code, clean_text


def check_amount(amount: int | None, open_amount: int, number: str) -> int:
    """What a write-off of `amount` (None: all that is open) takes off invoice `number`."""
    if open_amount <= 0:
        raise Invalid(f"invoice {number} is paid: nothing to write off", field="amount")
    if amount is None:
        return open_amount
    if amount <= 0:
        raise Invalid("a write-off must be more than zero", field="amount")
    if amount > open_amount:
        raise Invalid(
            f"a write-off of {amount} exceeds the {open_amount} open on invoice {number}",
            field="amount",
        )
    return amount


def check_limit(value: int | None, field: str, *, optional: bool = False) -> int | None:
    """A limit as a company sets it: minor units, zero or more; None only where `optional`
    (the manager's: any amount)."""
    if value is None:
        if optional:
            return None
        raise Invalid(f"{field}: give an amount (0: none)", field=field)
    if value < 0:
        raise Invalid(f"{field} cannot be negative", field=field)
    return value


def small_balance(
    *, open_amount: int, total: int, due_date: date, on: date, held: bool, limit: int
) -> bool:
    """Whether the cycle of `on` writes off what is open by itself: a remainder (something was
    paid or credited: an invoice nobody paid a cent of is a debt to chase, however small), of
    no more than `limit` (0: the company never does this), past due, and not on hold (a
    dispute or a promise is a person's business)."""
    return (
        limit > 0
        and 0 < open_amount <= limit
        and open_amount < total
        and due_date < on
        and not held
    )
