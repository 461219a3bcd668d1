"""How charges are keyed, described and added up. Pure: no database, no clock.

A charge's computation is kept with it (`detail`) as plain data, so the letter, the page and
the API show the same figures the amount came from: for interest each stretch of days at its
rate, for a fee the rule and the amount it was applied to.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from cobro.interest.rules import Stretch

# a debit note is due this many days after it is issued: the debtor has a fair chance to pay
# it before the policy's next step chases it
DEBIT_NOTE_TERM_DAYS = 14


def fee_key(invoice_id: int, policy_id: int, stage: str) -> str:
    return f"fee:{invoice_id}:{policy_id}:{stage}"


def notice_fee_key(customer_id: int, policy_id: int, stage: str, on: date, currency: str) -> str:
    return f"fee:c{customer_id}:{policy_id}:{stage}:{on.isoformat()}:{currency}"


def interest_key(invoice_id: int, to: date) -> str:
    return f"interest:{invoice_id}:{to.isoformat()}"


def compensation_key(invoice_id: int) -> str:
    # one per invoice, however many times it is claimed (CJEU C-585/20)
    return f"compensation:{invoice_id}"


def stretches_detail(stretches: Iterable[Stretch]) -> list[dict[str, Any]]:
    """The stretches as JSON-ready data; the exact interest keeps four decimals of a cent."""
    return [
        {
            "first": stretch.first.isoformat(),
            "last": stretch.last.isoformat(),
            "days": stretch.days,
            "rate": f"{stretch.rate:f}",
            "year_days": stretch.year_days,
            "interest": f"{stretch.interest.quantize(Decimal('0.0001')):f}",
        }
        for stretch in stretches
    ]


@dataclass(frozen=True)
class Claimed:
    """A recorded charge as a letter needs it."""

    kind: str
    invoice: str | None  # the invoice's number; None for a fee per notice
    label: str
    amount: int
    currency: str
    detail: dict[str, Any]


def letter_lines(claimed: Sequence[Claimed]) -> list[Claimed]:
    """What a letter lists: each invoice's interest as one line (its rows added up, shown by
    the latest computation, which covers every day from the due date to its last day), then
    each fixed compensation and fee as recorded."""
    interest: dict[tuple[str | None, str], list[Claimed]] = {}
    for charge in claimed:
        if charge.kind == "interest":
            interest.setdefault((charge.invoice, charge.currency), []).append(charge)
    lines = [
        Claimed(
            "interest",
            number,
            rows[-1].label,
            sum(row.amount for row in rows),
            currency,
            rows[-1].detail,
        )
        for (number, currency), rows in interest.items()
    ]
    return lines + [c for c in claimed if c.kind != "interest"]
