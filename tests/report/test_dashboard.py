"""The dashboard's figures: open and overdue amounts per currency from the aging report (the
buckets add up to the open total), the day's cycle by status and kind, the failed messages with
their customer and error, and the open tasks; one company's figures only."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.customer.models import Contact
from cobro.cycle.service import run_cycle
from cobro.outbox.models import Action
from cobro.outbox.service import fail
from cobro.report.dashboard import FAILED_SHOWN, dashboard
from cobro.report.rules import Bucket
from cobro.task.service import open_task_count
from tests.factories.ledger import make_company, make_customer, make_invoice

ON = date(2026, 3, 2)  # a Monday
NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)
ISSUED = date(2025, 10, 1)


def test_the_figures_add_up_per_currency(session: Session) -> None:
    company = make_company(session, "acme")
    other = make_company(session, "other")
    ana = make_customer(session, company, "C-1", name="Ana")
    make_invoice(session, company, ana, 100_00, ISSUED, ON + timedelta(days=5), "F-1")
    make_invoice(session, company, ana, 300_00, ISSUED, ON - timedelta(days=10), "F-2")
    make_invoice(session, company, ana, 600_00, ISSUED, ON - timedelta(days=120), "F-3")
    make_invoice(session, company, ana, 50_00, ISSUED, ON - timedelta(days=40), "F-4", "USD")
    stranger = make_customer(session, other, "C-1", name="Stranger")
    make_invoice(session, other, stranger, 9_999_00, ISSUED, ON - timedelta(days=3), "X-1")

    board = dashboard(session, company, ON)

    assert [figures.currency for figures in board.currencies] == ["EUR", "USD"]
    eur, usd = board.currencies
    assert eur.open == 1_000_00 == sum(eur.buckets.values())
    assert eur.buckets[Bucket.CURRENT] == 100_00
    assert eur.buckets[Bucket.DAYS_1_30] == 300_00
    assert eur.buckets[Bucket.OVER_90] == 600_00
    assert eur.overdue == 900_00
    assert eur.overdue_share == Fraction(9, 10)
    assert usd.open == usd.overdue == usd.buckets[Bucket.DAYS_31_60] == 50_00
    assert usd.overdue_share == 1
    assert board.cycle == {}
    assert board.failed_count == 0
    assert board.failed == []
    assert board.open_tasks == 0
    assert dashboard(session, other, ON).currencies[0].open == 9_999_00


def test_nothing_open_is_no_currency_and_no_share(session: Session) -> None:
    company = make_company(session, "acme")
    board = dashboard(session, company, ON)
    assert board.currencies == []
    assert board.cycle_total == 0


def test_the_cycle_of_the_day_and_the_failed_messages(session: Session) -> None:
    company = make_company(session, "acme")
    company.email = "cobros@vendor.example"
    for number in range(1, 4):
        customer = make_customer(session, company, f"C-{number}", name=f"Cliente {number}")
        customer.contacts.append(Contact(name="Ana Ruiz", email=f"c{number}@debtor.example"))
        make_invoice(session, company, customer, 500_00, ISSUED, ON, f"F-{number}")
    session.flush()
    run_cycle(session, company, ON, NOW)
    actions = list(session.scalars(select(Action).where(Action.company_id == company.id)))
    assert actions
    fail(session, actions[0], "smtp: 550 mailbox unavailable", "w-1", NOW)
    session.flush()

    board = dashboard(session, company, ON)

    assert board.cycle_total == len(actions)
    assert board.cycle_by_status()["failed"] == 1
    assert sum(board.cycle_by_status().values()) == len(actions)
    assert board.failed_count == 1
    (failed,) = board.failed
    assert failed.id == actions[0].id
    assert failed.customer.startswith("C-")
    assert failed.name.startswith("Cliente ")
    assert "550 mailbox unavailable" in failed.error
    assert board.open_tasks == open_task_count(session, company.id) >= 1
    assert dashboard(session, company, ON + timedelta(days=1)).cycle == {}
    assert FAILED_SHOWN == 10
