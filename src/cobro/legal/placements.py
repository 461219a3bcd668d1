"""Agency placements: a customer's open invoices handed to a collection agency. While placed,
an "agency" hold on each invoice keeps reminders from going out; a recall releases them (the
chase resumes at the next cycle); the agency's payments are synced from its file, and a
placement whose invoices are all paid is closed. One active placement per invoice. Always
within one company; each change an audit event. Services flush; the caller commits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from cobro.audit.actor import NOBODY, Actor
from cobro.audit.service import record
from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.customer.service import Change, get_customer
from cobro.errors import Conflict, Invalid, NotFound
from cobro.invoice.models import Invoice
from cobro.invoice.service import get_invoice
from cobro.kit.dates import utcnow
from cobro.kit.pagination import Page, PageRequest, paginate_rows
from cobro.legal import rules
from cobro.legal.models import Placement, PlacementInvoice
from cobro.payment.service import PaymentIn, record_payment
from cobro.policy.holds import HoldPart, place_hold
from cobro.policy.models import Hold


@dataclass(frozen=True)
class PlacementRow:
    id: int
    customer: str  # external id
    customer_name: str
    agency: str
    reference: str | None
    status: str
    placed_on: date
    recalled_on: date | None
    amount: int  # placed, minor units
    currency: str
    commission_percent: str | None
    note: str | None
    created_by: str | None
    created_at: datetime
    invoices: tuple[str, ...] = ()  # numbers


@dataclass(frozen=True)
class SyncResult:
    recorded: int  # new payments
    already: int  # rows recorded by an earlier sync
    amount: int  # minor units newly recorded
    closed: bool  # the placement closed: all its invoices are paid


def _audit(
    session: Session,
    action: str,
    placement: Placement,
    by: Actor,
    after: dict[str, object],
    now: datetime | None,
) -> None:
    record(
        session,
        action,
        at=now or utcnow(),
        entity_type="placement",
        entity_id=placement.id,
        actor_id=by.id,
        company_id=placement.company_id,
        after=after,
    )


def active_placement_of(session: Session, invoice_ids: Sequence[int]) -> dict[int, int]:
    """invoice id -> the id of the placement it is placed with now."""
    rows = session.execute(
        select(PlacementInvoice.invoice_id, Placement.id)
        .join(Placement, Placement.id == PlacementInvoice.placement_id)
        .where(PlacementInvoice.invoice_id.in_(list(invoice_ids)), Placement.status == "placed")
    )
    return {row[0]: row[1] for row in rows}


def place(
    session: Session,
    company: Company,
    customer: str,
    agency: str,
    on: date,
    invoices: Sequence[str] = (),
    reference: str | None = None,
    commission: str | None = None,
    note: str | None = None,
    by: Actor = NOBODY,
    now: datetime | None = None,
) -> Placement:
    """Place `invoices` of the customer (none named: all its open ones) with `agency` from
    `on`: one open-ended "agency" hold per invoice, so no reminder goes out while placed."""
    name = rules.check_agency(agency)
    percent = rules.check_commission(commission)
    target = get_customer(session, company.id, customer)
    chosen = _invoices(session, company, target, invoices)
    amount, currency = rules.check_placeable(
        [(i.number, i.open_amount, i.currency) for i in chosen]
    )
    taken = active_placement_of(session, [i.id for i in chosen])
    if taken:
        first = next(i for i in chosen if i.id in taken)
        raise Conflict(f"invoice {first.number} is placed already (placement {taken[first.id]})")
    clean_reference = (reference or "").strip() or None
    if clean_reference is not None and len(clean_reference) > rules.MAX_REFERENCE:
        raise Invalid(f"reference: at most {rules.MAX_REFERENCE} characters", field="reference")
    placement = Placement(
        company_id=company.id,
        customer_id=target.id,
        agency=name,
        reference=clean_reference,
        status="placed",
        placed_on=on,
        amount=amount,
        currency=currency,
        commission_percent=percent,
        note=(note or "").strip()[: rules.MAX_NOTE] or None,
        created_by=by.name,
    )
    session.add(placement)
    session.flush()
    for invoice in chosen:
        session.add(PlacementInvoice(placement_id=placement.id, invoice_id=invoice.id))
        place_hold(
            session,
            company,
            target,
            "agency",
            f"placed with {name}"[:300],
            on,
            invoice=invoice,
            reference=clean_reference,
            created_by=by.name,
            part=HoldPart(placement_id=placement.id),
        )
    session.flush()
    _audit(
        session,
        "placement.placed",
        placement,
        by,
        {
            "customer": customer,
            "agency": name,
            "invoices": [i.number for i in chosen],
            "amount": amount,
            "currency": currency,
            "commission": percent,
        },
        now,
    )
    return placement


def _invoices(
    session: Session, company: Company, customer: Customer, numbers: Sequence[str]
) -> list[Invoice]:
    if not numbers:
        return list(
            session.scalars(
                select(Invoice)
                .where(Invoice.customer_id == customer.id, Invoice.open_amount > 0)
                .order_by(Invoice.due_date, Invoice.id)
            )
        )
    chosen = [get_invoice(session, company.id, n) for n in dict.fromkeys(numbers)]
    for invoice in chosen:
        if invoice.customer_id != customer.id:
            raise Invalid(
                f"invoice {invoice.number} is not one of {customer.external_id}'s",
                field="invoices",
            )
    return sorted(chosen, key=lambda i: (i.due_date, i.id))


def get_placement(session: Session, company: Company, placement_id: int) -> Placement:
    placement = session.get(Placement, placement_id)
    if placement is None or placement.company_id != company.id:
        raise NotFound(f"no placement {placement_id}", field="placement_id")
    return placement


def placed_invoices(session: Session, placement_id: int) -> list[Invoice]:
    """The placement's invoices, oldest due first."""
    return list(
        session.scalars(
            select(Invoice)
            .join(PlacementInvoice, PlacementInvoice.invoice_id == Invoice.id)
            .where(PlacementInvoice.placement_id == placement_id)
            .order_by(Invoice.due_date, Invoice.id)
        )
    )


def _release(session: Session, placement: Placement, on: date) -> int:
    """Release the placement's holds not yet released: from `on` the items are chased again."""
    holds = list(
        session.scalars(
            select(Hold).where(Hold.placement_id == placement.id, Hold.released_on.is_(None))
        )
    )
    for hold in holds:
        hold.released_on = max(on, hold.starts_on)
    session.flush()
    return len(holds)


def recall(
    session: Session,
    company: Company,
    placement_id: int,
    on: date,
    by: Actor = NOBODY,
    now: datetime | None = None,
) -> Placement:
    """Take the invoices back from the agency on `on`: the next cycle chases them again."""
    placement = get_placement(session, company, placement_id)
    if placement.status != "placed":
        raise Conflict(f"placement {placement_id} is {placement.status}: nothing to recall")
    if on < placement.placed_on:
        raise Invalid(f"placement {placement_id} was placed on {placement.placed_on}", field="on")
    placement.status = "recalled"
    placement.recalled_on = on
    released = _release(session, placement, on)
    _audit(
        session, "placement.recalled", placement, by, {"on": on.isoformat(), "holds": released}, now
    )
    return placement


def sync_payments(
    session: Session,
    company: Company,
    placement_id: int,
    text: str,
    on: date,
    by: Actor = NOBODY,
    now: datetime | None = None,
) -> SyncResult:
    """Record the payments of the agency's file as payments from the customer (method
    "agency"), each applied to the placed invoice it names, else to the placed invoices oldest
    first. All or nothing: a bad row refuses the file, naming the row and field. A row recorded
    before (the same file again) adds nothing. All invoices paid: the placement is closed."""
    placement = get_placement(session, company, placement_id)
    rows = rules.read_sync_csv(text, placement.currency, on)
    invoices = placed_invoices(session, placement.id)
    by_number = {invoice.number: invoice for invoice in invoices}
    problems = [
        f"row {row.row}, invoice: {row.invoice} is not placed with {placement.agency} "
        f"in placement {placement.id}"
        for row in rows
        if row.invoice is not None and row.invoice not in by_number
    ]
    if problems:
        raise Invalid("; ".join(problems), field="file")
    customer = session.get_one(Customer, placement.customer_id)
    recorded = already = amount = 0
    with session.begin_nested():  # a row refused by the ledger leaves none of the others
        for row in rows:
            targets = (
                (row.invoice,)
                if row.invoice is not None
                else tuple(i.number for i in invoices if i.open_amount > 0)
            )
            data = PaymentIn(
                external_id=rules.payment_id(placement.id, row),
                received_on=row.paid_on,
                amount=row.amount,
                currency=row.currency,
                customer=customer.external_id,
                method="agency",
                reference=(row.reference or placement.reference or placement.agency)[:140],
                payer_name=placement.agency[:200],
                invoices=targets,
            )
            try:
                _payment, change = record_payment(session, company, data)
            except (Invalid, Conflict) as refused:
                raise Invalid(f"row {row.row}: {refused.message}", field="file") from None
            if change is Change.CREATED:
                recorded, amount = recorded + 1, amount + row.amount
            else:
                already += 1
    closed = placement.status != "closed" and all(i.open_amount == 0 for i in invoices)
    if closed:
        placement.status = "closed"
        _release(session, placement, on)
    if recorded or closed:
        _audit(
            session,
            "placement.payments_synced",
            placement,
            by,
            {"recorded": recorded, "amount": amount, "closed": closed},
            now,
        )
    return SyncResult(recorded, already, amount, closed)


def _query(company_id: int) -> Select[Placement, str, str]:
    return (
        select(Placement, Customer.external_id, Customer.name)
        .join(Customer, Customer.id == Placement.customer_id)
        .where(Placement.company_id == company_id)
    )


def _row(
    placement: Placement, external_id: str, name: str, invoices: tuple[str, ...] = ()
) -> PlacementRow:
    return PlacementRow(
        placement.id,
        external_id,
        name,
        placement.agency,
        placement.reference,
        placement.status,
        placement.placed_on,
        placement.recalled_on,
        placement.amount,
        placement.currency,
        placement.commission_percent,
        placement.note,
        placement.created_by,
        placement.created_at,
        invoices,
    )


def placements_page(
    session: Session,
    company_id: int,
    page: PageRequest,
    status: str | None = None,
    customer: str | None = None,
) -> Page[PlacementRow]:
    """The company's placements, newest first, each with its invoices' numbers."""
    query = _query(company_id)
    if status is not None:
        query = query.where(Placement.status == status)
    if customer is not None:
        query = query.where(Customer.external_id == customer)
    found = paginate_rows(session, query.order_by(Placement.id.desc()), page, _row)
    numbers = _numbers(session, [row.id for row in found.items])
    items = [_with_invoices(row, numbers.get(row.id, ())) for row in found.items]
    return Page(items, found.limit, found.offset, found.next_offset)


def _numbers(session: Session, ids: list[int]) -> dict[int, tuple[str, ...]]:
    numbers: dict[int, list[str]] = {}
    if ids:
        for placement_id, number in session.execute(
            select(PlacementInvoice.placement_id, Invoice.number)
            .join(Invoice, Invoice.id == PlacementInvoice.invoice_id)
            .where(PlacementInvoice.placement_id.in_(ids))
            .order_by(Invoice.due_date, Invoice.id)
        ):
            numbers.setdefault(placement_id, []).append(number)
    return {key: tuple(value) for key, value in numbers.items()}


def _with_invoices(row: PlacementRow, numbers: tuple[str, ...]) -> PlacementRow:
    return replace(row, invoices=numbers)


def placement_detail(session: Session, company_id: int, placement_id: int) -> PlacementRow:
    found = session.execute(_query(company_id).where(Placement.id == placement_id)).first()
    if found is None:
        raise NotFound(f"no placement {placement_id}", field="placement_id")
    return _row(*found, invoices=_numbers(session, [placement_id]).get(placement_id, ()))
