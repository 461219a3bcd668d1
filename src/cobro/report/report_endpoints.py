"""Report endpoints (mounted under /api by `cobro.app`): every report of
`cobro.report.catalog.REPORTS` by name, as JSON, CSV, Excel or PDF, and the management report
as one PDF. The HTTP twin of `cobro report …` (`cobro.report.report_cli`), with its defaults:
the period ends on `to` (or `on`, or today on the company's clock) and starts on `from` (or the
first day of the calendar month two months before its end: the last three months).

Any role of the company may read them. A bad parameter (a period ending before it starts, an
unknown slice, bad buckets, an FX rate a slice needs and the company lacks) is a 422 naming
the field; an unknown report a 404."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.endpoint import CALLER_ERRORS, Caller, DbSession, Reader, error_responses, require
from cobro.errors import Invalid, NotFound
from cobro.kit.dates import today_in, utcnow
from cobro.report.catalog import DESCRIPTIONS, REPORTS, TITLES, build, default_start
from cobro.report.catalog import Query as ReportQuery
from cobro.report.export import to_csv, to_json, to_pdf, to_xlsx
from cobro.report.management import management_reports
from cobro.report.rules import Basis, Scheme, parse_scheme
from cobro.report.slices import By, check_period
from cobro.report.table import Report
from cobro.report.weekly import WEEKDAYS, parse_weekday, recipients, set_report_day

Configurer = Annotated[Caller, require("configure")]
router = APIRouter(prefix="/reports", tags=["reports"], responses=CALLER_ERRORS)

FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)
Format = Literal["json", "csv", "xlsx", "pdf"]
MEDIA_TYPES: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
Responses = dict[int | str, dict[str, Any]]
DOWNLOADS: Responses = {
    200: {"content": {media.split(";")[0]: {} for media in MEDIA_TYPES.values()}}
}
PDF: Responses = {200: {"content": {"application/pdf": {}}}}
PRIVATE = {"Cache-Control": "private, no-store"}


def title_of(name: str) -> str:
    return TITLES.get(name, name.replace("_", " ").capitalize())


def description_of(name: str) -> str:
    return DESCRIPTIONS.get(name, "")


# ---- what a reader asks, as the CLI takes it ---------------------------------------------------


@dataclass(frozen=True)
class Asked:
    """A report's request as typed (None: not given)."""

    on: date | None = None
    start: date | None = None
    end: date | None = None
    by: By = By.CURRENCY
    buckets: str | None = None
    aged_from: str | None = None


def period_of(company: Company, asked: Asked) -> tuple[date, date]:
    """(first, last) day: `to` or `on` or today on the company's clock; `from` or the default
    three months up to the last day."""
    last = asked.end or asked.on or today_in(company.timezone)
    first = asked.start or default_start(last)
    return first, last


def scheme_of(buckets: str | None, aged_from: str | None) -> Scheme:
    """The aging buckets asked for; refused naming the field at fault."""
    try:
        return parse_scheme(buckets or None, aged_from or None)
    except ValueError as exc:
        field = "aged_from" if str(exc).startswith("aged from") else "buckets"
        raise Invalid(str(exc), field=field) from None


def report_of(session: Session, company: Company, name: str, asked: Asked) -> Report:
    """The report `name` for what was asked: an unknown report is a 404."""
    if name not in REPORTS:
        raise NotFound(f"no report {name!r}: choose one of {', '.join(REPORTS)}", field="name")
    first, last = period_of(company, asked)
    scheme = scheme_of(asked.buckets, asked.aged_from)
    return build(session, ReportQuery(name, company.id, first, last, asked.by, scheme))


def download(content: bytes, name: str, last: date, extension: str) -> Response:
    headers = {
        "Content-Disposition": f'attachment; filename="cobro-{name}-{last}.{extension}"',
        **PRIVATE,
    }
    return Response(content, media_type=MEDIA_TYPES[extension], headers=headers)


# ---- the shapes -------------------------------------------------------------------------------


class ReportInfo(BaseModel):
    name: str
    title: str
    description: str


class ColumnOut(BaseModel):
    key: str
    label: str
    kind: str  # text, money, count, days, percent, number


class SeriesOut(BaseModel):
    name: str
    values: list[float | None]  # one per label; null: not defined


class ChartOut(BaseModel):
    key: str
    title: str
    kind: str  # stacked_bars or lines
    labels: list[str]
    series: list[SeriesOut]
    unit: str


class ReportOut(BaseModel):
    """A report's table and charts. Cells as files hold them: money a decimal string in
    major units of the row's `currency`, measures decimal strings ("12.35"), counts integers,
    dates ISO, and null where not defined."""

    name: str
    title: str
    period: str
    notes: list[str]
    columns: list[ColumnOut]
    rows: list[dict[str, str | int | None]]
    charts: list[ChartOut]


# ---- the routes -------------------------------------------------------------------------------

OnDay = Annotated[
    date | None,
    Query(ge=FIRST_DAY, le=LAST_DAY, description="as of this day (default: `to`, or today)"),
]
FromDay = Annotated[
    date | None,
    Query(
        alias="from",
        ge=FIRST_DAY,
        le=LAST_DAY,
        description="the period's first day (default: the last three calendar months)",
    ),
]
ToDay = Annotated[
    date | None,
    Query(
        alias="to", ge=FIRST_DAY, le=LAST_DAY, description="the period's last day (default: `on`)"
    ),
]
SliceBy = Annotated[
    By,
    Query(
        description="slice by currency (default), or by collector, segment or country with "
        "amounts converted to the reporting currency at the FX rates of the period's end"
    ),
]
Buckets = Annotated[
    str | None,
    Query(max_length=100, description="aging bucket limits in days, e.g. 30,60,90,120"),
]
AgedFrom = Annotated[Basis, Query(description="age an aging from the due or the issue date")]
FormatAsked = Annotated[Format, Query(description="json (default), csv, xlsx or pdf")]


@router.get("")
def list_reports(caller: Reader) -> list[ReportInfo]:
    """Every report there is, by name: what `GET /api/reports/{name}` answers."""
    return [
        ReportInfo(name=name, title=title_of(name), description=description_of(name))
        for name in REPORTS
    ]


@router.get(
    "/management.pdf",
    response_class=Response,
    responses={**error_responses(422), **PDF},
)
def management_pdf(
    session: DbSession, caller: Reader, on: OnDay = None, start: FromDay = None, end: ToDay = None
) -> Response:
    """The management report as one A4 PDF, charts included: the aging, every KPI and their
    monthly trends (by currency)."""
    company = session.get_one(Company, caller.company_id)
    first, last = period_of(company, Asked(on, start, end))
    check_period(first, last)
    reports = management_reports(session, company.id, first, last)
    content = to_pdf(reports, "Receivables management report", company.name, last)
    return download(content, "management", last, "pdf")


class WeeklyOut(BaseModel):
    day: str  # monday … sunday, or off
    recipients: list[str]  # the active admins' and managers' addresses

    @classmethod
    def of(cls, session: Session, company: Company) -> WeeklyOut:
        day = company.weekly_report_day
        return cls(
            day="off" if day is None else WEEKDAYS[day],
            recipients=[email for _id, email, _language in recipients(session, company.id)],
        )


class WeeklyIn(BaseModel):
    day: str = Field(max_length=12, description="monday … sunday, or off")


@router.get("/weekly")
def weekly_settings(session: DbSession, caller: Reader) -> WeeklyOut:
    """The day the weekly management report is emailed, and to whom."""
    return WeeklyOut.of(session, session.get_one(Company, caller.company_id))


@router.put("/weekly", responses=error_responses(422))
def change_weekly(session: DbSession, caller: Configurer, change: WeeklyIn) -> WeeklyOut:
    """Set the weekday the worker emails the weekly report (managers and admins), or off."""
    company = session.get_one(Company, caller.company_id)
    try:
        day = parse_weekday(change.day)
    except ValueError as exc:
        raise Invalid(str(exc), field="day") from None
    set_report_day(session, company, day, utcnow(), caller.user.id, "api")
    return WeeklyOut.of(session, company)


@router.get(
    "/{name}", response_model=ReportOut, responses={**error_responses(404, 422), **DOWNLOADS}
)
def show_report(
    session: DbSession,
    caller: Reader,
    name: Annotated[str, Path(max_length=50, description="a name of `GET /api/reports`")],
    on: OnDay = None,
    start: FromDay = None,
    end: ToDay = None,
    by: SliceBy = By.CURRENCY,
    buckets: Buckets = None,
    aged_from: AgedFrom = Basis.DUE,
    format: FormatAsked = "json",
) -> ReportOut | Response:
    """One report for the period, sliced as asked: its table, notes and charts as JSON, or
    the same table as a CSV or Excel download, or the report as a PDF."""
    company = session.get_one(Company, caller.company_id)
    asked = Asked(on, start, end, by, buckets, aged_from.value)
    report = report_of(session, company, name, asked)
    _first, last = period_of(company, asked)
    if format == "csv":
        return download(to_csv(report), name, last, "csv")
    if format == "xlsx":
        return download(to_xlsx(report), name, last, "xlsx")
    if format == "pdf":
        return download(to_pdf([report], report.title, company.name, last), name, last, "pdf")
    return ReportOut.model_validate(to_json(report))
