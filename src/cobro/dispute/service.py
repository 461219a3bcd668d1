"""Opening a dispute and the evidence it carries; its owner, due date and the company's
default number of days to resolve one. Resolving it is in `dispute.resolve`, reading lists in
`dispute.queries`. Services flush, never commit: the edge (request, CLI command) owns the
transaction; every change is an audit event.

What opening does, all or nothing (everything is checked before the first row is written):
- one `dispute` hold per invoice, open-ended, carrying the dispute's id: on the disputed
  amount only when it is part of what is open, so the cycle chases the rest
  (`cycle.service`, `ActiveHolds.parts`); on the whole invoice otherwise;
- a `review` task for the dispute's owner, due on its due date;
- the `dispute.opened` webhook;
- for a US consumer (Regulation F) inside a validation notice's period, the validation
  dispute too (`validation.service.record_dispute`), whose own holds last until the
  verification is sent, whatever becomes of this dispute."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobro.audit.actor import NOBODY, Actor
from cobro.audit.service import record
from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.customer.service import get_customer
from cobro.dispute import rules
from cobro.dispute.models import Dispute, DisputeEvidence, DisputeItem
from cobro.errors import Conflict, Invalid, NotFound
from cobro.invoice.manage import lock_invoice
from cobro.invoice.models import Invoice
from cobro.kit.dates import utcnow
from cobro.policy.holds import HoldPart, place_hold
from cobro.policy.settings import REG_F_COUNTRIES
from cobro.task.models import Task
from cobro.task.service import raise_task
from cobro.validation.models import ValidationNotice
from cobro.validation.service import record_dispute
from cobro.webhook.service import emit

HOLD_REASON = "dispute {id}: {reason}"


@dataclass(frozen=True)
class ItemIn:
    invoice: str  # its number
    amount: int | None = None  # minor units; None: all that is open


@dataclass(frozen=True)
class EvidenceIn:
    filename: str
    content: bytes


def open_dispute(
    session: Session,
    company: Company,
    customer: str,
    items: Sequence[ItemIn],
    reason: str,
    description: str,
    on: date,
    source: str,
    *,
    owner: str | None = None,
    due_on: date | None = None,
    by: Actor = NOBODY,
    evidence: Sequence[EvidenceIn] = (),
    now: datetime | None = None,
) -> Dispute:
    """Open a dispute of `customer`'s (external id) invoices, each in whole or in part.
    Refused, with nothing written: an unknown reason, an empty description, an invoice not the
    customer's or already in an open dispute (Conflict), an amount larger than what is open,
    a bad evidence file."""
    now = now or utcnow()
    code = rules.check_reason(reason)
    text = rules.check_description(description)
    rules.check_source(source)
    rules.check_numbers([item.invoice for item in items])
    target = get_customer(session, company.id, customer)
    asked = [(item, _invoice_of(session, company, target, item.invoice)) for item in items]
    amounts = [
        rules.disputed_amount(rules.Ask(i.number, i.open_amount, i.currency, item.amount))
        for item, i in asked
    ]
    _check_not_disputed(session, [invoice for _, invoice in asked])
    files = rules.check_evidence_files([(e.filename, e.content) for e in evidence])
    dispute = Dispute(
        company_id=company.id,
        customer_id=target.id,
        reason=code,
        description=text,
        status="open",
        owner=rules.check_owner(owner) or target.collector,
        opened_on=on,
        due_on=rules.due_date(on, company.dispute_days, due_on),
        source=source,
        created_by=(by.name or source)[:100],
    )
    session.add(dispute)
    session.flush()
    for (_, invoice), amount in zip(asked, amounts, strict=True):
        session.add(DisputeItem(dispute_id=dispute.id, invoice_id=invoice.id, amount=amount))
        place_hold(
            session,
            company,
            target,
            "dispute",
            HOLD_REASON.format(id=dispute.id, reason=code),
            on,
            invoice=invoice,
            reference=f"dispute:{dispute.id}",
            created_by=dispute.created_by,
            part=HoldPart(
                amount=rules.held_part(amount, invoice.open_amount), dispute_id=dispute.id
            ),
        )
    for checked, given in zip(files, evidence, strict=True):
        _store(session, dispute, checked, given.content, dispute.created_by)
    _review_task(session, dispute, target, [invoice.number for _, invoice in asked])
    _validation(session, company, target, dispute, asked, amounts, on)
    lines = [
        {"invoice": invoice.number, "amount": amount, "currency": invoice.currency}
        for (_, invoice), amount in zip(asked, amounts, strict=True)
    ]
    emit(
        session,
        company.id,
        "dispute.opened",
        key=f"dispute-{dispute.id}",
        data={
            "dispute": dispute.id,
            "customer": target.external_id,
            "reason": code,
            "items": lines,
            "due_on": dispute.due_on.isoformat(),
            "source": source,
        },
        now=now,
    )
    record(
        session,
        "dispute.opened",
        at=now,
        entity_type="dispute",
        entity_id=dispute.id,
        actor_id=by.id,
        company_id=company.id,
        after={
            "customer": target.external_id,
            "reason": code,
            "items": lines,
            "owner": dispute.owner,
            "due_on": dispute.due_on.isoformat(),
            "evidence": [f.filename for f in files],
            "validation_dispute": dispute.validation_dispute_id,
        },
        source=source,
    )
    return dispute


def _invoice_of(session: Session, company: Company, customer: Customer, number: str) -> Invoice:
    # locked: the open amount checked is the one the hold and, later, the credit note take
    try:
        invoice = lock_invoice(session, company.id, number)
    except NotFound:
        raise NotFound(f"no invoice {number!r}", field="items") from None
    if invoice.customer_id != customer.id:
        raise Invalid(f"invoice {number} is not one of {customer.external_id}'s", field="items")
    return invoice


def _check_not_disputed(session: Session, invoices: Sequence[Invoice]) -> None:
    found = session.execute(
        select(Invoice.number, Dispute.id)
        .join(DisputeItem, DisputeItem.invoice_id == Invoice.id)
        .join(Dispute, Dispute.id == DisputeItem.dispute_id)
        .where(DisputeItem.invoice_id.in_([i.id for i in invoices]), Dispute.status == "open")
        .order_by(Invoice.number)
    ).first()
    if found is not None:
        number, dispute_id = found
        raise Conflict(
            f"invoice {number} is already in open dispute {dispute_id}: add to that one or "
            "resolve it first",
            field="items",
        )


def review_title(dispute: Dispute, numbers: Sequence[str]) -> str:
    # the prefix finds the task again when the dispute is resolved (tasks name no dispute)
    return f"Dispute {dispute.id}: {dispute.reason} on {', '.join(numbers)}"


def open_review_tasks(session: Session, dispute: Dispute) -> list[Task]:
    return list(
        session.scalars(
            select(Task).where(
                Task.company_id == dispute.company_id,
                Task.customer_id == dispute.customer_id,
                Task.kind == "review",
                Task.status == "open",
                Task.title.like(f"Dispute {dispute.id}: %"),
            )
        )
    )


def _review_task(
    session: Session, dispute: Dispute, customer: Customer, numbers: Sequence[str]
) -> Task:
    task = raise_task(
        session,
        company_id=dispute.company_id,
        customer=customer,
        kind="review",
        title=review_title(dispute, numbers),
        due_on=dispute.due_on,
        detail=dispute.description,
    )
    task.assignee = dispute.owner
    session.flush()
    return task


def running_notice(session: Session, customer: Customer, on: date) -> ValidationNotice | None:
    """The customer's validation notice whose period runs on `on`: a US consumer only."""
    if customer.kind != "consumer" or customer.country.upper() not in REG_F_COUNTRIES:
        return None
    return session.scalar(
        select(ValidationNotice)
        .where(
            ValidationNotice.customer_id == customer.id,
            ValidationNotice.sent_on <= on,
            ValidationNotice.ends_on >= on,
        )
        .order_by(ValidationNotice.sent_on.desc(), ValidationNotice.id.desc())
        .limit(1)
    )


def _validation(
    session: Session,
    company: Company,
    customer: Customer,
    dispute: Dispute,
    asked: Sequence[tuple[ItemIn, Invoice]],
    amounts: Sequence[int],
    on: date,
) -> None:
    notice = running_notice(session, customer, on)
    if notice is None:
        return
    total = sum(amounts)
    # the notice's debt may be less than these invoices (paid since): then all of it
    amount = total if total < notice.total else None
    outcome = record_dispute(
        session,
        company,
        notice.id,
        on,
        amount=amount,
        invoice_ids=[invoice.id for _, invoice in asked],
        note=f"dispute {dispute.id}",
    )
    dispute.validation_dispute_id = outcome.dispute.id
    session.flush()


# ---- evidence -----------------------------------------------------------------------------------


def _store(
    session: Session,
    dispute: Dispute,
    checked: rules.EvidenceFile,
    content: bytes,
    by: str | None,
) -> DisputeEvidence:
    row = DisputeEvidence(
        dispute_id=dispute.id,
        filename=checked.filename,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        content=content,
        uploaded_by=by,
    )
    session.add(row)
    session.flush()
    return row


def get_dispute(session: Session, company: Company, dispute_id: int) -> Dispute:
    """The company's dispute; another company's is not found."""
    dispute = session.get(Dispute, dispute_id)
    if dispute is None or dispute.company_id != company.id:
        raise NotFound(f"no dispute {dispute_id}", field="dispute_id")
    return dispute


def evidence_count(session: Session, dispute_id: int) -> int:
    return session.scalar(select(func.count()).where(DisputeEvidence.dispute_id == dispute_id)) or 0


def add_evidence(
    session: Session,
    company: Company,
    dispute_id: int,
    filename: str,
    content: bytes,
    *,
    by: Actor = NOBODY,
    now: datetime | None = None,
) -> DisputeEvidence:
    """Attach a file to an open dispute (a PDF, PNG, JPEG or text, 5 MiB at most, 10 a
    dispute); a refused file stores nothing."""
    dispute = get_dispute(session, company, dispute_id)
    if dispute.status != "open":
        raise Conflict(f"dispute {dispute_id} is {dispute.status}: evidence goes on open ones")
    checked = rules.check_evidence(filename, content, evidence_count(session, dispute.id))
    row = _store(session, dispute, checked, content, (by.name or "")[:100] or None)
    record(
        session,
        "dispute.evidence_added",
        at=now or utcnow(),
        entity_type="dispute",
        entity_id=dispute.id,
        actor_id=by.id,
        company_id=company.id,
        after={
            "evidence": row.id,
            "filename": row.filename,
            "content_type": row.content_type,
            "size": row.size,
            "sha256": row.sha256,
        },
    )
    return row


def get_evidence(
    session: Session, company: Company, dispute_id: int, evidence_id: int
) -> DisputeEvidence:
    """One file of the company's dispute (another's, or one of another dispute: not found)."""
    dispute = get_dispute(session, company, dispute_id)
    row = session.get(DisputeEvidence, evidence_id)
    if row is None or row.dispute_id != dispute.id:
        raise NotFound(f"no evidence {evidence_id} in dispute {dispute_id}", field="evidence_id")
    return row
