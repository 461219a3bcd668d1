"""The company's payment plan guardrails: the longest plan (months from the first installment
to the last) and the smallest installment a plan asked for in the portal may have to be
approved at once, and the grace days an installment may be late before the plan breaks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from cobro.audit.service import record
from cobro.company.models import Company
from cobro.errors import Invalid
from cobro.kit.dates import utcnow
from cobro.plan import rules


def change_settings(
    session: Session,
    company: Company,
    longest_months: int | None = None,
    smallest: int | None = None,
    grace_days: int | None = None,
    actor_id: int | None = None,
    now: datetime | None = None,
) -> Company:
    """Change them (None: as they are). Plans already made keep the grace they were made
    with."""
    before = {
        "longest_months": company.plan_longest_months,
        "smallest_installment": company.plan_smallest_installment,
        "grace_days": company.plan_grace_days,
    }
    longest = company.plan_longest_months if longest_months is None else longest_months
    least = company.plan_smallest_installment if smallest is None else smallest
    grace = company.plan_grace_days if grace_days is None else grace_days
    reasons = rules.check_settings(longest, least, grace)
    if reasons:
        raise Invalid(reasons[0].message, field=reasons[0].field)
    company.plan_longest_months = longest
    company.plan_smallest_installment = least
    company.plan_grace_days = grace
    session.flush()
    record(
        session,
        "company.plan_settings",
        at=now or utcnow(),
        entity_type="company",
        entity_id=company.id,
        actor_id=actor_id,
        company_id=company.id,
        before=before,
        after={"longest_months": longest, "smallest_installment": least, "grace_days": grace},
    )
    return company
