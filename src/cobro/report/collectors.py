"""Each collector's portfolio and work over a period: the customers assigned, what they owed
at the end and how much of it was overdue, what was collected from them, the promises they
made and kept, the contacts made and the customers worked. Per collector (the customer's
`collector`, "(none)" for those without one), amounts converted to the reporting currency at
the rates of the period's end. Set-based queries; as of the period's end.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import case, distinct, exists, func, select, union_all
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.invoice.models import Invoice
from cobro.note.models import Note
from cobro.outbox.models import Action
from cobro.payment.models import Allocation
from cobro.policy.rules import CHANNELS
from cobro.promise.models import Promise
from cobro.report.kpi_rules import kept_rate, percent, rounded
from cobro.report.repository import aging_sums
from cobro.report.rules import DEFAULT_SCHEME, Bucket
from cobro.report.slices import (
    By,
    Tally,
    bars,
    check_period,
    count_columns,
    day_bounds,
    slice_group,
    slice_of,
    slicing,
)
from cobro.report.table import Cell, Column, Kind, Report
from cobro.task.models import Task

COLLECTOR = By.COLLECTOR


def collectors_report(
    session: Session, company_id: int, start: date, end: date, by: By = COLLECTOR
) -> Report:
    """One row per collector. `by` is not used: the rows are always the collectors', their
    amounts always converted to the reporting currency (as sliced by collector)."""
    del by  # the same signature as the other reports; always by collector
    period = check_period(start, end)
    reporting = session.get_one(Company, company_id).currency
    tally = Tally()
    tally.add(_with_currency(_customers(session, company_id, end), reporting), ("customers",))
    tally.add(_open(session, company_id, end), ("open", "overdue"), money=("open", "overdue"))
    tally.add(_collected(session, company_id, start, end), ("collected",), money=("collected",))
    tally.add(_promises(session, company_id, start, end), ("promises", "kept", "broken"))
    first, after = day_bounds(session, company_id, start, end)
    calls = (
        select(slice_of(COLLECTOR), func.count(Note.id))
        .join(Customer, Customer.id == Note.customer_id)
        .where(
            Note.company_id == company_id,
            Note.kind == "call",
            Note.created_at >= first,
            Note.created_at < after,
        )
        .group_by("slice")
    )
    tally.add(_with_currency(session.execute(calls), reporting), ("calls",))
    messages = (
        select(slice_of(COLLECTOR), func.count(Action.id))
        .join(Customer, Customer.id == Action.customer_id)
        .where(
            Action.company_id == company_id,
            Action.kind.in_(sorted(str(channel) for channel in CHANNELS)),
            Action.status == "sent",
            Action.sent_at >= first,
            Action.sent_at < after,
        )
        .group_by("slice")
    )
    tally.add(_with_currency(session.execute(messages), reporting), ("messages",))
    worked = _worked(session, company_id, start, end)
    tally.add(_with_currency(worked, reporting), ("worked",))
    slicing_ = slicing(session, company_id, COLLECTOR, end, tally.currencies())
    rows: list[dict[str, Cell]] = []
    for (collector, currency), sums in tally.totals(slicing_).items():
        overdue, kept, broken = sums.pop("overdue"), sums.pop("kept"), sums.pop("broken")
        rows.append(
            {
                "slice": collector,
                "currency": currency,
                **sums,
                "overdue_share": rounded(percent(overdue, sums["open"])),
                "kept_rate": rounded(kept_rate(kept, broken)),
                "contacts": sums["calls"] + sums["messages"],
            }
        )
    return Report(
        name="collectors",
        title="Collectors",
        columns=(
            Column("slice", "collector"),
            Column("currency", "currency"),
            Column("customers", "customers", Kind.COUNT),
            Column("open", "open at the end", Kind.MONEY),
            Column("overdue_share", "overdue, %", Kind.PERCENT),
            Column("collected", "collected", Kind.MONEY),
            Column("promises", "promises made", Kind.COUNT),
            Column("kept_rate", "kept rate, %", Kind.PERCENT),
            *count_columns(("calls", "calls"), ("messages", "messages"), ("contacts", "contacts")),
            Column("worked", "customers worked", Kind.COUNT),
        ),
        rows=tuple(rows),
        charts=(
            bars(
                "collected",
                "Collected per collector",
                COLLECTOR,
                rows,
                (("Collected", "collected"),),
                unit=slicing_.reporting,
                money=True,
            ),
        ),
        notes=(
            "collector: the one each customer has now (Cobro keeps no history of "
            'assignments); customers without one are under "(none)"',
            "customers: those assigned with an invoice issued by the end of the period",
            "open at the end: what their invoices still owed at the end of the period; "
            "overdue: the part past its due date then, as a share of it (n/d when nothing "
            "was open)",
            "collected: payments applied in the period to their invoices (credit notes and "
            "write-offs are not collections)",
            "promises made: in the period; kept rate: kept ÷ (kept + broken) among their "
            "promises that ended in the period, n/d when none did",
            "calls: calls logged in the period; messages: emails, SMS, WhatsApp messages and "
            "letters sent in the period; contacts: both together (days as the company's time "
            "zone counts them)",
            "customers worked: customers with a call or note logged, a task completed or a "
            "promise made in the period, each once",
            *slicing_.note(),
        ),
        period=period,
    )


def _with_currency(rows: Iterable[Sequence[Any]], currency: str) -> list[tuple[Any, ...]]:
    """(slice, values…) → (slice, currency, values…): counts have no currency of their own."""
    return [(row[0], currency, *row[1:]) for row in rows]


def _customers(session: Session, company_id: int, end: date) -> list[Any]:
    invoiced = exists().where(Invoice.customer_id == Customer.id, Invoice.issue_date <= end)
    return list(
        session.execute(
            select(slice_of(COLLECTOR), func.count(Customer.id))
            .where(Customer.company_id == company_id, invoiced)
            .group_by("slice")
        )
    )


def _open(session: Session, company_id: int, end: date) -> list[Any]:
    """(collector, currency, open, overdue) at the end of `end`, from the aging's buckets:
    overdue is every bucket but the current one."""
    found: dict[tuple[str, str], list[int]] = {}
    by = slice_of(COLLECTOR)
    for collector, currency, bucket, amount in aging_sums(
        session, company_id, end, DEFAULT_SCHEME, by, slice_group(COLLECTOR)
    ):
        sums = found.setdefault((collector, currency), [0, 0])
        sums[0] += amount
        if bucket != Bucket.CURRENT:
            sums[1] += amount
    return [(collector, currency, *sums) for (collector, currency), sums in found.items()]


def _collected(session: Session, company_id: int, start: date, end: date) -> list[Any]:
    return list(
        session.execute(
            select(slice_of(COLLECTOR), Invoice.currency, func.sum(Allocation.amount))
            .select_from(Allocation)
            .join(Invoice, Invoice.id == Allocation.invoice_id)
            .join(Customer, Customer.id == Invoice.customer_id)
            .where(Invoice.company_id == company_id, Allocation.applied_on.between(start, end))
            .group_by("slice", Invoice.currency)
        )
    )


def _promises(session: Session, company_id: int, start: date, end: date) -> list[Any]:
    """(collector, currency, made in the period, kept and broken among those ended in it)."""
    made = Promise.promised_on.between(start, end)
    ended = Promise.resolved_on.between(start, end)

    def counted(condition: Any) -> Any:
        return func.sum(case((condition, 1), else_=0))

    return list(
        session.execute(
            select(
                slice_of(COLLECTOR),
                Promise.currency,
                counted(made),
                counted(ended & (Promise.status == "kept")),
                counted(ended & (Promise.status == "broken")),
            )
            .join(Customer, Customer.id == Promise.customer_id)
            .where(Promise.company_id == company_id, made | ended)
            .group_by("slice", Promise.currency)
        )
    )


def _worked(session: Session, company_id: int, start: date, end: date) -> list[Any]:
    """(collector, distinct customers with a note or call, a task done or a promise made)."""
    first, after = day_bounds(session, company_id, start, end)
    touched = union_all(
        select(Note.customer_id.label("customer_id")).where(
            Note.company_id == company_id, Note.created_at >= first, Note.created_at < after
        ),
        select(Task.customer_id).where(
            Task.company_id == company_id,
            Task.customer_id.is_not(None),
            Task.status == "done",
            Task.closed_at >= first,
            Task.closed_at < after,
        ),
        select(Promise.customer_id).where(
            Promise.company_id == company_id, Promise.promised_on.between(start, end)
        ),
    ).subquery("touched")
    return list(
        session.execute(
            select(slice_of(COLLECTOR), func.count(distinct(touched.c.customer_id)))
            .join_from(touched, Customer, Customer.id == touched.c.customer_id)
            .group_by("slice")
        )
    )
