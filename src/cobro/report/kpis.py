"""The receivables KPIs of one company over a period, per currency (never added across
currencies) or per slice converted to the reporting currency: the ledger's figures read with
set-based queries (`report.figures`), the formulas in `report.kpi_rules`. As of the period's
end: nothing that happened after it counts.

- AR at the start (the day before `start`) and at the end, and the part not yet due at the
  end, from the aging as the ledger stood then;
- credit sales: the totals of the invoices issued in the period (not debit notes: fees and
  interest are no sales);
- countback DSO over the twelve calendar months up to the end (the last one up to `end`);
- bad debts: what was written off in the period; average days to pay: the invoices settled in
  the period, from issue to settlement; promises: those that ended in the period.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from cobro.report import kpi_rules as rules
from cobro.report.figures import Figures, Period, periods_figures
from cobro.report.slices import By, Slicing, check_period


@dataclass(frozen=True)
class Kpis:
    """One row's figures (amounts in minor units of `currency`) and KPIs (None: not defined).
    `slice` is the collector, segment or country sliced by ("" by currency)."""

    currency: str
    start: date
    end: date
    beginning_ar: int
    ending_ar: int
    ending_current: int
    credit_sales: int
    bad_debts: int
    dso: Decimal | None
    countback_dso: Decimal | None
    best_possible_dso: Decimal | None
    average_days_delinquent: Decimal | None
    cei: Decimal | None  # %, monthly-sales variant
    cei_total: Decimal | None  # %, total-sales variant
    bad_debt_ratio: Decimal | None  # %
    overdue_share: Decimal | None  # %, of the AR at the end
    days_to_pay: Decimal | None
    days_to_pay_weighted: Decimal | None
    promises_kept_rate: Decimal | None  # %
    slice: str = ""


def receivables_kpis(
    session: Session, company_id: int, start: date, end: date, by: By = By.CURRENCY
) -> list[Kpis]:
    """The KPIs of the period [start, end], one set per currency (or slice) with anything in
    it, ordered by slice and currency."""
    return receivables_report(session, company_id, start, end, by)[1]


def receivables_report(
    session: Session, company_id: int, start: date, end: date, by: By = By.CURRENCY
) -> tuple[Slicing, list[Kpis]]:
    """The KPIs and how their rows were sliced (for the report's notes)."""
    return periods_kpis(session, company_id, [(start, end)], by)[0]


def periods_kpis(
    session: Session, company_id: int, periods: Sequence[Period], by: By = By.CURRENCY
) -> list[tuple[Slicing, list[Kpis]]]:
    """The KPIs of each period (a trend's months), read together."""
    for start, end in periods:
        check_period(start, end)
    found = []
    for (start, end), (sliced, figures) in zip(
        periods, periods_figures(session, company_id, periods, by), strict=True
    ):
        rows = [
            _kpis(key, row, start, end)
            for key, row in sorted(figures.items(), key=lambda item: item[0])
            if _has_anything(row)
        ]
        found.append((sliced, rows))
    return found


def _has_anything(figures: Figures) -> bool:
    return bool(figures.beginning_ar or figures.ending_ar or figures.credit_sales
                or figures.bad_debts or figures.paid_count)  # fmt: skip


def _kpis(key: tuple[str, str], f: Figures, start: date, end: date) -> Kpis:
    days = (end - start).days + 1
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    simple, weighted = rules.days_to_pay_of_sums(
        f.paid_count, f.paid_days, f.paid_amount, f.paid_days_amount
    )
    slice_name, currency = key
    return Kpis(
        currency=currency, start=start, end=end, beginning_ar=f.beginning_ar,
        ending_ar=f.ending_ar, ending_current=f.ending_current, credit_sales=f.credit_sales,
        bad_debts=f.bad_debts,
        dso=rules.dso(f.ending_ar, f.credit_sales, days),
        countback_dso=rules.countback_dso(f.ending_ar, f.monthly_sales),
        best_possible_dso=rules.best_possible_dso(f.ending_current, f.credit_sales, days),
        average_days_delinquent=rules.average_days_delinquent(
            f.ending_ar, f.ending_current, f.credit_sales, days
        ),
        cei=rules.cei(f.beginning_ar, f.credit_sales, f.ending_ar, f.ending_current, months),
        cei_total=rules.cei(f.beginning_ar, f.credit_sales, f.ending_ar, f.ending_current,
                            months, rules.CeiVariant.TOTAL),
        bad_debt_ratio=rules.bad_debt_ratio(f.bad_debts, f.credit_sales),
        overdue_share=rules.overdue_share(f.ending_ar, f.ending_current),
        days_to_pay=simple, days_to_pay_weighted=weighted,
        promises_kept_rate=rules.kept_rate(f.kept, f.broken),
        slice=slice_name if slice_name != currency else "",
    )  # fmt: skip
