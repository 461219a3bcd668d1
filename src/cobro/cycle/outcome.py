"""A cycle's run as the web shows it: the report, and per stage and channel what it queued,
with the amounts of the items that moved and the first of them by name.

`describe` reads the rows the run wrote in the caller's transaction, before it commits or (a
dry run) rolls back: what a dry run shows is exactly what a real run writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.cycle.service import CycleReport, run_cycle
from cobro.invoice.models import Invoice
from cobro.policy.models import ChaseStep

FIRST_ITEMS = 20  # items listed by name per stage


@dataclass(frozen=True)
class MovedItem:
    customer: str  # external id
    customer_name: str
    invoice: str
    due_date: date
    open_amount: int
    currency: str


@dataclass
class StageOutcome:
    stage: str
    items: int = 0  # items that reached the stage this day
    amounts: dict[str, int] = field(default_factory=dict)  # their open amounts per currency
    queued: dict[str, int] = field(default_factory=dict)  # actions queued per channel/kind
    first: list[MovedItem] = field(default_factory=list)


@dataclass(frozen=True)
class CycleOutcome:
    report: CycleReport
    dry_run: bool
    stages: list[StageOutcome]

    @property
    def moved(self) -> int:
        return sum(self.report.moved.values())

    @property
    def queued(self) -> int:
        return sum(self.report.queued.values())


def run_and_describe(
    session: Session, company: Company, on: date, dry_run: bool, first: int = FIRST_ITEMS
) -> CycleOutcome:
    """Run the cycle for `on` in the caller's transaction (which the caller rolls back for a
    dry run) and describe it."""
    report = run_cycle(session, company, on)
    return CycleOutcome(report, dry_run, describe(session, company.id, report, first))


def describe(
    session: Session, company_id: int, report: CycleReport, first: int = FIRST_ITEMS
) -> list[StageOutcome]:
    """Per stage, in the report's order: the moves of the day and the actions queued."""
    stages = {code: StageOutcome(code) for code in report.moved}
    for (code, kind), count in report.queued.items():
        if count:
            stages.setdefault(code, StageOutcome(code)).queued[kind] = count
    for code, currency, items, amount in session.execute(
        select(ChaseStep.stage, Invoice.currency, func.count(), func.sum(ChaseStep.open_amount))
        .join(Invoice, Invoice.id == ChaseStep.invoice_id)
        .where(Invoice.company_id == company_id, ChaseStep.reached_on == report.on)
        .group_by(ChaseStep.stage, Invoice.currency)
    ):
        if code in stages:
            stages[code].items += int(items)
            stages[code].amounts[currency] = int(amount or 0)
    for outcome in stages.values():
        outcome.first = _first(session, company_id, report.on, outcome.stage, first)
    return list(stages.values())


def _first(session: Session, company_id: int, on: date, stage: str, limit: int) -> list[MovedItem]:
    rows = session.execute(
        select(
            Customer.external_id,
            Customer.name,
            Invoice.number,
            Invoice.due_date,
            ChaseStep.open_amount,
            Invoice.currency,
        )
        .join(Invoice, Invoice.id == ChaseStep.invoice_id)
        .join(Customer, Customer.id == Invoice.customer_id)
        .where(
            Invoice.company_id == company_id, ChaseStep.reached_on == on, ChaseStep.stage == stage
        )
        .order_by(ChaseStep.open_amount.desc(), Invoice.id)
        .limit(limit)
    )
    return [MovedItem(*row) for row in rows]
