"""Promises and disputes over a period, per slice: what was made or opened in it, what ended
in it and how, what was still open at its end. Set-based queries (GROUP BY in the database),
the formulas in `report.kpi_rules` and `report.activity_rules`. As of the period's end: what
happened after it changes nothing (a promise kept after the end is still open in the report).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, case, distinct, func, or_, select
from sqlalchemy.orm import Session

from cobro.customer.models import Customer
from cobro.db import days_between
from cobro.dispute.models import Dispute, DisputeItem
from cobro.invoice.models import Invoice
from cobro.promise.models import Promise
from cobro.report.kpi_rules import kept_rate, percent, ratio, rounded
from cobro.report.slices import (
    By,
    Tally,
    bars,
    check_period,
    count_columns,
    key_cells,
    key_columns,
    slice_of,
    slicing,
)
from cobro.report.table import Cell, Column, Kind, Report

OUTCOMES = (  # how a dispute ends: its status, the column's label
    ("credited", "credited"),
    ("partly_credited", "partly credited"),
    ("rejected", "rejected"),
    ("withdrawn", "withdrawn"),
)


def _when(condition: ColumnElement[bool], value: object = 1) -> ColumnElement[int]:
    return func.sum(case((condition, value), else_=0))


# ---- promises --------------------------------------------------------------------------------


def promises_report(session: Session, company_id: int, start: date, end: date, by: By) -> Report:
    """Promises made in the period (count, amount) and those that ended in it (kept, broken,
    cancelled; the kept rate and the amount kept), per slice and currency."""
    period = check_period(start, end)
    slice_ = slice_of(by)
    tally = Tally()
    made = (
        select(slice_, Promise.currency, func.count(Promise.id), func.sum(Promise.amount))
        .join(Customer, Customer.id == Promise.customer_id)
        .where(Promise.company_id == company_id, Promise.promised_on.between(start, end))
        .group_by("slice", Promise.currency)
    )
    tally.add(session.execute(made), ("made", "made_amount"), money=("made_amount",))
    kept = Promise.status == "kept"
    ended = (
        select(
            slice_,
            Promise.currency,
            _when(kept),
            _when(Promise.status == "broken"),
            _when(Promise.status == "cancelled"),
            _when(kept, Promise.amount),
        )
        .join(Customer, Customer.id == Promise.customer_id)
        .where(
            Promise.company_id == company_id,
            Promise.resolved_on.between(start, end),
            Promise.status.in_(("kept", "broken", "cancelled")),
        )
        .group_by("slice", Promise.currency)
    )
    columns = ("kept", "broken", "cancelled", "kept_amount")
    tally.add(session.execute(ended), columns, money=("kept_amount",))
    slicing_ = slicing(session, company_id, by, end, tally.currencies())
    rows: list[dict[str, Cell]] = []
    for key, sums in tally.totals(slicing_).items():
        rate = rounded(kept_rate(sums["kept"], sums["broken"]))
        rows.append({**key_cells(by, key), **sums, "kept_rate": rate})
    chart = bars(
        "kept_broken",
        "Promises kept and broken",
        by,
        rows,
        (("Kept", "kept"), ("Broken", "broken")),
    )
    return Report(
        name="promises",
        title="Promises to pay",
        columns=(
            *key_columns(by),
            Column("made", "made", Kind.COUNT),
            Column("made_amount", "amount promised", Kind.MONEY),
            *count_columns(("kept", "kept"), ("broken", "broken"), ("cancelled", "cancelled")),
            Column("kept_rate", "kept rate, %", Kind.PERCENT),
            Column("kept_amount", "amount kept", Kind.MONEY),
        ),
        rows=tuple(rows),
        charts=(chart,),
        notes=(
            "made: promises the debtor made in the period (the day promised); "
            "kept, broken, cancelled: promises that ended so in the period",
            "kept rate: kept ÷ (kept + broken); cancelled and still open promises do not count; "
            "n/d when none was kept or broken",
            "amount kept: the amounts promised of the promises kept",
            *slicing_.note(),
        ),
        period=period,
    )


# ---- disputes --------------------------------------------------------------------------------


def _dispute_currency() -> ColumnElement[str]:
    """A dispute's currency: its invoices' (the first in alphabetical order, should they
    differ), so that each dispute counts once in a row."""
    return (
        select(func.min(Invoice.currency))
        .join(DisputeItem, DisputeItem.invoice_id == Invoice.id)
        .where(DisputeItem.dispute_id == Dispute.id)
        .scalar_subquery()
        .label("dispute_currency")
    )


def disputes_report(session: Session, company_id: int, start: date, end: date, by: By) -> Report:
    """Invoices issued and disputes opened in the period (the dispute rate), disputes resolved
    in it by outcome (and the days they took), disputes still open at its end."""
    period = check_period(start, end)
    slice_ = slice_of(by)
    tally = Tally()
    issued = (
        select(slice_, Invoice.currency, func.count(Invoice.id))
        .join(Customer, Customer.id == Invoice.customer_id)
        .where(
            Invoice.company_id == company_id,
            Invoice.kind == "invoice",
            Invoice.issue_date.between(start, end),
        )
        .group_by("slice", Invoice.currency)
    )
    tally.add(session.execute(issued), ("issued",))
    of_company = (Dispute.company_id == company_id,)
    currency = _dispute_currency()
    opened = (
        select(slice_, currency, func.count(Dispute.id))
        .join(Customer, Customer.id == Dispute.customer_id)
        .where(*of_company, Dispute.opened_on.between(start, end))
        .group_by("slice", "dispute_currency")
    )
    tally.add(session.execute(opened), ("opened",))
    disputed_invoice = case((Invoice.kind == "invoice", DisputeItem.invoice_id))
    items = (
        select(
            slice_,
            Invoice.currency,
            func.sum(DisputeItem.amount),
            func.count(distinct(disputed_invoice)),
        )
        .select_from(Dispute)
        .join(DisputeItem, DisputeItem.dispute_id == Dispute.id)
        .join(Invoice, Invoice.id == DisputeItem.invoice_id)
        .join(Customer, Customer.id == Dispute.customer_id)
        .where(*of_company, Dispute.opened_on.between(start, end))
        .group_by("slice", Invoice.currency)
    )
    tally.add(session.execute(items), ("disputed", "disputed_invoices"), money=("disputed",))
    resolved = (
        select(
            slice_,
            currency,
            *(_when(Dispute.status == status) for status, _label in OUTCOMES),
            func.count(Dispute.id),
            func.sum(days_between(Dispute.resolved_on, Dispute.opened_on)),
        )
        .join(Customer, Customer.id == Dispute.customer_id)
        .where(*of_company, Dispute.status != "open", Dispute.resolved_on.between(start, end))
        .group_by("slice", "dispute_currency")
    )
    outcomes = tuple(status for status, _label in OUTCOMES)
    tally.add(session.execute(resolved), (*outcomes, "resolved", "resolve_days"))
    still_open = (
        select(slice_, currency, func.count(Dispute.id))
        .join(Customer, Customer.id == Dispute.customer_id)
        .where(
            *of_company,
            Dispute.opened_on <= end,
            or_(Dispute.resolved_on.is_(None), Dispute.resolved_on > end),
        )
        .group_by("slice", "dispute_currency")
    )
    tally.add(session.execute(still_open), ("open_at_end",))
    slicing_ = slicing(session, company_id, by, end, tally.currencies())
    rows: list[dict[str, Cell]] = []
    for key, sums in tally.totals(slicing_).items():
        resolved_count, days = sums.pop("resolved"), sums.pop("resolve_days")
        disputed_invoices = sums.pop("disputed_invoices")
        rows.append(
            {
                **key_cells(by, key),
                **sums,
                "dispute_rate": rounded(percent(disputed_invoices, sums["issued"])),
                "days_to_resolve": rounded(ratio(days, resolved_count)),
            }
        )
    return Report(
        name="disputes",
        title="Disputes",
        columns=(
            *key_columns(by),
            Column("issued", "invoices issued", Kind.COUNT),
            Column("opened", "disputes opened", Kind.COUNT),
            Column("disputed", "amount disputed", Kind.MONEY),
            Column("dispute_rate", "dispute rate, %", Kind.PERCENT),
            *count_columns(*((status, f"resolved: {label}") for status, label in OUTCOMES)),
            Column("days_to_resolve", "days to resolve", Kind.DAYS),
            Column("open_at_end", "open at the end", Kind.COUNT),
        ),
        rows=tuple(rows),
        charts=(
            bars(
                "outcomes",
                "Disputes resolved, by outcome",
                by,
                rows,
                [(label, status) for status, label in OUTCOMES],
            ),
        ),
        notes=(
            "invoices issued: invoices (not debit notes) issued in the period",
            "disputes opened and amount disputed: disputes opened in the period, the amounts "
            "they contest (a dispute counts in its invoices' currency)",
            "dispute rate: the invoices (not debit notes) in a dispute opened in the period ÷ "
            "the invoices issued in the period, each invoice once; n/d when none was issued",
            "resolved: disputes resolved in the period, by outcome; days to resolve: their "
            "average days from opened to resolved, n/d when none was resolved",
            "open at the end: disputes opened by the end of the period and not resolved by then",
            *slicing_.note(),
        ),
        period=period,
    )
