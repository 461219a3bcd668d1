"""The invoices an agreement covers (a promise to pay, a payment plan): those a person or the
debtor names, each the customer's, open and in the agreement's currency, or, with none named,
all the customer's open invoices in that currency; and the currency it is in when none is
named."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.errors import Invalid, NotFound
from cobro.invoice.models import Invoice
from cobro.invoice.service import find_invoice
from cobro.kit.money import check_currency


def default_currency(session: Session, company: Company, customer: Customer) -> str:
    """That of the customer's open invoices when they are all in one, else the company's."""
    found = session.scalars(
        select(Invoice.currency)
        .where(Invoice.customer_id == customer.id, Invoice.open_amount > 0)
        .distinct()
        .limit(2)
    ).all()
    return found[0] if len(found) == 1 else company.currency


def currency_of(session: Session, company: Company, customer: Customer, code: str | None) -> str:
    """The currency named (checked, the error naming `currency`), else the default one."""
    if code is None or not code.strip():
        return default_currency(session, company, customer)
    try:
        return check_currency(code)
    except Invalid as error:
        raise Invalid(error.message, field="currency") from None


def covered_invoices(
    session: Session, company: Company, customer: Customer, currency: str, numbers: Sequence[str]
) -> list[Invoice]:
    """The invoices named, or all the customer's open ones in `currency` when none is named,
    oldest due first. An invoice not the customer's is NotFound, one with nothing open or in
    another currency Invalid, each naming `invoices`."""
    if not numbers:
        return list(
            session.scalars(
                select(Invoice)
                .where(
                    Invoice.company_id == company.id,
                    Invoice.customer_id == customer.id,
                    Invoice.currency == currency,
                    Invoice.open_amount > 0,
                )
                .order_by(Invoice.due_date, Invoice.id)
            )
        )
    covered: dict[int, Invoice] = {}
    for number in numbers:
        invoice = find_invoice(session, company.id, number.strip())
        if invoice is None or invoice.customer_id != customer.id:
            raise NotFound(f"{customer.external_id} has no invoice {number!r}", "invoices")
        if invoice.open_amount <= 0:
            raise Invalid(f"invoice {invoice.number} has nothing open", field="invoices")
        if invoice.currency != currency:
            raise Invalid(
                f"invoice {invoice.number} is in {invoice.currency}, not {currency}", "invoices"
            )
        covered[invoice.id] = invoice
    return sorted(covered.values(), key=lambda invoice: (invoice.due_date, invoice.id))
