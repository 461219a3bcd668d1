"""The company's promise settings: the days the chase waits past a promised date for the
money (grace), and the furthest date a debtor may promise (longest days)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from cobro.audit.service import record
from cobro.company.models import Company
from cobro.kit.dates import utcnow
from cobro.promise import rules


def change_settings(
    session: Session,
    company: Company,
    grace_days: int | None,
    longest_days: int | None,
    actor_id: int | None = None,
    now: datetime | None = None,
) -> Company:
    """Change the company's grace days and longest promise (None: as they are). Promises
    already made keep the grace they were made with."""
    before = {
        "grace_days": company.promise_grace_days,
        "longest_days": company.promise_longest_days,
    }
    grace = company.promise_grace_days if grace_days is None else grace_days
    longest = company.promise_longest_days if longest_days is None else longest_days
    rules.check_settings(grace, longest)
    company.promise_grace_days, company.promise_longest_days = grace, longest
    session.flush()
    record(
        session,
        "company.promise_settings",
        at=now or utcnow(),
        entity_type="company",
        entity_id=company.id,
        actor_id=actor_id,
        company_id=company.id,
        before=before,
        after={"grace_days": grace, "longest_days": longest},
    )
    return company
