"""The worklist against the real database: the SQL ranks as `worklist.rules.rank` does on many
customers, pages without gaps, filters by collector and stage, fills each row's reason (stage,
latest call, queued actions), and only ever shows the caller's company; pausing places a manual
hold and sending now moves the queued actions, each audited."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.audit.models import AuditEvent
from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.cycle.service import run_cycle
from cobro.errors import Conflict, Invalid, NotFound
from cobro.invoice.service import get_invoice
from cobro.kit.pagination import PageRequest
from cobro.note.service import log_call
from cobro.outbox.models import Action
from cobro.policy.holds import HoldPart, place_hold
from cobro.task.service import raise_task
from cobro.worklist.repository import collectors
from cobro.worklist.rules import rank
from cobro.worklist.service import pause, send_now, worklist
from tests.factories.access import make_user
from tests.factories.ledger import make_company, make_customer, make_invoice, make_payment

ON = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 10, tzinfo=UTC)


def owes(
    session: Session, company: Company, customer: Customer, amount: int, days: int, **more: object
) -> None:
    """An invoice of `customer` for `amount`, `days` overdue on ON."""
    due = ON - timedelta(days=days)
    make_invoice(session, company, customer, amount, due - timedelta(days=30), due, **more)  # type: ignore[arg-type]


def action(session: Session, company: Company, customer: Customer, status: str) -> Action:
    row = Action(
        company_id=company.id,
        customer_id=customer.id,
        policy_id=0,
        stage=f"s-{random.random()}",
        tone="firm",
        kind="email",
        cycle_on=ON,
        status=status,
        not_before=NOW + timedelta(days=1),
    )
    session.add(row)
    session.flush()
    return row


def ids(rows: object) -> list[str]:
    return [row.external_id for row in rows.items]  # type: ignore[attr-defined]


def test_the_sql_ranks_as_the_rules_do_on_many_customers(session: Session) -> None:
    company = make_company(session)
    rng = random.Random(7)
    for number in range(60):
        customer = make_customer(session, company, f"C{number:03d}")
        customer.grade = rng.choice([None, "A", "B", "C", "D"])
        for _ in range(rng.randint(1, 3)):
            owes(session, company, customer, rng.randint(1, 500) * 100_00, rng.randint(-20, 200))
        if rng.random() < 0.2:
            raise_task(
                session, company_id=company.id, customer=customer, kind="call", title="c", due_on=ON
            )
        if rng.random() < 0.15:
            action(session, company, customer, "failed")
        if rng.random() < 0.1:
            place_hold(session, company, customer, "dispute", "x", ON - timedelta(days=1))
        if rng.random() < 0.1:
            place_hold(
                session,
                company,
                customer,
                "promise",
                "p",
                ON - timedelta(days=20),
                ON - timedelta(days=3),
            )
    rows = list(worklist(session, company.id, ON, PageRequest(limit=200)).items)
    assert len(rows) > 40
    assert [r.external_id for r in rows] == [r.external_id for r in rank(rows)]
    assert any(r.on_hold for r in rows)
    assert not rows[0].on_hold
    assert any(r.promise_broken_on for r in rows)
    assert any(r.call_tasks for r in rows)
    assert any(r.failed_messages for r in rows)
    # pages follow each other with nothing missing or repeated
    paged: list[str] = []
    offset: int | None = 0
    while offset is not None:
        page = worklist(session, company.id, ON, PageRequest(limit=7, offset=offset))
        paged += ids(page)
        offset = page.next_offset
    assert paged == [r.external_id for r in rows]


def test_only_overdue_open_items_count(session: Session) -> None:
    company = make_company(session)
    late = make_customer(session, company, "LATE")
    owes(session, company, late, 300_00, 40)
    owes(session, company, late, 200_00, 10)
    owes(session, company, late, 999_00, -5)  # not yet due
    paid = make_customer(session, company, "PAID")
    owes(session, company, paid, 100_00, 40, number="P-1")
    make_payment(session, company, paid, 100_00, ON - timedelta(days=1), ("P-1",))
    make_customer(session, company, "NOTHING")
    [row] = worklist(session, company.id, ON).items
    assert (row.external_id, row.overdue, row.items) == ("LATE", 500_00, 2)
    assert row.weighted == 300_00 * 2 + 200_00 * 1
    assert row.days_overdue(ON) == 40


def test_an_item_held_on_its_own_is_not_chased_but_told(session: Session) -> None:
    company = make_company(session)
    customer = make_customer(session, company, "C1")
    owes(session, company, customer, 300_00, 40, number="D-1")
    owes(session, company, customer, 200_00, 10)
    disputed = get_invoice(session, company.id, "D-1")
    place_hold(session, company, customer, "dispute", "wrong goods", ON, invoice=disputed)
    [row] = worklist(session, company.id, ON).items
    assert (row.overdue, row.held, row.weighted, row.days_overdue(ON)) == (
        200_00,
        300_00,
        200_00,
        10,
    )
    assert not row.on_hold


def test_only_the_part_held_of_an_invoice_is_told_held(session: Session) -> None:
    company = make_company(session)
    customer = make_customer(session, company, "C1")
    owes(session, company, customer, 300_00, 40, number="D-1")
    owes(session, company, customer, 100_00, 40, number="D-2")
    part, whole = get_invoice(session, company.id, "D-1"), get_invoice(session, company.id, "D-2")
    place_hold(
        session, company, customer, "dispute", "price", ON, invoice=part,
        part=HoldPart(amount=120_00),
    )  # fmt: skip
    for amount in (60_00, 40_00):  # two parts that together hold it all
        place_hold(
            session, company, customer, "dispute", "price", ON, invoice=whole,
            part=HoldPart(amount=amount),
        )  # fmt: skip
    [row] = worklist(session, company.id, ON).items
    assert (row.overdue, row.held, row.days_overdue(ON)) == (180_00, 220_00, 40)


def test_two_currencies_are_two_rows(session: Session) -> None:
    company = make_company(session)
    customer = make_customer(session, company, "C1")
    owes(session, company, customer, 300_00, 40)
    owes(session, company, customer, 900_00, 40, currency="USD")
    rows = worklist(session, company.id, ON).items
    assert sorted((r.currency, r.overdue) for r in rows) == [("EUR", 300_00), ("USD", 900_00)]


def test_a_customer_wide_hold_ranks_last_and_says_until_when(session: Session) -> None:
    company = make_company(session)
    big = make_customer(session, company, "BIG")
    owes(session, company, big, 90_000_00, 100)
    small = make_customer(session, company, "SMALL")
    owes(session, company, small, 10_00, 1)
    author = make_user(session, company)
    pause(session, company, "BIG", 7, "holiday closure", ON, NOW, author.id, author.email)
    rows = worklist(session, company.id, ON).items
    assert [r.external_id for r in rows] == ["SMALL", "BIG"]
    assert (rows[1].hold, rows[1].hold_until) == ("manual", ON + timedelta(days=6))


def test_filters_by_collector_and_by_stage(session: Session) -> None:
    company = make_company(session)
    ana = make_customer(session, company, "ANA", collector="Ana")
    owes(session, company, ana, 1_000_00, 25)  # the default policy's "firm" at +20
    luis = make_customer(session, company, "LUIS", collector="Luis")
    owes(session, company, luis, 1_000_00, 5)  # "reminder-1" at +3
    run_cycle(session, company, ON)
    assert ids(worklist(session, company.id, ON, collector="Ana")) == ["ANA"]
    assert ids(worklist(session, company.id, ON, collector="Nobody")) == []
    assert ids(worklist(session, company.id, ON, stage="firm")) == ["ANA"]
    assert ids(worklist(session, company.id, ON, stage="reminder-1")) == ["LUIS"]
    stages = {r.external_id: r.stage for r in worklist(session, company.id, ON).items}
    assert stages == {"ANA": "firm", "LUIS": "reminder-1"}
    assert collectors(session, company.id) == ["Ana", "Luis"]


def test_each_row_knows_its_latest_call_and_queued_actions(session: Session) -> None:
    company = make_company(session)
    customer = make_customer(session, company, "C1")
    owes(session, company, customer, 1_000_00, 25)
    author = make_user(session, company)
    log_call(session, company.id, "C1", author.id, "no_answer", None, ON, NOW)
    action(session, company, customer, "queued")
    action(session, company, customer, "queued")
    action(session, company, customer, "sent")
    [row] = worklist(session, company.id, ON).items
    assert row.last_call == ("no_answer", ON)
    assert row.queued == 2
    assert row.call_tasks == 1  # the follow-up the call opened


def test_another_companys_customers_never_show(session: Session) -> None:
    mine, theirs = make_company(session), make_company(session)
    owes(session, theirs, make_customer(session, theirs, "SECRET"), 1_000_00, 50)
    customer = make_customer(session, mine, "MINE")
    owes(session, mine, customer, 10_00, 5)
    assert ids(worklist(session, mine.id, ON)) == ["MINE"]
    author = make_user(session, mine)
    with pytest.raises(NotFound):
        pause(session, mine, "SECRET", 3, "x", ON, NOW, author.id, author.email)
    with pytest.raises(NotFound):
        send_now(session, mine.id, "SECRET", NOW, author.id)


def test_pause_is_a_manual_hold_for_n_days_and_an_audit_event(session: Session) -> None:
    company = make_company(session)
    make_customer(session, company, "C1")
    author = make_user(session, company)
    hold = pause(session, company, "C1", 3, "  on holiday  ", ON, NOW, author.id, author.email)
    assert (hold.kind, hold.reason, hold.starts_on, hold.ends_on) == (
        "manual",
        "on holiday",
        ON,
        date(2026, 11, 27),
    )
    assert hold.created_by == author.email
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "hold.placed")).one()
    assert (event.entity_id, event.actor_id) == (str(hold.id), author.id)


@pytest.mark.parametrize(
    ("days", "reason", "field"),
    [(0, "x", "days"), (91, "x", "days"), (3, " ", "reason"), (3, "x" * 301, "reason")],
)
def test_a_bad_pause_is_refused_naming_the_field(
    session: Session, days: int, reason: str, field: str
) -> None:
    company = make_company(session)
    make_customer(session, company, "C1")
    with pytest.raises(Invalid) as refused:
        pause(session, company, "C1", days, reason, ON, NOW, 1, "x")
    assert refused.value.field == field


def test_send_now_moves_every_queued_action_of_the_customer(session: Session) -> None:
    company = make_company(session)
    customer = make_customer(session, company, "C1")
    first, second = (
        action(session, company, customer, "queued"),
        action(session, company, customer, "queued"),
    )
    failed = action(session, company, customer, "failed")
    author = make_user(session, company)
    assert send_now(session, company.id, "C1", NOW, author.id) == [first.id, second.id]
    assert first.not_before == NOW
    assert second.not_before == NOW
    assert failed.not_before == NOW + timedelta(days=1)
    moved = session.scalars(select(AuditEvent).where(AuditEvent.action == "action.send_now")).all()
    assert len(moved) == 2
    make_customer(session, company, "C2")
    with pytest.raises(Conflict):
        send_now(session, company.id, "C2", NOW, author.id)
