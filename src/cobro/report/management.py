"""The management report: the reports a manager reads each week, in one PDF."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from cobro.fx.service import MissingRate
from cobro.report.catalog import TITLES, Query, build
from cobro.report.slices import By
from cobro.report.table import Report

MANAGEMENT_REPORTS = ("aging", "kpis", "trends", "curve", "collectors", "promises", "disputes")


def management_reports(session: Session, company_id: int, start: date, end: date) -> list[Report]:
    """Every report of the management pack for the period, by currency. A report that needs
    an FX rate the company lacks (the collectors', always in the reporting currency) is there
    with the message of what is missing instead of its table: the rest of the pack, and the
    weekly email that carries it, still go out."""
    found = []
    for name in MANAGEMENT_REPORTS:
        try:
            found.append(build(session, Query(name, company_id, start, end, By.CURRENCY)))
        except MissingRate as missing:
            found.append(
                Report(name=name, title=TITLES[name], columns=(), rows=(),
                       notes=(f"Not shown: {missing.message}",), period=f"{start} – {end}")
            )  # fmt: skip
    return found
