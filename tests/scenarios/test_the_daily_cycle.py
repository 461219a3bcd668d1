"""Stories over dates: one customer's invoices go through the default policy day by day, and
payments, disputes, promises and opt-outs change what the cycle queues."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.cycle.service import CycleReport, run_cycle
from cobro.invoice.models import Invoice
from cobro.outbox.models import Action
from cobro.policy.holds import opt_out, place_hold, release_hold
from cobro.policy.models import ChaseStep
from cobro.policy.progress import progress_of
from tests.factories.ledger import make_company, make_customer, make_invoice, make_payment

DUE = date(2026, 3, 2)  # a Monday: no weekend in the way of the first stages


def day(offset: int) -> date:
    return DUE + timedelta(days=offset)


def actions(session: Session, customer: Customer, on: date) -> set[tuple[str, str]]:
    rows = session.execute(
        select(Action.stage, Action.kind).where(
            Action.customer_id == customer.id, Action.cycle_on == on
        )
    )
    return {(stage, kind) for stage, kind in rows}


def run_days(session: Session, company: Company, first: int, last: int) -> list[CycleReport]:
    return [run_cycle(session, company, day(offset)) for offset in range(first, last + 1)]


def stage_of(session: Session, invoice: Invoice) -> str | None:
    progress = progress_of(session, [invoice.id]).get(invoice.id)
    return None if progress is None else progress.stage


def setup(session: Session) -> tuple[Company, Customer, Invoice]:
    company = make_company(session)
    customer = make_customer(session, company, "ACME")
    invoice = make_invoice(session, company, customer, 1200_00, date(2026, 1, 31), DUE)
    return company, customer, invoice


def test_a_good_payer_gets_the_due_day_notice_then_nothing_until_day_three(
    session: Session,
) -> None:
    company, customer, invoice = setup(session)
    run_days(session, company, -10, -1)
    assert session.scalars(select(Action)).all() == []  # ungraded, ordinary size: no preventive
    run_cycle(session, company, day(0))
    assert actions(session, customer, day(0)) == {("due", "email")}
    for offset in (1, 2):
        assert run_cycle(session, company, day(offset)).created == 0
    run_cycle(session, company, day(3))
    assert actions(session, customer, day(3)) == {("reminder-1", "email")}
    assert stage_of(session, invoice) == "reminder-1"


def test_the_friendly_reminders_then_the_firm_one_with_a_call(session: Session) -> None:
    company, customer, _invoice = setup(session)
    run_days(session, company, 0, 20)
    assert actions(session, customer, day(10)) == {("reminder-2", "email"), ("reminder-2", "sms")}
    assert actions(session, customer, day(20)) == {("firm", "email"), ("firm", "call_task")}
    tones = set(session.scalars(select(Action.tone).where(Action.cycle_on <= day(10))))
    assert tones == {"friendly"}


def test_the_same_day_twice_queues_nothing_new(session: Session) -> None:
    company, _customer, _invoice = setup(session)
    first = run_cycle(session, company, day(3))
    again = run_cycle(session, company, day(3))
    assert first.created == 1
    assert again.created == 0
    assert sum(again.moved.values()) == 0


def test_paid_on_day_five_nothing_more_is_queued(session: Session) -> None:
    company, customer, invoice = setup(session)
    run_days(session, company, 0, 4)
    make_payment(session, company, customer, 1200_00, day(5), invoices=(invoice.number,))
    reports = run_days(session, company, 5, 120)
    assert sum(report.created for report in reports) == 0
    assert all(report.items == 0 for report in reports)


def test_a_partly_paid_invoice_is_chased_for_the_rest(session: Session) -> None:
    company, customer, invoice = setup(session)
    make_payment(session, company, customer, 1000_00, day(1), invoices=(invoice.number,))
    run_cycle(session, company, day(3))
    assert actions(session, customer, day(3)) == {("reminder-1", "email")}
    step = session.scalars(select(ChaseStep)).one()
    assert (step.stage, step.open_amount) == ("reminder-1", 200_00)


def test_a_disputed_invoice_waits_until_the_dispute_is_resolved(session: Session) -> None:
    company, customer, invoice = setup(session)
    run_days(session, company, 0, 5)
    hold = place_hold(
        session, company, customer, "dispute", "wrong quantity", day(6), invoice=invoice
    )
    reports = run_days(session, company, 6, 40)
    assert sum(report.created for report in reports) == 0
    assert all(report.held["dispute"] == 1 for report in reports)
    assert stage_of(session, invoice) == "reminder-1"
    release_hold(session, company, hold.id, day(41))
    run_cycle(session, company, day(41))
    # back at the stage it is due for by now: the demand needs a delivered reminder first, so
    # the firm reminder (with its call) is the latest stage it can take
    assert actions(session, customer, day(41)) == {("firm", "email"), ("firm", "call_task")}


def test_a_broken_promise_resumes_the_chase_at_the_right_stage(session: Session) -> None:
    company, customer, invoice = setup(session)
    run_days(session, company, 0, 11)
    assert stage_of(session, invoice) == "reminder-2"
    # promised to pay by day 18; two days of grace; nothing came
    place_hold(session, company, customer, "promise", "will pay on the 20th", day(12), day(20))
    reports = run_days(session, company, 12, 20)
    assert sum(report.created for report in reports) == 0
    run_cycle(session, company, day(21))
    assert actions(session, customer, day(21)) == {("firm", "email"), ("firm", "call_task")}


def test_a_held_customer_s_other_items_are_grouped_in_one_message(session: Session) -> None:
    company, customer, first = setup(session)
    second = make_invoice(session, company, customer, 300_00, date(2026, 1, 20), day(-3))
    third = make_invoice(session, company, customer, 450_00, date(2026, 1, 25), day(-7))
    place_hold(session, company, customer, "dispute", "not received", day(0), invoice=second)
    report = run_cycle(session, company, day(3))
    # two items moved (each to its own stage), one held, one email for the customer
    assert report.held["dispute"] == 1
    assert {stage_of(session, first), stage_of(session, third)} == {"reminder-1", "reminder-2"}
    assert stage_of(session, second) is None
    assert actions(session, customer, day(3)) == {("reminder-2", "email"), ("reminder-2", "sms")}


def test_an_opted_out_channel_is_skipped_and_says_so(session: Session) -> None:
    company, customer, _invoice = setup(session)
    opt_out(session, customer, "email", "asked by phone")
    report = run_cycle(session, company, day(0))
    action = session.scalars(select(Action)).one()
    assert (action.status, action.last_error) == ("skipped", "opted out of email")
    assert report.skipped == {"opted out of email": 1}


def test_unapplied_cash_that_covers_the_debt_stops_the_chase(session: Session) -> None:
    company, customer, _invoice = setup(session)
    make_payment(session, company, customer, 1500_00, day(-1))  # not matched to the invoice
    report = run_cycle(session, company, day(3))
    assert report.created == 0
    assert report.held["unapplied cash"] == 1


def test_a_notice_due_on_a_saturday_waits_for_monday_morning(session: Session) -> None:
    company = make_company(session)
    customer = make_customer(session, company, "SAT")
    make_invoice(session, company, customer, 100_00, date(2026, 2, 1), date(2026, 3, 7))
    report = run_cycle(session, company, date(2026, 3, 7))
    action = session.scalars(select(Action)).one()
    assert report.deferred == 1
    # 09:00 in Madrid on Monday 9 March (UTC+1)
    assert action.not_before.isoformat() == "2026-03-09T08:00:00+00:00"


def test_a_us_consumer_is_called_within_regulation_f_hours(session: Session) -> None:
    company = make_company(session, country="US", currency="USD")
    customer = make_customer(session, company, "JOE", kind="consumer", country="US")
    make_invoice(session, company, customer, 900_00, date(2026, 1, 1), DUE, currency="USD")
    run_cycle(session, company, day(20))
    call = session.scalars(select(Action).where(Action.kind == "call_task")).one()
    local = call.not_before.astimezone(ZoneInfo(customer.timezone))
    assert local.hour >= 8
    assert local.date() == day(20)
