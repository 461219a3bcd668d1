"""What a person does to charges: read them, set the company's charge settings, waive one
(`debit.waive`). Always within one company; each change an audit event. Services flush; the
caller commits."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from cobro.audit.service import record
from cobro.charge.models import Charge
from cobro.company.models import CHARGE_MODES, Company
from cobro.customer.models import Customer
from cobro.errors import Invalid, NotFound
from cobro.interest.law import MAX_AGREED, check_jurisdiction
from cobro.invoice.models import Invoice
from cobro.kit.pagination import Page, PageRequest, paginate_rows


@dataclass(frozen=True)
class ChargeRow:
    id: int
    customer: str  # external id
    invoice: str | None  # number; None: a fee for a whole notice
    kind: str
    label: str
    currency: str
    amount: int
    computed_on: date
    accrued_from: date | None
    accrued_to: date | None
    stage: str | None
    mode: str
    debit_note: str | None
    waived_on: date | None
    waived_by: str | None
    waived_reason: str | None
    detail: dict[str, Any]


def charges_page(
    session: Session,
    company_id: int,
    page: PageRequest,
    *,
    customer: str | None = None,
    invoice: str | None = None,
    waived: bool | None = None,
) -> Page[ChargeRow]:
    """The company's charges, newest first, optionally of one customer or invoice."""
    query, item = _query(company_id)
    if customer is not None:
        query = query.where(Customer.external_id == customer)
    if invoice is not None:
        query = query.where(item.number == invoice)
    if waived is not None:
        query = query.where(Charge.waived_on.is_not(None) if waived else Charge.waived_on.is_(None))
    return paginate_rows(session, query.order_by(Charge.id.desc()), page, _row)


def _query(company_id: int) -> tuple[Select[Charge, str, str, str], type[Invoice]]:
    """The company's charges with their customer, invoice and debit note; and the alias of the
    invoice, to filter on."""
    item = aliased(Invoice)
    note = aliased(Invoice)
    query = (
        select(Charge, Customer.external_id, item.number, note.number)
        .join(Customer, Customer.id == Charge.customer_id)
        .outerjoin(item, item.id == Charge.invoice_id)
        .outerjoin(note, note.id == Charge.debit_note_id)
        .where(Charge.company_id == company_id)
    )
    return query, item


def _row(charge: Charge, customer: str, invoice: str | None, note: str | None) -> ChargeRow:
    return ChargeRow(
        id=charge.id,
        customer=customer,
        invoice=invoice,
        kind=charge.kind,
        label=charge.label,
        currency=charge.currency,
        amount=charge.amount,
        computed_on=charge.computed_on,
        accrued_from=charge.accrued_from,
        accrued_to=charge.accrued_to,
        stage=charge.stage,
        mode=charge.mode,
        debit_note=note,
        waived_on=charge.waived_on,
        waived_by=charge.waived_by,
        waived_reason=charge.waived_reason,
        detail=charge.detail,
    )


def charge_row(session: Session, company_id: int, charge_id: int) -> ChargeRow:
    query, _item = _query(company_id)
    found = session.execute(query.where(Charge.id == charge_id)).one_or_none()
    if found is None:
        raise NotFound(f"no charge {charge_id}")
    charge, customer, invoice, note = found
    return _row(charge, customer, invoice, note)


def update_settings(
    session: Session,
    company: Company,
    changes: Mapping[str, str | None],
    actor_id: int | None,
    now: datetime,
) -> Company:
    """Change any of jurisdiction (a code, or "" to claim no statutory interest), mode
    (off, claim, charge) and contract_rate (% a year, or "" for none)."""
    before = settings_of(company)
    for name, value in changes.items():
        if name == "jurisdiction":
            company.jurisdiction = check_jurisdiction(value) if value else None
        elif name == "mode":
            if value not in CHARGE_MODES:
                raise Invalid(f"mode {value!r}: use one of {', '.join(CHARGE_MODES)}", "mode")
            company.charge_mode = value
        elif name == "contract_rate":
            company.contract_rate = _rate(value) if value else None
        else:
            raise Invalid(f"unknown setting {name!r}", field=name)
    record(
        session,
        "company.charges_changed",
        at=now,
        entity_type="company",
        entity_id=company.id,
        actor_id=actor_id,
        company_id=company.id,
        before=before,
        after=settings_of(company),
        source="charges",
    )
    session.flush()
    return company


def settings_of(company: Company) -> dict[str, str | None]:
    return {
        "jurisdiction": company.jurisdiction,
        "mode": company.charge_mode,
        "contract_rate": company.contract_rate,
    }


def _rate(text: str) -> str:
    try:
        rate = Decimal(text.strip().rstrip("%").strip())
    except InvalidOperation:
        raise Invalid(f"contract rate {text!r} is not a number", field="contract_rate") from None
    if not rate.is_finite() or not Decimal(0) < rate <= MAX_AGREED:
        raise Invalid(
            f"contract rate {text!r}: a yearly percentage above 0 and at most {MAX_AGREED}",
            field="contract_rate",
        )
    return f"{rate.normalize():f}"
