"""Ending a dispute: credited in full, credited in part, rejected or withdrawn. Whatever the
outcome, the dispute's holds end on the day (the chase resumes on what is still open from the
next cycle), its review task is closed and the resolution is written down. Credits are credit
notes on the invoices (`invoice.service.add_credit_note`), numbered `CN-D<dispute>-<n>`.
Services flush; the caller commits."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.audit.actor import NOBODY, Actor
from cobro.audit.service import record
from cobro.company.models import Company
from cobro.dispute import rules
from cobro.dispute.models import Dispute, DisputeItem
from cobro.dispute.service import get_dispute, open_review_tasks
from cobro.errors import Conflict, Invalid
from cobro.invoice.manage import lock_invoice
from cobro.invoice.models import CreditNote, Invoice
from cobro.invoice.service import add_credit_note
from cobro.kit.dates import utcnow
from cobro.policy.models import Hold


def resolve_dispute(
    session: Session,
    company: Company,
    dispute_id: int,
    outcome: str,
    on: date,
    *,
    credits: Mapping[str, int] | None = None,
    note: str | None = None,
    by: Actor = NOBODY,
    now: datetime | None = None,
) -> Dispute:
    """`credit`: a credit note per invoice for what it disputes (no more than is still open);
    `partial`: credit notes for `credits` ({invoice number: minor units}); `reject`: no
    credit, the chase resumes; `withdraw`: the debtor takes it back. Only an open dispute."""
    now = now or utcnow()
    dispute = get_dispute(session, company, dispute_id)
    rules.check_outcome(outcome)
    said = rules.check_note(note)
    if dispute.status != "open":
        raise Conflict(f"dispute {dispute_id} is already {dispute.status}", field="dispute_id")
    if on < dispute.opened_on:
        raise Invalid(f"{on} is before the dispute opened ({dispute.opened_on})", field="on")
    if credits and outcome != "partial":
        raise Invalid("amounts to credit go with a partial credit only", field="credits")
    lines = _lines(session, company, dispute)
    wanted = _wanted(outcome, lines, credits or {})
    numbers: list[str] = []
    for number, amount in wanted.items():
        item, invoice = lines[number]
        if amount == 0:
            continue
        credit = _credit(session, company, dispute, invoice, amount, on, len(numbers) + 1, by, now)
        item.credited, item.credit_note_id = amount, credit.id
        numbers.append(credit.number)
    released = _release_holds(session, dispute, on)
    dispute.status = rules.STATUS_OF_OUTCOME[outcome]
    dispute.resolution = rules.resolution_text(outcome, numbers, said)
    dispute.resolved_on = on
    for task in open_review_tasks(session, dispute):
        task.status, task.outcome, task.closed_at = "done", dispute.resolution[:300], now
    session.flush()
    record(
        session,
        "dispute.resolved",
        at=now,
        entity_type="dispute",
        entity_id=dispute.id,
        actor_id=by.id,
        company_id=company.id,
        before={"status": "open"},
        after={
            "status": dispute.status,
            "resolution": dispute.resolution,
            "resolved_on": on.isoformat(),
            "credit_notes": numbers,
            "holds_released": released,
        },
    )
    return dispute


def _lines(
    session: Session, company: Company, dispute: Dispute
) -> dict[str, tuple[DisputeItem, Invoice]]:
    """The dispute's items by invoice number, each invoice locked for its credit."""
    rows = session.execute(
        select(DisputeItem, Invoice.number)
        .join(Invoice, Invoice.id == DisputeItem.invoice_id)
        .where(DisputeItem.dispute_id == dispute.id)
        .order_by(Invoice.number)
    ).all()
    return {number: (item, lock_invoice(session, company.id, number)) for item, number in rows}


def _wanted(
    outcome: str, lines: Mapping[str, tuple[DisputeItem, Invoice]], credits: Mapping[str, int]
) -> dict[str, int]:
    """What each invoice is credited: everything disputed that is still open (credit), the
    amounts given (partial), nothing (reject, withdraw)."""
    if outcome == "credit":
        return {n: min(item.amount, invoice.open_amount) for n, (item, invoice) in lines.items()}
    if outcome != "partial":
        return {}
    disputed = {number: item.amount for number, (item, _) in lines.items()}
    currency = {number: invoice.currency for number, (_, invoice) in lines.items()}
    checked = rules.check_credits(disputed, credits, currency)
    for number, amount in checked.items():
        invoice = lines[number][1]
        if amount > invoice.open_amount:
            raise Invalid(
                f"invoice {number}: a credit of {amount} is more than the {invoice.open_amount} "
                "still open",
                field="credits",
            )
    return checked


def _credit(
    session: Session,
    company: Company,
    dispute: Dispute,
    invoice: Invoice,
    amount: int,
    on: date,
    n: int,
    by: Actor,
    now: datetime,
) -> CreditNote:
    before = {"open_amount": invoice.open_amount}
    number = _free_number(session, company, dispute.id, n)
    credit = add_credit_note(
        session, company, invoice, number, on, amount, f"dispute {dispute.id}: {dispute.reason}"
    )
    record(
        session,
        "invoice.credited",
        at=now,
        entity_type="invoice",
        entity_id=invoice.id,
        actor_id=by.id,
        company_id=company.id,
        before=before,
        after={
            "number": invoice.number,
            "open_amount": invoice.open_amount,
            "settled_on": invoice.settled_on.isoformat() if invoice.settled_on else None,
            "by": number,
            "dispute": dispute.id,
        },
    )
    return credit


def _free_number(session: Session, company: Company, dispute_id: int, n: int) -> str:
    """`CN-D<dispute>-<n>`, or the next n free (a person may have typed such a number)."""
    taken = set(
        session.scalars(
            select(CreditNote.number).where(
                CreditNote.company_id == company.id,
                CreditNote.number.like(f"CN-D{dispute_id}-%"),
            )
        )
    )
    while rules.credit_note_number(dispute_id, n) in taken:
        n += 1
    return rules.credit_note_number(dispute_id, n)


def _release_holds(session: Session, dispute: Dispute, on: date) -> list[int]:
    """End the holds this dispute placed. A Regulation F validation dispute's holds carry no
    dispute id and stay: the law stops collection until the verification is sent, and
    neither a credit nor a rejection here sends it (`validation.service.verification_sent`
    ends them)."""
    holds = list(
        session.scalars(
            select(Hold).where(Hold.dispute_id == dispute.id, Hold.released_on.is_(None))
        )
    )
    for hold in holds:
        hold.released_on = on
    session.flush()
    return [hold.id for hold in holds]
