"""The collection curve: the invoices issued in each calendar month of the period (a cohort),
and the share of their amount paid 30, 60, 90, 120 and 180 days after issue. Two GROUP BY
queries (what each cohort issued; what was paid of it within each horizon), the formulas in
`report.activity_rules`. As of the period's end: only payments applied by then count, and a
point the cohort has not reached by then is not defined.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from cobro.customer.models import Customer
from cobro.db import days_between
from cobro.invoice.models import Invoice
from cobro.payment.models import Allocation
from cobro.report.activity_rules import HORIZONS, cohorts, curve_point
from cobro.report.kpi_rules import rounded
from cobro.report.slices import (
    By,
    Tally,
    chart_value,
    check_period,
    key_cells,
    key_columns,
    slice_of,
    slicing,
)
from cobro.report.table import Cell, Chart, ChartKind, Column, Kind, Report, Series


def curve_report(session: Session, company_id: int, start: date, end: date, by: By) -> Report:
    """One row per cohort (month of issue) and slice or currency: the amount issued and the
    share of it paid within each horizon."""
    period = check_period(start, end)
    spans = cohorts(start, end)
    cohort = case(
        *((Invoice.issue_date.between(first, last), first.isoformat()) for first, last in spans)
    ).label("cohort")
    slice_ = slice_of(by)
    of_period = (
        Invoice.company_id == company_id,
        Invoice.kind == "invoice",
        Invoice.issue_date.between(start, end),
    )
    issued = (
        select(cohort, slice_, Invoice.currency, func.sum(Invoice.total))
        .join(Customer, Customer.id == Invoice.customer_id)
        .where(*of_period)
        .group_by("cohort", "slice", Invoice.currency)
    )
    age = days_between(Allocation.applied_on, Invoice.issue_date)
    paid = (
        select(
            cohort,
            slice_,
            Invoice.currency,
            *(func.sum(case((age <= days, Allocation.amount), else_=0)) for days in HORIZONS),
        )
        .select_from(Allocation)
        .join(Invoice, Invoice.id == Allocation.invoice_id)
        .join(Customer, Customer.id == Invoice.customer_id)
        .where(*of_period, Allocation.applied_on <= end)
        .group_by("cohort", "slice", Invoice.currency)
    )
    tallies: dict[str, Tally] = defaultdict(Tally)
    _split(tallies, session.execute(issued), ("issued",))
    _split(tallies, session.execute(paid), tuple(_key(days) for days in HORIZONS))
    currencies = set().union(*(tally.currencies() for tally in tallies.values()))
    slicing_ = slicing(session, company_id, by, end, currencies)
    last_days = {first.isoformat(): last for first, last in spans}
    rows: list[dict[str, Cell]] = []
    for month in sorted(tallies):
        for key, sums in tallies[month].totals(slicing_).items():
            row: dict[str, Cell] = {"cohort": month[:7], **key_cells(by, key)}
            row["issued"] = sums["issued"]
            for days in HORIZONS:
                share = curve_point(
                    sums.get(_key(days), 0), sums["issued"], last_days[month], days, end
                )
                row[_key(days)] = rounded(share)
            rows.append(row)
    return Report(
        name="curve",
        title="Collection curve",
        columns=(
            Column("cohort", "issued in"),
            *key_columns(by),
            Column("issued", "issued", Kind.MONEY),
            *(Column(_key(days), f"paid by {days} days, %", Kind.PERCENT) for days in HORIZONS),
        ),
        rows=tuple(rows),
        charts=(_chart(rows, by),),
        notes=(
            "cohorts: the invoices (not debit notes) issued in each calendar month of the "
            "period; issued: their totals",
            "paid by N days: the share of the cohort's total applied from payments within N "
            "days of each invoice's issue, counting payments applied by the end of the period "
            "only; credit notes and write-offs are not payments and do not count",
            "n/d: the cohort's last invoices are not yet N days old at the end of the period",
            *slicing_.note(),
        ),
        period=period,
    )


def _key(days: int) -> str:
    return f"paid_{days}"


def _split(tallies: dict[str, Tally], rows: Any, columns: tuple[str, ...]) -> None:
    """Rows of (cohort, slice, currency, values…) into each cohort's tally."""
    by_cohort: dict[str, list[Any]] = defaultdict(list)
    for cohort, *rest in rows:
        by_cohort[cohort].append(rest)
    for cohort, found in by_cohort.items():
        tallies[cohort].add(found, columns, money=columns)


def _chart(rows: list[dict[str, Cell]], by: By) -> Chart:
    """A line per row: the cohort, and its slice or currency where a cohort has several."""
    label = "currency" if by is By.CURRENCY else "slice"
    per_cohort: dict[Cell, int] = defaultdict(int)
    for row in rows:
        per_cohort[row["cohort"]] += 1
    series = []
    for row in rows:
        name = str(row["cohort"])
        if per_cohort[row["cohort"]] > 1:
            name = f"{name} {row[label]}"
        values = tuple(chart_value(row, _key(days)) for days in HORIZONS)
        series.append(Series(name, values))
    return Chart(
        key="curve",
        title="Share paid, days after issue",
        kind=ChartKind.LINES,
        labels=tuple(str(days) for days in HORIZONS),
        series=tuple(series),
        unit="%",
    )
