"""The collection curve: each cohort's share paid by 30 … 180 days after issue, counted by
hand; credit notes are no payments; a point the cohort has not reached by the end is n/d; only
payments applied by the end count; per currency, or converted and added when sliced."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from cobro.audit.actor import Actor
from cobro.company.models import Company
from cobro.fx.service import MissingRate, set_rate
from cobro.invoice.service import add_credit_note
from cobro.report.curve import curve_report
from cobro.report.slices import By
from cobro.report.table import ChartKind, Kind
from tests.factories.ledger import make_company, make_customer, make_invoice, make_payment

START, END = date(2026, 1, 1), date(2026, 5, 31)
N = None  # not reached yet


def day(month: int, day_: int) -> date:
    return date(2026, month, day_)


def pct(text: str) -> Decimal:
    return Decimal(text)


def ledger(session: Session) -> Company:
    company = make_company(session)
    es = make_customer(session, company, "ES")
    us = make_customer(session, company, "US", country="US", currency="USD")
    # January: 1,000 on the 10th, paid 300 (20 days), 200 (46), 100 (95); credited 100
    first = make_invoice(session, company, es, 1000_00, day(1, 10), day(2, 10))
    for amount, paid_on in ((300_00, day(1, 30)), (200_00, day(2, 25)), (100_00, day(4, 15))):
        make_payment(session, company, es, amount, paid_on, (first.number,))
    add_credit_note(session, company, first, "CN-1", day(2, 1), 100_00, "price")
    # … and 1,000 on the 31st, paid 500 (29 days) and 500 (99 days)
    last = make_invoice(session, company, es, 1000_00, day(1, 31), day(3, 2))
    make_payment(session, company, es, 500_00, day(3, 1), (last.number,))
    make_payment(session, company, es, 500_00, day(5, 10), (last.number,))
    # February: 400 paid in 6 days; 1,000 USD with 250 USD paid in 19 days
    quick = make_invoice(session, company, es, 400_00, day(2, 14), day(3, 14))
    make_payment(session, company, es, 400_00, day(2, 20), (quick.number,))
    dollars = make_invoice(session, company, us, 1000_00, day(2, 10), day(3, 10), currency="USD")
    make_payment(session, company, us, 250_00, day(3, 1), (dollars.number,), currency="USD")
    return company


def test_each_cohort_s_share_paid_by_each_horizon(session: Session) -> None:
    company = ledger(session)
    report = curve_report(session, company.id, START, END, By.CURRENCY)
    assert (report.name, report.period) == ("curve", "2026-01-01 – 2026-05-31")
    assert [c.key for c in report.columns] == [
        "cohort", "currency", "issued", "paid_30", "paid_60", "paid_90", "paid_120", "paid_180",
    ]  # fmt: skip
    assert report.column("paid_30").kind is Kind.PERCENT
    assert [tuple(row.values()) for row in report.rows] == [
        # 30 d: 300 + 500; 60 d: + 200; 90 d: the same; 120 d: + 100 + 500; 180 d: not yet
        ("2026-01", "EUR", 2000_00, pct("40.00"), pct("50.00"), pct("50.00"), pct("80.00"), N),
        # 28 February + 120 days is after the end
        ("2026-02", "EUR", 400_00, pct("100.00"), pct("100.00"), pct("100.00"), N, N),
        ("2026-02", "USD", 1000_00, pct("25.00"), pct("25.00"), pct("25.00"), N, N),
    ]
    [chart] = report.charts
    assert (chart.kind, chart.labels, chart.unit) == (
        ChartKind.LINES, ("30", "60", "90", "120", "180"), "%",
    )  # fmt: skip
    assert [(s.name, s.values) for s in chart.series] == [
        ("2026-01", (40.0, 50.0, 50.0, 80.0, None)),
        ("2026-02 EUR", (100.0, 100.0, 100.0, None, None)),
        ("2026-02 USD", (25.0, 25.0, 25.0, None, None)),
    ]
    assert any("credit notes and write-offs are not payments" in n for n in report.notes)


def test_only_payments_applied_by_the_end_count(session: Session) -> None:
    company = ledger(session)
    early = curve_report(session, company.id, START, day(5, 1), By.CURRENCY)
    # 120 days of January are not reached by 1 May; the 500 of 10 May is not there yet
    assert tuple(early.rows[0].values())[3:] == (
        pct("40.00"), pct("50.00"), pct("50.00"), N, N,
    )  # fmt: skip
    before = curve_report(session, company.id, START, END, By.CURRENCY)
    es = make_customer(session, company, "ES")
    make_payment(session, company, es, 400_00, day(6, 10), apply_oldest=True)
    make_invoice(session, company, es, 100_00, day(6, 1), day(7, 1))
    assert curve_report(session, company.id, START, END, By.CURRENCY) == before


def test_sliced_cohorts_add_up_converted_amounts(session: Session) -> None:
    company = ledger(session)
    with pytest.raises(MissingRate):
        curve_report(session, company.id, START, END, By.COUNTRY)
    set_rate(session, company.id, "USD", day(1, 1), Decimal("0.9"), "test", Actor())
    by_country = curve_report(session, company.id, START, END, By.COUNTRY)
    assert [(r["cohort"], r["slice"], r["currency"], r["issued"], r["paid_30"])
            for r in by_country.rows] == [
        ("2026-01", "ES", "EUR", 2000_00, pct("40.00")),
        ("2026-02", "ES", "EUR", 400_00, pct("100.00")),
        ("2026-02", "US", "EUR", 900_00, pct("25.00")),
    ]  # fmt: skip
    [january, february] = curve_report(session, company.id, START, END, By.COLLECTOR).rows
    assert (january["slice"], january["paid_120"]) == ("(none)", pct("80.00"))
    # (400 + 225) ÷ (400 + 900)
    assert (february["issued"], february["paid_30"]) == (1300_00, pct("48.08"))


def test_no_invoice_no_row(session: Session) -> None:
    company = make_company(session)
    assert curve_report(session, company.id, START, END, By.CURRENCY).rows == ()
    assert curve_report(session, company.id, START, END, By.CURRENCY).charts[0].series == ()
