"""The worker's daily scoring: each company once a day, in its own time zone."""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.scoring import repository, scorer, service
from cobro.scoring.models import CustomerScore

RETRAIN_AFTER = timedelta(days=30)


def score_due_companies(
    session: Session, now: datetime, company_id: int | None = None
) -> list[scorer.Scored]:
    """Score every company (or the one given) not yet scored today; first retrain a model
    older than RETRAIN_AFTER (only where one was trained: training is the user's choice)."""
    query = select(Company)
    if company_id is not None:
        query = query.where(Company.id == company_id)
    done = []
    for company in session.scalars(query).all():
        if not scorer.lock_company(session, company.id, wait=False):
            continue  # another worker is scoring it now
        today = now.astimezone(ZoneInfo(company.timezone)).date()
        last = session.scalar(
            select(func.max(CustomerScore.scored_on)).where(CustomerScore.company_id == company.id)
        )
        if last is not None and last >= today:
            continue
        model = repository.latest_model(session, company.id)
        if model is not None and model.trained_on <= today - RETRAIN_AFTER:
            with suppress(service.TooLittleHistory):  # the model in use stays
                service.train(session, company.id, today, now)
        done.append(scorer.score(session, company.id, today))
    return done
