"""Aging on a given day: open amounts per customer and currency, in buckets by days past due."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.invoice.models import Invoice
from cobro.invoice.service import add_credit_note, write_off
from cobro.payment.repository import open_as_of, reduced_after
from cobro.report.rules import Bucket
from cobro.report.service import AgingReport, aging
from tests.factories.ledger import make_company, make_customer, make_invoice, make_payment

ON = date(2026, 6, 30)
ISSUED = date(2026, 1, 1)


@pytest.fixture
def company(session: Session) -> Company:
    return make_company(session)


@pytest.fixture
def customer(session: Session, company: Company) -> Customer:
    return make_customer(session, company, "C-1", name="Ana")


def owe(
    session: Session,
    company: Company,
    customer: Customer,
    total: int,
    days_past_due: int,
    currency: str | None = None,
) -> Invoice:
    return make_invoice(
        session,
        company,
        customer,
        total=total,
        issue_date=ISSUED,
        due_date=ON - timedelta(days=days_past_due),
        currency=currency,
    )


def buckets(report: AgingReport, currency: str = "EUR") -> dict[Bucket, int]:
    return {bucket: amount for bucket, amount in report.totals.get(currency, {}).items() if amount}


def test_each_invoice_falls_in_its_bucket_at_the_boundaries(
    session: Session, company: Company, customer: Customer
) -> None:
    for days, total in [(-5, 1), (0, 2), (1, 4), (30, 8), (31, 16), (60, 32), (61, 64), (90, 128)]:
        owe(session, company, customer, total, days)
    owe(session, company, customer, 256, 91)
    report = aging(session, company.id, ON)
    assert buckets(report) == {
        Bucket.CURRENT: 1 + 2,
        Bucket.DAYS_1_30: 4 + 8,
        Bucket.DAYS_31_60: 16 + 32,
        Bucket.DAYS_61_90: 64 + 128,
        Bucket.OVER_90: 256,
    }
    [line] = report.lines
    assert (line.customer, line.name, line.currency, line.total) == ("C-1", "Ana", "EUR", 511)
    assert line.customer_id == customer.id
    assert report.total("EUR") == 511
    assert all(type(amount) is int for amount in line.buckets.values())


def test_currencies_are_never_added_together(
    session: Session, company: Company, customer: Customer
) -> None:
    owe(session, company, customer, 100_00, 10)
    owe(session, company, customer, 70_00, 10, currency="USD")
    bob = make_customer(session, company, "C-2")
    owe(session, company, bob, 5_00, 45, currency="USD")
    report = aging(session, company.id, ON)
    assert [(line.customer, line.currency, line.total) for line in report.lines] == [
        ("C-1", "EUR", 100_00),
        ("C-1", "USD", 70_00),
        ("C-2", "USD", 5_00),
    ]
    assert buckets(report, "EUR") == {Bucket.DAYS_1_30: 100_00}
    assert buckets(report, "USD") == {Bucket.DAYS_1_30: 70_00, Bucket.DAYS_31_60: 5_00}
    assert report.total("GBP") == 0


def test_settled_invoices_and_customers_without_debt_are_left_out(
    session: Session, company: Company, customer: Customer
) -> None:
    paid = owe(session, company, customer, 100_00, 10)
    make_payment(session, company, customer, 100_00, date(2026, 6, 1), (paid.number,))
    credited = owe(session, company, customer, 40_00, 10)
    add_credit_note(session, company, credited, "CN-1", date(2026, 6, 2), 40_00)
    written = owe(session, company, customer, 30_00, 100)
    write_off(session, written, None, date(2026, 6, 3), "insolvent")
    open_one = owe(session, company, make_customer(session, company, "C-2"), 20_00, 10)
    report = aging(session, company.id, ON)
    assert [(line.customer, line.total) for line in report.lines] == [("C-2", 20_00)]
    assert open_one.open_amount == 20_00


def test_invoices_issued_after_the_day_are_not_yet_owed(
    session: Session, company: Company, customer: Customer
) -> None:
    make_invoice(
        session, company, customer, 100_00, ON + timedelta(days=1), ON + timedelta(days=31)
    )
    make_invoice(session, company, customer, 50_00, ON, ON + timedelta(days=30))
    assert buckets(aging(session, company.id, ON)) == {Bucket.CURRENT: 50_00}


def test_other_companies_are_not_counted(
    session: Session, company: Company, customer: Customer
) -> None:
    other = make_company(session)
    owe(session, other, make_customer(session, other), 100_00, 10)
    assert aging(session, company.id, ON).lines == []


def test_the_day_before_a_partial_payment_shows_the_full_amount(
    session: Session, company: Company, customer: Customer
) -> None:
    invoice = owe(session, company, customer, 100_00, 10)
    make_payment(session, company, customer, 30_00, ON + timedelta(days=1), (invoice.number,))
    assert reduced_after(session, company.id, ON)
    assert not reduced_after(session, company.id, ON + timedelta(days=1))
    assert buckets(aging(session, company.id, ON)) == {Bucket.DAYS_1_30: 100_00}
    after = aging(session, company.id, ON + timedelta(days=1))
    assert buckets(after) == {Bucket.DAYS_1_30: 70_00}


def test_an_invoice_paid_after_the_day_is_still_open_on_that_day(
    session: Session, company: Company, customer: Customer
) -> None:
    invoice = owe(session, company, customer, 100_00, 95)
    make_payment(session, company, customer, 100_00, ON + timedelta(days=3), (invoice.number,))
    assert buckets(aging(session, company.id, ON)) == {Bucket.OVER_90: 100_00}
    assert aging(session, company.id, ON + timedelta(days=3)).lines == []


def test_the_past_is_the_ledger_as_it_was_after_every_kind_of_reduction(
    session: Session, company: Company, customer: Customer
) -> None:
    invoice = owe(session, company, customer, 100_00, 0)  # due on ON
    add_credit_note(session, company, invoice, "CN-1", ON + timedelta(days=5), 10_00)
    make_payment(session, company, customer, 20_00, ON + timedelta(days=10), (invoice.number,))
    write_off(session, invoice, None, ON + timedelta(days=40), "small balance")
    day = ON.__add__
    assert buckets(aging(session, company.id, day(timedelta(4)))) == {Bucket.DAYS_1_30: 100_00}
    assert buckets(aging(session, company.id, day(timedelta(5)))) == {Bucket.DAYS_1_30: 90_00}
    assert buckets(aging(session, company.id, day(timedelta(10)))) == {Bucket.DAYS_1_30: 70_00}
    assert buckets(aging(session, company.id, day(timedelta(39)))) == {Bucket.DAYS_31_60: 70_00}
    assert aging(session, company.id, day(timedelta(40))).lines == []


def test_a_backdated_credit_note_does_not_hide_a_later_payment(
    session: Session, company: Company, customer: Customer
) -> None:
    invoice = owe(session, company, customer, 100_00, 10)
    make_payment(session, company, customer, 60_00, ON + timedelta(days=10), (invoice.number,))
    add_credit_note(session, company, invoice, "CN-1", ON + timedelta(days=2), 40_00)
    assert buckets(aging(session, company.id, ON + timedelta(days=5))) == {Bucket.DAYS_1_30: 60_00}


def test_the_fast_path_and_the_as_of_path_agree(
    session: Session, company: Company, customer: Customer
) -> None:
    a = owe(session, company, customer, 100_00, 45)
    b = owe(session, company, customer, 80_00, 5, currency="USD")
    owe(session, company, customer, 60_00, 120)
    make_payment(session, company, customer, 30_00, ON - timedelta(days=3), (a.number,))
    add_credit_note(session, company, b, "CN-1", ON - timedelta(days=1), 20_00)
    fast = aging(session, company.id, ON)  # nothing was reduced after ON: stored open amounts
    assert reduced_after(session, company.id, ON - timedelta(days=2))
    assert not reduced_after(session, company.id, ON)

    # a later payment elsewhere sends the same day through the as-of path
    bob = make_customer(session, company, "C-2")
    late = owe(session, company, bob, 10_00, 0)
    make_payment(session, company, bob, 10_00, ON + timedelta(days=1), (late.number,))
    as_of = aging(session, company.id, ON)
    assert [line for line in as_of.lines if line.customer == "C-1"] == fast.lines
    assert buckets(fast) == {Bucket.DAYS_31_60: 70_00, Bucket.OVER_90: 60_00}
    assert buckets(fast, "USD") == {Bucket.DAYS_1_30: 60_00}

    # and for every invoice, on any day after its last reduction, the two amounts are equal
    rows = session.execute(
        select(Invoice.number, Invoice.open_amount, open_as_of(ON + timedelta(days=1)))
        .where(Invoice.company_id == company.id)
        .order_by(Invoice.number)
    ).all()
    assert all(stored == computed for _, stored, computed in rows)


def test_an_empty_ledger_has_an_empty_aging(session: Session, company: Company) -> None:
    report = aging(session, company.id, ON)
    assert (report.on, report.lines, report.totals) == (ON, [], {})
    assert not reduced_after(session, company.id, date(1900, 1, 1))
