"""The collectors report: each collector's customers, what they owed at the end and how much
of it was overdue, what was collected, promises, contacts and customers worked, counted by
hand on a small ledger; amounts converted to the reporting currency at the rate of the end
(a missing rate stops it); days of time stamps as the company's clock counts them; what
happens after the period changes nothing; an empty company has no rows."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from cobro.audit.actor import Actor
from cobro.company.models import Company
from cobro.fx.service import MissingRate, set_rate
from cobro.note.service import add_note, log_call
from cobro.report.collectors import collectors_report
from cobro.report.slices import By
from cobro.report.table import ChartKind, Kind
from cobro.task.service import raise_task
from tests.factories.access import make_user
from tests.factories.activity import make_message, make_promise_row
from tests.factories.ledger import make_company, make_customer, make_invoice, make_payment

START, END = date(2026, 3, 1), date(2026, 3, 31)


def day(month: int, day_: int) -> date:
    return date(2026, month, day_)


def at(month: int, day_: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day_, hour, minute, tzinfo=UTC)


def ledger(session: Session) -> Company:
    company = make_company(session)
    a = make_customer(session, company, "A", collector="ana")
    b = make_customer(session, company, "B", collector="ana")
    c = make_customer(session, company, "C", collector="bob", country="US", currency="USD")
    d = make_customer(session, company, "D")
    e = make_customer(session, company, "E", collector="bob")
    # ana: 1,000 due 1 March, 400 of it paid 10 March; 500 not yet due; B paid all in February
    overdue = make_invoice(session, company, a, 1000_00, day(2, 1), day(3, 1))
    make_payment(session, company, a, 400_00, day(3, 10), (overdue.number,))
    make_invoice(session, company, a, 500_00, day(3, 15), day(4, 15))
    paid = make_invoice(session, company, b, 300_00, day(1, 10), day(2, 10))
    make_payment(session, company, b, 300_00, day(2, 20), (paid.number,))
    # bob: 1,000 USD due 20 March, 200 USD paid 25 March; E's first invoice after the end
    dollars = make_invoice(session, company, c, 1000_00, day(3, 1), day(3, 20), currency="USD")
    make_payment(session, company, c, 200_00, day(3, 25), (dollars.number,), currency="USD")
    make_invoice(session, company, e, 70_00, day(4, 5), day(5, 5))
    # nobody's: 100 not yet due
    make_invoice(session, company, d, 100_00, day(3, 5), day(4, 5))
    # promises: ana's kept and broken in the period; bob's made before, kept in it
    make_promise_row(session, a, 100_00, day(3, 5), "kept", day(3, 10))
    make_promise_row(session, b, 100_00, day(3, 6), "broken", day(3, 20))
    make_promise_row(session, c, 100_00, day(2, 25), "kept", day(3, 2), currency="USD")
    # contacts: a call to A; to C one at 23:30 and one at 00:30 in Madrid (the next day)
    author = make_user(session, company)
    log_call(session, company.id, "A", author.id, "reached", None, day(3, 9), at(3, 9, 9))
    log_call(session, company.id, "C", author.id, "reached", None, day(3, 31), at(3, 31, 21, 30))
    log_call(session, company.id, "C", author.id, "reached", None, day(4, 1), at(3, 31, 22, 30))
    add_note(session, company.id, "B", author.id, "asked for the PO", at(3, 12, 10))
    make_message(session, company, a, at(3, 3, 10))
    make_message(session, company, d, at(3, 4, 10), kind="sms")
    make_message(session, company, b, at(3, 5, 10), status="failed")  # not sent
    make_message(session, company, c, at(3, 6, 10), kind="call_task")  # no message
    task = raise_task(session, company_id=company.id, customer=d, kind="review",
                      title="check", due_on=day(3, 15))  # fmt: skip
    task.status, task.closed_at = "done", at(3, 15, 12)
    session.flush()
    return company


def usd_rate(session: Session, company: Company) -> None:
    set_rate(session, company.id, "USD", day(3, 1), Decimal("0.9"), "test", Actor())


def test_each_collector_s_portfolio_and_work(session: Session) -> None:
    company = ledger(session)
    usd_rate(session, company)
    report = collectors_report(session, company.id, START, END, By.CURRENCY)
    assert report.name == "collectors"
    assert report.column("open").kind is Kind.MONEY
    assert report.rows == (
        {"slice": "(none)", "currency": "EUR", "customers": 1, "open": 100_00,
         "overdue_share": Decimal("0.00"), "collected": 0, "promises": 0, "kept_rate": None,
         "calls": 0, "messages": 1, "contacts": 1, "worked": 1},
        {"slice": "ana", "currency": "EUR", "customers": 2, "open": 1100_00,
         "overdue_share": Decimal("54.55"), "collected": 400_00, "promises": 2,
         "kept_rate": Decimal("50.00"), "calls": 1, "messages": 1, "contacts": 2, "worked": 2},
        {"slice": "bob", "currency": "EUR", "customers": 1, "open": 720_00,
         "overdue_share": Decimal("100.00"), "collected": 180_00, "promises": 0,
         "kept_rate": Decimal("100.00"), "calls": 1, "messages": 0, "contacts": 1,
         "worked": 1},
    )  # fmt: skip
    [chart] = report.charts
    assert (chart.kind, chart.labels, chart.unit) == (
        ChartKind.STACKED_BARS, ("(none)", "ana", "bob"), "EUR",
    )  # fmt: skip
    assert chart.series[0].values == (0.0, 400.0, 180.0)
    assert (
        report.notes[-1] == "amounts converted to EUR at the rates of 2026-03-31: 1 USD = 0.9 EUR"
    )
    # `by` changes nothing: the rows are always the collectors'
    assert collectors_report(session, company.id, START, END, By.COUNTRY) == report


def test_after_the_period_changes_nothing(session: Session) -> None:
    company = ledger(session)
    usd_rate(session, company)
    before = collectors_report(session, company.id, START, END, By.COLLECTOR)
    a = make_customer(session, company, "A", collector="ana")
    d = make_customer(session, company, "D")
    make_payment(session, company, a, 600_00, day(4, 3), apply_oldest=True)
    make_invoice(session, company, d, 10_00, day(4, 2), day(5, 2))
    make_promise_row(session, a, 10_00, day(4, 1), "kept", day(4, 2))
    author = make_user(session, company)
    log_call(session, company.id, "D", author.id, "reached", None, day(4, 2), at(4, 2, 9))
    make_message(session, company, d, at(4, 2, 10))
    set_rate(session, company.id, "USD", day(4, 1), Decimal("0.5"), "test", Actor())
    assert collectors_report(session, company.id, START, END, By.COLLECTOR) == before


def test_a_missing_rate_stops_it(session: Session) -> None:
    company = ledger(session)
    with pytest.raises(MissingRate):
        collectors_report(session, company.id, START, END, By.COLLECTOR)


def test_an_empty_company_has_no_rows(session: Session) -> None:
    company = make_company(session)
    make_customer(session, company, "A", collector="ana")  # nothing invoiced
    assert collectors_report(session, company.id, START, END, By.COLLECTOR).rows == ()
