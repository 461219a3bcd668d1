"""The policy editor's use cases: the company's policies with whom they apply to, and one
stage changed, added or removed (`policy.stages`), each change an audit event with the stage
before and after. Services add and flush; the caller commits."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from cobro.audit.service import record
from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.errors import Conflict
from cobro.invoice.models import Invoice
from cobro.policy import stages as edit
from cobro.policy.models import ChaseStep, CollectionPolicy
from cobro.policy.service import ListedRule, ensure_default_policy, get_policy, list_policies
from cobro.policy.service import list_rules as all_rules


@dataclass(frozen=True)
class PolicyView:
    """A policy as the editor shows it: its stages (stored mappings, in order) and whom it
    applies to: the assignment rules that send items to it, the customers and invoices pinned
    to it, and whether it is the default (every item nothing else decides)."""

    id: int
    code: str
    name: str
    is_default: bool
    stages: list[dict[str, Any]]
    rules: list[ListedRule]
    customers: int  # customers pinned to it
    invoices: int  # invoices pinned to it
    updated_at: datetime


@dataclass(frozen=True)
class Editor:
    """Who makes a change, when, and through what (for the audit event)."""

    actor_id: int | None
    now: datetime
    source: str = "web"


def policy_views(session: Session, company: Company) -> list[PolicyView]:
    """Every policy of the company (the built-in default saved on first use), by code."""
    ensure_default_policy(session, company)
    rules = all_rules(session, company)
    pinned = _pinned(session, company.id)
    return [_view(row, rules, pinned) for row in list_policies(session, company)]


def policy_view(session: Session, company: Company, code: str) -> PolicyView:
    """One policy of the company; another company's code is NotFound."""
    ensure_default_policy(session, company)
    row = get_policy(session, company, code)
    return _view(row, all_rules(session, company), _pinned(session, company.id))


def change_stage(
    session: Session,
    company: Company,
    code: str,
    stage: str,
    changes: Mapping[str, Any],
    editor: Editor,
) -> dict[str, Any]:
    """Change a stage's offset, tone or actions; the stage as saved."""
    row = _row(session, company, code)
    before = edit.stage_of(_stored(row), stage)
    _save(row, edit.change_stage(_stored(row), stage, changes))
    after = edit.stage_of(_stored(row), stage)
    _audit(session, "policy.stage_changed", row, stage, editor, before, after)
    return after


def add_stage(
    session: Session, company: Company, code: str, stage: Mapping[str, Any], editor: Editor
) -> dict[str, Any]:
    """Add a stage, placed by its offset; the stage as saved."""
    row = _row(session, company, code)
    _save(row, edit.add_stage(_stored(row), stage))
    added = edit.stage_of(_stored(row), str(stage["code"]).strip())
    _audit(session, "policy.stage_added", row, added["code"], editor, None, added)
    return added


def remove_stage(
    session: Session, company: Company, code: str, stage: str, editor: Editor
) -> dict[str, Any]:
    """Remove a stage no open item is at (Conflict otherwise: those items would start their
    chase again from the stages before it); the stage removed."""
    row = _row(session, company, code)
    before = edit.stage_of(_stored(row), stage)
    waiting = items_at(session, row.id, stage)
    if waiting:
        raise Conflict(
            f"{waiting} open items are at stage {stage!r} now: removing it would send them "
            "earlier stages again; change its actions instead, or remove it once they moved on",
            field="stage",
        )
    _save(row, edit.remove_stage(_stored(row), stage))
    _audit(session, "policy.stage_removed", row, stage, editor, before, None)
    return before


def items_at(session: Session, policy_id: int, stage: str) -> int:
    """Open items whose latest step is `stage` of this policy."""
    later = aliased(ChaseStep)
    newer = (
        select(later.invoice_id)
        .where(later.invoice_id == ChaseStep.invoice_id, later.reached_on > ChaseStep.reached_on)
        .exists()
    )
    query = (
        select(func.count())
        .select_from(ChaseStep)
        .join(Invoice, and_(Invoice.id == ChaseStep.invoice_id, Invoice.settled_on.is_(None)))
        .where(ChaseStep.policy_id == policy_id, ChaseStep.stage == stage, ~newer)
    )
    return session.scalar(query) or 0


def _row(session: Session, company: Company, code: str) -> CollectionPolicy:
    ensure_default_policy(session, company)
    return get_policy(session, company, code)


def _stored(row: CollectionPolicy) -> dict[str, Any]:
    return {"code": row.code, "name": row.name, "stages": row.stages}


def _save(row: CollectionPolicy, policy: Mapping[str, Any]) -> None:
    # a new list, so that the JSON column sees the change
    row.stages = [dict(stage) for stage in policy["stages"]]


def _audit(
    session: Session,
    action: str,
    row: CollectionPolicy,
    stage: str,
    editor: Editor,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
) -> None:
    session.flush()
    record(
        session,
        action,
        at=editor.now,
        entity_type="policy",
        entity_id=row.code,
        actor_id=editor.actor_id,
        company_id=row.company_id,
        before=None if before is None else {"stage": stage, **before},
        after=None if after is None else {"stage": stage, **after},
        source=editor.source,
    )


def _pinned(session: Session, company_id: int) -> dict[str, dict[int, int]]:
    """How many customers and invoices are pinned to each policy id."""
    out: dict[str, dict[int, int]] = {}
    for name, table in (("customers", Customer), ("invoices", Invoice)):
        rows = session.execute(
            select(table.policy_id, func.count())
            .where(table.company_id == company_id, table.policy_id.is_not(None))
            .group_by(table.policy_id)
        )
        out[name] = {int(policy_id or 0): int(count) for policy_id, count in rows}
    return out


def _view(
    row: CollectionPolicy, rules: list[ListedRule], pinned: dict[str, dict[int, int]]
) -> PolicyView:
    return PolicyView(
        id=row.id,
        code=row.code,
        name=row.name,
        is_default=row.is_default,
        stages=[dict(stage) for stage in row.stages],
        rules=[rule for rule in rules if rule.policy == row.code],
        customers=pinned["customers"].get(row.id, 0),
        invoices=pinned["invoices"].get(row.id, 0),
        updated_at=row.updated_at,
    )
