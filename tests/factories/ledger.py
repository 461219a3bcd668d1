"""Factories for ledger rows through the real services (so tests exercise the same rules)."""

from __future__ import annotations

import itertools
from datetime import date

from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.company.service import create_company
from cobro.customer.models import Customer
from cobro.customer.rules import CustomerIn
from cobro.customer.service import upsert_customer
from cobro.invoice.models import Invoice
from cobro.invoice.rules import InvoiceIn
from cobro.invoice.service import upsert_invoice
from cobro.payment.models import Payment
from cobro.payment.service import PaymentIn, record_payment

_seq = itertools.count(1)


def make_company(
    session: Session, code: str | None = None, country: str = "ES", currency: str = "EUR"
) -> Company:
    return create_company(
        session,
        code or f"co{next(_seq)}",
        "Acme Test S.L.",
        country,
        currency,
        "Europe/Madrid",
    )


def make_customer(
    session: Session, company: Company, external_id: str | None = None, **fields: object
) -> Customer:
    data = CustomerIn(
        external_id=external_id or f"C{next(_seq)}",
        name=str(fields.pop("name", "Cliente Ejemplo")),
        country=str(fields.pop("country", company.country)),
        **fields,  # type: ignore[arg-type]
    )
    return upsert_customer(session, company, data)[0]


def make_invoice(
    session: Session,
    company: Company,
    customer: Customer,
    total: int = 100_00,
    issue_date: date = date(2026, 1, 1),
    due_date: date | None = date(2026, 1, 31),
    number: str | None = None,
    currency: str | None = None,
    terms: str | None = None,
) -> Invoice:
    data = InvoiceIn(
        number=number or f"F-{next(_seq):06d}",
        customer=customer.external_id,
        issue_date=issue_date,
        due_date=due_date,
        total=total,
        currency=currency or company.currency,
        terms=terms,
    )
    return upsert_invoice(session, company, data)[0]


def make_payment(
    session: Session,
    company: Company,
    customer: Customer | None,
    amount: int,
    received_on: date = date(2026, 2, 1),
    invoices: tuple[str, ...] = (),
    currency: str | None = None,
    apply_oldest: bool = False,
) -> Payment:
    data = PaymentIn(
        external_id=f"P{next(_seq)}",
        received_on=received_on,
        amount=amount,
        currency=currency or company.currency,
        customer=customer.external_id if customer else None,
        invoices=invoices,
    )
    return record_payment(session, company, data, apply_oldest=apply_oldest)[0]
