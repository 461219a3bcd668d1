"""Every report by name, as the CLI, the API, the web page and the management report ask for
them: one builder each, `(session, company_id, start, end, by) -> Report`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial

from sqlalchemy.orm import Session

from cobro.errors import Invalid
from cobro.kit.dates import add_months
from cobro.report.activity import disputes_report, promises_report
from cobro.report.collectors import collectors_report
from cobro.report.curve import curve_report
from cobro.report.reports import aging_report, kpi_report, trends_report
from cobro.report.rules import DEFAULT_SCHEME, Scheme
from cobro.report.slices import By, check_period
from cobro.report.table import Report

Builder = Callable[[Session, int, date, date, By], Report]

REPORTS: dict[str, Builder] = {
    "aging": aging_report,
    "kpis": kpi_report,
    "dso": partial(kpi_report, name="dso"),
    "cei": partial(kpi_report, name="cei"),
    "add": partial(kpi_report, name="add"),
    "trends": trends_report,
    "curve": curve_report,
    "promises": promises_report,
    "disputes": disputes_report,
    "collectors": collectors_report,
}
# a short title for each report a reader chooses from (a report not named here: its name)
TITLES = {
    "aging": "Aging",
    "kpis": "Receivables KPIs",
    "dso": "Days sales outstanding",
    "cei": "Collection effectiveness index",
    "add": "Average days delinquent",
    "trends": "KPI trends",
    "curve": "Collection curve",
    "promises": "Promises to pay",
    "disputes": "Disputes",
    "collectors": "Collectors",
}

# what each report shows: the CLI's help, the API's and the page's descriptions
DESCRIPTIONS = {
    "aging": "Open amounts in aging buckets as the ledger stood at the end of --on (or --to): "
    "by due date (current, 1-30, …) or by issue date, with each row's overdue share.",
    "kpis": "Every receivables KPI of the period: DSO (standard and countback), best possible "
    "DSO, average days delinquent, CEI (monthly-sales and total-sales variants), bad-debt "
    "ratio, overdue share, average days to pay (simple and amount-weighted), promises kept.",
    "dso": "Days sales outstanding, standard and countback, and the best possible DSO.",
    "cei": "Collection effectiveness index, monthly-sales and total-sales variants.",
    "add": "Average days delinquent: DSO less the best possible DSO.",
    "trends": "Each KPI month by month over the period, with DSO and CEI charts.",
    "curve": "The collection curve: the share of each month's invoices paid 30, 60, 90, "
    "120 and 180 days after issue.",
    "promises": "Promises to pay made and ended in the period: kept, broken, kept rate.",
    "disputes": "Disputes opened and resolved in the period: dispute rate, time to resolve.",
    "collectors": "Each collector's work in the period: collected, promises, contacts, items "
    "worked, and their customers' AR and overdue share.",
}

DEFAULT_MONTHS = 3  # a period not given: the last three calendar months up to its end


@dataclass(frozen=True)
class Query:
    """What a reader asks: the report, its period (an aging is as of `end`), the slice and,
    for an aging, its buckets."""

    name: str
    company_id: int
    start: date
    end: date
    by: By = By.CURRENCY
    scheme: Scheme = DEFAULT_SCHEME


def default_start(end: date) -> date:
    """The first day of the calendar month DEFAULT_MONTHS − 1 months before `end`'s."""
    return add_months(end.replace(day=1), -(DEFAULT_MONTHS - 1))


def build(session: Session, query: Query) -> Report:
    """The report asked for; a period that ends before it starts, or an unknown report, is
    refused naming the field."""
    if query.name not in REPORTS:
        raise Invalid(f"report {query.name!r}: choose one of {', '.join(REPORTS)}", field="report")
    check_period(query.start, query.end)
    if query.name == "aging":
        return aging_report(
            session, query.company_id, query.start, query.end, query.by, query.scheme
        )
    return REPORTS[query.name](session, query.company_id, query.start, query.end, query.by)
