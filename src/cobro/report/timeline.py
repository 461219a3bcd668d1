"""One customer's story, newest first: every message of the chase, payment, credit note,
write-off, promise, dispute, note, call, task and manual hold, on one line each.

It reads a dozen domains and so sits in the report layer, above them all; every query is
scoped to the company and the customer (another company's customer is NotFound). Each source
is read with its own LIMIT, newest first, and the merged list is cut to `limit`: no source can
push the others off the page, and a long-standing customer costs a dozen small queries.

An event carries plain fields (what, amount, status, a date it points to) so that the page can
word it in the reader's language; `summary` words it in English for the CLI and the API.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from cobro.customer.models import Customer
from cobro.customer.service import get_customer
from cobro.dispute.models import Dispute, DisputeItem
from cobro.errors import Invalid
from cobro.invoice.models import CreditNote, Invoice, WriteOff
from cobro.kit.money import display
from cobro.note.service import customer_notes
from cobro.payment.models import Payment
from cobro.policy.models import Hold
from cobro.promise.models import Promise
from cobro.report.customer360 import TimelineEntry, message_timeline
from cobro.task.models import Task

KINDS = (
    "message",
    "payment",
    "credit_note",
    "write_off",
    "promise",
    "dispute",
    "note",
    "call",
    "task",
    "hold",
)
STORY_LIMIT = 200


@dataclass(frozen=True)
class Event:
    at: datetime  # when it happened (a day's event: that day, 00:00 UTC): the order
    kind: str  # one of KINDS
    summary: str  # in English, one line
    ref: str | None = None  # its number or id
    status: str | None = None
    amount: int | None = None  # minor units of `currency`
    currency: str | None = None
    invoice: str | None = None  # the invoice it is about, when one
    until: date | None = None  # the date it points to: promised for, due, hold ends
    detail: str | None = None  # what a person wrote: a note, a reason, an outcome
    message: TimelineEntry | None = None  # a message of the chase, with attempts and documents

    @property
    def on(self) -> date:
        return self.at.date()


def check_kinds(kinds: Iterable[str]) -> frozenset[str]:
    chosen = frozenset(kind.strip() for kind in kinds if kind.strip())
    unknown = sorted(chosen - set(KINDS))
    if unknown:
        raise Invalid(f"kind {unknown[0]!r}: use any of {', '.join(KINDS)}", field="kind")
    return chosen or frozenset(KINDS)


def customer_story(
    session: Session,
    company_id: int,
    external_id: str,
    kinds: Collection[str] = KINDS,
    limit: int = STORY_LIMIT,
) -> list[Event]:
    """The customer's events of these kinds, newest first, at most `limit`."""
    customer = get_customer(session, company_id, external_id)
    chosen = check_kinds(kinds)
    numbers = dict(
        session.execute(
            select(Invoice.id, Invoice.number).where(
                Invoice.company_id == company_id, Invoice.customer_id == customer.id
            )
        ).all()
    )
    events: list[Event] = []
    for kind, read in _SOURCES:
        if kind in chosen:
            events += read(_Reader(session, company_id, customer, numbers, limit))
    if "note" in chosen or "call" in chosen:
        events += [e for e in _notes(session, company_id, customer, limit) if e.kind in chosen]
    events.sort(key=lambda event: event.at, reverse=True)
    return events[:limit]


@dataclass(frozen=True)
class _Reader:
    session: Session
    company_id: int
    customer: Customer
    numbers: dict[int, str]  # invoice id -> number, the customer's invoices
    limit: int

    def rows(self, query: Select[Any]) -> list[Any]:
        return list(self.session.scalars(query.limit(self.limit)))

    def number(self, invoice_id: int | None) -> str | None:
        return None if invoice_id is None else self.numbers.get(invoice_id)


def _day(on: date) -> datetime:
    return datetime.combine(on, time.min, UTC)


def _money(amount: int, currency: str) -> str:
    return f"{display(amount, currency)} {currency}"


def _messages(r: _Reader) -> list[Event]:
    return [
        Event(
            at=entry.at,
            kind="message",
            summary=f"{entry.kind} at stage {entry.stage}: {entry.status}",
            ref=str(entry.id),
            status=entry.status,
            detail=entry.last_error,
            message=entry,
        )
        for entry in message_timeline(r.session, r.company_id, r.customer.id, r.limit)
    ]


def _payments(r: _Reader) -> list[Event]:
    query = (
        select(Payment)
        .where(Payment.company_id == r.company_id, Payment.customer_id == r.customer.id)
        .order_by(Payment.received_on.desc(), Payment.id.desc())
    )
    events = []
    for payment in r.rows(query):
        returned = payment.returned_on is not None
        events.append(
            Event(
                at=_day(payment.received_on),
                kind="payment",
                summary=f"payment {payment.external_id} received: "
                f"{_money(payment.amount, payment.currency)}"
                + (f", returned on {payment.returned_on}" if returned else ""),
                ref=payment.external_id,
                status="returned" if returned else None,
                amount=payment.amount,
                currency=payment.currency,
                detail=payment.return_reason if returned else payment.reference,
            )
        )
    return events


def _credit_notes(r: _Reader) -> list[Event]:
    query = (
        select(CreditNote)
        .where(CreditNote.company_id == r.company_id, CreditNote.invoice_id.in_(r.numbers))
        .order_by(CreditNote.issue_date.desc(), CreditNote.id.desc())
    )
    events = []
    for note in r.rows(query):
        invoice = r.number(note.invoice_id)
        events.append(
            Event(
                at=_day(note.issue_date),
                kind="credit_note",
                summary=f"credit note {note.number} on {invoice}: "
                f"{_money(note.amount, note.currency)}",
                ref=note.number,
                amount=note.amount,
                currency=note.currency,
                invoice=invoice,
                detail=note.reason,
            )
        )
    return events


def _write_offs(r: _Reader) -> list[Event]:
    query = (
        select(WriteOff, Invoice.currency)
        .join(Invoice, Invoice.id == WriteOff.invoice_id)
        .where(Invoice.company_id == r.company_id, Invoice.customer_id == r.customer.id)
        .order_by(WriteOff.written_off_on.desc(), WriteOff.id.desc())
        .limit(r.limit)
    )
    events = []
    for entry, currency in r.session.execute(query).all():
        invoice = r.number(entry.invoice_id)
        by = f" by {entry.approved_by}" if entry.approved_by else ""
        events.append(
            Event(
                at=_day(entry.written_off_on),
                kind="write_off",
                summary=f"{_money(entry.amount, currency)} of {invoice} written off{by}",
                ref=str(entry.id),
                status=entry.reason_code,
                amount=entry.amount,
                currency=currency,
                invoice=invoice,
                detail=entry.reason,
            )
        )
    return events


def _promises(r: _Reader) -> list[Event]:
    query = (
        select(Promise)
        .where(Promise.company_id == r.company_id, Promise.customer_id == r.customer.id)
        .order_by(Promise.promised_on.desc(), Promise.id.desc())
    )
    events = []
    for promise in r.rows(query):
        events.append(
            Event(
                at=promise.created_at,
                kind="promise",
                summary=f"promised {_money(promise.amount, promise.currency)} by "
                f"{promise.due_on} ({promise.source}): {promise.status}",
                ref=str(promise.id),
                status=promise.status,
                amount=promise.amount,
                currency=promise.currency,
                until=promise.due_on,
                detail=promise.note,
            )
        )
    return events


def _disputes(r: _Reader) -> list[Event]:
    disputed = (
        select(
            DisputeItem.dispute_id,
            func.sum(DisputeItem.amount).label("amount"),
            func.min(Invoice.currency).label("currency"),  # one currency a dispute
        )
        .join(Invoice, Invoice.id == DisputeItem.invoice_id)
        .group_by(DisputeItem.dispute_id)
        .subquery()
    )
    query = (
        select(Dispute, disputed.c.amount, disputed.c.currency)
        .outerjoin(disputed, disputed.c.dispute_id == Dispute.id)
        .where(Dispute.company_id == r.company_id, Dispute.customer_id == r.customer.id)
        .order_by(Dispute.opened_on.desc(), Dispute.id.desc())
        .limit(r.limit)
    )
    events = []
    for dispute, amount, found in r.session.execute(query).all():
        total, currency = int(amount or 0), found or r.customer.currency
        events.append(
            Event(
                at=dispute.created_at,
                kind="dispute",
                summary=f"dispute {dispute.id} ({dispute.reason}) of "
                f"{_money(total, currency)}: {dispute.status}",
                ref=str(dispute.id),
                status=dispute.status,
                amount=total,
                currency=currency,
                until=dispute.due_on,
                detail=dispute.resolution or dispute.description,
            )
        )
    return events


def _tasks(r: _Reader) -> list[Event]:
    query = (
        select(Task)
        .where(Task.company_id == r.company_id, Task.customer_id == r.customer.id)
        .order_by(Task.created_at.desc(), Task.id.desc())
    )
    events = []
    for task in r.rows(query):
        events.append(
            Event(
                at=task.created_at,
                kind="task",
                summary=f"{task.kind} task: {task.title} (due {task.due_on}): {task.status}",
                ref=str(task.id),
                status=task.status,
                invoice=r.number(task.invoice_id),
                until=task.due_on,
                detail=task.outcome or task.title,
            )
        )
    return events


def _holds(r: _Reader) -> list[Event]:
    # a promise's or a dispute's holds are told by the promise or the dispute itself
    query = (
        select(Hold)
        .where(
            Hold.company_id == r.company_id,
            Hold.customer_id == r.customer.id,
            Hold.promise_id.is_(None),
            Hold.dispute_id.is_(None),
        )
        .order_by(Hold.created_at.desc(), Hold.id.desc())
    )
    events = []
    for hold in r.rows(query):
        until = hold.released_on or hold.ends_on
        events.append(
            Event(
                at=hold.created_at,
                kind="hold",
                summary=f"{hold.kind} hold from {hold.starts_on}"
                + (f" until {until}" if until else "")
                + (f" on {r.number(hold.invoice_id)}" if hold.invoice_id else ""),
                ref=str(hold.id),
                status=hold.kind,
                invoice=r.number(hold.invoice_id),
                until=until,
                detail=hold.reason,
            )
        )
    return events


def _notes(session: Session, company_id: int, customer: Customer, limit: int) -> list[Event]:
    return [
        Event(
            at=note.created_at,
            kind=note.kind,
            summary=f"{note.kind} by {note.author}"
            + (f": {note.outcome}" if note.outcome else "")
            + (f" · {note.body}" if note.body else ""),
            ref=str(note.id),
            status=note.outcome,
            invoice=note.invoice,
            detail=note.body or None,
        )
        for note in customer_notes(session, company_id, customer.id, limit)
    ]


_SOURCES: tuple[tuple[str, Callable[[_Reader], list[Event]]], ...] = (
    ("message", _messages),
    ("payment", _payments),
    ("credit_note", _credit_notes),
    ("write_off", _write_offs),
    ("promise", _promises),
    ("dispute", _disputes),
    ("task", _tasks),
    ("hold", _holds),
)
