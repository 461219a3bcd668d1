"""Promises to pay: making one (a promise hold on each invoice it covers, or one on the whole
customer), calling one off, and the daily review that ends them (kept, broken, cancelled).
Always within one company: another company's customer or invoice is NotFound. Each change is
an audit event. Services flush; the caller commits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.audit.actor import Actor
from cobro.audit.service import record
from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.customer.service import get_customer
from cobro.errors import Conflict, Invalid, NotFound
from cobro.invoice.covered import covered_invoices, currency_of
from cobro.invoice.models import Invoice
from cobro.kit.dates import utcnow
from cobro.kit.money import display
from cobro.policy.holds import HoldPart, place_hold
from cobro.policy.models import Hold
from cobro.promise import rules
from cobro.promise.models import PROMISE_SOURCES, Promise, PromiseInvoice
from cobro.promise.queries import has_invoices, promise_sums
from cobro.task.service import raise_task
from cobro.webhook.service import emit_many

NOTE_MAX = 300  # Promise.note


@dataclass(frozen=True)
class PromiseReview:
    """What one day's review ended."""

    kept: int = 0
    broken: int = 0
    cancelled: int = 0


def make_promise(
    session: Session,
    company: Company,
    customer: str,
    amount: int,
    currency: str | None,
    due_on: date,
    on: date,
    source: str,
    invoices: Sequence[str] = (),
    created_by: Actor | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> Promise:
    """A promise by the customer (external id) to pay `amount` by `due_on`, over the invoices
    named (none: the customer's open balance in `currency`, held as a whole). Refused when the
    company's guardrails do not allow it, or an invoice is already under an open promise."""
    if source not in PROMISE_SOURCES:
        raise Invalid(f"source {source!r}: use one of {', '.join(PROMISE_SOURCES)}", "source")
    debtor = get_customer(session, company.id, customer)
    code = currency_of(session, company, debtor, currency)
    covered = covered_invoices(session, company, debtor, code, invoices)
    open_amount = sum(invoice.open_amount for invoice in covered)
    grace = company.promise_grace_days
    rules.check_promise(amount, due_on, on, open_amount, company.promise_longest_days, grace)
    text = (note or "").strip()
    if len(text) > NOTE_MAX:
        raise Invalid(f"the note is too long ({NOTE_MAX} characters at most)", field="note")
    _refuse_overlap(session, debtor, code, [invoice.id for invoice in covered], bool(invoices))
    actor = created_by or Actor()
    promise = Promise(
        company_id=company.id,
        customer_id=debtor.id,
        amount=amount,
        currency=code,
        promised_on=on,
        due_on=due_on,
        grace_days=grace,
        status="open",
        paid=0,
        source=source,
        collector=debtor.collector,
        created_by=(actor.name or source)[:100],
        note=text or None,
    )
    session.add(promise)
    session.flush()
    if invoices:
        session.add_all(PromiseInvoice(promise_id=promise.id, invoice_id=i.id) for i in covered)
    reason = f"promised {display(amount, code)} {code} by {due_on.isoformat()}"
    ends_on = rules.last_held_day(due_on, grace)
    targets: list[Invoice | None] = list(covered) if invoices else [None]
    for invoice in targets:
        place_hold(
            session,
            company,
            debtor,
            "promise",
            reason,
            starts_on=on,
            ends_on=ends_on,
            invoice=invoice,
            created_by=promise.created_by,
            part=HoldPart(promise_id=promise.id),
        )
    _audit(
        session,
        "promise.made",
        promise,
        now,
        actor.id,
        after={
            "customer": debtor.external_id,
            "amount": amount,
            "currency": code,
            "due_on": due_on.isoformat(),
            "invoices": [invoice.number for invoice in covered] if invoices else None,
            "source": source,
        },
    )
    return promise


def _refuse_overlap(
    session: Session, customer: Customer, currency: str, invoice_ids: list[int], named: bool
) -> None:
    """One open promise at a time over any invoice: a second would muddle what paid which."""
    whole = session.scalar(
        select(Promise.id).where(
            Promise.customer_id == customer.id,
            Promise.currency == currency,
            Promise.status == "open",
            ~has_invoices(),
        )
    )
    if whole is not None:
        raise Conflict(
            f"{customer.external_id} already has open promise {whole} over its whole balance",
            field="invoices",
        )
    taken = session.execute(
        select(Promise.id, Invoice.number)
        .join(PromiseInvoice, PromiseInvoice.promise_id == Promise.id)
        .join(Invoice, Invoice.id == PromiseInvoice.invoice_id)
        .where(Promise.status == "open", PromiseInvoice.invoice_id.in_(invoice_ids))
        .order_by(Invoice.number)
        .limit(1)
    ).first()
    if taken is not None:
        what = f"invoice {taken[1]}" if named else f"its invoice {taken[1]}"
        raise Conflict(f"{what} is already under open promise {taken[0]}", field="invoices")


def get_promise(session: Session, company_id: int, promise_id: int) -> Promise:
    promise = session.get(Promise, promise_id)
    if promise is None or promise.company_id != company_id:
        raise NotFound(f"no promise {promise_id}", field="promise_id")
    return promise


def cancel_promise(
    session: Session,
    company: Company,
    promise_id: int,
    on: date,
    actor_id: int | None = None,
    now: datetime | None = None,
) -> Promise:
    """Call off an open promise: its holds end today and the chase resumes."""
    promise = get_promise(session, company.id, promise_id)
    if promise.status != "open":
        raise Conflict(f"promise {promise_id} is already {promise.status}", field="promise_id")
    _end(session, promise, "cancelled", on, promise.paid)
    _audit(
        session,
        "promise.cancelled",
        promise,
        now,
        actor_id,
        before={"status": "open"},
        after={"status": "cancelled", "resolved_on": on.isoformat()},
    )
    return promise


def _end(session: Session, promise: Promise, status: str, on: date, paid: int) -> None:
    promise.status = status
    promise.paid = paid
    promise.resolved_on = on
    for hold in session.scalars(
        select(Hold).where(Hold.promise_id == promise.id, Hold.released_on.is_(None))
    ):
        # a broken promise's holds ran out already; one still in force (grace shortened
        # meanwhile) ends today, as the others do
        if hold.ends_on is None or hold.ends_on >= on:
            hold.released_on = on
    session.flush()


# ---- the daily review -------------------------------------------------------------------------


def review_promises(
    session: Session, company: Company, on: date, now: datetime | None = None
) -> PromiseReview:
    """End the company's open promises that `on` settles: kept (paid in full since made),
    cancelled (nothing left to pay), broken (unpaid past due + grace: a call task each and
    the `promise.broken` webhook). The others are left open, with what was paid so far."""
    at = now or utcnow()
    promises = list(
        session.scalars(
            select(Promise)
            .where(Promise.company_id == company.id, Promise.status == "open")
            .order_by(Promise.id)
        )
    )
    if not promises:
        return PromiseReview()
    paid, open_left = promise_sums(session, company.id, on)
    counts = {"kept": 0, "broken": 0, "cancelled": 0}
    broken: list[Promise] = []
    for promise in promises:
        so_far = paid.get(promise.id, 0)
        status = rules.outcome(
            promise.amount,
            so_far,
            open_left.get(promise.id, 0),
            promise.due_on,
            promise.grace_days,
            on,
        )
        if status == "open":
            promise.paid = so_far
            continue
        _end(session, promise, status, on, so_far)
        counts[status] += 1
        _audit(
            session,
            f"promise.{status}",
            promise,
            at,
            None,
            before={"status": "open"},
            after={"status": status, "paid": so_far, "resolved_on": on.isoformat()},
            source="cycle",
        )
        if status == "broken":
            broken.append(promise)
    _follow_up(session, company, broken, on, at)
    session.flush()
    return PromiseReview(**counts)


def _follow_up(
    session: Session, company: Company, broken: list[Promise], on: date, at: datetime
) -> None:
    """A call task and a `promise.broken` event for each broken promise."""
    if not broken:
        return
    customers = {
        c.id: c
        for c in session.scalars(
            select(Customer).where(Customer.id.in_({p.customer_id for p in broken}))
        )
    }
    events = []
    for promise in broken:
        customer = customers[promise.customer_id]
        owed = f"{display(promise.amount, promise.currency)} {promise.currency}"
        raise_task(
            session,
            company_id=company.id,
            customer=customer,
            kind="call",
            title=f"Promise broken: {customer.name} promised {owed} by {promise.due_on}",
            detail=f"paid {display(promise.paid, promise.currency)} of it since "
            f"{promise.promised_on}; the chase resumed after {promise.grace_days} days of grace",
            due_on=on,
        )
        events.append(
            (
                f"promise-{promise.id}-broken",
                {
                    "promise": promise.id,
                    "customer": customer.external_id,
                    "amount": promise.amount,
                    "paid": promise.paid,
                    "currency": promise.currency,
                    "due_on": promise.due_on.isoformat(),
                    "broken_on": on.isoformat(),
                },
            )
        )
    emit_many(session, company.id, "promise.broken", events, at)


def _audit(
    session: Session,
    action: str,
    promise: Promise,
    now: datetime | None,
    actor_id: int | None,
    before: dict[str, object] | None = None,
    after: dict[str, object] | None = None,
    source: str | None = None,
) -> None:
    record(
        session,
        action,
        at=now or utcnow(),
        entity_type="promise",
        entity_id=promise.id,
        actor_id=actor_id,
        company_id=promise.company_id,
        before=before,
        after=after,
        source=source or promise.source,
    )


def promise_from_call(
    session: Session,
    company: Company,
    customer: str,
    outcome: str,
    amount: int | None,
    due_on: date | None,
    on: date,
    *,
    currency: str | None = None,
    invoice: str | None = None,
    actor: Actor | None = None,
    now: datetime | None = None,
) -> Promise | None:
    """The promise a logged call records: with the outcome promised_to_pay and both an amount
    and a day (neither: the call alone, as before). Half a promise, or one with another
    outcome, is refused naming the field at fault."""
    if amount is None and due_on is None:
        return None
    if outcome.strip().lower() != "promised_to_pay":
        raise Invalid("a promise goes with the outcome promised_to_pay", field="outcome")
    if amount is None:
        raise Invalid("say how much was promised", field="promise_amount")
    if due_on is None:
        raise Invalid("say by which day it was promised", field="promise_due_on")
    numbers = [invoice.strip()] if invoice and invoice.strip() else []
    try:
        return make_promise(
            session,
            company,
            customer,
            amount,
            currency,
            due_on,
            on,
            "call",
            numbers,
            actor,
            None,
            now,
        )
    except (Invalid, NotFound, Conflict) as error:
        # the call's form and body name the promise's fields so
        error.field = _CALL_FIELDS.get(error.field or "", error.field)
        raise


_CALL_FIELDS = {
    "amount": "promise_amount",
    "due_on": "promise_due_on",
    "currency": "promise_currency",
    "invoices": "invoice",
}
