"""A story over dates: one customer's invoices move through the aging buckets as time passes,
payments, a credit note and a write-off arrive, and the aging of every past day stays true."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from cobro.invoice.service import add_credit_note, write_off
from cobro.payment.service import check_ledger
from cobro.report.rules import Bucket
from cobro.report.service import aging
from tests.factories.ledger import make_company, make_customer, make_invoice, make_payment


def buckets_on(session: Session, company_id: int, on: date) -> dict[Bucket, int]:
    report = aging(session, company_id, on)
    return {bucket: amount for bucket, amount in report.totals.get("EUR", {}).items() if amount}


def test_the_life_of_two_invoices(session: Session) -> None:
    company = make_company(session)
    shop = make_customer(session, company, "SHOP", terms="NET30")
    # 1 March: invoice A (1,000.00, net 30 → due 31 March)
    a = make_invoice(
        session, company, shop, 1000_00, date(2026, 3, 1), due_date=None, number="A", terms="NET30"
    )
    assert a.due_date == date(2026, 3, 31)
    assert buckets_on(session, company.id, date(2026, 3, 15)) == {Bucket.CURRENT: 1000_00}

    # 15 April: 15 days past due; invoice B issued with the customer's terms
    b = make_invoice(session, company, shop, 500_00, date(2026, 4, 15), due_date=None, number="B")
    assert b.due_date == date(2026, 5, 15)
    assert buckets_on(session, company.id, date(2026, 4, 15)) == {
        Bucket.DAYS_1_30: 1000_00,
        Bucket.CURRENT: 500_00,
    }

    # 20 April: a partial payment of 400.00 for A
    make_payment(session, company, shop, 400_00, date(2026, 4, 20), ("A",))
    # 2 May: a credit note of 100.00 on B (a return)
    add_credit_note(session, company, b, "CN-1", date(2026, 5, 2), 100_00, "returned goods")
    # 10 July: A is 101 days past due; the rest is written off
    write_off(session, a, None, date(2026, 7, 10), "customer insolvent")
    # 20 July: B paid in full (400.00 after the credit note), with 25.00 too much
    payment = make_payment(session, company, shop, 425_00, date(2026, 7, 20), ("B",))

    assert a.open_amount == 0
    assert a.settled_on == date(2026, 7, 10)
    assert b.open_amount == 0
    assert b.settled_on == date(2026, 7, 20)
    assert payment.unapplied == 25_00
    assert check_ledger(session, company.id) == []

    # Replaying the past: each day shows what was open at its end.
    assert buckets_on(session, company.id, date(2026, 4, 19)) == {
        Bucket.DAYS_1_30: 1000_00,
        Bucket.CURRENT: 500_00,
    }
    assert buckets_on(session, company.id, date(2026, 5, 2)) == {
        Bucket.DAYS_31_60: 600_00,
        Bucket.CURRENT: 400_00,
    }
    assert buckets_on(session, company.id, date(2026, 7, 9)) == {
        Bucket.OVER_90: 600_00,
        Bucket.DAYS_31_60: 400_00,
    }
    assert buckets_on(session, company.id, date(2026, 7, 19)) == {Bucket.DAYS_61_90: 400_00}
    assert buckets_on(session, company.id, date(2026, 7, 20)) == {}
