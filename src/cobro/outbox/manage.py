"""What a person does to the outbox: list its actions, retry a failed one, send a queued one
now, cancel a queued one. Always within one company: another company's action is NotFound.

"Send now" moves a queued action's `not_before` to now: a collector's decision overrides the
debtor's send window (quiet hours, weekends, contact caps), but NOT opt-outs, holds or a paid
ledger, which the worker re-checks when it prepares the action anyway (`outbox.service`).
"Retry" puts a failed action back in the queue, due now, its attempts kept (the count of tries
stays honest; the worker's backoff starts from it). Each change is an audit event with the
status before and after. Services flush; the caller commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.audit.service import record
from cobro.customer.models import Customer
from cobro.errors import Conflict, Invalid, NotFound
from cobro.kit.pagination import Page, PageRequest, page_keys, page_of
from cobro.outbox.models import STATUSES, Action


@dataclass(frozen=True)
class ActionRow:
    """An action with its customer, as the outbox page and API list it."""

    id: int
    customer: str  # the customer's external id
    customer_name: str
    kind: str
    stage: str
    tone: str
    cycle_on: date
    status: str
    not_before: datetime
    attempts: int
    last_error: str | None
    sent_at: datetime | None
    created_at: datetime


def list_actions(
    session: Session,
    company_id: int,
    status: str | None = None,
    kind: str | None = None,
    on: date | None = None,
    page: PageRequest | None = None,
    action_id: int | None = None,
) -> Page[ActionRow]:
    """The company's actions, newest day first, a page at a time."""
    page = page or PageRequest()
    if status is not None and status not in STATUSES:
        raise Invalid(f"status {status!r}: use one of {', '.join(STATUSES)}", "status")
    keys = select(Action.id).where(Action.company_id == company_id)
    if status is not None:
        keys = keys.where(Action.status == status)
    if kind is not None:
        keys = keys.where(Action.kind == kind)
    if on is not None:
        keys = keys.where(Action.cycle_on == on)
    if action_id is not None:
        keys = keys.where(Action.id == action_id)
    newest_first = (Action.cycle_on.desc(), Action.id.desc())
    shown = page_keys(keys.order_by(*newest_first), page)
    query = (
        select(Action, Customer.external_id, Customer.name)
        .join(shown, shown.c.id == Action.id)
        .join(
            Customer,
            (Customer.id == Action.customer_id) & (Customer.company_id == Action.company_id),
        )
        .order_by(*newest_first)
    )
    rows = [
        ActionRow(
            id=action.id,
            customer=external_id,
            customer_name=name,
            kind=action.kind,
            stage=action.stage,
            tone=action.tone,
            cycle_on=action.cycle_on,
            status=action.status,
            not_before=action.not_before,
            attempts=action.attempts,
            last_error=action.last_error,
            sent_at=action.sent_at,
            created_at=action.created_at,
        )
        for action, external_id, name in session.execute(query)
    ]
    return page_of(rows, page)


def action_row(session: Session, company_id: int, action_id: int) -> ActionRow:
    """One action of the company, as listed."""
    rows = list_actions(session, company_id, action_id=action_id).items
    if not rows:
        raise NotFound(f"no action {action_id} in this company")
    return rows[0]


def get_action(session: Session, company_id: int, action_id: int) -> Action:
    """The company's action, locked for the change about to be made (a worker claiming it at
    the same moment waits, then finds it no longer due or no longer queued)."""
    action = session.scalar(
        select(Action)
        .where(Action.id == action_id, Action.company_id == company_id)
        .with_for_update()
    )
    if action is None:
        raise NotFound(f"no action {action_id} in this company")
    return action


def _require(action: Action, allowed: str, doing: str) -> None:
    if action.status != allowed:
        raise Conflict(
            f"action {action.id} is {action.status}: only a {allowed} action can be {doing}",
            "status",
        )


def _audit(
    session: Session,
    name: str,
    action: Action,
    now: datetime,
    actor_id: int | None,
    before: dict[str, object],
    reason: str | None = None,
) -> None:
    after: dict[str, object] = {
        "status": action.status,
        "not_before": action.not_before.isoformat(),
    }
    if reason:
        after["reason"] = reason
    record(
        session,
        name,
        at=now,
        entity_type="action",
        entity_id=action.id,
        actor_id=actor_id,
        company_id=action.company_id,
        before=before,
        after=after,
        source="web",
    )


def _state(action: Action) -> dict[str, object]:
    return {"status": action.status, "not_before": action.not_before.isoformat()}


def retry(
    session: Session, company_id: int, action_id: int, now: datetime, actor_id: int | None
) -> Action:
    """A failed action back in the queue, due now; its attempts are kept."""
    action = get_action(session, company_id, action_id)
    _require(action, "failed", "retried")
    before = _state(action)
    action.status = "queued"
    action.not_before = now
    action.claimed_by = None
    action.claimed_until = None
    session.flush()
    _audit(session, "action.retried", action, now, actor_id, before)
    return action


def send_now(
    session: Session, company_id: int, action_id: int, now: datetime, actor_id: int | None
) -> Action:
    """A queued action due now, whatever its send window (opt-outs and holds still apply:
    the worker re-checks them)."""
    action = get_action(session, company_id, action_id)
    _require(action, "queued", "sent now")
    before = _state(action)
    action.not_before = min(action.not_before, now)
    session.flush()
    _audit(session, "action.send_now", action, now, actor_id, before)
    return action


def cancel(
    session: Session,
    company_id: int,
    action_id: int,
    now: datetime,
    actor_id: int | None,
    reason: str | None = None,
) -> Action:
    """A queued action that will never be carried out."""
    action = get_action(session, company_id, action_id)
    _require(action, "queued", "cancelled")
    before = _state(action)
    action.status = "cancelled"
    action.last_error = f"cancelled by hand: {reason}" if reason else "cancelled by hand"
    session.flush()
    _audit(session, "action.cancelled", action, now, actor_id, before, reason)
    return action
