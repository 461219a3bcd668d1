"""A story over dates: a customer who pays every Friday gets the preventive reminder early
enough to land before the Friday run that precedes the due date."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.cycle.service import run_cycle
from cobro.outbox.models import Action
from cobro.policy.runs import PaymentRuns, RunKind
from tests.factories.ledger import make_company, make_customer, make_invoice

DUE = date(2026, 12, 16)  # a Wednesday: the Friday run before it is December 11
FRIDAYS = PaymentRuns(RunKind.WEEKDAY, (4,), 0.9, 10)


def preventive_days(session: Session, customer: Customer, first: date, last: date) -> list[date]:
    company = session.get_one(Company, customer.company_id)
    day = first
    while day <= last:
        run_cycle(session, company, day)
        day += timedelta(days=1)
    rows = session.execute(
        select(Action.cycle_on).where(
            Action.company_id == company.id, Action.customer_id == customer.id,
            Action.stage == "preventive",
        )
    )  # fmt: skip
    days = sorted({on for (on,) in rows})
    return days


def a_large_invoice(session: Session, runs: PaymentRuns | None) -> Customer:
    company = make_company(session)
    customer = make_customer(session, company, "FRIDAY")
    customer.payment_runs = None if runs is None else runs.to_json()
    # large enough for the default policy's preventive reminder (5,000.00 EUR)
    make_invoice(session, company, customer, 8_000_00, date(2026, 11, 16), DUE)
    session.flush()
    return customer


def test_without_known_runs_the_reminder_goes_five_days_before_the_due_date(
    session: Session,
) -> None:
    customer = a_large_invoice(session, None)
    assert preventive_days(session, customer, date(2026, 12, 1), DUE) == [date(2026, 12, 11)]


def test_a_friday_payer_hears_three_days_before_the_friday_run(session: Session) -> None:
    customer = a_large_invoice(session, FRIDAYS)
    # S = Dec 11 (due − 5) lands on the run day itself; the run wants it by Dec 8 (3 days ahead)
    assert preventive_days(session, customer, date(2026, 12, 1), DUE) == [date(2026, 12, 8)]


def test_a_run_on_the_due_date_itself_changes_nothing(session: Session) -> None:
    customer = a_large_invoice(session, PaymentRuns(RunKind.WEEKDAY, (2,), 0.9, 10))
    # Wednesday runs: the last one by the due date is December 16 itself, wanted by Dec 13;
    # the reminder on Dec 11 is early enough already
    assert preventive_days(session, customer, date(2026, 12, 1), DUE) == [date(2026, 12, 11)]


def test_an_early_reminder_never_becomes_the_due_day_notice(session: Session) -> None:
    customer = a_large_invoice(session, FRIDAYS)
    run_cycle(session, session.get_one(Company, customer.company_id), date(2026, 12, 8))
    stages = set(session.scalars(select(Action.stage).where(Action.customer_id == customer.id)))
    assert stages == {"preventive"}
