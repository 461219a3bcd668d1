"""Vendor bills for tests: what the company owes a customer who is also a supplier."""

from __future__ import annotations

import itertools
from datetime import date

from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.setoff.models import VendorBill

_seq = itertools.count(1)


def make_bill(
    session: Session,
    company: Company,
    customer: Customer,
    total: int = 100_00,
    due_date: date = date(2026, 1, 31),
    open_amount: int | None = None,
    currency: str | None = None,
    number: str | None = None,
) -> VendorBill:
    bill = VendorBill(
        company_id=company.id,
        customer_id=customer.id,
        number=number or f"B-{next(_seq):05d}",
        issue_date=date(2026, 1, 1),
        due_date=due_date,
        currency=currency or company.currency,
        total=total,
        open_amount=total if open_amount is None else open_amount,
    )
    session.add(bill)
    session.flush()
    return bill
