"""Write-offs with a reason and an approval by role (`cobro.writeoff.rules`), and the small
remainders the daily cycle writes off by itself.

A person writes off up to their role's limit at once; above it the write-off waits as a
request, with a `review` task for the managers, until another person whose limit covers it
approves it (the write-off is made then, for what is open then), rejects it, or the person who
asked cancels it. Every change is an audit event with what was before and after. Services
flush; the caller commits.

`by` is who acts: (user id or None, name): a user's email, "cli" for the operator at the
shell, "cycle" for the daily cycle."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session

from cobro.audit.service import record
from cobro.auth.errors import Forbidden
from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.errors import Conflict, NotFound
from cobro.invoice.manage import lock_invoice
from cobro.invoice.models import Invoice, WriteOff
from cobro.invoice.service import write_off
from cobro.kit.dates import utcnow
from cobro.kit.money import display
from cobro.policy.holds import in_force
from cobro.policy.models import Hold
from cobro.task.models import Task
from cobro.task.service import raise_task
from cobro.writeoff import rules
from cobro.writeoff.models import WriteOffRequest

Actor = tuple[int | None, str]
CYCLE = "cycle"


def limits_of(company: Company) -> rules.Limits:
    return rules.Limits(company.collector_write_off_limit, company.manager_write_off_limit)


def request_write_off(
    session: Session,
    company: Company,
    number: str,
    amount: int | None,
    reason_code: str,
    reason: str,
    on: date,
    by: Actor,
    role: str,
    now: datetime | None = None,
) -> WriteOff | WriteOffRequest:
    """Write off `amount` (None: all that is open) of invoice `number` when `role` may alone;
    else a pending request (and a review task) for someone who may."""
    if not rules.may_request(role):
        raise Forbidden(f"a {role} may not write off invoices")
    code, text = rules.check_reason(reason_code, reason)
    invoice = lock_invoice(session, company.id, number)
    if invoice.open_amount == 0:
        raise Conflict(f"invoice {number} is paid: nothing to write off", field="amount")
    wanted = rules.check_amount(amount, invoice.open_amount, number)
    if rules.may_write_off_alone(role, wanted, limits_of(company)):
        return _write_off(session, company, invoice, (wanted, code, text), on, by, now)
    if _pending_for(session, invoice.id) is not None:
        raise Conflict(
            f"invoice {number} already has a write-off waiting for approval", field="number"
        )
    request = WriteOffRequest(
        company_id=company.id,
        invoice_id=invoice.id,
        amount=amount,
        reason_code=code,
        reason=text,
        requested_on=on,
        requested_by=by[1][:100],
        status="pending",
    )
    session.add(request)
    session.flush()
    record(
        session,
        "write_off.requested",
        at=now or utcnow(),
        entity_type="write_off_request",
        entity_id=request.id,
        actor_id=by[0],
        company_id=company.id,
        before=None,
        after=_request_state(request, invoice),
    )
    customer = session.get_one(Customer, invoice.customer_id)
    task = raise_task(
        session,
        company_id=company.id,
        customer=customer,
        kind="review",
        title=f"{_task_prefix(request)} {display(wanted, invoice.currency)} {invoice.currency} "
        f"of invoice {number}",
        detail=f"asked by {request.requested_by}: {code}, {text}",
        due_on=on,
        invoice_id=invoice.id,
    )
    task.assignee = None  # for whoever may approve (a manager), not the customer's collector
    session.flush()
    return request


def approve(
    session: Session,
    company: Company,
    request_id: int,
    on: date,
    by: Actor,
    role: str,
    now: datetime | None = None,
) -> WriteOff:
    """Make the write-off a request asked for, dated `on`. The invoice may have been paid
    since it was asked: more than what is open now is a Conflict, and nothing is written."""
    request = _locked_request(session, company.id, request_id)
    invoice = _locked_invoice(session, request.invoice_id)
    if invoice.open_amount == 0:
        raise Conflict(
            f"invoice {invoice.number} was settled since the request: nothing to write off; "
            "reject it",
            field="amount",
        )
    amount = invoice.open_amount if request.amount is None else request.amount
    if amount > invoice.open_amount:
        raise Conflict(
            f"the request is for {amount} but only {invoice.open_amount} is open on invoice "
            f"{invoice.number} now (a payment or credit came in): reject it and ask again",
            field="amount",
        )
    _check_decider(request, amount, company, by, role, "approve")
    before = _request_state(request, invoice)
    entry = _write_off(
        session,
        company,
        invoice,
        (amount, request.reason_code, request.reason),
        on,
        by,
        now,
    )
    _decide(request, "approved", by, None, now)
    request.write_off_id = entry.id
    _close_review(session, request, "done", f"approved by {by[1]}", now)
    session.flush()
    _audit_decision(session, "write_off.approved", request, invoice, before, by, now)
    return entry


def reject(
    session: Session,
    company: Company,
    request_id: int,
    by: Actor,
    role: str,
    note: str | None = None,
    now: datetime | None = None,
) -> WriteOffRequest:
    """Refuse a request: the invoice stays open and is chased as before."""
    request = _locked_request(session, company.id, request_id)
    invoice = session.get_one(Invoice, request.invoice_id)
    amount = invoice.open_amount if request.amount is None else request.amount
    _check_decider(request, amount, company, by, role, "reject")
    before = _request_state(request, invoice)
    _decide(request, "rejected", by, note, now)
    _close_review(session, request, "done", f"rejected by {by[1]}", now)
    session.flush()
    _audit_decision(session, "write_off.rejected", request, invoice, before, by, now)
    return request


def cancel(
    session: Session,
    company: Company,
    request_id: int,
    by: Actor,
    now: datetime | None = None,
) -> WriteOffRequest:
    """The person who asked takes the request back."""
    request = _locked_request(session, company.id, request_id)
    if not rules.same_person(by[1], request.requested_by):
        raise Forbidden("only the person who asked may cancel a write-off request")
    invoice = session.get_one(Invoice, request.invoice_id)
    before = _request_state(request, invoice)
    _decide(request, "cancelled", by, None, now)
    _close_review(session, request, "cancelled", f"cancelled by {by[1]}", now)
    session.flush()
    _audit_decision(session, "write_off.cancelled", request, invoice, before, by, now)
    return request


def write_off_small_balances(
    session: Session, company: Company, on: date, now: datetime | None = None
) -> list[WriteOff]:
    """Write off every remainder `rules.small_balance` allows on `on` (found with one query),
    reason "small_balance", approved by "cycle". Running it again the same day finds nothing:
    what it wrote off is no longer open."""
    limit = company.small_balance_limit
    if limit <= 0:
        return []
    held = exists().where(
        Hold.company_id == company.id,
        in_force(on),
        # an invoice's own hold, or one on its whole customer
        and_(
            Hold.customer_id == Invoice.customer_id,
            (Hold.invoice_id.is_(None)) | (Hold.invoice_id == Invoice.id),
        ),
    )
    invoices = session.scalars(
        select(Invoice)
        .where(
            Invoice.company_id == company.id,
            Invoice.open_amount > 0,
            Invoice.open_amount <= limit,
            Invoice.open_amount < Invoice.total,
            Invoice.due_date < on,
            ~held,
        )
        .order_by(Invoice.id)
        .with_for_update()
    ).all()
    made = []
    for invoice in invoices:
        entry = (invoice.open_amount, "small_balance", f"small balance (up to {limit})")
        made.append(_write_off(session, company, invoice, entry, on, (None, CYCLE), now))
    return made


# ---- helpers ------------------------------------------------------------------------------------


def _write_off(
    session: Session,
    company: Company,
    invoice: Invoice,
    entry: tuple[int, str, str],
    on: date,
    by: Actor,
    now: datetime | None,
) -> WriteOff:
    amount, code, text = entry
    before = _money(invoice)
    made = write_off(session, invoice, amount, on, text)
    made.reason_code = code
    made.approved_by = by[1][:100]
    session.flush()
    record(
        session,
        "invoice.written_off",
        at=now or utcnow(),
        entity_type="invoice",
        entity_id=invoice.id,
        actor_id=by[0],
        company_id=company.id,
        before=before,
        after={
            **_money(invoice),
            "write_off": made.id,
            "amount": amount,
            "reason_code": code,
            "reason": text,
            "approved_by": made.approved_by,
        },
    )
    return made


def _check_decider(
    request: WriteOffRequest, amount: int, company: Company, by: Actor, role: str, what: str
) -> None:
    if rules.same_person(by[1], request.requested_by):
        raise Forbidden(f"you asked for write-off request {request.id}: another person must {what}")
    if not rules.may_write_off_alone(role, amount, limits_of(company)):
        raise Forbidden(f"a {role}'s write-off limit does not cover {amount}: you may not {what}")


def _decide(
    request: WriteOffRequest, status: str, by: Actor, note: str | None, now: datetime | None
) -> None:
    request.status = status
    request.decided_by = by[1][:100]
    request.decided_at = now or utcnow()
    request.decision_note = note.strip()[:300] if note and note.strip() else None


def _locked_request(session: Session, company_id: int, request_id: int) -> WriteOffRequest:
    """A pending request of the company, its row locked (two managers deciding at once: the
    second finds it decided)."""
    request = session.scalar(
        select(WriteOffRequest)
        .where(WriteOffRequest.company_id == company_id, WriteOffRequest.id == request_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if request is None:
        raise NotFound(f"no write-off request {request_id}", field="request_id")
    if request.status != "pending":
        raise Conflict(f"write-off request {request_id} is {request.status}", field="status")
    return request


def _locked_invoice(session: Session, invoice_id: int) -> Invoice:
    return session.scalars(
        select(Invoice)
        .where(Invoice.id == invoice_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _pending_for(session: Session, invoice_id: int) -> int | None:
    return session.scalar(
        select(WriteOffRequest.id).where(
            WriteOffRequest.invoice_id == invoice_id, WriteOffRequest.status == "pending"
        )
    )


def _task_prefix(request: WriteOffRequest) -> str:
    return f"Write-off request {request.id}:"


def _close_review(
    session: Session, request: WriteOffRequest, status: str, outcome: str, now: datetime | None
) -> None:
    for task in session.scalars(
        select(Task).where(
            Task.company_id == request.company_id,
            Task.invoice_id == request.invoice_id,
            Task.kind == "review",
            Task.status == "open",
            Task.title.startswith(_task_prefix(request)),
        )
    ):
        task.status = status
        task.outcome = outcome[:300]
        task.closed_at = now or utcnow()


def _audit_decision(
    session: Session,
    action: str,
    request: WriteOffRequest,
    invoice: Invoice,
    before: dict[str, object],
    by: Actor,
    now: datetime | None,
) -> None:
    record(
        session,
        action,
        at=now or utcnow(),
        entity_type="write_off_request",
        entity_id=request.id,
        actor_id=by[0],
        company_id=request.company_id,
        before=before,
        after=_request_state(request, invoice),
    )


def _request_state(request: WriteOffRequest, invoice: Invoice) -> dict[str, object]:
    return {
        "invoice": invoice.number,
        "amount": request.amount,
        "reason_code": request.reason_code,
        "reason": request.reason,
        "requested_by": request.requested_by,
        "status": request.status,
        "decided_by": request.decided_by,
        "decision_note": request.decision_note,
        "write_off": request.write_off_id,
    }


def _money(invoice: Invoice) -> dict[str, object]:
    return {
        "number": invoice.number,
        "currency": invoice.currency,
        "total": invoice.total,
        "open_amount": invoice.open_amount,
    }
