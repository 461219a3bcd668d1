"""Set-off arithmetic. Pure: documents and totals come in, exposures and proposals go out.

- **Net exposure**, per currency and never across currencies: what the customer owes us (their
  open invoices) less what we owe them (their open vendor bills).
- **What can be set off** in a currency: the smaller of the two sides; both sides are paid by
  the same amount, oldest due first (the invoice or bill due earliest, then the lowest id).
- A customer **qualifies for the hint** in a currency where we owe them something and they owe
  us something overdue: a reminder would chase money we could simply net.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from cobro.errors import Invalid


@dataclass(frozen=True)
class Document:
    """An open invoice (receivable) or vendor bill (payable) as the rules see it."""

    id: int
    number: str
    due_date: date
    currency: str
    open_amount: int


@dataclass(frozen=True)
class Exposure:
    currency: str
    owed: int  # the customer owes us: their open invoices
    owe: int  # we owe the customer: their open vendor bills

    @property
    def net(self) -> int:
        """Positive: the customer owes us on balance; negative: we owe them."""
        return self.owed - self.owe

    @property
    def settable(self) -> int:
        return min(self.owed, self.owe)


@dataclass(frozen=True)
class Line:
    """How much of one document a set-off takes, and what it had open before."""

    id: int
    number: str
    due_date: date
    open_amount: int
    amount: int


@dataclass(frozen=True)
class Proposal:
    currency: str
    amount: int  # set off on each side
    invoices: tuple[Line, ...]
    bills: tuple[Line, ...]


def exposures(owed: Mapping[str, int], owe: Mapping[str, int]) -> list[Exposure]:
    """One exposure per currency either side has open, by currency code."""
    return [
        Exposure(currency, owed.get(currency, 0), owe.get(currency, 0))
        for currency in sorted({*owed, *owe})
        if owed.get(currency, 0) or owe.get(currency, 0)
    ]


def totals(documents: Iterable[Document]) -> dict[str, int]:
    found: dict[str, int] = {}
    for document in documents:
        if document.open_amount > 0:
            found[document.currency] = found.get(document.currency, 0) + document.open_amount
    return found


def settable(receivables: Sequence[Document], payables: Sequence[Document], currency: str) -> int:
    owed = sum(d.open_amount for d in receivables if d.currency == currency and d.open_amount > 0)
    owe = sum(d.open_amount for d in payables if d.currency == currency and d.open_amount > 0)
    return min(owed, owe)


def propose(
    receivables: Sequence[Document],
    payables: Sequence[Document],
    currency: str,
    amount: int | None = None,
) -> Proposal:
    """Set off `amount` (None: all that can be) in `currency`: the invoices and bills it pays,
    oldest due first, each side adding up to `amount` exactly. An amount that is not positive
    or above what can be set off is `Invalid` naming the field "amount"."""
    available = settable(receivables, payables, currency)
    wanted = available if amount is None else amount
    if wanted <= 0:
        if amount is None:
            raise Invalid(f"nothing can be set off in {currency}", field="currency")
        raise Invalid("the amount to set off must be positive", field="amount")
    if wanted > available:
        raise Invalid(
            f"at most {available} (minor units of {currency}) can be set off", field="amount"
        )
    return Proposal(
        currency=currency,
        amount=wanted,
        invoices=_take(receivables, currency, wanted),
        bills=_take(payables, currency, wanted),
    )


def _take(documents: Sequence[Document], currency: str, amount: int) -> tuple[Line, ...]:
    chosen = sorted(
        (d for d in documents if d.currency == currency and d.open_amount > 0),
        key=lambda d: (d.due_date, d.id),
    )
    lines: list[Line] = []
    left = amount
    for document in chosen:
        if left == 0:
            break
        part = min(left, document.open_amount)
        lines.append(
            Line(document.id, document.number, document.due_date, document.open_amount, part)
        )
        left -= part
    return tuple(lines)


def qualifies(
    receivables: Sequence[Document], payables: Sequence[Document], on: date
) -> dict[str, int]:
    """The currencies in which the customer qualifies for the set-off hint on `on` (we owe
    them something; they owe us something past due), with what can be set off in each."""
    overdue = {d.currency for d in receivables if d.open_amount > 0 and d.due_date < on}
    return {
        currency: amount
        for currency in sorted(overdue & set(totals(payables)))
        if (amount := settable(receivables, payables, currency)) > 0
    }
