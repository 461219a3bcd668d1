"""Cash application: each new credit line gets its candidates (`matching.propose`); the best is
applied at once when it is safe, the rest wait in the review queue with the candidates found.

Applying a match records the payment and its allocations (the reminders of a paid invoice stop:
the worker drops it from any message still queued, and a customer with nothing left open has
its queued messages cancelled), settles a discount the payer took with a credit note and bank
charges they deducted with a write-off, and releases the "I've paid" holds it answers.
Services flush; the caller commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.banking.book import Directory, load_book, settings_of, to_line
from cobro.banking.matching import Candidate, propose
from cobro.banking.models import StatementLine
from cobro.banking.payers import learn_payer
from cobro.banking.returns import OwnDebits, return_collection
from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.errors import Conflict, Invalid
from cobro.invoice.models import Invoice
from cobro.invoice.service import add_credit_note, write_off
from cobro.outbox.models import Action
from cobro.payment.models import Payment
from cobro.payment.service import PaymentIn, record_payment
from cobro.policy.holds import in_force
from cobro.policy.models import Hold


@dataclass
class Outcome:
    applied: int = 0
    review: int = 0
    unmatched: int = 0
    returned: int = 0
    customers: set[int] = field(default_factory=set)  # whose balance changed (to rank again)


@dataclass(frozen=True)
class Share:
    invoice_id: int
    amount: int


@dataclass(frozen=True)
class Decision:
    """What to apply a line to: one customer's invoices, what the payer deducted, the rest
    left as unapplied cash on the customer."""

    customer_id: int
    shares: tuple[Share, ...]
    discount: int = 0
    charges: int = 0

    @classmethod
    def of(cls, candidate: Candidate) -> Decision:
        shares = tuple(Share(invoice_id, amount) for invoice_id, amount in candidate.shares)
        return cls(candidate.customer_id, shares, candidate.discount, candidate.charges)


def apply_new_lines(
    session: Session, company: Company, lines: Sequence[StatementLine], on: date
) -> Outcome:
    outcome = Outcome()
    outcome.returned = _direct_debits(session, company, lines, on, outcome.customers)
    credits = [line for line in lines if line.state == "unmatched"]
    if not credits:
        return outcome
    book, directory = load_book(session, company)
    settings = settings_of(company)
    watch = Watch.of(session, company, on)
    for line in credits:
        proposal = propose(to_line(line), book, line.booking_date or on, settings)
        line.suggestions = [suggestion(directory, c) for c in proposal.candidates]
        if proposal.auto and proposal.candidates:
            decision = Decision.of(proposal.candidates[0])
            apply_decision(session, company, line, decision, "auto", watch)
            outcome.applied += 1
            outcome.customers.add(decision.customer_id)
            continue
        line.state = "review" if proposal.candidates else "unmatched"
        line.why = (proposal.why_not_auto or "no open invoice fits this payment")[:300]
        outcome.review += line.state == "review"
        outcome.unmatched += line.state == "unmatched"
    session.flush()
    return outcome


def _direct_debits(
    session: Session,
    company: Company,
    lines: Sequence[StatementLine],
    on: date,
    customers: set[int],
) -> int:
    """Lines about Cobro's own direct debits: a return or reject (money out naming one of our
    collections) undoes it; the credit of a collection or of a whole batch is already applied
    (the collection recorded its payment) and is marked so, not matched again."""
    own = OwnDebits.of(session, company, (ln.end_to_end_id for ln in lines if ln.end_to_end_id))
    returned = 0
    for line in lines:
        collection = own.collections.get(line.end_to_end_id or "")
        if collection is not None and line.state == "debit":
            return_collection(session, company, collection, line.return_reason, on)
            payer = session.get_one(Payment, collection.payment_id).customer_id
            customers.update({payer} if payer is not None else set())
            line.state, line.payment_id, line.applied_by = "returned", collection.payment_id, "sepa"
            line.why = f"direct debit {collection.end_to_end_id} returned ({line.return_reason})"
            returned += 1
        elif line.state == "unmatched" and (collection is not None or own.batch_credit(line)):
            line.state, line.applied_by = "applied", "sepa"
            line.payment_id = collection.payment_id if collection else None
            line.why = "credit of Cobro's own direct debit"
    return returned


@dataclass(frozen=True)
class Watch:
    """The customers an applied payment may have more to do for, read once per import: those
    with an "I've paid" claim in force, those with messages queued. Others skip the queries."""

    claimants: frozenset[int]
    queued: frozenset[int]

    @classmethod
    def of(cls, session: Session, company: Company, on: date) -> Watch:
        claimants = session.scalars(
            select(Hold.customer_id).where(
                Hold.company_id == company.id,
                Hold.kind == "paid_claim",
                Hold.released_on.is_(None),
                Hold.starts_on <= on + timedelta(days=1),
            )
        )
        queued = session.scalars(
            select(Action.customer_id).where(
                Action.company_id == company.id, Action.status == "queued"
            )
        )
        return cls(frozenset(claimants), frozenset(queued))


def suggestion(directory: Directory, candidate: Candidate) -> dict[str, Any]:
    """A candidate as kept on the line (JSON) and shown in the review queue."""
    external_id, name = directory.customers[candidate.customer_id]
    return {
        "customer_id": candidate.customer_id,
        "customer": external_id,
        "customer_name": name,
        "shares": [
            {"invoice_id": i, "invoice": directory.invoices.get(i, "?"), "amount": a}
            for i, a in candidate.shares
        ],
        "discount": candidate.discount,
        "charges": candidate.charges,
        "unapplied": candidate.unapplied,
        "score": candidate.score,
        "reasons": [
            {"code": r.code, "text": r.text, "points": r.points} for r in candidate.reasons
        ],
    }


def apply_decision(
    session: Session,
    company: Company,
    line: StatementLine,
    decision: Decision,
    by: str,
    watch: Watch | None = None,
) -> Payment:
    """Record the line's payment for the customer and apply it as decided; `Conflict` when the
    line was applied or ignored meanwhile, `Invalid` when an invoice no longer has the amount
    open (it was paid or credited since the candidates were found)."""
    if line.state not in ("review", "unmatched"):
        raise Conflict(f"bank line {line.id} is already {line.state}")
    if line.amount <= 0:
        raise Invalid(f"bank line {line.id} is money out: there is nothing to apply")
    customer = session.get(Customer, decision.customer_id)
    if customer is None or customer.company_id != company.id:
        raise Invalid(f"no customer {decision.customer_id} in {company.code}", field="customer")
    invoices = _invoices(session, company, customer, decision.shares)
    received_on = line.booking_date or line.value_date
    assert received_on is not None  # every reader gives a booked line a date
    payment, _ = record_payment(
        session,
        company,
        PaymentIn(
            external_id=f"bank-{line.id}",
            received_on=received_on,
            amount=line.amount,
            currency=line.currency,
            customer=customer.external_id,
            method="bank transfer",
            reference=_reference(line),
            payer_name=line.counterparty_name,
            invoices=tuple(invoices[s.invoice_id].number for s in decision.shares),
            amounts=tuple(s.amount for s in decision.shares),
        ),
    )
    _settle_deductions(session, company, line, decision, invoices, received_on)
    line.state, line.payment_id, line.applied_by = "applied", payment.id, by
    line.why = None
    if watch is None or customer.id in watch.claimants:
        _release_paid_claims(session, customer, list(invoices.values()), received_on)
    if watch is None or customer.id in watch.queued:
        _cancel_when_settled(session, customer, line, received_on)
    if by != "auto":  # a person confirmed it: the next payment from this payer is known
        learn_payer(session, company, customer, line)
    session.flush()
    return payment


def _invoices(
    session: Session, company: Company, customer: Customer, shares: Sequence[Share]
) -> dict[int, Invoice]:
    ids = [share.invoice_id for share in shares]
    found = {
        invoice.id: invoice
        for invoice in session.scalars(
            select(Invoice)
            .where(Invoice.id.in_(ids), Invoice.company_id == company.id)
            .order_by(Invoice.id)
            .with_for_update()
        )
    }
    for share in shares:
        invoice = found.get(share.invoice_id)
        if invoice is None or invoice.customer_id != customer.id:
            raise Invalid(
                f"invoice {share.invoice_id} is not an invoice of {customer.external_id}",
                field="shares",
            )
        if share.amount > invoice.open_amount:
            raise Invalid(
                f"invoice {invoice.number} has {invoice.open_amount} open, less than the "
                f"{share.amount} to apply (paid or credited since?)",
                field="shares",
            )
    return found


def _reference(line: StatementLine) -> str | None:
    text = line.structured_reference or line.end_to_end_id or line.remittance
    return text[:140] if text else None


def _settle_deductions(
    session: Session,
    company: Company,
    line: StatementLine,
    decision: Decision,
    invoices: dict[int, Invoice],
    on: date,
) -> None:
    """What the payer deducted closes the invoices it was deducted from: an early-payment
    discount by a credit note, bank charges by a write-off; never more than is open."""
    discount, charges = decision.discount, decision.charges
    for share in decision.shares:
        invoice = invoices[share.invoice_id]
        take = min(discount, invoice.open_amount)
        if take > 0:
            number = f"DSC-{line.id}-{invoice.id}"
            add_credit_note(
                session, company, invoice, number, on, take, "early-payment discount taken"
            )
            discount -= take
        take = min(charges, invoice.open_amount)
        if take > 0:
            write_off(session, invoice, take, on, f"bank charges deducted (bank line {line.id})")
            charges -= take
    if discount or charges:
        raise Invalid(
            f"bank line {line.id}: the deductions ({decision.discount + decision.charges}) are "
            "more than the invoices have open after the payment",
            field="shares",
        )


def _release_paid_claims(
    session: Session, customer: Customer, invoices: list[Invoice], on: date
) -> None:
    """An "I've paid" claim is answered by the money: the customer's claims without an invoice,
    and those on the invoices this payment settles."""
    settled = [invoice.id for invoice in invoices if invoice.open_amount == 0]
    claims = session.scalars(
        select(Hold).where(
            Hold.customer_id == customer.id,
            Hold.kind == "paid_claim",
            Hold.released_on.is_(None),
            in_force(on),
        )
    )
    for hold in claims:
        if hold.invoice_id is None or hold.invoice_id in settled:
            hold.released_on = on


def _cancel_when_settled(
    session: Session, customer: Customer, line: StatementLine, on: date
) -> None:
    """Nothing left open: the customer's queued messages and tasks have nothing to say."""
    still_open = session.scalar(
        select(Invoice.id).where(Invoice.customer_id == customer.id, Invoice.open_amount > 0)
    )
    if still_open is not None:
        return
    for action in session.scalars(
        select(Action).where(Action.customer_id == customer.id, Action.status == "queued")
    ):
        action.status = "cancelled"
        action.last_error = f"paid: bank line {line.id} on {on.isoformat()}"
