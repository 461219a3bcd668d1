"""The reports page: any signed-in role chooses a report of `cobro.report.catalog.REPORTS`, its
period, slice and aging buckets (a GET form, so a report is a link to share), and reads its
table (cells as the CLI shows them, "n/d" where not defined), notes and charts, with links to
download it as CSV, Excel or PDF (the JSON API's own addresses: the session cookie signs them
in). With no report chosen, the charts a manager wants at a glance: the aging today, DSO and
CEI month by month over the last twelve months and, when there is one, the collection curve.

The charts' data is a `<script type="application/json">` block (data, never executed), drawn
by /static/reports.js with the vendored Chart.js. Bad input answers 422 with the page, the form
as typed and the error next to its field."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from cobro.auth.rules import can
from cobro.company.models import Company
from cobro.endpoint import Caller, DbSession, Reader, require
from cobro.errors import CobroError, Invalid
from cobro.kit.dates import add_months, today_in, utcnow
from cobro.report.catalog import REPORTS, build
from cobro.report.catalog import Query as ReportQuery
from cobro.report.export import NOT_DEFINED, cell_text, chart_json
from cobro.report.report_endpoints import (
    FIRST_DAY,
    LAST_DAY,
    Asked,
    WeeklyOut,
    description_of,
    report_of,
    title_of,
)
from cobro.report.rules import Basis
from cobro.report.slices import By, parse_by
from cobro.report.table import Kind, Report
from cobro.report.weekly import WEEKDAYS, parse_weekday, set_report_day
from cobro.web.templates import render

Configurer = Annotated[Caller, require("configure")]
router = APIRouter(include_in_schema=False)

FIELDS = ("report", "on", "from", "to", "by", "buckets", "aged_from")
Text = Annotated[str, Query(max_length=100)]
TREND_MONTHS = 12  # the landing page's DSO and CEI trend: the last twelve months
FORMATS = (("csv", "CSV"), ("xlsx", "Excel"), ("pdf", "PDF"))


@dataclass(frozen=True)
class Shown:
    """A report as the page shows it: the table's cells as text, and its charts' data."""

    report: Report
    header: list[tuple[str, bool]]  # (label, a figure: right-aligned)
    rows: list[list[tuple[str, bool]]]  # (text, not defined)
    downloads: list[tuple[str, str]]  # (label, address)


@router.get("/reports", response_class=HTMLResponse)
def reports_page(
    request: Request,
    session: DbSession,
    caller: Reader,
    report: Text = "",
    on: Text = "",
    start: Annotated[str, Query(alias="from", max_length=100)] = "",
    end: Annotated[str, Query(alias="to", max_length=100)] = "",
    by: Text = "",
    buckets: Text = "",
    aged_from: Text = "",
) -> HTMLResponse:
    values = {"report": report, "on": on, "from": start, "to": end, "by": by,
              "buckets": buckets, "aged_from": aged_from}  # fmt: skip
    return _reports(request, session, caller, values)


@router.post("/reports/weekly", response_class=HTMLResponse)
def change_weekly(
    request: Request,
    session: DbSession,
    caller: Configurer,
    day: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    """The weekly email's day (or off), from the form under the charts."""
    company = session.get_one(Company, caller.company_id)
    try:
        weekday = parse_weekday(day)
    except ValueError as exc:
        return _reports(request, session, caller, {}, weekly_error=str(exc))
    set_report_day(session, company, weekday, utcnow(), caller.user.id, "web")
    return RedirectResponse("/reports?done=weekly", status_code=303)


def _reports(
    request: Request,
    session: Session,
    caller: Caller,
    values: dict[str, str],
    weekly_error: str = "",
) -> HTMLResponse:
    company = session.get_one(Company, caller.company_id)
    report = values.get("report", "")
    errors: dict[str, str] = {}
    shown: Shown | None = None
    charts: list[dict[str, Any]] = []
    name = report.strip()
    if name:
        try:
            asked = _asked(values)
            if name not in REPORTS:
                raise Invalid(f"no report {name!r}: choose one of {', '.join(REPORTS)}", "report")
            built = report_of(session, company, name, asked)
            shown = _shown(built, name, values)
            charts = [chart_json(chart) for chart in built.charts]
        except CobroError as error:
            errors = _form_errors(error)
    else:
        charts = _landing(session, company)
    return render(
        request,
        "reports/page.html",
        status_code=422 if errors or weekly_error else 200,
        company=company,
        today=today_in(company.timezone),
        reports=[(each, title_of(each), description_of(each)) for each in REPORTS],
        slices=[each.value for each in By],
        bases=[each.value for each in Basis],
        values=values,
        errors=errors,
        shown=shown,
        charts=charts,
        chosen=name if shown is not None else "",
        management=_address("/api/reports/management.pdf", values, ("on", "from", "to")),
        weekly=WeeklyOut.of(session, company),
        weekdays=(*WEEKDAYS, "off"),
        may_configure=can(caller.role, "configure"),
        weekly_error=weekly_error,
        done=request.query_params.get("done", ""),
    )


def _asked(values: dict[str, str]) -> Asked:
    """The form's fields as a report's request; a bad one refused naming it."""
    return Asked(
        on=_day(values["on"], "on"),
        start=_day(values["from"], "from"),
        end=_day(values["to"], "to"),
        by=parse_by(values["by"].strip() or None),
        buckets=values["buckets"].strip() or None,
        aged_from=values["aged_from"].strip() or None,
    )


def _day(text: str, field: str) -> date | None:
    if not text.strip():
        return None
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise Invalid(f"{text.strip()!r}: give the day as YYYY-MM-DD", field=field) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise Invalid(f"{day}: give a day between {FIRST_DAY} and {LAST_DAY}", field=field)
    return day


def _form_errors(error: CobroError) -> dict[str, str]:
    """The error by the form field it is about: a missing FX rate is the slice's (by currency
    nothing is converted); one about no field goes above the form."""
    field = "by" if error.field == "fx" else (error.field or "form")
    if field == "name":
        field = "report"
    return {field if field in FIELDS else "form": error.message}


def _shown(report: Report, name: str, values: dict[str, str]) -> Shown:
    header = [(column.label, column.kind is not Kind.TEXT) for column in report.columns]
    texts = [[cell_text(report, row, column) for column in report.columns] for row in report.rows]
    rows = [[(text, text == NOT_DEFINED) for text in line] for line in texts]
    keys = ("on", "from", "to", "by", "buckets", "aged_from")
    downloads = [
        (label, _address(f"/api/reports/{name}", {**values, "format": ext}, (*keys, "format")))
        for ext, label in FORMATS
    ]
    return Shown(report, header, rows, downloads)


def _address(path: str, values: dict[str, str], keys: tuple[str, ...]) -> str:
    """`path` with the fields of `keys` that were given as its query."""
    query = {key: values[key].strip() for key in keys if values.get(key, "").strip()}
    return f"{path}?{urlencode(query)}" if query else path


def _landing(session: Session, company: Company) -> list[dict[str, Any]]:
    """The charts at a glance: the aging today, DSO and CEI over the last twelve months, and
    the collection curve over them when there is such a report. A chart that cannot be drawn
    (no data) is left out."""
    today = today_in(company.timezone)
    first = add_months(today.replace(day=1), -(TREND_MONTHS - 1))
    wanted = [("aging", today), ("trends", first), ("curve", first)]
    charts: list[dict[str, Any]] = []
    for name, start in wanted:
        if name not in REPORTS:
            continue
        report = build(session, ReportQuery(name, company.id, start, today))
        charts += [chart_json(chart) for chart in report.charts]
    return charts
