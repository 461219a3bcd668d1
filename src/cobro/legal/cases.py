"""Legal cases: one open case per customer, moved stage by stage (pre-legal demand, claim
filed, judgment, enforcement) until closed; each move a CaseStep and an audit event. Always
within one company: another company's case or customer is NotFound. Services flush; the
caller commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from cobro.audit.actor import NOBODY, Actor
from cobro.audit.service import record
from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.customer.service import get_customer
from cobro.errors import Conflict, Invalid, NotFound
from cobro.invoice.models import Invoice
from cobro.kit.dates import utcnow
from cobro.kit.pagination import Page, PageRequest, paginate_rows
from cobro.legal import rules
from cobro.legal.models import CASE_STAGES, PLACEMENT_STATUSES, CaseStep, LegalCase

assert rules.STAGES == CASE_STAGES
assert rules.STATUSES == PLACEMENT_STATUSES


@dataclass(frozen=True)
class StepRow:
    stage: str
    reached_on: date
    note: str | None
    by: str | None


@dataclass(frozen=True)
class CaseRow:
    """A case as the pages, the API and the case file show it."""

    id: int
    customer: str  # external id
    customer_name: str
    stage: str
    opened_on: date
    closed_on: date | None
    amount: int
    currency: str
    court: str | None
    case_number: str | None
    lawyer: str | None
    guarantees: str | None
    note: str | None
    created_by: str | None
    created_at: datetime
    steps: tuple[StepRow, ...] = ()


@dataclass(frozen=True)
class CaseIn:
    court: str | None = None
    case_number: str | None = None
    lawyer: str | None = None
    guarantees: str | None = None
    note: str | None = None


def _clean(text: str | None, limit: int, field: str) -> str | None:
    if text is None or not text.strip():
        return None
    if len(text.strip()) > limit:
        raise Invalid(f"{field} is longer than {limit} characters", field=field)
    return text.strip()


def open_amount(session: Session, customer: Customer) -> tuple[int, str]:
    """What the customer has open, in the currency most of it is in (its own on a tie or
    when nothing is open): a case claims one sum."""
    rows = session.execute(
        select(Invoice.currency, func.sum(Invoice.open_amount))
        .where(Invoice.customer_id == customer.id, Invoice.open_amount > 0)
        .group_by(Invoice.currency)
    ).all()
    totals = {currency: int(total) for currency, total in rows}
    if not totals:
        return 0, customer.currency
    currency = max(sorted(totals), key=lambda c: (totals[c], c == customer.currency))
    return totals[currency], currency


def open_case(
    session: Session,
    company: Company,
    customer: str,
    on: date,
    details: CaseIn = CaseIn(),
    by: Actor = NOBODY,
    now: datetime | None = None,
) -> LegalCase:
    """Open the customer's case at the pre-legal demand, claiming what is open on `on`."""
    target = get_customer(session, company.id, customer)
    existing = session.scalar(
        select(LegalCase.id).where(LegalCase.customer_id == target.id, LegalCase.stage != "closed")
    )
    if existing is not None:
        raise Conflict(f"customer {customer} already has an open legal case ({existing})")
    amount, currency = open_amount(session, target)
    if amount <= 0:
        raise Invalid(f"customer {customer} owes nothing: there is no case", field="customer")
    case = LegalCase(
        company_id=company.id,
        customer_id=target.id,
        stage="pre_legal",
        opened_on=on,
        amount=amount,
        currency=currency,
        court=_clean(details.court, 200, "court"),
        case_number=_clean(details.case_number, 100, "case_number"),
        lawyer=_clean(details.lawyer, 200, "lawyer"),
        guarantees=_clean(details.guarantees, 20_000, "guarantees"),
        note=_clean(details.note, 20_000, "note"),
        created_by=by.name,
    )
    session.add(case)
    session.flush()
    session.add(CaseStep(case_id=case.id, stage="pre_legal", reached_on=on, by=by.name))
    session.flush()
    record(
        session,
        "legal_case.opened",
        at=now or utcnow(),
        entity_type="legal_case",
        entity_id=case.id,
        actor_id=by.id,
        company_id=company.id,
        after={"customer": customer, "amount": amount, "currency": currency},
    )
    return case


def get_case(session: Session, company: Company, case_id: int) -> LegalCase:
    case = session.get(LegalCase, case_id)
    if case is None or case.company_id != company.id:
        raise NotFound(f"no legal case {case_id}", field="case_id")
    return case


def move_case(
    session: Session,
    company: Company,
    case_id: int,
    stage: str,
    on: date,
    note: str | None = None,
    by: Actor = NOBODY,
    now: datetime | None = None,
) -> LegalCase:
    """Move the case to `stage` on `on` (forward one stage, or closed from any)."""
    case = get_case(session, company, case_id)
    rules.check_move(case.stage, stage)
    if on < case.opened_on:
        raise Invalid(f"the case was opened on {case.opened_on}, after {on}", field="on")
    before = case.stage
    case.stage = stage
    if stage == "closed":
        case.closed_on = on
    session.add(
        CaseStep(
            case_id=case.id,
            stage=stage,
            reached_on=on,
            note=_clean(note, rules.MAX_NOTE, "note"),
            by=by.name,
        )
    )
    session.flush()
    record(
        session,
        "legal_case.moved",
        at=now or utcnow(),
        entity_type="legal_case",
        entity_id=case.id,
        actor_id=by.id,
        company_id=company.id,
        before={"stage": before},
        after={"stage": stage, "on": on.isoformat()},
    )
    return case


def _query(company_id: int) -> Select[LegalCase, str, str]:
    return (
        select(LegalCase, Customer.external_id, Customer.name)
        .join(Customer, Customer.id == LegalCase.customer_id)
        .where(LegalCase.company_id == company_id)
    )


def _row(case: LegalCase, external_id: str, name: str, steps: tuple[StepRow, ...] = ()) -> CaseRow:
    return CaseRow(
        case.id,
        external_id,
        name,
        case.stage,
        case.opened_on,
        case.closed_on,
        case.amount,
        case.currency,
        case.court,
        case.case_number,
        case.lawyer,
        case.guarantees,
        case.note,
        case.created_by,
        case.created_at,
        steps,
    )


def cases_page(
    session: Session,
    company_id: int,
    page: PageRequest,
    stage: str | None = None,
    customer: str | None = None,
) -> Page[CaseRow]:
    """The company's cases, newest first (their steps in each one's own detail)."""
    query = _query(company_id)
    if stage is not None:
        query = query.where(LegalCase.stage == stage)
    if customer is not None:
        query = query.where(Customer.external_id == customer)
    return paginate_rows(session, query.order_by(LegalCase.id.desc()), page, _row)


def case_detail(session: Session, company_id: int, case_id: int) -> CaseRow:
    found = session.execute(_query(company_id).where(LegalCase.id == case_id)).first()
    if found is None:
        raise NotFound(f"no legal case {case_id}", field="case_id")
    steps = tuple(
        StepRow(step.stage, step.reached_on, step.note, step.by)
        for step in session.scalars(
            select(CaseStep).where(CaseStep.case_id == case_id).order_by(CaseStep.id)
        )
    )
    return _row(*found, steps=steps)
