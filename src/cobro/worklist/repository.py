"""The worklist in SQL: one query ranks a company's customers with overdue items and returns
one page of them; a few small queries keyed by that page's customers add what the reason
shows (stage, latest call, queued actions).

The ranking query reads the overdue open items once (the `ix_invoice_open` index: company,
open, due date), sums them per customer and currency with their age weights, joins what else
weighs (open call tasks, failed actions, customer-wide holds, broken promises: one small grouped
subquery, `_signals`) and orders by the same priority as `worklist.rules.priority`, so the page
is cut in the database (LIMIT/OFFSET), never in Python.

Measured on PostgreSQL with 100,000 customers and 1,000,000 invoices (a third of them open and
overdue: 333,333 items; `bench/worklist_pg.py`): see the numbers there. The cost is the
aggregate over every overdue item of the company; a covering index (index-only scan) saved
little of it, so none was added."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    String,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    null,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Session

from cobro.customer.models import Customer
from cobro.invoice.models import Invoice
from cobro.kit.pagination import PageRequest, page_keys
from cobro.note.models import Note
from cobro.outbox.models import Action
from cobro.policy.holds import in_force
from cobro.policy.models import ChaseStep, Hold
from cobro.policy.progress import current_stage, join_progress
from cobro.scoring.models import CustomerScore
from cobro.task.models import Task
from cobro.worklist.models import WorklistRow
from cobro.worklist.rules import (
    BROKEN_PROMISE_BUMP,
    BROKEN_PROMISE_DAYS,
    CALL_TASK_BUMP,
    EFFORT_MOST,
    EFFORT_PER_ITEM,
    FAILED_MESSAGES_BUMP,
    GRADE_RISK,
    NO_GRADE_RISK,
    RISK_FLOOR,
    Facts,
    band_starts,
)

# the kept ranking's order (its index): customers on hold last, then most urgent first
RANK_ORDER = (
    WorklistRow.on_hold,
    WorklistRow.rank_key,
    WorklistRow.customer_id,
    WorklistRow.currency,
)


def _overdue(company_id: int, on: date) -> ColumnElement[bool]:
    return and_(
        Invoice.company_id == company_id,
        Invoice.settled_on.is_(None),
        Invoice.due_date < on,
        Invoice.open_amount > 0,
    )


def _age_weight(on: date) -> Any:
    whens = [(Invoice.due_date >= start, weight) for start, weight in band_starts(on) if start]
    last = band_starts(on)[-1][1]
    return case(*whens, else_=last)


def _only(column: Any, customer_ids: Sequence[int] | None) -> ColumnElement[bool]:
    return true() if customer_ids is None else column.in_(customer_ids)


def _per_customer(company_id: int, on: date, customer_ids: Sequence[int] | None) -> Any:
    held = (
        select(
            Hold.invoice_id,
            # a hold on part of the invoice (a dispute of part of it) holds only that part
            func.max(case((Hold.amount.is_(None), 1), else_=0)).label("whole"),
            func.coalesce(func.sum(Hold.amount), 0).label("part"),
        )
        .where(Hold.company_id == company_id, Hold.invoice_id.is_not(None), in_force(on))
        .group_by(Hold.invoice_id)
        .subquery("held")
    )
    rest = Invoice.open_amount - held.c.part
    chased = case(
        (held.c.invoice_id.is_(None), Invoice.open_amount),
        (held.c.whole == 1, 0),
        (rest > 0, rest),
        else_=0,
    )
    return (
        select(
            Invoice.customer_id,
            Invoice.currency,
            func.sum(chased).label("overdue"),
            func.sum(chased * _age_weight(on)).label("weighted"),
            func.sum(Invoice.open_amount - chased).label("held"),
            func.min(case((chased > 0, Invoice.due_date))).label("oldest_due"),
            func.count().label("items"),
        )
        .outerjoin(held, held.c.invoice_id == Invoice.id)
        .where(_overdue(company_id, on), _only(Invoice.customer_id, customer_ids))
        .group_by(Invoice.customer_id, Invoice.currency)
        .subquery("per_customer")
    )


def _signals(company_id: int, on: date, customer_ids: Sequence[int] | None) -> Any:
    """Per customer: open call tasks, failed actions, a customer-wide hold in force (its kind,
    its last day, whether one is open-ended) and the last day of a promise broken lately.

    One UNION ALL grouped once, joined once: as four grouped subqueries joined one by one,
    PostgreSQL misjudged the joins' sizes and chose nested loops that ran 40 s on 100,000
    customers instead of a hash join."""
    no_kind = cast(null(), String(12))
    no_day = cast(null(), Date)
    calls = select(
        Task.customer_id.label("customer_id"),
        literal(1).label("calls"),
        literal(0).label("failed"),
        no_kind.label("hold"),
        no_day.label("until"),
        literal(0).label("open_ended"),
        no_day.label("broken_on"),
    ).where(
        Task.company_id == company_id,
        Task.status == "open",
        Task.kind == "call",
        _only(Task.customer_id, customer_ids),
    )
    failed = select(
        Action.customer_id, literal(0), literal(1), no_kind, no_day, literal(0), no_day
    ).where(
        Action.company_id == company_id,
        Action.status == "failed",
        _only(Action.customer_id, customer_ids),
    )
    holds = select(
        Hold.customer_id,
        literal(0),
        literal(0),
        Hold.kind,
        Hold.ends_on,
        case((Hold.ends_on.is_(None), 1), else_=0),
        no_day,
    ).where(
        Hold.company_id == company_id,
        Hold.invoice_id.is_(None),
        in_force(on),
        _only(Hold.customer_id, customer_ids),
    )
    broken = select(
        Hold.customer_id, literal(0), literal(0), no_kind, no_day, literal(0), Hold.ends_on
    ).where(
        Hold.company_id == company_id,
        Hold.kind == "promise",
        Hold.released_on.is_(None),
        Hold.ends_on < on,
        Hold.ends_on >= on - timedelta(days=BROKEN_PROMISE_DAYS),
        _only(Hold.customer_id, customer_ids),
    )
    each = union_all(calls, failed, holds, broken).subquery("signal")
    return (
        select(
            each.c.customer_id,
            func.sum(each.c.calls).label("calls"),
            func.sum(each.c.failed).label("failed"),
            func.min(each.c.hold).label("hold"),
            func.max(each.c.until).label("until"),
            func.sum(each.c.open_ended).label("open_ended"),
            func.max(each.c.broken_on).label("broken_on"),
        )
        .group_by(each.c.customer_id)
        .subquery("signals")
    )


def ranking(company_id: int, on: date, customer_ids: Sequence[int] | None = None) -> Any:
    """The company's rows of the worklist on `on` (of `customer_ids` only, when given), in the
    columns of `WorklistRow`: what `worklist.snapshot` keeps."""
    per = _per_customer(company_id, on, customer_ids)
    signals = _signals(company_id, on, customer_ids)
    by_grade = case(*((Customer.grade == g, p) for g, p in GRADE_RISK.items()), else_=NO_GRADE_RISK)
    found = func.coalesce(CustomerScore.late_permille, by_grade)
    risk = case((found < RISK_FLOOR, RISK_FLOOR), else_=found)
    beyond = per.c["items"] - 1
    effort = literal(100) + case(
        (beyond * EFFORT_PER_ITEM > EFFORT_MOST, EFFORT_MOST), else_=beyond * EFFORT_PER_ITEM
    )
    bump = (
        case((signals.c.calls > 0, CALL_TASK_BUMP), else_=0)
        + case((signals.c.failed > 0, FAILED_MESSAGES_BUMP), else_=0)
        + case((signals.c.broken_on.is_not(None), BROKEN_PROMISE_BUMP), else_=0)
    )
    priority = per.c.weighted * risk * (literal(100) + bump) // effort
    on_hold = case((signals.c.hold.is_not(None) | (per.c.overdue <= 0), 1), else_=0)
    return (
        select(
            per.c.customer_id,
            per.c.currency,
            literal(company_id).label("company_id"),
            on_hold.label("on_hold"),
            (-priority).label("rank_key"),
            per.c.overdue,
            per.c.weighted,
            per.c.held,
            per.c.oldest_due,
            per.c["items"],  # (`.items` is the collection's own method)
            CustomerScore.late_permille,
            signals.c.hold,
            case((signals.c.open_ended > 0, None), else_=signals.c.until).label("hold_until"),
            signals.c.broken_on.label("promise_broken_on"),
            func.coalesce(signals.c.calls, 0).label("call_tasks"),
            func.coalesce(signals.c.failed, 0).label("failed_messages"),
        )
        .join(Customer, (Customer.id == per.c.customer_id) & (Customer.company_id == company_id))
        .outerjoin(signals, signals.c.customer_id == per.c.customer_id)
        .outerjoin(CustomerScore, CustomerScore.customer_id == per.c.customer_id)
    )


def ranked(
    session: Session,
    company_id: int,
    on: date,
    page: PageRequest,
    collector: str | None = None,
    stage: str | None = None,
) -> list[Facts]:
    """One page of the kept worklist (`page.limit + 1` rows: the extra one says there is a
    next page): on hold last, most urgent first, as `ranking` ordered it."""
    row = WorklistRow
    keys = select(row.customer_id, row.currency).where(row.company_id == company_id)
    if collector is not None:
        keys = keys.join(Customer, Customer.id == row.customer_id).where(
            Customer.collector == collector
        )
    if stage is not None:
        keys = keys.where(row.customer_id.in_(_at_stage(company_id, on, stage)))
    shown = page_keys(keys.order_by(*RANK_ORDER), page)
    query = (
        select(
            *_SHOWN,
            Customer.external_id,
            Customer.name,
            Customer.grade,
            Customer.collector,
            _stage_of(company_id, on),
            _queued(company_id),
            *_last_call(company_id),
            CustomerScore.reasons,
            CustomerScore.next_run,
        )
        .join(shown, (shown.c.customer_id == row.customer_id) & (shown.c.currency == row.currency))
        .join(Customer, Customer.id == row.customer_id)
        .outerjoin(CustomerScore, CustomerScore.customer_id == row.customer_id)
        .order_by(*RANK_ORDER)
    )
    rows: Sequence[Any] = session.execute(query).all()
    return [_facts(*found) for found in rows]


def _stage_of(company_id: int, on: date) -> Any:
    """A column of a query of `WorklistRow`: the current stage of the row's oldest overdue item
    that has one. A few index probes per row shown: far less than looking up the stage of
    every overdue item of the page's customers (5 ms for a page, 500 items)."""
    chased = exists().where(ChaseStep.invoice_id == Invoice.id)
    return (
        select(current_stage(Invoice.id))
        .where(
            _overdue(company_id, on),
            Invoice.customer_id == WorklistRow.customer_id,
            Invoice.currency == WorklistRow.currency,
            chased,
        )
        .order_by(Invoice.due_date, Invoice.id)
        .limit(1)
        .correlate(WorklistRow)
        .scalar_subquery()
    )


def _queued(company_id: int) -> Any:
    """A column of a query of `WorklistRow`: how many of its customer's actions are queued."""
    return (
        select(func.count())
        .where(
            Action.company_id == company_id,
            Action.customer_id == WorklistRow.customer_id,
            Action.status == "queued",
        )
        .correlate(WorklistRow)
        .scalar_subquery()
    )


def _last_call(company_id: int) -> tuple[Any, Any]:
    """Columns of a query of `WorklistRow`: the outcome and the time of its customer's latest
    call logged with an outcome (NULL, NULL: none)."""

    def latest(column: Any) -> Any:
        return (
            select(column)
            .where(
                Note.company_id == company_id,
                Note.customer_id == WorklistRow.customer_id,
                Note.kind == "call",
                Note.outcome.is_not(None),
            )
            .order_by(Note.created_at.desc(), Note.id.desc())
            .limit(1)
            .correlate(WorklistRow)
            .scalar_subquery()
        )

    return latest(Note.outcome), latest(Note.created_at)


def _at_stage(company_id: int, on: date, stage: str) -> Any:
    """The customers with an overdue item whose current stage is `stage`."""
    query, progress = join_progress(select(Invoice.customer_id), Invoice.id)
    return query.where(_overdue(company_id, on), progress.stage == stage)


# the columns of a kept row a page shows, in `Facts`' order
_SHOWN = (
    WorklistRow.customer_id,
    WorklistRow.currency,
    WorklistRow.overdue,
    WorklistRow.weighted,
    WorklistRow.oldest_due,
    WorklistRow.items,
    WorklistRow.held,
    WorklistRow.call_tasks,
    WorklistRow.failed_messages,
    WorklistRow.hold,
    WorklistRow.hold_until,
    WorklistRow.promise_broken_on,
    WorklistRow.late_permille,
)


def _facts(
    customer_id: int,
    currency: str,
    overdue: int,
    weighted: int,
    oldest_due: date | None,
    items: int,
    held: int,
    call_tasks: int,
    failed_messages: int,
    hold: str | None,
    hold_until: date | None,
    promise_broken_on: date | None,
    late_permille: int | None,
    external_id: str,
    name: str,
    grade: str | None,
    collector: str | None,
    stage: str | None,
    queued: int,
    call_outcome: str | None,
    called_at: datetime | None,
    reasons: list[str] | None,
    next_run: date | None,
) -> Facts:
    return Facts(
        customer_id=customer_id,
        external_id=external_id,
        name=name,
        currency=currency,
        overdue=int(overdue),
        weighted=int(weighted),
        oldest_due=oldest_due,
        items=int(items),
        held=int(held),
        grade=grade,
        collector=collector,
        call_tasks=int(call_tasks),
        failed_messages=int(failed_messages),
        hold=hold,
        hold_until=hold_until,
        promise_broken_on=promise_broken_on,
        late_permille=late_permille,
        why=reasons[0] if reasons and late_permille is not None else None,
        next_run=next_run,
        stage=stage,
        queued=int(queued),
        last_call=None
        if call_outcome is None or called_at is None
        else (
            call_outcome,
            called_at.date(),
        ),
    )


# ---- what the page's rows show besides ----------------------------------------------------------


def queued_actions(
    session: Session, company_id: int, customer_ids: Sequence[int]
) -> dict[int, list[int]]:
    """customer id -> the ids of its queued actions, oldest first."""
    if not customer_ids:
        return {}
    rows = session.execute(
        select(Action.customer_id, Action.id)
        .where(
            Action.company_id == company_id,
            Action.customer_id.in_(customer_ids),
            Action.status == "queued",
        )
        .order_by(Action.id)
    )
    found: dict[int, list[int]] = {}
    for customer_id, action_id in rows:
        found.setdefault(customer_id, []).append(action_id)
    return found


def collectors(session: Session, company_id: int) -> list[str]:
    """The collectors assigned to the company's customers (the page's filter)."""
    rows = session.scalars(
        select(Customer.collector)
        .where(Customer.company_id == company_id, Customer.collector.is_not(None))
        .distinct()
        .order_by(Customer.collector)
    )
    return [name for name in rows if name]
