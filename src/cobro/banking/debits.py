"""SEPA direct-debit batches: what is due for a collection date, and the pain.008 file for it
(what comes back is `cobro.banking.returns`).

For a collection date D, each customer with an active mandate is debited once for their open
invoices due by D, and for what their payment plan's installments due by D still lack
(`banking.plan_debits`). The invoice is the pre-notification (the usual practice): it must have been
issued at least `PRENOTIFICATION_DAYS` before D, else it waits for a later batch. Writing the
batch records each debit as a payment applied to its invoices on D, so the reminders stop; the
mandate moves from FRST to RCUR (a one-off mandate is spent).
Services flush; the caller commits.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobro.audit.service import record
from cobro.banking import pain008
from cobro.banking.mandates import end
from cobro.banking.plan_debits import installments_due
from cobro.banking.sepa_models import Collection, DebitBatch, Mandate
from cobro.banking.sepa_rules import (
    earliest_collection,
    prenotification_due,
    sequence_type,
)
from cobro.company.models import Company
from cobro.customer.models import Contact, Customer
from cobro.errors import Invalid, NotFound
from cobro.invoice.models import Invoice
from cobro.payment.service import PaymentIn, record_payment
from cobro.policy.holds import active_holds

PRENOTIFICATION_DAYS = 14
VERSIONS = ("pain.008.001.02", "pain.008.001.08")


class Debit(NamedTuple):
    """One collection: a customer's mandate, the invoices it pays (in the order it pays them)
    and the amount: what is open on them, or less when a payment plan's installments are all
    that is due of some (`banking.plan_debits`)."""

    mandate: Mandate
    customer: Customer
    invoices: list[Invoice]
    amount: int


@dataclass
class Plan:
    """What a batch for a collection date would hold, and what waits, with why."""

    collections: list[Debit] = field(default_factory=list)
    waiting: list[tuple[str, str]] = field(default_factory=list)  # (invoice number, why)


def plan_batch(session: Session, company: Company, collection_date: date, on: date) -> Plan:
    plan = Plan()
    holds = active_holds(session, company.id, on)
    notify_by = prenotification_due(collection_date, PRENOTIFICATION_DAYS)
    mandated = _mandated(session, company)
    due_by_customer = _due_invoices(session, company, collection_date)
    installments = installments_due(session, company, collection_date, mandated)
    for customer_id, (mandate, customer) in mandated.items():
        due = []
        for invoice in due_by_customer.get(customer_id, []):
            why = holds.reason(customer.id, invoice.id)
            if why is None and invoice.issue_date > notify_by:
                why = f"issued {invoice.issue_date}: too late to pre-notify (by {notify_by})"
            if why is None:
                due.append(invoice)
            elif why != "plan":  # a plan's invoices are collected by its installments
                plan.waiting.append((invoice.number, why))
        amount = sum(invoice.open_amount for invoice in due)
        for part in installments.get(customer_id, []):
            if part.plan.starts_on > notify_by:
                why = f"plan {part.plan.id} made {part.plan.starts_on}: too late to pre-notify"
                plan.waiting.extend((invoice.number, why) for invoice in part.invoices)
                continue
            due += part.invoices  # after the customer's other invoices: they take what is theirs
            amount += part.amount
        if due:
            plan.collections.append(Debit(mandate, customer, due, amount))
    return plan


def _due_invoices(
    session: Session, company: Company, collection_date: date
) -> dict[int, list[Invoice]]:
    """The open euro invoices due by the collection date of every customer with an active
    mandate, in one query, oldest due first."""
    mandated = select(Mandate.customer_id).where(
        Mandate.company_id == company.id, Mandate.state == "active"
    )
    due: defaultdict[int, list[Invoice]] = defaultdict(list)
    for invoice in session.scalars(
        select(Invoice)
        .where(
            Invoice.company_id == company.id,
            Invoice.customer_id.in_(mandated),
            Invoice.open_amount > 0,
            Invoice.currency == "EUR",
            Invoice.due_date <= collection_date,
        )
        .order_by(Invoice.due_date, Invoice.id)
    ):
        due[invoice.customer_id].append(invoice)
    return due


def _mandated(session: Session, company: Company) -> dict[int, tuple[Mandate, Customer]]:
    """Each customer's latest active mandate, by customer id."""
    chosen: dict[int, tuple[Mandate, Customer]] = {}
    for mandate, customer in session.execute(
        select(Mandate, Customer)
        .join(Customer, Customer.id == Mandate.customer_id)
        .where(Mandate.company_id == company.id, Mandate.state == "active")
        .order_by(Mandate.signed_on, Mandate.id)
    ):
        chosen[customer.id] = (mandate, customer)
    return chosen


def export_batches(
    session: Session,
    company: Company,
    collection_date: date,
    version: str,
    on: date,
    by: tuple[int | None, str],
    now: datetime,
) -> list[DebitBatch]:
    """The pain.008 files for `collection_date` (one per scheme, CORE and B2B apart); none
    when nothing is due."""
    if version not in VERSIONS:
        raise Invalid(f"version must be one of {', '.join(VERSIONS)}", field="version")
    creditor = _creditor(company)
    plan = plan_batch(session, company, collection_date, on)
    by_scheme: defaultdict[str, list[Debit]] = defaultdict(list)
    for entry in plan.collections:
        by_scheme[entry.mandate.scheme].append(entry)
    batches = []
    for scheme, entries in sorted(by_scheme.items()):
        earliest = earliest_collection(on, scheme)
        if collection_date < earliest:
            raise Invalid(
                f"collection date {collection_date} is too early for {scheme}: a file sent "
                f"on {on} can be collected from {earliest}",
                field="collection_date",
            )
        batches.append(
            _write(session, company, creditor, collection_date, version, entries, by, now)
        )
    return batches


def _creditor(company: Company) -> pain008.Creditor:
    creditor_id, iban, town = company.creditor_id, company.iban, company.town
    if not (creditor_id and iban and town):
        missing = [
            name
            for name, value in (
                ("creditor identifier", creditor_id),
                ("IBAN", iban),
                ("town", town),
            )
            if not value
        ]
        raise Invalid(
            f"set the company's {', '.join(missing)} first (cobro sepa settings)",
            field="company",
        )
    return pain008.Creditor(
        name=company.name,
        iban=iban,
        creditor_id=creditor_id,
        bic=company.bic,
        address=pain008.PostalAddress(
            town=town,
            country=company.country,
            street=company.street,
            building_number=company.building_number,
            postal_code=company.postal_code,
        ),
    )


def _write(
    session: Session,
    company: Company,
    creditor: pain008.Creditor,
    collection_date: date,
    version: str,
    entries: Sequence[Debit],
    by: tuple[int | None, str],
    now: datetime,
) -> DebitBatch:
    count = session.scalar(
        select(func.count(DebitBatch.id)).where(DebitBatch.company_id == company.id)
    )
    message_id = f"CB{company.id}-{collection_date:%Y%m%d}-{(count or 0) + 1}"
    rows: list[tuple[Debit, str, str]] = []
    for debit in entries:
        mandate = debit.mandate
        kind: str = sequence_type(
            mandate.next_sequence == "RCUR", False, mandate.next_sequence == "OOFF"
        )
        rows.append((debit, kind, f"{message_id}-{len(rows) + 1}"))
    document = pain008.write_pain008(
        pain008.DebitBatch(
            message_id=message_id,
            created_at=now,
            creditor=creditor,
            collections=[
                _collection(session, debit, sequence, e2e, collection_date)
                for debit, sequence, e2e in rows
            ],
        ),
        version,
    )
    batch = DebitBatch(
        company_id=company.id,
        message_id=message_id,
        version=version,
        collection_date=collection_date,
        count=len(rows),
        total=sum(debit.amount for debit, _, _ in rows),
        currency="EUR",
        document=document.decode(),
        sha256=hashlib.sha256(document).hexdigest(),
        created_by=by[1],
    )
    session.add(batch)
    session.flush()
    for debit, sequence, e2e in rows:
        _record(session, company, batch, debit, sequence, e2e)
    record(
        session,
        "sepa.batch_written",
        at=now,
        entity_type="sepa_batch",
        entity_id=batch.id,
        actor_id=by[0],
        company_id=company.id,
        after={"message_id": message_id, "count": batch.count, "total": batch.total, "by": by[1]},
        source="bank",
    )
    return batch


def _collection(
    session: Session, debit: Debit, sequence: str, e2e: str, collection_date: date
) -> pain008.Collection:
    mandate, customer, invoices = debit.mandate, debit.customer, debit.invoices
    return pain008.Collection(
        end_to_end_id=e2e,
        amount=debit.amount,
        mandate_id=mandate.reference,
        mandate_signed_on=mandate.signed_on,
        sequence_type=sequence,
        debtor_name=mandate.debtor_name,
        debtor_iban=mandate.iban,
        debtor_bic=mandate.bic,
        debtor_address=_address(session, customer),
        remittance=", ".join(invoice.number for invoice in invoices)[:140],
        collection_date=collection_date,
        scheme=mandate.scheme,
    )


def _address(session: Session, customer: Customer) -> pain008.PostalAddress | None:
    contact = session.scalar(
        select(Contact)
        .where(Contact.customer_id == customer.id, Contact.city.is_not(None))
        .order_by(Contact.role != "billing", Contact.id)
    )
    if contact is None or not contact.city:
        return None
    return pain008.PostalAddress(
        town=contact.city[:35],
        country=contact.country or customer.country,
        street=contact.street,
        building_number=contact.building_number,
        postal_code=contact.postal_code,
    )


def _record(
    session: Session, company: Company, batch: DebitBatch, debit: Debit, sequence: str, e2e: str
) -> None:
    mandate, customer, invoices, amount = debit
    # applied in the debit's order: the installments' share goes to the plan's oldest invoices
    payment, _ = record_payment(
        session,
        company,
        PaymentIn(
            external_id=e2e,
            received_on=batch.collection_date,
            amount=amount,
            currency="EUR",
            customer=customer.external_id,
            method="sepa direct debit",
            reference=mandate.reference,
            payer_name=mandate.debtor_name,
            invoices=tuple(invoice.number for invoice in invoices),
        ),
    )
    session.add(
        Collection(
            company_id=company.id,
            batch_id=batch.id,
            mandate_id=mandate.id,
            payment_id=payment.id,
            end_to_end_id=e2e,
            sequence_type=sequence,
            amount=amount,
        )
    )
    mandate.last_collected_on = batch.collection_date
    if sequence == "OOFF":
        end(mandate, "expired", "one-off mandate used")
    else:
        mandate.next_sequence = "RCUR"
    session.flush()


def list_batches(session: Session, company: Company, limit: int = 200) -> list[DebitBatch]:
    """The batches written, newest first."""
    return list(
        session.scalars(
            select(DebitBatch)
            .where(DebitBatch.company_id == company.id)
            .order_by(DebitBatch.id.desc())
            .limit(limit)
        )
    )


def get_batch(session: Session, company: Company, batch_id: int) -> DebitBatch:
    batch = session.get(DebitBatch, batch_id)
    if batch is None or batch.company_id != company.id:
        raise NotFound(f"no batch {batch_id} in this company", field="batch")
    return batch
