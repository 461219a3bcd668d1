"""Payment plans: proposing one (the schedule and the guardrails' verdict, nothing saved),
making one (a plan hold on each invoice it covers, its fee on a debit note), calling one off,
and rescheduling one (a new plan that replaces it; the old one stays as it was, for the
history). Always within one company: another company's customer, invoice or plan is NotFound.
Each change is an audit event. Services flush; the caller commits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.audit.actor import Actor as BaseActor
from cobro.audit.service import record
from cobro.auth.errors import Forbidden
from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.customer.service import get_customer
from cobro.errors import Conflict, Invalid, NotFound
from cobro.invoice.models import Invoice
from cobro.invoice.rules import InvoiceIn
from cobro.invoice.service import find_invoice, upsert_invoice
from cobro.kit.dates import utcnow
from cobro.kit.money import display
from cobro.plan import rules
from cobro.plan.coverage import covered_invoices, currency_of, taken
from cobro.plan.models import PLAN_SOURCES, PaymentPlan, PlanInstallment, PlanInvoice
from cobro.policy.holds import HoldPart, place_hold
from cobro.policy.models import Hold

NOTE_MAX = 300  # PaymentPlan.note
GUARDRAILS = "guardrails"  # approved_by of a plan the company's guardrails let through


@dataclass(frozen=True)
class Actor(BaseActor):
    """Who does it; `may_override`: the caller has the `configure` permission, so may approve
    a plan past the guardrails."""

    may_override: bool = False


@dataclass(frozen=True)
class Ask:
    """The plan asked for."""

    installments: int
    frequency: str
    first_on: date
    down_payment: int = 0
    fee: int = 0
    interest_rate: Decimal | None = None
    invoices: Sequence[str] = ()  # numbers; none: all the customer's open ones in `currency`
    currency: str | None = None  # none: that of the customer's open invoices


@dataclass(frozen=True)
class Proposal:
    """A plan as it would be made: for whom, over what, and the verdict."""

    customer: Customer
    currency: str
    invoices: list[Invoice]
    terms: rules.Terms
    verdict: rules.Verdict


def limits_of(company: Company) -> rules.Limits:
    return rules.Limits(company.plan_longest_months, company.plan_smallest_installment)


def propose(
    session: Session,
    company: Company,
    customer: str,
    ask: Ask,
    on: date,
    replacing: int | None = None,
) -> Proposal:
    """What `ask` would make for the customer (external id) on `on`: its invoices, schedule
    and guardrail verdict; nothing is written. Named invoices already in another active plan,
    disputed or placed with an agency are refused (Conflict); when none are named, those are
    left out. `replacing`: the plan a reschedule replaces, whose invoices are free."""
    debtor = get_customer(session, company.id, customer)
    code = currency_of(session, company, debtor, ask.currency)
    invoices = covered_invoices(session, company, debtor, code, ask.invoices)
    out = taken(session, company, debtor, [invoice.id for invoice in invoices], on, replacing)
    if ask.invoices and out:
        number, why = next(iter(out.values()))
        raise Conflict(f"invoice {number} {why}", field="invoices")
    invoices = [invoice for invoice in invoices if invoice.id not in out]
    terms = rules.Terms(
        total=sum(invoice.open_amount for invoice in invoices),
        count=ask.installments,
        frequency=ask.frequency,
        first_on=ask.first_on,
        down_payment=ask.down_payment,
        fee=ask.fee,
        interest_rate=ask.interest_rate,
    )
    return Proposal(debtor, code, invoices, terms, rules.assess(terms, on, limits_of(company)))


def check_approval(verdict: rules.Verdict, override: bool, by: Actor) -> str | None:
    """Refuse a plan that is none (Invalid), or past the guardrails without a person who may
    approve it (Invalid naming the field and the limit; Forbidden for one who may not). The
    approver: None inside the guardrails."""
    hard = [reason for reason in verdict.reasons if reason.hard]
    if hard or verdict.schedule is None:
        raise Invalid(hard[0].message, field=hard[0].field)
    if verdict.inside:
        return None
    if not override:
        first = verdict.reasons[0]
        raise Invalid(f"outside the guardrails: {first.message}", field=first.field)
    if not by.may_override or not by.name:
        raise Forbidden("only a manager or an admin may approve a plan past the guardrails")
    return by.name


def make_plan(
    session: Session,
    company: Company,
    customer: str,
    ask: Ask,
    on: date,
    source: str,
    by: Actor | None = None,
    override: bool = False,
    note: str | None = None,
    now: datetime | None = None,
) -> PaymentPlan:
    """A plan for the customer (external id) made on `on`: inside the company's guardrails it
    is approved by them; outside it is refused, unless `override` by a person who may
    configure. Its invoices are held until it ends; a fee goes on a debit note it covers."""
    actor = by or Actor()
    if source not in PLAN_SOURCES:
        raise Invalid(f"source {source!r}: use one of {', '.join(PLAN_SOURCES)}", "source")
    text = _note(note)
    proposal = propose(session, company, customer, ask, on)
    approver = check_approval(proposal.verdict, override, actor)
    plan = _create(session, company, proposal, on, source, actor, approver, text, None)
    _audit(session, "plan.made", plan, now, actor.id, after=_summary(plan, proposal))
    return plan


def _create(
    session: Session,
    company: Company,
    proposal: Proposal,
    on: date,
    source: str,
    actor: Actor,
    approver: str | None,
    note: str | None,
    replaces: PaymentPlan | None,
) -> PaymentPlan:
    schedule = proposal.verdict.schedule
    assert schedule is not None  # check_approval refused the others
    terms = proposal.terms
    plan = PaymentPlan(
        company_id=company.id,
        customer_id=proposal.customer.id,
        currency=proposal.currency,
        total=schedule.total,
        down_payment=terms.down_payment,
        fee=schedule.fee,
        interest_rate=None if terms.interest_rate is None else str(terms.interest_rate),
        frequency=terms.frequency,
        starts_on=on,
        grace_days=company.plan_grace_days,
        status="active",
        source=source,
        approved_by=(approver or GUARDRAILS)[:100],
        created_by=(actor.name or source)[:100],
        replaces_id=None if replaces is None else replaces.id,
        note=note,
    )
    session.add(plan)
    session.flush()
    covered = list(proposal.invoices)
    if schedule.fee:
        fee_note = _fee_note(session, company, proposal, plan, on)
        plan.fee_invoice_id = fee_note.id
        covered.append(fee_note)
    session.add_all(PlanInvoice(plan_id=plan.id, invoice_id=invoice.id) for invoice in covered)
    session.add_all(
        PlanInstallment(
            plan_id=plan.id, sequence=part.sequence, due_on=part.due_on, amount=part.amount, paid=0
        )
        for part in schedule.installments
    )
    _hold(session, company, proposal.customer, plan, covered, on, replaces)
    session.flush()
    return plan


def _fee_note(
    session: Session, company: Company, proposal: Proposal, plan: PaymentPlan, on: date
) -> Invoice:
    """The plan's fee and interest as a debit note, issued and due the day it is made (it is
    held with the rest, and chased with them should the plan break)."""
    number = f"PLAN-{plan.id}-FEE"
    if find_invoice(session, company.id, number) is not None:
        raise Conflict(f"an invoice {number} exists already", field="fee")
    schedule = proposal.verdict.schedule
    assert schedule is not None
    words = f"payment plan {plan.id}: fee"
    if schedule.interest:
        words += f" and interest at {proposal.terms.interest_rate}% a year"
    note, _change = upsert_invoice(
        session,
        company,
        InvoiceIn(
            number=number,
            customer=proposal.customer.external_id,
            issue_date=on,
            due_date=on,
            total=schedule.fee,
            currency=proposal.currency,
            reference=words[:140],
        ),
    )
    note.kind = "debit_note"
    return note


def _hold(
    session: Session,
    company: Company,
    customer: Customer,
    plan: PaymentPlan,
    invoices: list[Invoice],
    on: date,
    replaces: PaymentPlan | None,
) -> None:
    """One open-ended plan hold per invoice; those of a replaced plan move to this one (an
    invoice no longer in the plan has its hold released)."""
    moved: dict[int | None, Hold] = {}
    if replaces is not None:
        moved = {old.invoice_id: old for old in _holds_of(session, replaces.id)}
    for invoice in invoices:
        kept = moved.pop(invoice.id, None)
        if kept is not None:
            kept.plan_id = plan.id
            kept.reason = _reason(plan)
            continue
        place_hold(
            session,
            company,
            customer,
            "plan",
            _reason(plan),
            starts_on=on,
            invoice=invoice,
            created_by=plan.created_by,
            part=HoldPart(plan_id=plan.id),
        )
    for left in moved.values():
        left.released_on = on


def _reason(plan: PaymentPlan) -> str:
    return f"payment plan {plan.id}: {display(plan.total, plan.currency)} {plan.currency}"


def _holds_of(session: Session, plan_id: int) -> list[Hold]:
    return list(
        session.scalars(
            select(Hold)
            .where(Hold.plan_id == plan_id, Hold.released_on.is_(None))
            .order_by(Hold.id)
        )
    )


def release_holds(session: Session, plan: PaymentPlan, on: date) -> None:
    """The plan ended: its invoices are chased again from the next cycle, at their stage."""
    for hold in _holds_of(session, plan.id):
        hold.released_on = on
    session.flush()


def _note(note: str | None) -> str | None:
    text = (note or "").strip()
    if len(text) > NOTE_MAX:
        raise Invalid(f"the note is too long ({NOTE_MAX} characters at most)", field="note")
    return text or None


# ---- reading, calling off, rescheduling ------------------------------------------------------


def get_plan(session: Session, company_id: int, plan_id: int) -> PaymentPlan:
    plan = session.get(PaymentPlan, plan_id)
    if plan is None or plan.company_id != company_id:
        raise NotFound(f"no payment plan {plan_id}", field="plan_id")
    return plan


def _active(session: Session, company: Company, plan_id: int) -> PaymentPlan:
    plan = get_plan(session, company.id, plan_id)
    if plan.status != "active":
        raise Conflict(f"payment plan {plan_id} is already {plan.status}", field="plan_id")
    return plan


def cancel_plan(
    session: Session,
    company: Company,
    plan_id: int,
    on: date,
    by: Actor | None = None,
    now: datetime | None = None,
) -> PaymentPlan:
    """Call off an active plan: its holds end today and the chase resumes."""
    plan = _active(session, company, plan_id)
    plan.status, plan.resolved_on = "cancelled", on
    release_holds(session, plan, on)
    after: dict[str, object] = {"status": "cancelled", "resolved_on": on.isoformat()}
    actor_id = None if by is None else by.id
    _audit(session, "plan.cancelled", plan, now, actor_id, before={"status": "active"}, after=after)
    return plan


def plan_invoice_numbers(session: Session, plan: PaymentPlan, open_only: bool) -> list[str]:
    query = (
        select(Invoice.number)
        .join(PlanInvoice, PlanInvoice.invoice_id == Invoice.id)
        .where(PlanInvoice.plan_id == plan.id)
        .order_by(Invoice.due_date, Invoice.id)
    )
    if open_only:
        query = query.where(Invoice.open_amount > 0)
    return list(session.scalars(query))


def reschedule(
    session: Session,
    company: Company,
    plan_id: int,
    ask: Ask,
    on: date,
    by: Actor | None = None,
    override: bool = False,
    source: str = "web",
    now: datetime | None = None,
) -> PaymentPlan:
    """New terms for an active plan: a new plan over what is still open on its invoices
    (`ask.invoices` is ignored), which `replaces` the old one; the old one is kept, status
    "replaced", with its installments as they were paid. The holds move to the new plan.
    The same guardrails apply; refused, nothing changes."""
    actor = by or Actor()
    if source not in PLAN_SOURCES:
        raise Invalid(f"source {source!r}: use one of {', '.join(PLAN_SOURCES)}", "source")
    old = _active(session, company, plan_id)
    numbers = plan_invoice_numbers(session, old, open_only=True)
    if not numbers:
        raise Conflict(f"nothing is open on payment plan {plan_id}'s invoices", "plan_id")
    customer = session.get_one(Customer, old.customer_id)
    moved = Ask(
        installments=ask.installments,
        frequency=ask.frequency,
        first_on=ask.first_on,
        down_payment=ask.down_payment,
        fee=ask.fee,
        interest_rate=ask.interest_rate,
        invoices=numbers,
        currency=old.currency,
    )
    proposal = propose(session, company, customer.external_id, moved, on, replacing=old.id)
    approver = check_approval(proposal.verdict, override, actor)
    old.status, old.resolved_on = "replaced", on
    plan = _create(session, company, proposal, on, source, actor, approver, old.note, old)
    _audit(
        session,
        "plan.rescheduled",
        plan,
        now,
        actor.id,
        before={"plan": old.id, "status": "active"},
        after={**_summary(plan, proposal), "replaces": old.id},
    )
    return plan


def _summary(plan: PaymentPlan, proposal: Proposal) -> dict[str, object]:
    schedule = proposal.verdict.schedule
    return {
        "customer": proposal.customer.external_id,
        "total": plan.total,
        "currency": plan.currency,
        "installments": 0 if schedule is None else len(schedule.installments),
        "frequency": plan.frequency,
        "fee": plan.fee,
        "invoices": [invoice.number for invoice in proposal.invoices],
        "approved_by": plan.approved_by,
        "source": plan.source,
    }


def audit(
    session: Session,
    action: str,
    plan: PaymentPlan,
    now: datetime | None,
    actor_id: int | None,
    before: dict[str, object] | None = None,
    after: dict[str, object] | None = None,
    source: str | None = None,
) -> None:
    record(
        session,
        action,
        at=now or utcnow(),
        entity_type="payment_plan",
        entity_id=plan.id,
        actor_id=actor_id,
        company_id=plan.company_id,
        before=before,
        after=after,
        source=source or plan.source,
    )


_audit = audit
