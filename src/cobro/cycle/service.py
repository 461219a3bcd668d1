"""`run_cycle`: for one company and one day, decide what every open item needs and queue it.

Load once (policies, customers, holds, opt-outs, unapplied cash, contact history, settings),
stream the open items grouped by customer, plan each customer with the pure rules, and write
in batches. Nothing is sent here: the outbox rows are written in the caller's transaction, so a
cycle that dies half-way leaves nothing behind, and one that ran leaves exactly its decisions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy.orm import Session

from cobro.bulk import gc_paused
from cobro.charge.interest import settled_interest
from cobro.company.models import Company
from cobro.cycle import repository
from cobro.cycle.events import stages_reached
from cobro.cycle.items import Chunk, by_ranges, open_item_chunks
from cobro.cycle.repository import CustomerRow
from cobro.cycle.rules import Debtor, OpenItem, Plan, Planned, plan_customer
from cobro.cycle.schedule import Scheduler
from cobro.errors import Invalid
from cobro.kit.dates import utcnow
from cobro.kit.threads import overlapped
from cobro.payment.repository import unapplied_cash
from cobro.plan.review import review_plans
from cobro.policy.assign import History, Target, choose_policy, grade_from_history
from cobro.policy.claims import expired_claims
from cobro.policy.holds import ActiveHolds, active_holds, opted_out
from cobro.policy.rules import CHANNELS, CustomerKind, Grade
from cobro.policy.runs import MOST_ADVANCE, PaymentRuns, advance
from cobro.policy.service import Policies, load_policies
from cobro.promise.service import review_promises
from cobro.setoff.hints import HELD as SET_OFF
from cobro.setoff.hints import hinted_customers, review_set_offs
from cobro.writeoff.service import write_off_small_balances


@dataclass
class CycleReport:
    company: str
    on: date
    items: int = 0  # open items looked at
    moved: Counter[str] = field(default_factory=Counter)  # items per stage reached
    queued: Counter[tuple[str, str]] = field(default_factory=Counter)  # (stage, kind)
    skipped: Counter[str] = field(default_factory=Counter)  # actions not queued, by reason
    held: Counter[str] = field(default_factory=Counter)  # items not chased, by reason
    deferred: int = 0  # actions held back past the cycle day (window, holiday, contact cap)
    created: int = 0  # outbox rows actually written (0 when the day had already run)
    taken: int = 0  # moves planned here that another run of the day had just written
    grades_changed: int = 0
    interest_settled: int = 0  # interest records added for invoices paid after a claim
    claims_expired: int = 0  # "I've paid" claims that ended unanswered: a task each
    set_off_hints: int = 0  # customers we also owe: a set-off proposed (review task), not chased
    small_balances: int = 0  # small remainders written off (company.small_balance_limit)
    promises_kept: int = 0  # promises to pay met in full (their holds released)
    promises_broken: int = 0  # unpaid past due + grace: a call task each
    plans_completed: int = 0  # payment plans paid in full (their holds released)
    plans_broken: int = 0  # an installment unpaid past grace: a call task each


def run_cycle(
    session: Session, company: Company, on: date, now: datetime | None = None
) -> CycleReport:
    report = CycleReport(company=company.code, on=on)
    # no cyclic GC walking the million rows and items held meanwhile (none form cycles)
    with gc_paused():
        _run(session, company, on, now, report)
    return report


def _run(
    session: Session, company: Company, on: date, now: datetime | None, report: CycleReport
) -> None:
    policies = load_policies(session, company)
    customers = repository.customers(session, company.id)
    holds = active_holds(session, company.id, on)
    # customers we owe (vendor bills) and who owe us overdue money: a set-off, not a reminder
    set_offs = hinted_customers(session, company, on)
    scheduler = Scheduler(
        company=company,
        on=on,
        layers=repository.setting_layers(session, company.id),
        contacts=repository.recent_contacts(session, company.id, on),
        opted_out=opted_out(session, company.id),
        created_at=now or utcnow(),
    )
    planner = _Planner(
        company.id,
        on,
        policies,
        customers,
        unapplied_cash(session, on, company_id=company.id),
        _Items(policies, holds, scheduler, set_offs),
        report,
    )
    if not by_ranges(session):  # else each chunk's customers are graded just before planning
        planner.grade(repository.histories(session, company.id, on).items())
    runs = any(customer.runs for customer in customers.values())
    horizon = _horizon(policies, on, runs)
    chunks = open_item_chunks(session, company.id, on, horizon, list(customers))
    # planning (Python) in a second thread while this one reads and writes: the database
    # works with the GIL released, so on two cores the two overlap
    with repository.Writer(session) as writer:
        for planned in overlapped(chunks, planner.plan):
            writer.take(planned)
    # what this run wrote: another run of the same day at the same time (PostgreSQL) may have
    # written some of the same keys first, and then those are its own
    report.created = writer.written["actions"]
    report.taken = sum(report.moved.values()) - writer.written["steps"]
    stages_reached(session, company.id, on, now or utcnow())  # webhooks, when subscribed
    # interest claimed on invoices settled since: recorded up to the day they were paid
    report.interest_settled = len(settled_interest(session, company, on))
    report.claims_expired = len(expired_claims(session, company, on))
    review_set_offs(session, company, on, set_offs, now)
    report.set_off_hints = len(set_offs)
    promises = review_promises(session, company, on, now)
    report.promises_kept, report.promises_broken = promises.kept, promises.broken
    plans = review_plans(session, company, on, now)
    report.plans_completed, report.plans_broken = plans.completed, plans.broken
    report.small_balances = len(write_off_small_balances(session, company, on, now))
    repository.save_grades(session, planner.regraded, now or utcnow())
    report.grades_changed = len(planner.regraded)


class _Planner:
    """Plans chunks of customers into rows for the writer; touches no database."""

    def __init__(
        self,
        company_id: int,
        on: date,
        policies: Policies,
        customers: dict[int, CustomerRow],
        cash: dict[int, dict[str, int]],
        items: _Items,
        report: CycleReport,
    ) -> None:
        self.company_id = company_id
        self.on = on
        self.policies = policies
        self.customers = customers
        self.cash = cash
        self.items = items
        self.report = report
        self.regraded: dict[int, str | None] = {}  # grades that changed this run

    def plan(self, chunk: Chunk) -> repository.Pending:
        pending = repository.Pending()
        report, on = self.report, self.on
        if chunk.histories is not None:
            self.grade(chunk.graded())
        for customer_id, group in groupby(chunk.rows(), key=itemgetter(1)):
            customer = self.customers[customer_id]
            chased = self.items.of(customer, group)
            report.items += len(chased)
            plan = plan_customer(
                _debtor(customer), chased, self.policies.by_id, self.cash.get(customer_id, {}), on
            )
            _write(plan, customer, self.company_id, on, pending, self.items.scheduler, report)
        return pending

    def grade(self, histories: Iterable[tuple[int, History]]) -> None:
        """Grade these customers from their histories (`regraded` keeps what changed)."""
        customers, regraded = self.customers, self.regraded
        for customer_id, history in histories:
            customer = customers.get(customer_id)
            if customer is None or customer.by_model:
                continue  # the model's grade stands until the next scoring
            found = grade_from_history(history)
            grade = None if found is None else str(found)
            if customer.grade != grade:
                customers[customer_id] = customer._replace(grade=grade)
                regraded[customer_id] = grade


def _horizon(policies: Policies, on: date, runs: bool) -> date:
    """Items due later than this are at no stage yet, whatever their policy (a reminder
    brought forward for a payment run comes at most MOST_ADVANCE days earlier)."""
    earliest = min(stage.offset for policy in policies.by_id.values() for stage in policy.stages)
    return on - timedelta(days=earliest) + timedelta(days=MOST_ADVANCE if runs else 0)


def _debtor(customer: CustomerRow) -> Debtor:
    return Debtor(
        customer_id=customer.id,
        kind=CustomerKind(customer.kind),
        grade=Grade(customer.grade) if customer.grade else None,
        tags=customer.tags,
    )


class _Items:
    """Open item rows of one customer into the planner's items: the policy each follows (the
    invoice's, the customer's, the first matching rule's or the default), its hold, its pacing."""

    def __init__(
        self,
        policies: Policies,
        holds: ActiveHolds,
        scheduler: Scheduler,
        set_offs: Mapping[int, Mapping[str, int]] | None = None,
    ) -> None:
        self.policies = policies
        self.holds = holds
        self.set_offs = set_offs or {}
        self.scheduler = scheduler
        self.codes = {
            policy_id: frozenset(stage.code for stage in policy.stages)
            for policy_id, policy in policies.by_id.items()
        }
        # each policy's first reminder before the due date (None: it has none)
        self.pre_due = {
            policy_id: next((s.offset for s in policy.stages if s.offset < 0), None)
            for policy_id, policy in policies.by_id.items()
        }

    def of(self, customer: CustomerRow, rows: Iterable[Any]) -> list[OpenItem]:
        policies, scheduler = self.policies, self.scheduler
        on_hold = self.holds.customers.get(customer.id)
        set_off = self.set_offs.get(customer.id)  # currencies to set off rather than chase
        invoice_holds, parts = self.holds.invoices, self.holds.parts
        # what `choose_policy` returns without a rule to try: the same for every such row
        fixed = customer.policy_id if customer.policy_id is not None else policies.default_id
        gap = scheduler.customer_gap(customer)
        runs = _runs(customer)
        items = []
        for (
            invoice_id,
            _customer_id,
            due_date,
            open_amount,
            currency,
            invoice_policy,
            chase_policy,
            stage,
            stage_on,
            delivered,
        ) in rows:
            if invoice_policy is not None:
                policy_id = invoice_policy
            elif customer.policy_id is not None or not policies.rules:
                policy_id = fixed
            else:
                target = Target(
                    segment=customer.segment,
                    country=customer.country,
                    kind=customer.kind,
                    grade=customer.grade,
                    currency=currency,
                    open_amount=open_amount,
                    invoice_policy=invoice_policy,
                    customer_policy=customer.policy_id,
                )
                policy_id = choose_policy(policies.rules, policies.default_id, target)
            hold = on_hold or invoice_holds.get(invoice_id)
            chased = int(open_amount)
            if hold is None and invoice_id in parts:
                # part of it disputed: the rest is chased; nothing left, all of it is held
                held, kind = parts[invoice_id]
                chased -= held
                if chased <= 0:
                    hold = kind
            if hold is None and set_off is not None and currency in set_off:
                hold = SET_OFF
            codes = self.codes[policy_id]
            # a stage of another policy (the item's policy changed) is no stage of this one
            same = stage in codes and chase_policy == policy_id
            items.append(
                OpenItem(
                    invoice_id=invoice_id,
                    due_date=due_date,
                    open_amount=chased,
                    currency=currency,
                    policy_id=policy_id,
                    current=stage if same else None,
                    stage_on=stage_on,  # the last step's day, under any policy: the pacing
                    delivered=delivered if delivered in codes else None,
                    hold=hold,
                    min_gap=scheduler.min_gap(customer, invoice_id) if gap is None else gap,
                    advance=0 if runs is None or same else self._advance(runs, due_date, policy_id),
                )
            )
        return items

    def _advance(self, runs: PaymentRuns, due: date, policy_id: int) -> int:
        offset = self.pre_due[policy_id]
        if offset is None:
            return 0
        # the run must still be ahead: from today on (a run missed is not worth chasing early)
        return advance(runs, due=due, issued=self.scheduler.on - timedelta(days=1), offset=offset)


def _runs(customer: CustomerRow) -> PaymentRuns | None:
    if not customer.runs:
        return None
    try:
        return PaymentRuns.from_json(customer.runs)
    except Invalid:  # written by another version: no timing rather than no cycle
        return None


def _write(
    plan: Plan,
    customer: CustomerRow,
    company_id: int,
    on: date,
    pending: repository.Pending,
    scheduler: Scheduler,
    report: CycleReport,
) -> None:
    report.held.update(plan.held)
    steps, moved = pending.steps, report.moved
    for step in plan.steps:
        invoice_id, policy_id, code, amount = step
        steps.append((invoice_id, policy_id, code, on, amount))
        moved[code] += 1
    actions = pending.actions
    for planned in _in_order(plan.actions.values()):
        status, not_before, reason = scheduler.schedule(customer, planned.kind)
        if reason is not None:
            report.skipped[reason] += 1
        elif scheduler.later_than_day(customer, not_before):
            report.deferred += 1
        stage, kind = planned.stage, str(planned.kind)
        report.queued[(stage.code, kind)] += status == "queued"
        actions.append(
            (
                company_id,
                customer.id,
                planned.policy_id,
                stage.code,
                str(stage.tone),
                kind,
                on,
                status,
                not_before,
                0,
                reason,
                scheduler.created_at,
            )
        )


def _in_order(actions: Iterable[Planned]) -> list[Planned]:
    # debtor-facing messages first, so the contact caps count them before the call
    return sorted(actions, key=lambda planned: (planned.kind not in CHANNELS, str(planned.kind)))
