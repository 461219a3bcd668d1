"""Notes and calls against the real database: written with their author, invoice and outcome,
closing the customer's open call tasks and opening the follow-up, each an audit event; listed
newest first with filters; another company's customer or invoice is refused."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.audit.models import AuditEvent
from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.errors import Invalid, NotFound
from cobro.kit.pagination import PageRequest
from cobro.note.models import Note
from cobro.note.service import add_note, customer_notes, latest_calls, list_notes, log_call
from cobro.task.models import Task
from cobro.task.service import raise_task
from tests.factories.access import make_user
from tests.factories.ledger import make_company, make_customer, make_invoice

ON = date(2026, 11, 25)  # a Wednesday
NOW = datetime(2026, 11, 25, 10, tzinfo=UTC)


def events(session: Session, action: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def call_task(session: Session, company: Company, customer: Customer) -> Task:
    return raise_task(
        session,
        company_id=company.id,
        customer=customer,
        kind="call",
        title="Call them",
        due_on=ON,
    )


def test_a_note_is_written_with_its_author_and_invoice_and_audited(session: Session) -> None:
    company = make_company(session)
    customer = make_customer(session, company, "C1", name="Ferretería López")
    invoice = make_invoice(session, company, customer, number="F-1")
    author = make_user(session, company)
    row = add_note(session, company.id, "C1", author.id, "  Pide copia  ", NOW, invoice="F-1")
    assert (row.customer, row.customer_name, row.invoice) == ("C1", "Ferretería López", "F-1")
    assert (row.kind, row.outcome, row.body, row.author) == (
        "note",
        None,
        "Pide copia",
        author.name,
    )
    stored = session.get_one(Note, row.id)
    assert (stored.invoice_id, stored.author_id, stored.created_at) == (invoice.id, author.id, NOW)
    [event] = events(session, "note.added")
    assert (event.entity_type, event.entity_id, event.actor_id) == ("note", str(row.id), author.id)
    assert event.company_id == company.id
    assert event.after is not None
    assert event.after["body"] == "Pide copia"


def test_an_empty_note_is_refused_naming_the_body(session: Session) -> None:
    company = make_company(session)
    make_customer(session, company, "C1")
    author = make_user(session, company)
    with pytest.raises(Invalid) as refused:
        add_note(session, company.id, "C1", author.id, " ", NOW)
    assert refused.value.field == "body"


def test_another_companys_customer_or_invoice_is_refused(session: Session) -> None:
    mine, theirs = make_company(session), make_company(session)
    customer = make_customer(session, mine, "C1")
    other = make_customer(session, theirs, "C2")
    make_invoice(session, theirs, other, number="THEIRS-1")
    make_customer(session, mine, "C3")
    make_invoice(session, mine, customer, number="MINE-1")
    author = make_user(session, mine)
    with pytest.raises(NotFound):
        add_note(session, mine.id, "C2", author.id, "hola", NOW)
    with pytest.raises(Invalid) as refused:
        add_note(session, mine.id, "C1", author.id, "hola", NOW, invoice="THEIRS-1")
    assert refused.value.field == "invoice"
    with pytest.raises(Invalid):  # an invoice of another customer of the same company
        add_note(session, mine.id, "C3", author.id, "hola", NOW, invoice="MINE-1")
    assert session.scalars(select(Note)).all() == []


def test_a_call_closes_the_open_call_tasks_and_opens_no_follow_up_when_reached(
    session: Session,
) -> None:
    company = make_company(session)
    customer = make_customer(session, company, "C1")
    author = make_user(session, company)
    first, second = call_task(session, company, customer), call_task(session, company, customer)
    other = raise_task(
        session, company_id=company.id, customer=customer, kind="review", title="x", due_on=ON
    )
    logged = log_call(session, company.id, "C1", author.id, "reached", "Paga el viernes", ON, NOW)
    assert logged.closed_tasks == (first.id, second.id)
    assert logged.follow_up is None
    assert (logged.note.kind, logged.note.outcome) == ("call", "reached")
    for task in (first, second):
        assert (task.status, task.closed_at) == ("done", NOW)
        assert task.outcome == "call logged: reached · Paga el viernes"
    assert other.status == "open"
    [event] = events(session, "call.logged")
    assert event.after is not None
    assert event.after["closed_tasks"] == [first.id, second.id]
    assert event.after["outcome"] == "reached"
    assert len(events(session, "task.closed")) == 2


def test_no_answer_opens_a_follow_up_call_two_days_later(session: Session) -> None:
    company = make_company(session)
    customer = make_customer(session, company, "C1")
    author = make_user(session, company)
    logged = log_call(session, company.id, "C1", author.id, "no_answer", None, ON, NOW)
    task = logged.follow_up
    assert task is not None
    assert (task.kind, task.status, task.due_on, task.customer_id) == (
        "call",
        "open",
        date(2026, 11, 27),
        customer.id,
    )
    assert logged.note.body == ""
    [opened] = events(session, "task.opened")
    assert opened.entity_id == str(task.id)
    # the next call closes the follow-up it opened
    again = log_call(session, company.id, "C1", author.id, "reached", None, ON, NOW)
    assert again.closed_tasks == (task.id,)


def test_call_back_opens_the_follow_up_on_the_day_asked(session: Session) -> None:
    company = make_company(session)
    make_customer(session, company, "C1")
    author = make_user(session, company)
    logged = log_call(
        session,
        company.id,
        "C1",
        author.id,
        "call_back",
        "A las 10",
        ON,
        NOW,
        None,
        date(2026, 12, 1),
    )
    assert logged.follow_up is not None
    assert logged.follow_up.due_on == date(2026, 12, 1)
    assert logged.follow_up.detail == "A las 10"


def test_a_bad_outcome_or_follow_up_writes_nothing(session: Session) -> None:
    company = make_company(session)
    customer = make_customer(session, company, "C1")
    author = make_user(session, company)
    task = call_task(session, company, customer)
    with pytest.raises(Invalid) as refused:
        log_call(session, company.id, "C1", author.id, "perhaps", None, ON, NOW)
    assert refused.value.field == "outcome"
    with pytest.raises(Invalid) as late:
        log_call(session, company.id, "C1", author.id, "call_back", None, ON, NOW, None, ON)
    assert late.value.field == "follow_up_on"
    assert task.status == "open"
    assert session.scalars(select(Note)).all() == []


def test_notes_are_listed_newest_first_with_filters(session: Session) -> None:
    company = make_company(session)
    make_customer(session, company, "C1")
    make_customer(session, company, "C2")
    ana, luis = make_user(session, company), make_user(session, company)
    add_note(session, company.id, "C1", ana.id, "primera", NOW)
    log_call(session, company.id, "C1", luis.id, "no_answer", None, ON, NOW + timedelta(hours=1))
    add_note(session, company.id, "C2", ana.id, "otra", NOW + timedelta(hours=2))
    every = list_notes(session, company.id)
    assert [row.body for row in every.items] == ["otra", "", "primera"]
    assert [r.body for r in list_notes(session, company.id, customer="C1").items] == ["", "primera"]
    assert [r.kind for r in list_notes(session, company.id, kind="call").items] == ["call"]
    outcome = list_notes(session, company.id, outcome="no_answer").items
    assert [r.author_id for r in outcome] == [luis.id]
    assert len(list_notes(session, company.id, author_id=ana.id).items) == 2
    first = list_notes(session, company.id, PageRequest(limit=2))
    assert (len(first.items), first.next_offset) == (2, 2)
    with pytest.raises(NotFound):
        list_notes(session, company.id, customer="nobody")


def test_another_companys_notes_are_never_listed(session: Session) -> None:
    mine, theirs = make_company(session), make_company(session)
    make_customer(session, mine, "C1")
    other = make_customer(session, theirs, "C1")
    author = make_user(session, theirs)
    add_note(session, theirs.id, "C1", author.id, "secreto", NOW)
    log_call(session, theirs.id, "C1", author.id, "refused", None, ON, NOW)
    assert list_notes(session, mine.id).items == []
    assert latest_calls(session, mine.id, [other.id]) == {}
    assert customer_notes(session, mine.id, other.id) == []


def test_the_latest_call_of_each_customer(session: Session) -> None:
    company = make_company(session)
    one = make_customer(session, company, "C1")
    two = make_customer(session, company, "C2")
    author = make_user(session, company)
    log_call(session, company.id, "C1", author.id, "no_answer", None, ON, NOW)
    log_call(session, company.id, "C1", author.id, "reached", None, ON, NOW + timedelta(hours=1))
    add_note(session, company.id, "C2", author.id, "solo una nota", NOW)
    assert latest_calls(session, company.id, [one.id, two.id]) == {
        one.id: ("reached", NOW + timedelta(hours=1))
    }
