"""The review queue: the lines cash application did not apply alone, and what a person does
with each — accept a candidate, split the money over invoices they choose, reassign it to
another customer (its oldest open invoices first), or ignore a line that is no customer's
payment. Each is an audit event; a confirmed match teaches the payer map. The line is locked
first, so two people acting on it at once cannot apply it twice. Services flush; the caller
commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.audit.service import record
from cobro.banking.application import Decision, Share, apply_decision
from cobro.banking.models import StatementLine
from cobro.company.models import Company
from cobro.customer.service import get_customer
from cobro.errors import Conflict, Invalid, NotFound
from cobro.invoice.models import Invoice
from cobro.kit.pagination import Page, PageRequest, paginate
from cobro.payment.rules import plan_allocations

QUEUE_STATES = ("review", "unmatched")
By = tuple[int | None, str]  # who acts: the user's id (None for the CLI) and how they are named


def review_queue(
    session: Session, company: Company, page: PageRequest, states: Sequence[str] = QUEUE_STATES
) -> Page[StatementLine]:
    query = (
        select(StatementLine)
        .where(StatementLine.company_id == company.id, StatementLine.state.in_(states))
        .order_by(StatementLine.booking_date, StatementLine.id)
    )
    return paginate(session, query, page)


def get_line(session: Session, company: Company, line_id: int, lock: bool = False) -> StatementLine:
    query = select(StatementLine).where(
        StatementLine.id == line_id, StatementLine.company_id == company.id
    )
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    line = session.scalar(query)
    if line is None:
        raise NotFound(f"no bank line {line_id} in this company", field="line")
    return line


def accept(
    session: Session, company: Company, line_id: int, candidate: int, by: By, now: datetime
) -> StatementLine:
    """Apply the line as its `candidate`-th suggestion (0: the best) proposed it."""
    line = get_line(session, company, line_id, lock=True)
    if not 0 <= candidate < len(line.suggestions):
        raise Invalid(
            f"bank line {line_id} has {len(line.suggestions)} candidates; "
            f"there is no candidate {candidate}",
            field="candidate",
        )
    chosen = line.suggestions[candidate]
    decision = Decision(
        customer_id=int(chosen["customer_id"]),
        shares=tuple(Share(int(s["invoice_id"]), int(s["amount"])) for s in chosen["shares"]),
        discount=int(chosen.get("discount", 0)),
        charges=int(chosen.get("charges", 0)),
    )
    return _apply(session, company, line, decision, by, now, {"candidate": candidate})


def split(
    session: Session,
    company: Company,
    line_id: int,
    customer: str,
    shares: Sequence[tuple[str, int]],
    by: By,
    now: datetime,
) -> StatementLine:
    """Apply the line to the invoices given, each with its amount; the rest stays unapplied
    cash on the customer."""
    line = get_line(session, company, line_id, lock=True)
    owner = get_customer(session, company.id, customer)
    if sum(amount for _, amount in shares) > line.amount:
        raise Invalid(
            f"the amounts ({sum(a for _, a in shares)}) are more than the line ({line.amount})",
            field="shares",
        )
    numbers = [number for number, _ in shares]
    if len(set(numbers)) != len(numbers):
        raise Invalid("an invoice is named twice", field="shares")
    ids = _invoice_ids(session, company, owner.id, numbers)
    decision = Decision(owner.id, tuple(Share(ids[n], a) for n, a in shares))
    return _apply(session, company, line, decision, by, now, {"split": dict(shares)})


def reassign(
    session: Session, company: Company, line_id: int, customer: str, by: By, now: datetime
) -> StatementLine:
    """The money is this customer's: it pays their oldest open invoices in its currency; what
    is left stays unapplied cash on them."""
    line = get_line(session, company, line_id, lock=True)
    owner = get_customer(session, company.id, customer)
    oldest = session.execute(
        select(Invoice.id, Invoice.open_amount)
        .where(
            Invoice.customer_id == owner.id,
            Invoice.open_amount > 0,
            Invoice.currency == line.currency,
        )
        .order_by(Invoice.due_date, Invoice.id)
    )
    plan = plan_allocations(line.amount, list(oldest))
    decision = Decision(owner.id, tuple(Share(i, a) for i, a in plan))
    return _apply(session, company, line, decision, by, now, {"reassigned": customer})


def ignore(
    session: Session, company: Company, line_id: int, reason: str, by: By, now: datetime
) -> StatementLine:
    """Not a customer's payment (a refund, a transfer between own accounts…): out of the
    queue, with the reason kept."""
    line = get_line(session, company, line_id, lock=True)
    if line.state not in QUEUE_STATES:
        raise Conflict(f"bank line {line_id} is already {line.state}")
    clean = reason.strip()
    if not clean:
        raise Invalid("say why the line is ignored", field="reason")
    before = line.state
    line.state, line.why, line.applied_by = "ignored", clean[:300], by[1]
    _audit(session, company, line, "bank.line_ignored", before, by, now, {"reason": clean})
    session.flush()
    return line


def _apply(
    session: Session,
    company: Company,
    line: StatementLine,
    decision: Decision,
    by: By,
    now: datetime,
    detail: dict[str, object],
) -> StatementLine:
    before = line.state
    payment = apply_decision(session, company, line, decision, by[1])
    detail = {
        **detail,
        "payment": payment.external_id,
        "amount": line.amount,
        "allocated": {str(s.invoice_id): s.amount for s in decision.shares},
        "unapplied": payment.unapplied,
    }
    _audit(session, company, line, "bank.line_applied", before, by, now, detail)
    return line


def _audit(
    session: Session,
    company: Company,
    line: StatementLine,
    event: str,
    before: str,
    by: By,
    now: datetime,
    detail: dict[str, object],
) -> None:
    record(
        session,
        event,
        at=now,
        entity_type="bank_line",
        entity_id=line.id,
        actor_id=by[0],
        company_id=company.id,
        before={"state": before},
        after={"state": line.state, "by": by[1], **detail},
        source="bank",
    )


def _invoice_ids(
    session: Session, company: Company, customer_id: int, numbers: Sequence[str]
) -> dict[str, int]:
    found = dict(
        session.execute(
            select(Invoice.number, Invoice.id).where(
                Invoice.company_id == company.id,
                Invoice.customer_id == customer_id,
                Invoice.number.in_(numbers),
            )
        ).all()
    )
    missing = [number for number in numbers if number not in found]
    if missing:
        raise Invalid(f"no invoice {missing[0]!r} of this customer", field="shares")
    return found
