"""Payment plan endpoints (mounted under /api by `cobro.app`): the caller's company's plans
and one with its installments; a preview (the schedule and the guardrails' verdict, nothing
saved); making one (with a required `Idempotency-Key`: a retried request makes one plan),
cancelling and rescheduling one need the `work` permission (a token's `write` scope); going
past the guardrails (`override`) needs `configure` too. Another company's plan, customer or
invoice is a 404; an invoice already in a plan, disputed or placed, or a plan that ended,
a 409; a plan outside the guardrails a 422 naming the field and the limit."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.endpoint import CALLER_ERRORS, Caller, DbSession, Paging, Reader, Worker, error_responses
from cobro.idempotency.http import REPLAYED_HEADER_DOC, Idempotent
from cobro.kit.dates import today_in, utcnow
from cobro.kit.pagination import MAX_OFFSET
from cobro.kit.schemas import PageOut
from cobro.plan import queries, service
from cobro.plan.schemas import (
    PlanDetailOut,
    PlanIn,
    PlanOut,
    PreviewOut,
    ReasonOut,
    ScheduledOut,
    Status,
    TermsIn,
)

router = APIRouter(prefix="/plans", tags=["plans"], responses=CALLER_ERRORS)

PlanId = Annotated[int, Path(ge=1, le=MAX_OFFSET, description="the plan's id")]
MADE = {
    **error_responses(404, 409),
    201: {
        "description": "Created (or the stored answer, replayed)",
        "headers": REPLAYED_HEADER_DOC,
    },
}


def _company(session: Session, company_id: int) -> Company:
    return session.get_one(Company, company_id)


def _actor(caller: Caller) -> service.Actor:
    return service.Actor(caller.user.id, caller.user.email, caller.can("configure"))


def _ask(body: TermsIn, invoices: list[str], currency: str | None) -> service.Ask:
    return service.Ask(
        installments=body.installments,
        frequency=body.frequency,
        first_on=body.first_on,
        down_payment=body.down_payment,
        fee=body.fee,
        interest_rate=body.interest_rate,
        invoices=invoices,
        currency=currency,
    )


def _detail(session: Session, company: Company, plan_id: int) -> PlanDetailOut:
    found = queries.plan_detail(session, company.id, plan_id, today_in(company.timezone))
    return PlanDetailOut.model_validate(
        {
            **PlanOut.model_validate(found.row).model_dump(),
            "installments": found.installments,
            "replaced_by": found.replaced_by,
        }
    )


@router.get("")
def list_plans(
    session: DbSession,
    caller: Reader,
    page: Paging,
    status: Annotated[Status | None, Query(description="only plans in this state")] = None,
    customer: Annotated[
        str | None, Query(min_length=1, max_length=100, description="external id")
    ] = None,
) -> PageOut[PlanOut]:
    """The company's payment plans, newest first."""
    found = queries.plans_page(session, caller.company_id, page, status=status, customer=customer)
    return PageOut.of(found, PlanOut)


@router.post("/preview", responses=error_responses(404, 409))
def preview_plan(session: DbSession, caller: Worker, body: PlanIn) -> PreviewOut:
    """The schedule a plan would have and whether the guardrails allow it; nothing saved."""
    company = _company(session, caller.company_id)
    proposal = service.propose(
        session,
        company,
        body.customer,
        _ask(body, body.invoices, body.currency),
        today_in(company.timezone),
    )
    verdict = proposal.verdict
    schedule = verdict.schedule
    return PreviewOut(
        customer=proposal.customer.external_id,
        currency=proposal.currency,
        invoices=[invoice.number for invoice in proposal.invoices],
        inside_guardrails=verdict.inside,
        possible=verdict.possible,
        reasons=[ReasonOut(field=r.field, message=r.message, hard=r.hard) for r in verdict.reasons],
        total=None if schedule is None else schedule.total,
        fee=None if schedule is None else schedule.fee,
        installments=[]
        if schedule is None
        else [ScheduledOut.model_validate(part) for part in schedule.installments],
    )


@router.post("", status_code=201, response_model=PlanDetailOut, responses=MADE)
def make_plan(session: DbSession, caller: Worker, body: PlanIn, once: Idempotent) -> Response:
    """Make a plan: inside the company's guardrails it is approved at once; outside them it
    is refused unless `override` by a manager or an admin. Its invoices are held while it
    runs; a fee or interest goes on a debit note it covers."""
    company = _company(session, caller.company_id)

    def act() -> PlanDetailOut:
        plan = service.make_plan(
            session,
            company,
            body.customer,
            _ask(body, body.invoices, body.currency),
            today_in(company.timezone),
            "api",
            _actor(caller),
            body.override,
            body.note,
            utcnow(),
        )
        return _detail(session, company, plan.id)

    return once.answer(session, company.id, act)


@router.get("/{plan_id}", responses=error_responses(404))
def show_plan(session: DbSession, caller: Reader, plan_id: PlanId) -> PlanDetailOut:
    """One plan of the company, with its installments."""
    return _detail(session, _company(session, caller.company_id), plan_id)


@router.post("/{plan_id}/cancel", responses=error_responses(404, 409))
def cancel_plan(session: DbSession, caller: Worker, plan_id: PlanId) -> PlanDetailOut:
    """Call off an active plan today: its invoices are chased again from the next cycle."""
    company = _company(session, caller.company_id)
    service.cancel_plan(
        session, company, plan_id, today_in(company.timezone), _actor(caller), utcnow()
    )
    return _detail(session, company, plan_id)


@router.post("/{plan_id}/reschedule", status_code=201, responses=error_responses(404, 409))
def reschedule_plan(
    session: DbSession, caller: Worker, plan_id: PlanId, body: TermsIn
) -> PlanDetailOut:
    """New terms for an active plan: a new plan over what is still open replaces it (the old
    one is kept, status "replaced"); its holds move to the new one."""
    company = _company(session, caller.company_id)
    plan = service.reschedule(
        session,
        company,
        plan_id,
        _ask(body, [], None),
        today_in(company.timezone),
        _actor(caller),
        body.override,
        "api",
        utcnow(),
    )
    return _detail(session, company, plan.id)
