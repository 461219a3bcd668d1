"""Changing a dispute's owner and due date, the company's days to resolve one, and reading
amounts as people type them on the edges' forms and options. Services flush; the caller
commits; each change is an audit event."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.audit.actor import NOBODY, Actor
from cobro.audit.service import record
from cobro.company.models import Company
from cobro.dispute import rules
from cobro.dispute.models import Dispute
from cobro.dispute.service import get_dispute, open_review_tasks
from cobro.errors import Conflict, Invalid, NotFound
from cobro.invoice.models import Invoice
from cobro.kit.dates import utcnow
from cobro.kit.money import parse_amount


def reassign(
    session: Session,
    company: Company,
    dispute_id: int,
    *,
    owner: str | None = None,
    due_on: date | None = None,
    by: Actor = NOBODY,
    now: datetime | None = None,
) -> Dispute:
    """Give an open dispute another owner and/or due date; its review task follows."""
    dispute = get_dispute(session, company, dispute_id)
    if dispute.status != "open":
        raise Conflict(f"dispute {dispute_id} is {dispute.status}: only an open one changes")
    before = {"owner": dispute.owner, "due_on": dispute.due_on.isoformat()}
    if owner is not None:
        dispute.owner = rules.check_owner(owner)
    if due_on is not None:
        dispute.due_on = rules.due_date(dispute.opened_on, company.dispute_days, due_on)
    for task in open_review_tasks(session, dispute):
        task.assignee, task.due_on = dispute.owner, dispute.due_on
    session.flush()
    record(
        session,
        "dispute.reassigned",
        at=now or utcnow(),
        entity_type="dispute",
        entity_id=dispute.id,
        actor_id=by.id,
        company_id=company.id,
        before=before,
        after={"owner": dispute.owner, "due_on": dispute.due_on.isoformat()},
    )
    return dispute


def set_dispute_days(
    session: Session, company: Company, days: int, by: Actor = NOBODY, now: datetime | None = None
) -> Company:
    """How many days a new dispute has to be resolved in, unless it is given a due date."""
    before = company.dispute_days
    company.dispute_days = rules.check_days(days)
    session.flush()
    record(
        session,
        "company.dispute_days_changed",
        at=now or utcnow(),
        entity_type="company",
        entity_id=company.id,
        actor_id=by.id,
        company_id=company.id,
        before={"dispute_days": before},
        after={"dispute_days": days},
    )
    return company


def written_amount(
    session: Session, company: Company, number: str, text: str, field: str = "items"
) -> int:
    """An amount as a person writes it ("120,50"), in the currency of the company's invoice
    `number`: the edges' forms and options give amounts this way."""
    invoice = session.scalar(
        select(Invoice).where(Invoice.company_id == company.id, Invoice.number == number)
    )
    if invoice is None:
        raise NotFound(f"no invoice {number!r}", field=field)
    try:
        return parse_amount(text, invoice.currency)
    except Invalid as error:
        raise Invalid(f"invoice {number}: {error.message}", field=field) from None


def parse_pairs(text: str, field: str) -> list[tuple[str, str | None]]:
    """ "F-1, F-2:120,50" (commas, semicolons or lines between) as (number, amount text or None)."""
    pairs = []
    for part in text.replace(";", "\n").replace(", ", "\n").splitlines():
        number, _, amount = part.strip().partition(":")
        if not number.strip():
            if amount.strip():
                raise Invalid(f"{part.strip()!r}: write the invoice number first", field=field)
            continue
        pairs.append((number.strip(), amount.strip() or None))
    return pairs
