"""The company layer of the chase settings (send window, contact caps, pacing) as the settings
page and API edit it, audited; the segment, customer and invoice layers stay with the policy
screens and `cobro settings`. Services change and flush; the caller commits."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from cobro.audit.service import record
from cobro.policy.chase_settings import (
    SettingsView,
    resolved_to_mapping,
    set_settings,
    show_settings,
)
from cobro.settings.company import company_of

NAMES = (
    "window_start",
    "window_end",
    "weekends",
    "holidays",
    "max_messages",
    "period_days",
    "max_calls",
    "call_period_days",
    "quiet_after_conversation_days",
    "min_days_between_stages",
    "regulation",
)


def company_chase(session: Session, company_id: int) -> SettingsView:
    return show_settings(session, company_of(session, company_id))


def chase_values(view: SettingsView) -> dict[str, Any]:
    """What the company layer sets (None: inherited from the profile) and what applies."""
    return {
        "values": {name: view.layers[0].values.get(name) for name in NAMES},
        "applies": resolved_to_mapping(view.resolved),
        "profile": view.profile,
        "clamped": list(view.resolved.clamped),
    }


def update_chase(
    session: Session,
    company_id: int,
    values: Mapping[str, object],
    now: datetime,
    actor_id: int | None = None,
    source: str | None = None,
) -> SettingsView:
    """Merge `values` into the company layer (None or "inherit" removes a setting); the
    layer is checked whole, and with every layer it combines with, before it is written."""
    company = company_of(session, company_id)
    before = dict(show_settings(session, company).layers[0].values)
    layer = set_settings(session, company, "company", "", values)
    if dict(layer.values) != before:
        record(
            session,
            "chase_settings.updated",
            at=now,
            entity_type="chase_setting",
            entity_id=f"company {company_id}",
            actor_id=actor_id,
            company_id=company_id,
            before=before,
            after=dict(layer.values),
            source=source,
        )
    return show_settings(session, company)
