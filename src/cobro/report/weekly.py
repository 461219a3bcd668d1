"""The weekly management report: on the company's report day, each of its admins and managers
gets an email with the headline figures and the management report's PDF attached, through the
outbox's deliveries (so it is retried, and sent once). The week's report covers the last
three calendar months up to the day before (a whole day).

One `ReportMailing` row per company, ISO week and person makes it idempotent: the worker that
checks every few minutes, a second worker doing the same, and `cobro report weekly` asking for
it now all queue one email per person and week.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cobro.audit.service import record
from cobro.auth.models import Membership, User
from cobro.company.models import Company
from cobro.errors import Invalid
from cobro.kit.money import display
from cobro.report.catalog import default_start
from cobro.report.export import to_pdf
from cobro.report.kpi_rules import rounded
from cobro.report.kpis import Kpis, receivables_kpis
from cobro.report.management import management_reports
from cobro.report.models import ReportMailing
from cobro.webhook.account_mail import queue_email

EVENT = "report.weekly"
RECIPIENT_ROLES = ("admin", "manager")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
SUBJECT = {
    "en": "Weekly receivables report — {company}, week {week}",
    "es": "Informe semanal de cobros — {company}, semana {week}",
}
LINES = {
    "en": ("Receivables {start} – {end}, as the ledger stood at the end of {end}.",
           "{currency}: open {ar}, {overdue} % overdue; DSO {dso} days; CEI {cei} %.",
           "The full report (aging, KPIs, trends, collection curve, collectors, promises, "
           "disputes) is attached as a PDF.", "Nothing was open or sold in the period."),
    "es": ("Cobros del {start} al {end}, según el libro al final del {end}.",
           "{currency}: pendiente {ar}, {overdue} % vencido; DSO {dso} días; CEI {cei} %.",
           "El informe completo (antigüedad, KPI, tendencias, curva de cobro, gestores, "
           "promesas, disputas) va adjunto en PDF.", "Nada pendiente ni vendido en el periodo."),
}  # fmt: skip


@dataclass(frozen=True)
class Mailing:
    """What one company's week queued: the week, and the people it went to now."""

    company: str
    week: str
    queued: tuple[str, ...]  # email addresses queued now (not those queued before)


def iso_week(day: date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def parse_weekday(text: str) -> int | None:
    """ "monday" … "sunday" → 0 … 6; "off" → None."""
    name = text.strip().lower()
    if name == "off":
        return None
    if name not in WEEKDAYS:
        raise ValueError(f"{text!r}: give a weekday ({', '.join(WEEKDAYS)}) or off")
    return WEEKDAYS.index(name)


def set_report_day(
    session: Session,
    company: Company,
    day: int | None,
    now: datetime,
    actor_id: int | None = None,
    source: str | None = None,
) -> None:
    """The weekday the weekly report goes out (0 = Monday), or None for none; audited."""
    if day is not None and not 0 <= day <= 6:
        raise Invalid(f"weekly report day {day}: give 0 (Monday) to 6 (Sunday)", field="day")
    if company.weekly_report_day == day:
        return
    before = {"weekly_report_day": company.weekly_report_day}
    company.weekly_report_day = day
    session.flush()
    record(
        session, "company.updated", at=now, entity_type="company", entity_id=company.id,
        actor_id=actor_id, company_id=company.id, before=before,
        after={"weekly_report_day": day}, source=source,
    )  # fmt: skip


def queue_weekly_report(session: Session, company: Company, on: date, now: datetime) -> Mailing:
    """Queue the report of the week of `on` to each admin and manager who has not had it."""
    week = iso_week(on)
    waiting = [
        (user_id, email, language)
        for user_id, email, language in recipients(session, company.id)
        if not _mailed(session, company.id, week, user_id)
    ]
    if not waiting:
        return Mailing(company.code, week, ())
    end = on - timedelta(days=1)
    start = default_start(end)
    pdf = to_pdf(
        management_reports(session, company.id, start, end),
        "Receivables management report", company.name, end,
    )  # fmt: skip
    headline = receivables_kpis(session, company.id, start, end)
    queued = []
    for user_id, email, language in waiting:
        if _queue_one(session, company, week, (user_id, email, language), pdf, headline, now):
            queued.append(email)
    return Mailing(company.code, week, tuple(queued))


def queue_due_weekly_reports(
    session: Session, now: datetime, company_id: int | None = None
) -> list[Mailing]:
    """For every company (or the one given) whose report day is today in its own time zone,
    this week's report to those who have not had it. Cheap when there is nothing to send:
    a query per person of a company due today."""
    found = []
    query = select(Company).where(Company.weekly_report_day.is_not(None))
    if company_id is not None:
        query = query.where(Company.id == company_id)
    for company in session.scalars(query):
        today = now.astimezone(ZoneInfo(company.timezone)).date()
        if today.weekday() == company.weekly_report_day:
            found.append(queue_weekly_report(session, company, today, now))
    return found


def recipients(session: Session, company_id: int) -> list[tuple[int, str, str]]:
    return [
        (user_id, email, language)
        for user_id, email, language in session.execute(
            select(User.id, User.email, User.language)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.company_id == company_id,
                Membership.role.in_(RECIPIENT_ROLES),
                User.active.is_(True),
            )
            .order_by(User.id)
        )
    ]


def _mailed(session: Session, company_id: int, week: str, user_id: int) -> bool:
    return (
        session.scalar(
            select(ReportMailing.id).where(
                ReportMailing.company_id == company_id,
                ReportMailing.week == week,
                ReportMailing.user_id == user_id,
            )
        )
        is not None
    )


def _queue_one(
    session: Session,
    company: Company,
    week: str,
    recipient: tuple[int, str, str],
    pdf: bytes,
    headline: list[Kpis],
    now: datetime,
) -> bool:
    """Claim the (company, week, person) row first: if another process claimed it meanwhile,
    the unique constraint refuses ours and nothing is queued twice."""
    user_id, email, language = recipient
    language = language if language in SUBJECT else "en"
    mailing = ReportMailing(company_id=company.id, week=week, user_id=user_id, created_at=now)
    try:
        with session.begin_nested():
            session.add(mailing)
    except IntegrityError:
        return False
    delivery = queue_email(
        session, to=email, subject=SUBJECT[language].format(company=company.name, week=week),
        text=_text(language, headline), event=EVENT, now=now, company_id=company.id,
    )  # fmt: skip
    delivery.attachment = pdf
    delivery.attachment_name = f"cobro-report-{company.code}-{week}.pdf"
    mailing.delivery_id = delivery.id
    session.flush()
    return True


def _text(language: str, headline: list[Kpis]) -> str:
    period, figures, attached, nothing = LINES[language]
    lines = []
    if headline:
        lines.append(period.format(start=headline[0].start, end=headline[0].end))
    for kpis in headline:
        lines.append(
            figures.format(
                currency=kpis.currency,
                ar=display(kpis.ending_ar, kpis.currency),
                overdue=_shown(kpis.overdue_share),
                dso=_shown(kpis.dso),
                cei=_shown(kpis.cei),
            )
        )
    if not headline:
        lines.append(nothing)
    lines.append(attached)
    return "\n\n".join(lines) + "\n"


def _shown(value: Decimal | None) -> str:
    found = rounded(value)
    return "n/d" if found is None else f"{found:,.2f}"
