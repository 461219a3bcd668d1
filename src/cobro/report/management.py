"""The management report: the reports a manager reads each week, in one PDF."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from cobro.report.catalog import Query, build
from cobro.report.slices import By
from cobro.report.table import Report

MANAGEMENT_REPORTS = ("aging", "kpis", "trends", "curve", "collectors", "promises", "disputes")


def management_reports(session: Session, company_id: int, start: date, end: date) -> list[Report]:
    """Every report of the management pack for the period, by currency."""
    return [
        build(session, Query(name, company_id, start, end, By.CURRENCY))
        for name in MANAGEMENT_REPORTS
    ]
