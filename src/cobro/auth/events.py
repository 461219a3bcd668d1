"""The audit events of sign-in and access: one helper, so that every change is recorded the
same way (flushed first, so that a new row has its id; named by its entity)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from cobro.audit.service import record
from cobro.auth.models import ApiToken, Membership, User

Values = Mapping[str, Any] | None


def record_change(
    session: Session,
    action: str,
    now: datetime,
    entity: User | Membership | ApiToken | None,
    *,
    actor_id: int | None = None,
    company_id: int | None = None,
    before: Values = None,
    after: Values = None,
    source: str | None = None,
) -> None:
    """Flush the change, then record `action` on `entity`: a user (None: an email with no
    account), a membership or an API token."""
    session.flush()
    record(
        session,
        action,
        at=now,
        entity_type=_entity_type(entity),
        entity_id=entity.id if entity else None,
        actor_id=actor_id,
        company_id=company_id,
        before=before,
        after=after,
        source=source,
    )


def _entity_type(entity: User | Membership | ApiToken | None) -> str:
    """Its table's name ("membership", "api_token"); but "user" for a user, or none."""
    if entity is None or isinstance(entity, User):
        return "user"
    return entity.__tablename__
