"""Write and read audit events. Services add and flush; the caller commits."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.audit.models import AuditEvent


def record(
    session: Session,
    action: str,
    *,
    at: datetime,
    entity_type: str,
    entity_id: int | str | None = None,
    actor_id: int | None = None,
    company_id: int | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    source: str | None = None,
) -> AuditEvent:
    """Append one event, e.g. `record(s, "membership.granted", at=now, entity_type="membership",
    entity_id=m.id, actor_id=admin.id, company_id=m.company_id, after={"role": "collector"},
    source="cli")`. `before`/`after` hold JSON values only (no secrets, ever)."""
    if at.tzinfo is None:
        raise ValueError("audit events need an aware UTC time")
    event = AuditEvent(
        at=at,
        action=action,
        entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id),
        actor_id=actor_id,
        company_id=company_id,
        before=dict(before) if before is not None else None,
        after=dict(after) if after is not None else None,
        source=source[:64] if source else None,
    )
    session.add(event)
    session.flush()
    return event


def list_events(
    session: Session,
    company_id: int | None = None,
    since: datetime | None = None,
    limit: int = 200,
) -> list[AuditEvent]:
    """The latest events first; of one company (and those of no company, such as sign-ins by
    unknown emails, only when no company is given)."""
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    if company_id is not None:
        query = query.where(AuditEvent.company_id == company_id)
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    return list(session.scalars(query))
