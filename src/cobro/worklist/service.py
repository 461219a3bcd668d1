"""The worklist as a collector works it: a page of ranked rows with their reasons, and the
quick moves on a row that are not notes or calls (those are `cobro.note.service`): pause the
customer for some days (a manual hold, `policy.holds.place_hold`) and send its queued messages
now (`outbox.manage.send_now`). Every move is an audit event. Services flush; the caller
commits."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.customer.service import get_customer
from cobro.errors import Conflict, Invalid
from cobro.kit.dates import utcnow
from cobro.kit.pagination import Page, PageRequest, page_of
from cobro.outbox import manage
from cobro.policy.defaults import default_policy
from cobro.policy.hold_manage import place
from cobro.policy.models import Hold
from cobro.policy.service import as_policy, list_policies
from cobro.worklist import repository
from cobro.worklist.rules import Facts
from cobro.worklist.snapshot import needs_rebuild, rebuild, refresh_customers

PAUSE_LONGEST = 90  # days: a longer pause is a dispute, a plan or a write-off, not a pause
REASON_MAX = 300  # Hold.reason


def worklist(
    session: Session,
    company_id: int,
    on: date,
    page: PageRequest | None = None,
    collector: str | None = None,
    stage: str | None = None,
) -> Page[Facts]:
    """The company's customers with overdue items on `on`, most urgent first: from the kept
    ranking, rebuilt first when stale (`worklist.snapshot`; the web edges rebuild it in a
    transaction of their own before they ask)."""
    page = page or PageRequest()
    now = utcnow()
    if needs_rebuild(session, company_id, on, now):
        rebuild(session, company_id, on, now)
    rows = repository.ranked(session, company_id, on, page, collector or None, stage or None)
    return page_of(rows, page)


def stage_codes(session: Session, company: Company) -> list[str]:
    """The stages of the company's policies, in the order of the chase (the page's filter);
    the default policy's before the company saves one."""
    policies = [as_policy(row) for row in list_policies(session, company)] or [default_policy()]
    codes: list[str] = []
    for policy in policies:
        codes += [stage.code for stage in policy.stages if stage.code not in codes]
    return codes


def check_pause(days: int, reason: str) -> tuple[int, str]:
    if not 1 <= days <= PAUSE_LONGEST:
        raise Invalid(f"pause for 1 to {PAUSE_LONGEST} days", field="days")
    clean = reason.strip()
    if not clean:
        raise Invalid("say why the customer is paused", field="reason")
    if len(clean) > REASON_MAX:
        raise Invalid(f"the reason is too long: {REASON_MAX} characters at most", field="reason")
    return days, clean


def pause(
    session: Session,
    company: Company,
    external_id: str,
    days: int,
    reason: str,
    on: date,
    now: datetime,
    actor_id: int,
    actor: str,
) -> Hold:
    """A manual hold on the whole customer from today (`on`) for `days` days: the cycle leaves
    it alone until then, and the worklist shows it below the others."""
    days, reason = check_pause(days, reason)
    hold = place(
        session,
        company,
        customer=external_id,
        invoice=None,
        kind="manual",
        reason=reason,
        starts_on=on,
        until=on + timedelta(days=days - 1),
        actor_id=actor_id,
        actor=actor,
        now=now,
    )
    refresh_customers(session, company.id, on, [hold.customer_id])  # on hold: last, at once
    return hold


def send_now(
    session: Session, company_id: int, external_id: str, now: datetime, actor_id: int
) -> list[int]:
    """Every queued action of the customer due now (each an audit event of its own); the ids.
    None queued: Conflict."""
    customer = get_customer(session, company_id, external_id)
    queued = repository.queued_actions(session, company_id, [customer.id]).get(customer.id, [])
    if not queued:
        raise Conflict(f"{external_id} has no queued message to send", field="customer")
    for action_id in queued:
        manage.send_now(session, company_id, action_id, now, actor_id)
    return queued
