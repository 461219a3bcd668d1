"""Debit notes for charged fees and interest, and waivers.

In `charge` mode what a stage charges goes on a debit note: an invoice of kind `debit_note`,
due `DEBIT_NOTE_TERM_DAYS` later, which the policy chases like any invoice (it earns no fees or
interest itself). A waiver takes a charge back: on a debit note through a credit note of the
charge's amount, so the ledger shows where the money went; a claim is simply marked waived.
Services flush; the caller commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.audit.service import record
from cobro.charge.models import Charge
from cobro.charge.rules import DEBIT_NOTE_TERM_DAYS
from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.errors import Conflict, Invalid, NotFound
from cobro.invoice.models import Invoice
from cobro.invoice.rules import InvoiceIn
from cobro.invoice.service import add_credit_note, upsert_invoice

MAX_REASON = 300


def issue(
    session: Session, company: Company, customer: Customer, charges: Sequence[Charge], on: date
) -> list[Invoice]:
    """One debit note per currency for `charges` (new rows in `charge` mode), issued `on`."""
    by_currency: dict[str, list[Charge]] = {}
    for charge in charges:
        by_currency.setdefault(charge.currency, []).append(charge)
    notes = []
    for currency, rows in sorted(by_currency.items()):
        # the first charge's id makes the number unique and says where it came from
        number = f"DN-{min(row.id for row in rows)}"
        note, _change = upsert_invoice(
            session,
            company,
            InvoiceIn(
                number=number,
                customer=customer.external_id,
                issue_date=on,
                due_date=on + timedelta(days=DEBIT_NOTE_TERM_DAYS),
                total=sum(row.amount for row in rows),
                currency=currency,
                reference="; ".join(row.label for row in rows)[:140],
            ),
        )
        note.kind = "debit_note"
        for row in rows:
            row.debit_note_id = note.id
        notes.append(note)
    session.flush()
    return notes


def waive(
    session: Session,
    company: Company,
    charge_id: int,
    reason: str,
    by: tuple[int | None, str],
    now: datetime,
    on: date,
) -> Charge:
    """Waive a charge with a reason (the caller checks the role: managers and admins). A
    charge on a debit note that was paid, in part or whole, is refused: the money came in, and
    giving it back is a refund, not a waiver."""
    actor_id, actor = by
    reason = reason.strip()
    if not reason:
        raise Invalid("say why the charge is waived", field="reason")
    if len(reason) > MAX_REASON:
        raise Invalid(f"the reason is longer than {MAX_REASON} characters", field="reason")
    charge = session.scalar(
        select(Charge).where(Charge.company_id == company.id, Charge.id == charge_id)
    )
    if charge is None:
        raise NotFound(f"no charge {charge_id}")
    if charge.waived_on is not None:
        raise Conflict(f"charge {charge_id} was waived on {charge.waived_on}", field="charge")
    if charge.debit_note_id is not None:
        _credit(session, company, charge, reason, on)
    charge.waived_on, charge.waived_by, charge.waived_reason = on, actor, reason
    record(
        session,
        "charge.waived",
        at=now,
        entity_type="charge",
        entity_id=charge.id,
        actor_id=actor_id,
        company_id=company.id,
        before={"amount": charge.amount, "currency": charge.currency, "kind": charge.kind},
        after={"waived_on": on.isoformat(), "reason": reason},
        source="charges",
    )
    session.flush()
    return charge


def _credit(session: Session, company: Company, charge: Charge, reason: str, on: date) -> None:
    note = session.scalar(
        select(Invoice).where(Invoice.id == charge.debit_note_id).with_for_update()
    )
    assert note is not None
    paid = note.total - note.open_amount
    credited = sum(
        row.amount
        for row in session.scalars(
            select(Charge).where(Charge.debit_note_id == note.id, Charge.waived_on.is_not(None))
        )
    )
    if paid - credited > 0 or note.open_amount < charge.amount:
        raise Conflict(
            f"debit note {note.number} has been paid (in part): refund the charge instead of "
            "waiving it",
            field="charge",
        )
    add_credit_note(
        session,
        company,
        note,
        f"CN-{note.number}-{charge.id}",
        on,
        charge.amount,
        f"waived: {reason}"[:300],
    )
