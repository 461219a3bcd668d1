"""The arithmetic of an invoice's life. Pure: no database, no clock."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from stdnum import iso11649

from cobro.errors import Conflict, Invalid
from cobro.terms.rules import Terms, discount, due_date, schedule

_ALNUM = re.compile(r"[^0-9A-Z]")
_RF_BODY_MAX = 21
_BASE36 = {ord(ch): str(int(ch, 36)) for ch in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
_T = TypeVar("_T")


def open_amount(total: int, allocated: int, credited: int, written_off: int) -> int:
    """total − allocations − credit notes − write-offs; a negative result means the ledger is
    wrong, so it is an error, never a silent zero."""
    remaining = total - allocated - credited - written_off
    if remaining < 0:
        raise Invalid(f"reductions ({total - remaining}) exceed the invoice total ({total})")
    return remaining


def check_reduction(open_now: int, amount: int, what: str) -> None:
    """An allocation, credit note or write-off must be positive and fit in the open amount."""
    if amount <= 0:
        raise Invalid(f"{what} must be positive, got {amount}")
    if amount > open_now:
        raise Invalid(f"{what} of {amount} exceeds the open amount {open_now}")


def days_to_settle(issued: date, settled: date) -> int:
    return (settled - issued).days


def days_late(due: date, settled: date) -> int:
    """Days paid after the due date; 0 for on time or early (the day after due is 1 day late)."""
    return max(0, (settled - due).days)


def days_past_due(due: date, on: date) -> int:
    """Negative while not yet due."""
    return (on - due).days


def payment_reference(company_code: str, number: str) -> str:
    """A structured ISO 11649 creditor reference (RFnn + up to 21 letters/digits) for an invoice.

    The invoice number is used as it is when it fits, so a debtor's bank transfer names the
    invoice; otherwise a digest of company and number keeps it unique and stable.
    """
    body = _ALNUM.sub("", number.upper())
    if not body or len(body) > _RF_BODY_MAX:
        digest = hashlib.sha256(f"{company_code}\x00{number}".encode()).hexdigest()
        body = str(int(digest, 16))[:_RF_BODY_MAX]
    # already compact (upper-case, no spaces): what iso11649.format then un-spacing would give;
    # skipping that round trip matters when a file brings a million invoices
    return _with_check_digits(body)


def _with_check_digits(body: str) -> str:
    # ISO 11649: check digits make mod97 of (body + "RF" + check) equal 1
    converted = (body + "RF00").translate(_BASE36)
    check = 98 - int(converted) % 97
    return f"RF{check:02d}{body}"


def check_payment_reference(reference: str) -> str:
    compact = str(iso11649.compact(reference))
    if not iso11649.is_valid(compact):
        raise Invalid(
            f"{reference!r} is not a valid ISO 11649 (RF) creditor reference",
            field="payment_reference",
        )
    return compact


@dataclass(frozen=True)
class InvoiceIn:
    """An invoice as it arrives (file row, API body): money already in minor units."""

    number: str
    customer: str  # the customer's external id
    issue_date: date
    total: int
    currency: str
    tax: int = 0
    due_date: date | None = None
    terms: str | None = None
    purchase_order: str | None = None
    reference: str | None = None
    payment_reference: str | None = None


@dataclass(frozen=True)
class PreparedInvoice:
    """Everything derived from an InvoiceIn and its terms, ready to store."""

    due_date: date
    discount_until: date | None
    discount_amount: int
    installments: tuple[tuple[date, int], ...]
    payment_reference: str


def prepare_invoice(
    data: InvoiceIn, terms: Terms | None, company_code: str, exponent: int
) -> PreparedInvoice:
    """Check the amounts and dates and derive the due date, discount, schedule and RF reference.

    An explicit due date wins over the terms; without either, the invoice is due on issue.
    """
    if not data.number.strip():
        raise Invalid("invoice number is empty", field="number")
    if data.total <= 0:
        raise Invalid(f"invoice total must be positive, got {data.total}", field="total")
    if not 0 <= data.tax <= data.total:
        raise Invalid(f"tax {data.tax} must be between 0 and the total {data.total}", field="tax")
    due = data.due_date or (due_date(terms, data.issue_date) if terms else data.issue_date)
    if due < data.issue_date:
        raise Invalid(
            f"due date {due} is before the issue date {data.issue_date}",
            field="due_date" if data.due_date else "terms",
        )
    offer = discount(terms, data.issue_date, data.total) if terms else None
    try:
        parts = schedule(terms, data.issue_date, data.total, exponent) if terms else []
    except Invalid as exc:
        raise Invalid(exc.message, field="terms") from None
    if len(parts) > 1 and parts[-1][0] > due:
        raise Invalid(
            f"the last installment of terms {terms.code if terms else ''!r} falls on "
            f"{parts[-1][0]}, after the due date {due}",
            field="due_date",
        )
    reference = (
        check_payment_reference(data.payment_reference)
        if data.payment_reference
        else payment_reference(company_code, data.number.strip())
    )
    return PreparedInvoice(
        due_date=due,
        discount_until=offer[0] if offer else None,
        discount_amount=offer[1] if offer else 0,
        installments=tuple(parts) if len(parts) > 1 else (),
        payment_reference=reference,
    )


def applicable_terms(own: _T | None, customers: _T | None, due: date | None) -> _T | None:
    """The terms an invoice is prepared with: its own, else its customer's — but the customer's
    only when the invoice brings no due date of its own (an explicit date wins)."""
    if own is not None:
        return own
    return customers if due is None else None


def check_update(
    number: str,
    reduced: int,
    currency: str,
    new_currency: str,
    new_total: int,
    customer_changes: bool = False,
) -> None:
    """An invoice may be corrected, but money already applied to it must not vanish: the new
    total may not fall below what payments, credit notes and write-offs took (`reduced`), and
    neither the currency nor the customer may change once anything was taken (a customer's
    payment would then pay another customer's debt)."""
    if customer_changes and reduced:
        raise Conflict(
            f"invoice {number}: cannot move it to another customer, {reduced} minor units "
            "are already paid, credited or written off",
            field="customer",
        )
    if new_currency != currency and reduced:
        raise Conflict(
            f"invoice {number}: cannot change the currency, {reduced} minor units "
            "are already paid, credited or written off",
            field="currency",
        )
    if new_total < reduced:
        raise Conflict(
            f"invoice {number}: new total {new_total} is below the {reduced} "
            "already paid, credited or written off",
            field="total",
        )
