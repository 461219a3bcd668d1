"""Regulation F use cases: send a validation notice, record a dispute of it, record that the
verification was sent. Services add and flush; the edge (CLI command, request) commits.

Who gets a notice: a consumer (Customer.kind "consumer") in the United States or its territories
(`REG_F_COUNTRIES`), the same test that puts a consumer on the Regulation F chase profile. A
`regulation = "reg_f"` chase setting that an agency sets for consumers elsewhere is not looked up
here yet: such a company sends these notices only to its US consumers.

Disputes stop collection with holds of kind "dispute" (`cobro.policy.holds`), on the disputed
invoices or on the whole customer. Holds are per customer or invoice, so a dispute of part of
the debt holds what it names and reports the undisputed rest (vector R8), which may still be
collected; a hold on an amount comes with issue #7's disputes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.errors import Conflict, Invalid, NotFound
from cobro.invoice.models import Invoice
from cobro.kit.money import display
from cobro.notice.service import postal_address
from cobro.policy.holds import place_hold, release_hold
from cobro.policy.models import Hold
from cobro.policy.settings import REG_F_COUNTRIES
from cobro.validation.models import ValidationDispute, ValidationNotice
from cobro.validation.render import NoticeDocument, NoticeFacts, address_block, render_notice
from cobro.validation.rules import (
    Itemization,
    assumed_receipt,
    check_consistent_kind,
    check_itemization,
    dispute_timely,
    undisputed,
    validation_period_end,
)

DISPUTE_REASON = "Regulation F dispute: collection stopped until verification is sent"


@dataclass(frozen=True)
class SentNotice:
    notice: ValidationNotice
    document: NoticeDocument


@dataclass(frozen=True)
class DisputeOutcome:
    dispute: ValidationDispute
    holds: tuple[Hold, ...]  # the holds placed (none for a late dispute not honoured)
    undisputed: int  # minor units that may still be collected (R8); 0 when all is disputed
    message: str  # what happened, in a sentence or two, for the collector


def check_reg_f_consumer(customer: Customer) -> None:
    """Refuse a customer that Regulation F's validation notice is not for."""
    if customer.kind != "consumer":
        raise Invalid(
            f"customer {customer.external_id} is a business: Regulation F validation notices "
            "are for consumer debts only",
            field="customer",
        )
    if customer.country.upper() not in REG_F_COUNTRIES:
        countries = ", ".join(sorted(REG_F_COUNTRIES))
        raise Invalid(
            f"customer {customer.external_id} is a consumer in {customer.country}: Regulation F "
            f"applies to consumers in the United States and its territories ({countries})",
            field="customer",
        )


def send_notice(
    session: Session,
    company: Company,
    customer: Customer,
    sent_on: date,
    itemization: Itemization,
    creditor: str | None = None,
) -> SentNotice:
    """Store a validation notice sent on `sent_on`, with its dates and rendered document.
    `creditor`: to whom the debt is owed (default: the company itself)."""
    if customer.company_id != company.id:
        raise NotFound(f"no customer {customer.external_id}", field="customer")
    check_reg_f_consumer(customer)
    check_itemization(itemization, sent_on, customer.currency)
    check_consistent_kind(_first_kind(session, customer.id), itemization.kind)
    notice = ValidationNotice(
        company_id=company.id,
        customer_id=customer.id,
        sent_on=sent_on,
        assumed_receipt_on=assumed_receipt(sent_on),
        ends_on=validation_period_end(sent_on),
        itemization_kind=itemization.kind,
        itemization_on=itemization.on,
        owed=itemization.owed,
        interest=itemization.interest,
        fees=itemization.fees,
        payments=itemization.payments,
        total=itemization.total,
        currency=customer.currency,
        document="",
    )
    session.add(notice)
    session.flush()  # the id is the reference the notice prints
    document = render_notice(_facts(company, customer, notice, itemization, creditor))
    notice.document = document.html
    session.flush()
    return SentNotice(notice=notice, document=document)


def _first_kind(session: Session, customer_id: int) -> str | None:
    """The kind of itemization date of the customer's first notice, which binds the later ones."""
    return session.scalar(
        select(ValidationNotice.itemization_kind)
        .where(ValidationNotice.customer_id == customer_id)
        .order_by(ValidationNotice.sent_on, ValidationNotice.id)
        .limit(1)
    )


def notice_reference(notice: ValidationNotice) -> str:
    return f"VN-{notice.id}"


def _facts(
    company: Company,
    customer: Customer,
    notice: ValidationNotice,
    itemization: Itemization,
    creditor: str | None,
) -> NoticeFacts:
    return NoticeFacts(
        reference=notice_reference(notice),
        collector=company.name,
        creditor=(creditor or "").strip() or company.name,
        account=customer.external_id,
        consumer=customer.name,
        address=address_block(postal_address(customer)),
        collector_email=company.email,
        collector_phone=company.phone,
        sent_on=notice.sent_on,
        ends_on=notice.ends_on,
        itemization=itemization,
        currency=notice.currency,
        language=customer.language,
    )


def get_notice(session: Session, company: Company, notice_id: int) -> ValidationNotice:
    notice = session.get(ValidationNotice, notice_id)
    if notice is None or notice.company_id != company.id:
        raise NotFound(f"no validation notice {notice_id}", field="notice")
    return notice


def record_dispute(
    session: Session,
    company: Company,
    notice_id: int,
    received_on: date,
    amount: int | None = None,
    invoice_ids: Sequence[int] = (),
    honour: bool = False,
    note: str | None = None,
) -> DisputeOutcome:
    """Record a consumer's dispute of a notice's debt, received on `received_on`.

    In time (by the end of the validation period): collection stops, with open-ended dispute
    holds on `invoice_ids` or, when none are named, on the customer, until verification is sent.
    Late: recorded, and held only when the company chooses to `honour` it anyway.
    `amount`: the disputed part in minor units (None: the whole debt)."""
    notice = get_notice(session, company, notice_id)
    if received_on < notice.sent_on:
        raise Invalid(
            f"the dispute is received on {received_on}, before the notice was sent "
            f"({notice.sent_on})",
            field="received_on",
        )
    rest = undisputed(notice.total, amount, notice.currency)
    customer = session.get_one(Customer, notice.customer_id)
    invoices = [_invoice_of(session, company, customer, i) for i in invoice_ids]
    timely = dispute_timely(notice.ends_on, received_on)
    dispute = ValidationDispute(
        notice_id=notice.id, received_on=received_on, amount=amount, timely=timely, note=note
    )
    session.add(dispute)
    session.flush()
    holds: tuple[Hold, ...] = ()
    if timely or honour:
        holds = _hold(session, company, customer, dispute, invoices)
        dispute.hold_id = holds[0].id
        session.flush()
    return DisputeOutcome(
        dispute=dispute,
        holds=holds,
        undisputed=rest,
        message=_dispute_message(notice, dispute, holds, invoices, rest),
    )


def _invoice_of(session: Session, company: Company, customer: Customer, invoice_id: int) -> Invoice:
    invoice = session.get(Invoice, invoice_id)
    if invoice is None or invoice.company_id != company.id:
        raise NotFound(f"no invoice {invoice_id}", field="invoice")
    if invoice.customer_id != customer.id:
        raise Invalid(
            f"invoice {invoice.number} is not one of {customer.external_id}'s", field="invoice"
        )
    return invoice


def _dispute_reference(dispute: ValidationDispute) -> str:
    # every hold of one dispute carries it, so verification releases them all
    return f"validation-dispute:{dispute.id}"


def _hold(
    session: Session,
    company: Company,
    customer: Customer,
    dispute: ValidationDispute,
    invoices: Sequence[Invoice],
) -> tuple[Hold, ...]:
    targets: Sequence[Invoice | None] = invoices or [None]
    return tuple(
        place_hold(
            session,
            company,
            customer,
            "dispute",
            DISPUTE_REASON,
            dispute.received_on,
            invoice=invoice,
            reference=_dispute_reference(dispute),
        )
        for invoice in targets
    )


def _dispute_message(
    notice: ValidationNotice,
    dispute: ValidationDispute,
    holds: Sequence[Hold],
    invoices: Sequence[Invoice],
    rest: int,
) -> str:
    when = f"Dispute {dispute.id} received on {dispute.received_on}"
    if dispute.timely:
        said = f"{when}, within the validation period (it ends {notice.ends_on})."
    else:
        said = (
            f"{when}, after the validation period ended on {notice.ends_on}: late under "
            "Regulation F."
        )
    if not holds:
        return f"{said} No hold placed (honour it to stop collection anyway)."
    what = "invoices " + ", ".join(i.number for i in invoices) if invoices else "the whole customer"
    said += f" Collection stopped on {what} until verification is sent."
    if rest:
        said += (
            f" Undisputed: {display(rest, notice.currency)} {notice.currency} may still be "
            "collected, without overshadowing the consumer's rights."
        )
    return said


def verification_sent(
    session: Session, company: Company, dispute_id: int, on: date
) -> ValidationDispute:
    """Record that verification of the debt was mailed on `on`: the dispute's holds end then."""
    dispute = session.get(ValidationDispute, dispute_id)
    if dispute is None:
        raise NotFound(f"no validation dispute {dispute_id}", field="dispute")
    get_notice(session, company, dispute.notice_id)  # another company's: not found
    if dispute.verification_sent_on is not None:
        raise Conflict(
            f"verification for dispute {dispute_id} was already sent on "
            f"{dispute.verification_sent_on}"
        )
    if on < dispute.received_on:
        raise Invalid(
            f"verification on {on} is before the dispute was received ({dispute.received_on})",
            field="on",
        )
    held = session.scalars(
        select(Hold).where(
            Hold.company_id == company.id,
            Hold.reference == _dispute_reference(dispute),
            Hold.released_on.is_(None),
        )
    )
    for hold in held:
        release_hold(session, company, hold.id, on)
    dispute.verification_sent_on = on
    session.flush()
    return dispute


@dataclass(frozen=True)
class NoticeRow:
    notice: ValidationNotice
    customer: str  # external id
    disputes: tuple[ValidationDispute, ...]


def list_notices(session: Session, company: Company) -> list[NoticeRow]:
    """The company's notices, newest first, each with its customer and disputes."""
    rows = session.execute(
        select(ValidationNotice, Customer.external_id)
        .join(Customer, Customer.id == ValidationNotice.customer_id)
        .where(ValidationNotice.company_id == company.id)
        .order_by(ValidationNotice.sent_on.desc(), ValidationNotice.id.desc())
    ).all()
    disputes: dict[int, list[ValidationDispute]] = {}
    for dispute in session.scalars(
        select(ValidationDispute)
        .join(ValidationNotice, ValidationNotice.id == ValidationDispute.notice_id)
        .where(ValidationNotice.company_id == company.id)
        .order_by(ValidationDispute.id)
    ):
        disputes.setdefault(dispute.notice_id, []).append(dispute)
    return [
        NoticeRow(notice=notice, customer=ref, disputes=tuple(disputes.get(notice.id, ())))
        for notice, ref in rows
    ]
