"""The promises and disputes reports: each figure of a small ledger counted by hand, per
currency and per slice (converted at the rate of the period's end); what happens after the
period changes nothing; an empty company has no rows; a rate with nothing to divide is n/d."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from cobro.audit.actor import Actor
from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.errors import Invalid
from cobro.fx.service import MissingRate, set_rate
from cobro.report.activity import disputes_report, promises_report
from cobro.report.slices import By
from cobro.report.table import ChartKind, Kind
from tests.factories.activity import make_dispute_row, make_promise_row
from tests.factories.ledger import make_company, make_customer, make_invoice

START, END = date(2026, 3, 1), date(2026, 3, 31)


def day(month: int, day_: int) -> date:
    return date(2026, month, day_)


def customers(session: Session) -> tuple[Company, Customer, Customer, Customer]:
    company = make_company(session)
    ana = make_customer(session, company, "A", collector="ana")
    other = make_customer(session, company, "B")
    usd = make_customer(session, company, "U", country="US", currency="USD")
    return company, ana, other, usd


def usd_rate(session: Session, company: Company) -> None:
    set_rate(session, company.id, "USD", day(3, 1), Decimal("0.9"), "test", Actor())


# ---- promises ----------------------------------------------------------------------------------


def promises_ledger(session: Session) -> tuple[Company, Customer, Customer]:
    company, ana, other, usd = customers(session)
    make_promise_row(session, ana, 100_00, day(3, 2), "kept", day(3, 10))
    make_promise_row(session, ana, 50_00, day(2, 20), "broken", day(3, 5))  # made before
    make_promise_row(session, ana, 30_00, day(3, 15), "cancelled", day(3, 20))
    make_promise_row(session, other, 70_00, day(3, 20))  # still open
    make_promise_row(session, ana, 40_00, day(3, 25), "kept", day(4, 2))  # kept after the end
    make_promise_row(session, usd, 200_00, day(3, 5), "kept", day(3, 25))
    return company, ana, other


def test_promises_made_and_ended_in_the_period_per_currency(session: Session) -> None:
    company, _ana, _other = promises_ledger(session)
    report = promises_report(session, company.id, START, END, By.CURRENCY)
    assert (report.name, report.period) == ("promises", "2026-03-01 – 2026-03-31")
    assert [c.key for c in report.columns] == [
        "currency", "made", "made_amount", "kept", "broken", "cancelled", "kept_rate",
        "kept_amount",
    ]  # fmt: skip
    assert report.column("kept_rate").kind is Kind.PERCENT
    assert report.rows == (
        {"currency": "EUR", "made": 4, "made_amount": 240_00, "kept": 1, "broken": 1,
         "cancelled": 1, "kept_rate": Decimal("50.00"), "kept_amount": 100_00},
        {"currency": "USD", "made": 1, "made_amount": 200_00, "kept": 1, "broken": 0,
         "cancelled": 0, "kept_rate": Decimal("100.00"), "kept_amount": 200_00},
    )  # fmt: skip
    [chart] = report.charts
    assert (chart.kind, chart.labels) == (ChartKind.STACKED_BARS, ("EUR", "USD"))
    assert [(s.name, s.values) for s in chart.series] == [
        ("Kept", (1.0, 1.0)),
        ("Broken", (1.0, 0.0)),
    ]
    assert any("kept ÷ (kept + broken)" in note for note in report.notes)


def test_what_happens_after_the_period_changes_nothing(session: Session) -> None:
    company, ana, other = promises_ledger(session)
    before = promises_report(session, company.id, START, END, By.CURRENCY)
    make_promise_row(session, ana, 10_00, day(4, 1), "kept", day(4, 3))
    make_promise_row(session, other, 10_00, day(4, 2), "broken", day(4, 20))
    assert promises_report(session, company.id, START, END, By.CURRENCY) == before


def test_promises_per_country_are_converted_at_the_rate_of_the_end(session: Session) -> None:
    company, _ana, _other = promises_ledger(session)
    with pytest.raises(MissingRate):
        promises_report(session, company.id, START, END, By.COUNTRY)
    usd_rate(session, company)
    report = promises_report(session, company.id, START, END, By.COUNTRY)
    assert [c.key for c in report.columns][:2] == ["slice", "currency"]
    assert [
        (r["slice"], r["currency"], r["made_amount"], r["kept_amount"]) for r in report.rows
    ] == [
        ("ES", "EUR", 240_00, 100_00),
        ("US", "EUR", 180_00, 180_00),
    ]
    assert (
        report.notes[-1] == "amounts converted to EUR at the rates of 2026-03-31: 1 USD = 0.9 EUR"
    )
    by_collector = promises_report(session, company.id, START, END, By.COLLECTOR)
    assert [(r["slice"], r["made"], r["kept"], r["kept_rate"]) for r in by_collector.rows] == [
        ("(none)", 2, 1, Decimal("100.00")),  # B's open one, U's kept one
        ("ana", 3, 1, Decimal("50.00")),
    ]


def test_no_promise_no_row_and_none_ended_no_rate(session: Session) -> None:
    company, _ana, other, _usd = customers(session)
    assert promises_report(session, company.id, START, END, By.CURRENCY).rows == ()
    make_promise_row(session, other, 70_00, day(3, 20))
    [row] = promises_report(session, company.id, START, END, By.CURRENCY).rows
    assert (row["made"], row["kept_rate"], row["kept_amount"]) == (1, None, 0)
    with pytest.raises(Invalid):
        promises_report(session, company.id, END, START, By.CURRENCY)


# ---- disputes ----------------------------------------------------------------------------------


def disputes_ledger(session: Session) -> tuple[Company, Customer]:
    company, ana, _other, usd = customers(session)
    january = make_invoice(session, company, ana, 100_00, day(1, 10), day(2, 10))
    february = make_invoice(session, company, ana, 400_00, day(2, 10), day(3, 10))
    first = make_invoice(session, company, ana, 100_00, day(3, 1), day(3, 31))
    second = make_invoice(session, company, ana, 200_00, day(3, 5), day(4, 5))
    third = make_invoice(session, company, ana, 300_00, day(3, 10), day(4, 10))
    make_invoice(session, company, ana, 50_00, day(3, 28), day(4, 28))
    make_invoice(session, company, ana, 60_00, day(3, 29), day(4, 29))
    dollars = make_invoice(session, company, usd, 500_00, day(3, 3), day(4, 3), currency="USD")
    # opened in the period on two invoices (one of February's), credited after 10 days
    make_dispute_row(session, ana, day(3, 4), [(first, 40_00), (february, 100_00)],
                     "credited", day(3, 14))  # fmt: skip
    # opened before the period, rejected in it after 20 days
    make_dispute_row(session, ana, day(2, 15), [(january, 50_00)], "rejected", day(3, 7))
    make_dispute_row(session, ana, day(3, 20), [(second, 200_00)])  # open
    # resolved after the end: open at the end
    make_dispute_row(session, ana, day(3, 25), [(third, 30_00)], "credited", day(4, 3))
    make_dispute_row(session, usd, day(3, 10), [(dollars, 100_00)], "withdrawn", day(3, 12))
    return company, ana


EUR_ROW = {
    "currency": "EUR", "issued": 5, "opened": 3, "disputed": 370_00,
    "dispute_rate": Decimal("80.00"),  # 4 invoices disputed ÷ 5 issued
    "credited": 1, "partly_credited": 0, "rejected": 1, "withdrawn": 0,
    "days_to_resolve": Decimal("15.00"), "open_at_end": 2,
}  # fmt: skip
USD_ROW = {
    "currency": "USD", "issued": 1, "opened": 1, "disputed": 100_00,
    "dispute_rate": Decimal("100.00"), "credited": 0, "partly_credited": 0, "rejected": 0,
    "withdrawn": 1, "days_to_resolve": Decimal("2.00"), "open_at_end": 0,
}  # fmt: skip


def test_disputes_opened_resolved_and_open_at_the_end(session: Session) -> None:
    company, _ana = disputes_ledger(session)
    report = disputes_report(session, company.id, START, END, By.CURRENCY)
    assert report.rows == (EUR_ROW, USD_ROW)
    assert report.column("days_to_resolve").kind is Kind.DAYS
    assert report.column("disputed").kind is Kind.MONEY
    assert any(note.startswith("dispute rate: ") for note in report.notes)
    [chart] = report.charts
    assert chart.labels == ("EUR", "USD")
    assert [s.values for s in chart.series] == [(1.0, 0.0), (0.0, 0.0), (1.0, 0.0), (0.0, 1.0)]


def test_disputes_after_the_period_change_nothing(session: Session) -> None:
    company, ana = disputes_ledger(session)
    before = disputes_report(session, company.id, START, END, By.CURRENCY)
    later = make_invoice(session, company, ana, 80_00, day(4, 1), day(5, 1))
    make_dispute_row(session, ana, day(4, 2), [(later, 80_00)], "rejected", day(4, 9))
    assert disputes_report(session, company.id, START, END, By.CURRENCY) == before


def test_disputes_per_country_converted(session: Session) -> None:
    company, _ana = disputes_ledger(session)
    with pytest.raises(MissingRate):
        disputes_report(session, company.id, START, END, By.COUNTRY)
    usd_rate(session, company)
    report = disputes_report(session, company.id, START, END, By.COUNTRY)
    spain, usa = report.rows
    assert spain == {"slice": "ES", **EUR_ROW}
    assert usa == {"slice": "US", **USD_ROW, "currency": "EUR", "disputed": 90_00}


def test_no_dispute_no_row_and_nothing_issued_no_rate(session: Session) -> None:
    company, ana, _other, _usd = customers(session)
    assert disputes_report(session, company.id, START, END, By.CURRENCY).rows == ()
    old = make_invoice(session, company, ana, 100_00, day(1, 10), day(2, 10))
    make_dispute_row(session, ana, day(3, 4), [(old, 10_00)])
    [row] = disputes_report(session, company.id, START, END, By.CURRENCY).rows
    assert (row["issued"], row["dispute_rate"], row["days_to_resolve"]) == (0, None, None)
    assert (row["opened"], row["open_at_end"]) == (1, 1)
