"""The receivables reports as `Report`s: aging (configurable buckets, by due or issue date),
DSO, CEI, average days delinquent, every KPI of a period, and their monthly trends. Each is
per currency, or per collector / segment / country converted to the reporting currency.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from cobro.errors import Invalid
from cobro.report.activity_rules import cohorts
from cobro.report.kpi_rules import rounded
from cobro.report.kpis import Kpis, periods_kpis, receivables_report
from cobro.report.repository import aging_sums
from cobro.report.rules import DEFAULT_SCHEME, Basis, Scheme
from cobro.report.slices import (
    By,
    add_up,
    bars,
    key_columns,
    slice_group,
    slice_of,
    slicing,
)
from cobro.report.table import Cell, Chart, ChartKind, Column, Kind, Report, Series

MOST_MONTHS = 36  # a trend over more months is asked for in pieces

# (key, label, kind) of every KPI field of `Kpis`
KPI_COLUMNS: tuple[tuple[str, str, Kind], ...] = (
    ("beginning_ar", "AR at the start", Kind.MONEY),
    ("ending_ar", "AR at the end", Kind.MONEY),
    ("ending_current", "not yet due", Kind.MONEY),
    ("credit_sales", "credit sales", Kind.MONEY),
    ("bad_debts", "written off", Kind.MONEY),
    ("dso", "DSO, days", Kind.DAYS),
    ("countback_dso", "DSO countback, days", Kind.DAYS),
    ("best_possible_dso", "best possible DSO, days", Kind.DAYS),
    ("average_days_delinquent", "average days delinquent", Kind.DAYS),
    ("cei", "CEI, %", Kind.PERCENT),
    ("cei_total", "CEI total-sales, %", Kind.PERCENT),
    ("bad_debt_ratio", "bad-debt ratio, %", Kind.PERCENT),
    ("overdue_share", "overdue, %", Kind.PERCENT),
    ("days_to_pay", "average days to pay", Kind.DAYS),
    ("days_to_pay_weighted", "days to pay, amount-weighted", Kind.DAYS),
    ("promises_kept_rate", "promises kept, %", Kind.PERCENT),
)
REPORT_FIELDS: dict[str, tuple[str, ...]] = {
    "kpis": tuple(key for key, _label, _kind in KPI_COLUMNS),
    "dso": ("ending_ar", "credit_sales", "dso", "countback_dso", "best_possible_dso",
            "overdue_share"),
    "cei": ("beginning_ar", "credit_sales", "ending_ar", "ending_current", "cei", "cei_total"),
    "add": ("ending_ar", "ending_current", "credit_sales", "dso", "best_possible_dso",
            "average_days_delinquent"),
}  # fmt: skip
TITLES = {
    "kpis": "Receivables KPIs",
    "dso": "Days sales outstanding",
    "cei": "Collection effectiveness index",
    "add": "Average days delinquent",
}
NOTES = {
    "kpis": "CEI: the monthly-sales variant (the period's credit sales ÷ its months); "
    "the total-sales variant beside it.",
    "dso": "DSO = AR at the end ÷ the period's credit sales × its days; countback: AR "
    "worked back month by month over the last 12 calendar months.",
    "cei": "CEI = (AR at the start + sales − AR at the end) ÷ (AR at the start + sales − "
    "not yet due at the end) × 100, sales per month (monthly variant) or in total.",
    "add": "ADD = DSO − best possible DSO: the days of sales that are past due.",
}
ND_NOTE = "n/d: not defined (nothing to divide by, e.g. no credit sales in the period)."


def kpi_report(
    session: Session, company_id: int, start: date, end: date, by: By, name: str = "kpis"
) -> Report:
    """One of the KPI reports (kpis, dso, cei, add) of the period [start, end]."""
    sliced, found = receivables_report(session, company_id, start, end, by)
    fields = REPORT_FIELDS[name]
    labels = {key: (label, kind) for key, label, kind in KPI_COLUMNS}
    columns = key_columns(by) + tuple(Column(f, *labels[f]) for f in fields)
    rows = tuple(_kpi_row(kpis, fields) for kpis in found)
    return Report(
        name=name, title=TITLES[name], columns=columns, rows=rows,
        notes=(NOTES[name], ND_NOTE, *sliced.note()), period=f"{start} – {end}",
    )  # fmt: skip


def _kpi_row(kpis: Kpis, fields: Sequence[str]) -> dict[str, Cell]:
    row: dict[str, Cell] = {"slice": kpis.slice, "currency": kpis.currency}
    for name in fields:
        value = getattr(kpis, name)
        row[name] = rounded(value) if isinstance(value, Decimal) else value
    return row


def aging_report(
    session: Session,
    company_id: int,
    start: date,
    end: date,
    by: By,
    scheme: Scheme = DEFAULT_SCHEME,
) -> Report:
    """The open amount at the end of `end` in the scheme's buckets (`start` is not used: an
    aging is as of one day), with each row's total and overdue share."""
    sums = aging_sums(session, company_id, end, scheme, slice_of(by), slice_group(by))
    sliced = slicing(session, company_id, by, end, {currency for _s, currency, _b, _a in sums})
    labels = scheme.labels()
    table: dict[tuple[str, str], dict[str, int]] = {}
    for label in labels:
        bucket = ((s, c, a) for s, c, b, a in sums if b == label)
        for key, amount in add_up(sliced, bucket).items():
            table.setdefault(key, dict.fromkeys(labels, 0))[label] = amount
    rows = tuple(_aging_row(key, amounts, scheme, by) for key, amounts in sorted(table.items()))
    rows = tuple(row for row in rows if row["total"])
    overdue = Column("overdue_share", "overdue, %", Kind.PERCENT)
    columns = (
        *key_columns(by),
        *(Column(label, label, Kind.MONEY) for label in labels),
        Column("total", "total", Kind.MONEY),
        *((overdue,) if scheme.basis is Basis.DUE else ()),
    )
    aged = "days past due" if scheme.basis is Basis.DUE else "days since issue"
    return Report(
        name="aging", title=f"Aging ({aged})", columns=columns, rows=rows,
        charts=_aging_chart(rows, labels, by, sliced.reporting), period=f"on {end}",
        notes=(f"Buckets in {aged}, as the ledger stood at the end of {end}.", *sliced.note()),
    )  # fmt: skip


def _aging_row(
    key: tuple[str, str], amounts: dict[str, int], scheme: Scheme, by: By
) -> dict[str, Cell]:
    slice_name, currency = key
    total = sum(amounts.values())
    row: dict[str, Cell] = {"currency": currency, **amounts, "total": total}
    if by is not By.CURRENCY:
        row["slice"] = slice_name
    if scheme.basis is Basis.DUE:
        current = amounts[scheme.labels()[0]]
        row["overdue_share"] = rounded(Decimal(total - current) * 100 / total) if total else None
    return row


def _aging_chart(
    rows: Sequence[dict[str, Cell]], labels: Sequence[str], by: By, reporting: str
) -> tuple[Chart, ...]:
    """Stacked bars, one per row of one currency: amounts in different currencies are never
    drawn on one axis (by currency: the reporting currency, or the first with anything)."""
    if not rows:
        return ()
    currency = (
        reporting if any(r["currency"] == reporting for r in rows) else str(rows[0]["currency"])
    )
    shown = [row for row in rows if row["currency"] == currency]
    pairs = [(label, label) for label in labels]
    return (bars("aging", f"Aging, {currency}", by, shown, pairs, currency, money=True),)


def trends_report(session: Session, company_id: int, start: date, end: date, by: By) -> Report:
    """Each KPI month by month: one row per calendar month of the period (and slice), each
    month read as the ledger stood at its end; DSO and CEI charted."""
    months = cohorts(start, end)
    if len(months) > MOST_MONTHS:
        raise Invalid(
            f"a trend covers at most {MOST_MONTHS} months: shorten the period", field="from"
        )
    rows: list[dict[str, Cell]] = []
    notes: tuple[str, ...] = ()
    for (first, _last), (sliced, found) in zip(
        months, periods_kpis(session, company_id, months, by), strict=True
    ):
        notes = notes or sliced.note()
        for kpis in found:
            rows.append({"month": first.strftime("%Y-%m"), **_kpi_row(kpis, REPORT_FIELDS["kpis"])})
    columns = (Column("month", "month"), *key_columns(by),
               *(Column(key, label, kind) for key, label, kind in KPI_COLUMNS))  # fmt: skip
    labels = tuple(first.strftime("%Y-%m") for first, _last in months)
    return Report(
        name="trends", title="KPI trends, month by month", columns=columns, rows=tuple(rows),
        charts=(_trend_chart(rows, labels, "dso", "DSO, days", "days", by),
                _trend_chart(rows, labels, "cei", "CEI, %", "%", by)),
        notes=(NOTES["kpis"], ND_NOTE, *notes), period=f"{start} – {end}",
    )  # fmt: skip


def _trend_chart(
    rows: Sequence[dict[str, Cell]], labels: tuple[str, ...], key: str, title: str,
    unit: str, by: By,
) -> Chart:  # fmt: skip
    """One line per currency (or slice) over the months; None where not defined."""
    names = sorted(
        {str(row["slice"] if by is not By.CURRENCY else row["currency"]) for row in rows}
    )
    series = []
    for name in names:
        values: dict[str, float | None] = {}
        for row in rows:
            if str(row["slice"] if by is not By.CURRENCY else row["currency"]) == name:
                value = row[key]
                values[str(row["month"])] = None if value is None else float(str(value))
        series.append(Series(name, tuple(values.get(label) for label in labels)))
    return Chart(key, title, ChartKind.LINES, labels, tuple(series), unit)
