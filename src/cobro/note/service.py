"""Writing notes and logging calls; listing them. Always within one company: another company's
customer is NotFound, another company's (or customer's) invoice Invalid naming `invoice`.

Logging a call closes the customer's open call tasks (they are done: the call was made), with
the outcome written on them; a `no_answer`, `left_message` or `call_back` outcome opens the
follow-up call task (`note.rules.follow_up_on`). Every note and call is an audit event, and so
is each task it closes or opens. Services flush; the caller commits."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from cobro.audit.service import record
from cobro.auth.models import User
from cobro.customer.models import Customer
from cobro.customer.service import get_customer
from cobro.errors import Invalid
from cobro.invoice.models import Invoice
from cobro.invoice.service import find_invoice
from cobro.kit.pagination import Page, PageRequest, page_of
from cobro.note.models import Note
from cobro.note.rules import check_body, check_kind, check_outcome, follow_up_on
from cobro.task.models import Task
from cobro.task.service import raise_task

TIMELINE_NOTES = 100


@dataclass(frozen=True)
class NoteRow:
    """A note as the pages and the API show it."""

    id: int
    customer: str  # the customer's external id
    customer_name: str
    invoice: str | None  # the invoice's number
    author: str  # the author's name
    author_id: int
    kind: str
    outcome: str | None
    body: str
    created_at: datetime


@dataclass(frozen=True)
class CallLogged:
    note: NoteRow
    closed_tasks: tuple[int, ...]  # the call tasks the call closed
    follow_up: Task | None  # the call task it opened


def add_note(
    session: Session,
    company_id: int,
    external_id: str,
    author_id: int,
    body: str,
    now: datetime,
    invoice: str | None = None,
) -> NoteRow:
    """A note on the customer (and one of its invoices, by number)."""
    note = _write(session, company_id, external_id, author_id, "note", None, body, now, invoice)
    _audit(session, "note.added", note, now, {"body": note.body})
    return note_row(session, company_id, note.id)


def log_call(
    session: Session,
    company_id: int,
    external_id: str,
    author_id: int,
    outcome: str,
    body: str | None,
    on: date,
    now: datetime,
    invoice: str | None = None,
    follow_up: date | None = None,
) -> CallLogged:
    """A call made today (`on`, the company's day) with its outcome: closes the customer's
    open call tasks and opens the follow-up the outcome asks for."""
    outcome = check_outcome(outcome)
    follow_up_day = follow_up_on(outcome, on, follow_up)
    note = _write(session, company_id, external_id, author_id, "call", outcome, body, now, invoice)
    customer = session.get_one(Customer, note.customer_id)
    closed = _close_call_tasks(session, note, now)
    task = None
    if follow_up_day is not None:
        task = raise_task(
            session,
            company_id=company_id,
            customer=customer,
            kind="call",
            title=f"Call {customer.name} again ({outcome.replace('_', ' ')})"[:300],
            due_on=follow_up_day,
            detail=note.body or None,
            invoice_id=note.invoice_id,
        )
        _audit_task(session, "task.opened", task, now, note.author_id, None, _task_state(task))
    after: dict[str, object] = {
        "outcome": outcome,
        "body": note.body,
        "closed_tasks": list(closed),
    }
    if task is not None:
        after["follow_up_task"] = task.id
        after["follow_up_on"] = task.due_on.isoformat()
    _audit(session, "call.logged", note, now, after)
    return CallLogged(note_row(session, company_id, note.id), closed, task)


def _write(
    session: Session,
    company_id: int,
    external_id: str,
    author_id: int,
    kind: str,
    outcome: str | None,
    body: str | None,
    now: datetime,
    invoice: str | None,
) -> Note:
    check_kind(kind)
    text = check_body(body, required=kind == "note")
    customer = get_customer(session, company_id, external_id)
    invoice_id = _invoice_of(session, company_id, customer, invoice)
    note = Note(
        company_id=company_id,
        customer_id=customer.id,
        invoice_id=invoice_id,
        author_id=author_id,
        kind=kind,
        outcome=outcome,
        body=text,
        created_at=now,
    )
    session.add(note)
    session.flush()
    return note


def _invoice_of(
    session: Session, company_id: int, customer: Customer, number: str | None
) -> int | None:
    if number is None or not number.strip():
        return None
    found = find_invoice(session, company_id, number.strip())
    if found is None or found.customer_id != customer.id:
        raise Invalid(f"{customer.external_id} has no invoice {number.strip()!r}", "invoice")
    return found.id


def _close_call_tasks(session: Session, note: Note, now: datetime) -> tuple[int, ...]:
    tasks = session.scalars(
        select(Task)
        .where(
            Task.company_id == note.company_id,
            Task.customer_id == note.customer_id,
            Task.kind == "call",
            Task.status == "open",
        )
        .order_by(Task.id)
        .with_for_update()
    ).all()
    for task in tasks:
        before = _task_state(task)
        task.status = "done"
        task.outcome = f"call logged: {note.outcome}" + (f" · {note.body}" if note.body else "")
        task.outcome = task.outcome[:300]
        task.closed_at = now
        session.flush()
        _audit_task(session, "task.closed", task, now, note.author_id, before, _task_state(task))
    return tuple(task.id for task in tasks)


def _task_state(task: Task) -> dict[str, object]:
    return {"status": task.status, "kind": task.kind, "due_on": task.due_on.isoformat()}


def _audit(
    session: Session, name: str, note: Note, now: datetime, after: dict[str, object]
) -> None:
    record(
        session,
        name,
        at=now,
        entity_type="note",
        entity_id=note.id,
        actor_id=note.author_id,
        company_id=note.company_id,
        after={"customer_id": note.customer_id, "invoice_id": note.invoice_id, **after},
        source="web",
    )


def _audit_task(
    session: Session,
    name: str,
    task: Task,
    now: datetime,
    actor_id: int,
    before: dict[str, object] | None,
    after: dict[str, object],
) -> None:
    record(
        session,
        name,
        at=now,
        entity_type="task",
        entity_id=task.id,
        actor_id=actor_id,
        company_id=task.company_id,
        before=before,
        after=after,
        source="web",
    )


# ---- reading ----------------------------------------------------------------------------------


# (note, customer's external id, customer's name, invoice number or None, author's name)
Rows = Select[Note, str, str, str, str]


def _rows_query(company_id: int) -> Rows:
    return (
        select(Note, Customer.external_id, Customer.name, Invoice.number, User.name)
        .join(Customer, (Customer.id == Note.customer_id) & (Customer.company_id == company_id))
        .join(User, User.id == Note.author_id)
        .outerjoin(Invoice, Invoice.id == Note.invoice_id)
        .where(Note.company_id == company_id)
    )


def _rows(session: Session, query: Rows) -> list[NoteRow]:
    return [
        NoteRow(
            id=note.id,
            customer=external_id,
            customer_name=customer_name,
            invoice=number,
            author=author,
            author_id=note.author_id,
            kind=note.kind,
            outcome=note.outcome,
            body=note.body,
            created_at=note.created_at,
        )
        for note, external_id, customer_name, number, author in session.execute(query)
    ]


def note_row(session: Session, company_id: int, note_id: int) -> NoteRow:
    return _rows(session, _rows_query(company_id).where(Note.id == note_id))[0]


def list_notes(
    session: Session,
    company_id: int,
    page: PageRequest | None = None,
    *,
    customer: str | None = None,
    kind: str | None = None,
    outcome: str | None = None,
    author_id: int | None = None,
) -> Page[NoteRow]:
    """The company's notes and calls, newest first; of one customer (external id), kind,
    outcome or author when asked. An unknown customer is NotFound."""
    page = page or PageRequest()
    query = _rows_query(company_id)
    if customer is not None:
        query = query.where(Note.customer_id == get_customer(session, company_id, customer).id)
    if kind is not None:
        query = query.where(Note.kind == check_kind(kind))
    if outcome is not None:
        query = query.where(Note.outcome == check_outcome(outcome))
    if author_id is not None:
        query = query.where(Note.author_id == author_id)
    query = query.order_by(Note.created_at.desc(), Note.id.desc())
    return page_of(_rows(session, query.limit(page.limit + 1).offset(page.offset)), page)


def customer_notes(
    session: Session, company_id: int, customer_id: int, limit: int = TIMELINE_NOTES
) -> list[NoteRow]:
    """The customer's latest notes and calls, newest first (the customer 360's timeline)."""
    query = (
        _rows_query(company_id)
        .where(Note.customer_id == customer_id)
        .order_by(Note.created_at.desc(), Note.id.desc())
        .limit(limit)
    )
    return _rows(session, query)


def latest_calls(
    session: Session, company_id: int, customer_ids: Iterable[int]
) -> dict[int, tuple[str, datetime]]:
    """customer id -> (outcome, when) of each of these customers' latest logged call."""
    ids = list(customer_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(Note.customer_id, Note.outcome, Note.created_at)
        .where(Note.company_id == company_id, Note.customer_id.in_(ids), Note.kind == "call")
        .order_by(Note.customer_id, Note.created_at.desc(), Note.id.desc())
    )
    latest: dict[int, tuple[str, datetime]] = {}
    for customer_id, outcome, at in rows:
        if outcome is not None:
            latest.setdefault(customer_id, (outcome, at))
    return latest
