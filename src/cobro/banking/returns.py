"""What comes back from Cobro's direct debits: a return or reject (a camt.054 or MT940 line
naming a collection's end-to-end id, or a pain.002 status report) undoes the collection — its
allocations are reversed, its payment is marked returned, the company's return fee is charged
on a debit note if it has one, the mandate goes back to FRST when its first collection failed
and ends when the reason says it cannot be used again, and a task asks a person to follow up.
The invoices are open again and back in their policy. Services flush; the caller commits."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.audit.service import record
from cobro.banking.mandates import end
from cobro.banking.models import StatementLine
from cobro.banking.pain002 import read_pain002
from cobro.banking.sepa_models import Collection, DebitBatch, Mandate
from cobro.banking.sepa_rules import first_collected_after, return_is_final, return_reason
from cobro.charge.debit import issue
from cobro.charge.models import Charge
from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.invoice.models import Invoice
from cobro.payment.models import Allocation, Payment
from cobro.payment.service import reverse_allocation
from cobro.task.service import raise_task


@dataclass(frozen=True)
class OwnDebits:
    """Cobro's own collections and batches a statement or a status report may name, read in
    two queries for the whole file (not one per line)."""

    collections: dict[str, Collection]  # by end-to-end id
    batches: dict[str, int]  # message id -> total

    @classmethod
    def of(cls, session: Session, company: Company, end_to_end_ids: Iterable[str]) -> OwnDebits:
        ids = sorted(set(end_to_end_ids))
        collections: dict[str, Collection] = {}
        for start in range(0, len(ids), 500):  # bounded IN lists
            for collection in session.scalars(
                select(Collection).where(
                    Collection.company_id == company.id,
                    Collection.end_to_end_id.in_(ids[start : start + 500]),
                )
            ):
                collections[collection.end_to_end_id] = collection
        batches = dict(
            session.execute(
                select(DebitBatch.message_id, DebitBatch.total).where(
                    DebitBatch.company_id == company.id
                )
            ).all()
        )
        return cls(collections, batches)

    def batch_credit(self, line: StatementLine) -> bool:
        """The bank credited a whole batch as one line, naming its message id or a payment
        information id ("<message id>-1")."""
        for reference in (line.instruction_id, line.end_to_end_id, line.remittance):
            head = reference.strip().split()[0] if reference and reference.strip() else ""
            message_id = head.rsplit("-", 1)[0] if head.count("-") >= 3 else head
            if message_id in self.batches:
                return True
        return False


def return_collection(
    session: Session, company: Company, collection: Collection, reason: str | None, on: date
) -> bool:
    """Undo a collection the debtor's bank sent back; False when it was already undone."""
    if collection.state == "returned":
        return False
    code = (reason or "MS03").upper()  # no reason given: "reason not specified"
    payment = session.get_one(Payment, collection.payment_id)
    invoices = []
    for allocation in list(
        session.scalars(select(Allocation).where(Allocation.payment_id == payment.id))
    ):
        invoices.append(session.get_one(Invoice, allocation.invoice_id))
        reverse_allocation(session, allocation)
    payment.returned_on, payment.return_reason, payment.unapplied = on, code, 0
    collection.state, collection.return_reason, collection.returned_on = "returned", code, on
    mandate = session.get_one(Mandate, collection.mandate_id)
    first = first_collected_after(mandate.next_sequence == "RCUR", collection.sequence_type, True)
    if mandate.state == "active":
        mandate.next_sequence = "RCUR" if first else "FRST"
        if return_is_final(code):
            end(mandate, "revoked", f"{code}: {return_reason(code)}")
    customer = session.get_one(Customer, payment.customer_id)
    _return_fee(session, company, customer, collection, on)
    _task(session, company, customer, collection, code, invoices, on)
    session.flush()
    return True


def _return_fee(
    session: Session, company: Company, customer: Customer, collection: Collection, on: date
) -> None:
    """The company's fee for a returned debit, charged on a debit note the policy chases."""
    if company.return_fee <= 0:
        return
    charge = Charge(
        company_id=company.id,
        customer_id=customer.id,
        invoice_id=None,
        key=f"sepa-return-{collection.id}",
        kind="fee",
        currency="EUR",
        amount=company.return_fee,
        computed_on=on,
        label=f"Returned direct debit {collection.end_to_end_id}",
        detail={"rule": "return fee", "collection": collection.end_to_end_id},
        mode="charge",
    )
    session.add(charge)
    session.flush()
    issue(session, company, customer, [charge], on)


def _task(
    session: Session,
    company: Company,
    customer: Customer,
    collection: Collection,
    code: str,
    invoices: list[Invoice],
    on: date,
) -> None:
    numbers = ", ".join(invoice.number for invoice in invoices)
    raise_task(
        session,
        company_id=company.id,
        customer=customer,
        kind="follow_up",
        title=f"Direct debit returned ({code}): {return_reason(code)}",
        detail=f"{collection.end_to_end_id} for {numbers}: open again and back in the policy",
        due_on=on,
        invoice_id=invoices[0].id if len(invoices) == 1 else None,
    )


@dataclass
class StatusOutcome:
    message_id: str
    rejected: list[str] = field(default_factory=list)  # end-to-end ids undone
    unknown: list[str] = field(default_factory=list)  # not ours (another file, another company)
    already: list[str] = field(default_factory=list)  # undone before


def apply_status_report(
    session: Session, company: Company, data: bytes, on: date, now: datetime
) -> StatusOutcome:
    """A pain.002 from the creditor's bank: each collection it rejects is undone as a return
    (a reject comes before settlement, but the ledger already counted the money in)."""
    report = read_pain002(data)
    outcome = StatusOutcome(report.original_message_id)
    rejected = [tx for tx in report.transactions if tx.rejected or report.rejected]
    own = OwnDebits.of(session, company, (tx.original_end_to_end_id for tx in rejected))
    for tx in rejected:
        collection = own.collections.get(tx.original_end_to_end_id)
        if collection is None:
            outcome.unknown.append(tx.original_end_to_end_id)
        elif return_collection(session, company, collection, tx.reason_code, on):
            outcome.rejected.append(collection.end_to_end_id)
        else:
            outcome.already.append(collection.end_to_end_id)
    record(
        session,
        "sepa.status_report",
        at=now,
        entity_type="sepa_batch",
        entity_id=report.original_message_id,
        company_id=company.id,
        after={"rejected": outcome.rejected, "unknown": outcome.unknown},
        source="bank",
    )
    return outcome
