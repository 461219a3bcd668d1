"""What a person or program does to invoices through the API: create one, credit it (writing
some of it off goes through the approval by role: `cobro.writeoff.service`). Each is an audit
event with the money before and after. An invoice whose open amount changes is locked first
(FOR UPDATE on PostgreSQL), so two requests at once cannot both take the same open amount.
Services flush; the caller commits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cobro.audit.service import record
from cobro.company.models import Company
from cobro.customer.service import Change, find_customer
from cobro.errors import Conflict, Invalid, NotFound
from cobro.invoice.models import Invoice
from cobro.invoice.rules import InvoiceIn
from cobro.invoice.service import add_credit_note, find_invoice, upsert_invoice
from cobro.kit.money import check_currency
from cobro.terms.rules import parse_terms

T = TypeVar("T")


def create_invoice(
    session: Session, company: Company, data: InvoiceIn, actor_id: int | None, now: datetime
) -> Invoice:
    """A new invoice; a number the company already has is a conflict (never an update)."""
    number = data.number.strip()
    customer = find_customer(session, company.id, data.customer.strip())
    if customer is None:
        raise Invalid(f"no customer {data.customer!r}", field="customer")
    currency = _checked("currency", check_currency, data.currency or customer.currency)
    if data.terms:
        _checked("terms", parse_terms, data.terms)
    if find_invoice(session, company.id, number) is not None:
        raise Conflict(f"invoice {number!r} already exists", field="number")
    try:
        with session.begin_nested():  # another request creating the same number meanwhile
            invoice, change = upsert_invoice(
                session, company, replace(data, number=number, currency=currency)
            )
    except IntegrityError:
        raise Conflict(f"invoice {number!r} already exists", field="number") from None
    assert change is Change.CREATED
    record(
        session,
        "invoice.created",
        at=now,
        entity_type="invoice",
        entity_id=invoice.id,
        actor_id=actor_id,
        company_id=company.id,
        after={**_money(invoice), "customer": customer.external_id},
        source="api",
    )
    return invoice


def credit_invoice(
    session: Session,
    company: Company,
    number: str,
    note: tuple[str, date, int, str | None],
    actor_id: int | None,
    now: datetime,
) -> Invoice:
    """Add a credit note (number, issue date, amount, reason) to the invoice."""
    note_number, issue_date, amount, reason = note
    invoice = lock_invoice(session, company.id, number)
    _check_fits(invoice, amount, "a credit note")
    before = _money(invoice)
    try:
        with session.begin_nested():
            add_credit_note(
                session, company, invoice, note_number.strip(), issue_date, amount, reason
            )
    except IntegrityError:
        raise Conflict(f"credit note {note_number!r} already exists", field="number") from None
    _audit(session, "invoice.credited", invoice, actor_id, now, before, note_number.strip())
    return invoice


def lock_invoice(session: Session, company_id: int, number: str) -> Invoice:
    """The company's invoice, its row locked for a change of its open amount (and re-read: a
    request that waited for the lock sees what the other one left)."""
    invoice = session.scalar(
        select(Invoice)
        .where(Invoice.company_id == company_id, Invoice.number == number)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if invoice is None:
        raise NotFound(f"no invoice {number!r}")
    return invoice


def _check_fits(invoice: Invoice, amount: int, what: str) -> None:
    if amount > invoice.open_amount:
        raise Invalid(
            f"{what} of {amount} exceeds the {invoice.open_amount} open on invoice "
            f"{invoice.number}",
            field="amount",
        )


def _checked(name: str, check: Callable[[str], T], value: str) -> T:
    """Run a check whose error names no field, and name it."""
    try:
        return check(value)
    except Invalid as exc:
        raise Invalid(exc.message, field=exc.field or name) from None


def _money(invoice: Invoice) -> dict[str, object]:
    return {
        "number": invoice.number,
        "currency": invoice.currency,
        "total": invoice.total,
        "open_amount": invoice.open_amount,
        "settled_on": invoice.settled_on.isoformat() if invoice.settled_on else None,
    }


def _audit(
    session: Session,
    action: str,
    invoice: Invoice,
    actor_id: int | None,
    now: datetime,
    before: dict[str, object],
    what: str,
) -> None:
    record(
        session,
        action,
        at=now,
        entity_type="invoice",
        entity_id=invoice.id,
        actor_id=actor_id,
        company_id=invoice.company_id,
        before=before,
        after={**_money(invoice), "by": what},
        source="api",
    )
