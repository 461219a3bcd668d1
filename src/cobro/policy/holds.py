"""Holds and opt-outs: the reasons the cycle leaves an item, a customer or a channel alone."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.errors import Conflict, Invalid, NotFound
from cobro.invoice.models import Invoice
from cobro.policy.models import HOLD_KINDS, Hold, OptOut
from cobro.policy.rules import CHANNELS


@dataclass(frozen=True)
class ActiveHolds:
    """Holds in force on one day: customer-wide ones and those on single invoices (by kind)."""

    customers: Mapping[int, str]
    invoices: Mapping[int, str]
    # invoices held in part (a dispute of part of the amount): the amount held and its kind.
    # The rest of such an invoice is chased
    parts: Mapping[int, tuple[int, str]] = field(default_factory=dict)

    def reason(self, customer_id: int, invoice_id: int) -> str | None:
        return self.customers.get(customer_id) or self.invoices.get(invoice_id)


@dataclass(frozen=True)
class HoldPart:
    """What a hold placed by an agreement or a case carries besides the plain hold."""

    amount: int | None = None  # minor units of the invoice; None: all of it
    promise_id: int | None = None
    dispute_id: int | None = None
    plan_id: int | None = None
    placement_id: int | None = None


def place_hold(
    session: Session,
    company: Company,
    customer: Customer,
    kind: str,
    reason: str,
    starts_on: date,
    ends_on: date | None = None,
    invoice: Invoice | None = None,
    reference: str | None = None,
    created_by: str | None = None,
    part: HoldPart | None = None,
) -> Hold:
    """Hold the customer (no invoice), one invoice, or `part.amount` of one invoice; `part`
    also names the promise or dispute the hold belongs to."""
    if kind not in HOLD_KINDS:
        raise Invalid(f"hold kind {kind!r}: use one of {', '.join(HOLD_KINDS)}", field="kind")
    if not reason.strip():
        raise Invalid("a hold needs a reason", field="reason")
    if ends_on is not None and ends_on < starts_on:
        raise Invalid(f"the hold ends ({ends_on}) before it starts ({starts_on})", field="ends_on")
    if kind == "paid_claim" and ends_on is None:
        # an "I've paid" claim that never expires would silence a debtor forever
        raise Invalid('an "I\'ve paid" claim needs an end date', field="ends_on")
    if customer.company_id != company.id:
        raise Invalid(f"customer {customer.external_id} is not a customer of {company.code}")
    if invoice is not None and invoice.customer_id != customer.id:
        raise Invalid(
            f"invoice {invoice.number} is not one of {customer.external_id}'s", field="invoice"
        )
    part = part or HoldPart()
    if part.amount is not None and (invoice is None or part.amount <= 0):
        raise Invalid("only a positive part of one invoice can be held", field="amount")
    hold = Hold(
        company_id=company.id,
        customer_id=customer.id,
        invoice_id=None if invoice is None else invoice.id,
        kind=kind,
        reason=reason.strip(),
        reference=reference,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=created_by,
        amount=part.amount,
        promise_id=part.promise_id,
        dispute_id=part.dispute_id,
        plan_id=part.plan_id,
        placement_id=part.placement_id,
    )
    session.add(hold)
    session.flush()
    return hold


def release_hold(session: Session, company: Company, hold_id: int, on: date) -> Hold:
    hold = session.get(Hold, hold_id)
    if hold is None or hold.company_id != company.id:
        raise NotFound(f"no hold {hold_id}", field="hold")
    if hold.released_on is not None:
        raise Conflict(f"hold {hold_id} was already released on {hold.released_on}")
    hold.released_on = on
    session.flush()
    return hold


def in_force(on: date) -> ColumnElement[bool]:
    """A hold counts from its first day up to its end date, and not from its release day."""
    return and_(
        Hold.starts_on <= on,
        or_(Hold.ends_on.is_(None), Hold.ends_on >= on),
        or_(Hold.released_on.is_(None), Hold.released_on > on),
    )


def active_holds(session: Session, company_id: int, on: date) -> ActiveHolds:
    rows = session.execute(
        select(Hold.customer_id, Hold.invoice_id, Hold.kind, Hold.amount)
        .where(Hold.company_id == company_id, in_force(on))
        .order_by(Hold.id)
    )
    customers: dict[int, str] = {}
    invoices: dict[int, str] = {}
    parts: dict[int, tuple[int, str]] = {}
    for customer_id, invoice_id, kind, amount in rows:
        if invoice_id is None:
            customers.setdefault(customer_id, kind)
        elif amount is None:
            invoices.setdefault(invoice_id, kind)
        else:
            held, first = parts.get(invoice_id, (0, kind))
            parts[invoice_id] = (held + amount, first)
    return ActiveHolds(customers=customers, invoices=invoices, parts=parts)


def customer_holds(session: Session, customer_id: int, on: date) -> set[int | None]:
    """The invoices of one customer on hold on `on`; None in the set: the whole customer."""
    rows = session.scalars(
        select(Hold.invoice_id).where(Hold.customer_id == customer_id, in_force(on))
    )
    return set(rows)


def list_holds(session: Session, company: Company, on: date | None = None) -> list[Hold]:
    query = select(Hold).where(Hold.company_id == company.id)
    if on is not None:
        query = query.where(in_force(on))
    return list(session.scalars(query.order_by(Hold.starts_on, Hold.id)))


def opt_out(session: Session, customer: Customer, channel: str, source: str | None) -> OptOut:
    if channel not in {str(c) for c in CHANNELS}:
        options = ", ".join(sorted(str(c) for c in CHANNELS))
        raise Invalid(f"channel {channel!r}: use one of {options}", field="channel")
    existing = session.scalar(
        select(OptOut).where(OptOut.customer_id == customer.id, OptOut.channel == channel)
    )
    if existing is not None:
        return existing
    row = OptOut(customer_id=customer.id, channel=channel, source=source)
    session.add(row)
    session.flush()
    return row


def opt_in(session: Session, customer: Customer, channel: str) -> bool:
    row = session.scalar(
        select(OptOut).where(OptOut.customer_id == customer.id, OptOut.channel == channel)
    )
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def opted_out(session: Session, company_id: int) -> dict[int, frozenset[str]]:
    channels: dict[int, set[str]] = defaultdict(set)
    rows = session.execute(
        select(OptOut.customer_id, OptOut.channel)
        .join(Customer, Customer.id == OptOut.customer_id)
        .where(Customer.company_id == company_id)
    )
    for customer_id, channel in rows:
        channels[customer_id].add(channel)
    return {customer_id: frozenset(names) for customer_id, names in channels.items()}
