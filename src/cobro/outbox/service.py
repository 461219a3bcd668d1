"""Carrying out claimed actions: prepare (re-check, compose, or do it at once), then record
what the channel said. The worker (`cobro.worker`) sends between the two, outside any
transaction, so no database lock is held while a mail server thinks."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from hashlib import sha256
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from cobro.channel.base import DeliveryError, Receipt
from cobro.channel.letter import RendererUnavailable
from cobro.charge.service import CHARGING, record_stage_charges
from cobro.charge.store import Recorded, charges_off
from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.errors import CobroError
from cobro.notice.errors import NoticeError
from cobro.notice.links import MessageLinks
from cobro.notice.render import TemplateKey
from cobro.notice.service import custom_templates
from cobro.outbox.compose import Composed, NothingToSend, Unsendable, compose
from cobro.outbox.events import message_failed
from cobro.outbox.models import Action, Attempt, Document
from cobro.outbox.snapshot import Snapshot, load_snapshot
from cobro.policy.models import ChaseStep
from cobro.policy.rules import CHANNELS, ActionKind, Policy
from cobro.policy.service import Policies, load_policies
from cobro.task.service import raise_task

# a message still failing after this many tries (about a day and a half of backoff) is a
# problem for a person, not for more retries
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)

_TASKS = {
    ActionKind.CALL_TASK: ("call", "Call {customer} about {count} overdue item(s) ({stage})"),
    ActionKind.INTERNAL_TASK: ("follow_up", "Review {customer}: stage {stage} reached"),
    ActionKind.ESCALATE_LEGAL: (
        "escalation",
        "Open a legal case for {customer} ({count} item(s) at {stage})",
    ),
    ActionKind.ESCALATE_AGENCY: (
        "escalation",
        "Place {customer} with a collection agency ({count} item(s) at {stage})",
    ),
}


@dataclass(frozen=True)
class Job:
    """A composed message waiting for its channel."""

    action_id: int
    composed: Composed
    delivers: tuple[tuple[int, str], ...]  # (invoice id, stage) delivered when it goes out


# a job and what its channel said
Outcome = tuple[Job, Receipt | DeliveryError]


@dataclass
class Prepared:
    jobs: list[Job] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)


class Preparer:
    """Prepares a batch; caches what every action of a company shares."""

    def __init__(
        self, session: Session, worker: str, now: datetime, links: MessageLinks | None = None
    ) -> None:
        self.session = session
        self.worker = worker
        self.now = now
        self.links = links or MessageLinks(secret=None)  # no secret: messages carry no link
        self._companies: dict[int, tuple[Company, Policies, dict[TemplateKey, str]]] = {}

    def company(self, company_id: int) -> tuple[Company, Policies, dict[TemplateKey, str]]:
        found = self._companies.get(company_id)
        if found is None:
            company = self.session.get_one(Company, company_id)
            found = (
                company,
                load_policies(self.session, company),
                dict(custom_templates(self.session, company_id)),
            )
            self._companies[company_id] = found
        return found

    def prepare(self, action_ids: list[int]) -> Prepared:
        prepared = Prepared()
        actions = [
            action
            for action in self.session.scalars(
                select(Action).where(Action.id.in_(action_ids)).order_by(Action.id)
            )
            # not those whose lease ran out and that another worker has now
            if action.status == "sending" and action.claimed_by == self.worker
        ]
        ledgers = self._snapshots(actions)
        for action in actions:
            job = self._one(action, ledgers[action.company_id], prepared.outcomes)
            if job is not None:
                prepared.jobs.append(job)
        self.session.flush()
        return prepared

    def _snapshots(self, actions: list[Action]) -> dict[int, Snapshot]:
        """The ledger each company's actions are checked and composed from, read for all of
        them at once, on the company's own today."""
        customers: dict[int, set[int]] = {}
        for action in actions:
            customers.setdefault(action.company_id, set()).add(action.customer_id)
        ledgers = {}
        for company_id, customer_ids in customers.items():
            company = self.company(company_id)[0]
            today = self.now.astimezone(ZoneInfo(company.timezone)).date()
            ledgers[company_id] = load_snapshot(self.session, customer_ids, today)
        return ledgers

    def _one(self, action: Action, ledger: Snapshot, outcomes: Counter[str]) -> Job | None:
        company, policies, custom = self.company(action.company_id)
        kind = ActionKind(action.kind)
        if kind in CHARGING and (why := charges_off(company, kind)):
            finish(self.session, action, "skipped", why, self.worker, self.now)
            outcomes["skipped"] += 1
            return None
        try:
            if kind in CHANNELS:
                # the stage's fees and interest first, so that the message lists them
                self._charges(action, company, policies, ledger)
                portal = self.links.portal(company.id, action.customer_id, self.now)
                composed = compose(self.session, action, company, ledger, custom, portal)
                return Job(action.id, composed, _delivers_items(composed.items, kind, policies))
            self._carry_out(action, kind, company, policies, ledger)
        except NothingToSend as reason:
            finish(self.session, action, "cancelled", str(reason), self.worker, self.now)
            outcomes["cancelled"] += 1
            return None
        except (Unsendable, NoticeError, RendererUnavailable) as problem:
            fail(self.session, action, str(problem), self.worker, self.now)
            outcomes["failed"] += 1
            return None
        outcomes["sent"] += 1
        return None

    def _carry_out(
        self,
        action: Action,
        kind: ActionKind,
        company: Company,
        policies: Policies,
        ledger: Snapshot,
    ) -> None:
        """Actions with no channel behind them happen here, in the same transaction as the
        status that says they happened."""
        customer = ledger.customer(action.customer_id)
        rows = ledger.chased(customer.id)
        if not rows:
            raise NothingToSend("nothing left to chase: paid, credited or on hold since the cycle")
        if kind is ActionKind.CREDIT_BLOCK:
            customer.credit_blocked = True
            detail = "credit blocked"
        elif kind in CHARGING:
            recorded = self._charges(action, company, policies, ledger)
            if recorded.problems_of(kind):
                raise Unsendable(recorded.summary(kind))
            detail = recorded.summary(kind)
        elif kind is ActionKind.WEBHOOK:
            raise Unsendable("no webhook endpoint is configured for stage events yet (issue #4)")
        else:
            task_kind, title = _TASKS[kind]
            task = raise_task(
                self.session,
                company_id=company.id,
                customer=customer,
                kind=task_kind,
                title=title.format(customer=customer.name, count=len(rows), stage=action.stage),
                due_on=action.cycle_on,
                not_before=action.not_before,
                action_id=action.id,
            )
            detail = f"task {task.id}"
        listed = tuple((invoice.id, policy, stage) for invoice, policy, stage in rows)
        mark_delivered(self.session, _delivers_items(listed, kind, policies), action.cycle_on)
        finish(self.session, action, "sent", detail, self.worker, self.now)

    def _charges(
        self, action: Action, company: Company, policies: Policies, ledger: Snapshot
    ) -> Recorded:
        """Record the fees and interest of the stages the customer's items are at (once:
        a later action of the same stage finds them recorded)."""
        customer = ledger.customer(action.customer_id)
        try:
            recorded = record_stage_charges(
                self.session,
                company,
                policies,
                customer,
                ledger.chased(customer.id),
                action.cycle_on,
                action.id,
            )
        except CobroError as problem:  # the company's settings: said by the charge action
            return Recorded(problems=[(kind, problem.message) for kind in CHARGING])
        new = [charge for charge in recorded.charges if charge.mode == "claim"]
        ledger.claims.setdefault(customer.id, []).extend(new)
        return recorded


def _delivers_items(
    items: tuple[tuple[int, int, str], ...], kind: ActionKind, policies: Policies
) -> tuple[tuple[int, str], ...]:
    """The items whose stage this action completes: the stage lists the action, and it is a
    message to the debtor, or the stage sends the debtor nothing at all (an escalation)."""
    out = []
    for invoice_id, policy_id, code in items:
        policy: Policy | None = policies.by_id.get(policy_id)
        stage = next((s for s in policy.stages if s.code == code), None) if policy else None
        if stage is None or kind not in stage.actions:
            continue
        if kind in CHANNELS or not any(a in CHANNELS for a in stage.actions):
            out.append((invoice_id, code))
    return tuple(out)


def mark_delivered(session: Session, items: tuple[tuple[int, str], ...], on: date) -> None:
    mark_all_delivered(session, dict.fromkeys(items, on))


def mark_all_delivered(session: Session, delivered: Mapping[tuple[int, str], date]) -> None:
    """Each (invoice id, stage) delivered on its day: one UPDATE per (stage, day)."""
    groups: dict[tuple[str, date], list[int]] = {}
    for (invoice_id, stage), on in delivered.items():
        groups.setdefault((stage, on), []).append(invoice_id)
    for (stage, on), invoice_ids in groups.items():
        # the first delivery of the step counts (a later resend changes nothing)
        session.execute(
            update(ChaseStep)
            .where(
                ChaseStep.invoice_id.in_(invoice_ids),
                ChaseStep.stage == stage,
                ChaseStep.delivered_on.is_(None),
            )
            .values(delivered_on=on)
            .execution_options(synchronize_session=False)
        )


def record_round(
    session: Session, results: Sequence[Outcome], worker: str, now: datetime
) -> list[str]:
    """Record what the channels said about a round's jobs, in one transaction; the outcome of
    each: "sent", "retry", "failed" or "superseded" (our lease ran out, another worker has it).

    The round's actions are read (and on PostgreSQL locked) in one query and the rows of the
    messages sent are written together, so a round of a hundred emails costs a handful of
    statements, not six per email."""
    if not results:
        return []
    ids = [job.action_id for job, _result in results]
    actions = {
        action.id: action
        for action in session.scalars(
            select(Action).where(Action.id.in_(ids)).order_by(Action.id).with_for_update()
        )
    }
    delivered: dict[tuple[int, str], date] = {}
    rows: list[tuple[dict[str, Any], dict[str, Any]]] = []
    outcomes = []
    for job, result in results:
        if isinstance(result, DeliveryError):
            outcomes.append(record_failure(session, job, result, worker, now))
            continue
        action = actions[job.action_id]
        # a lost lease: another worker redid it, and its record stands
        if action.status == "sending" and action.claimed_by == worker:
            rows.append(_sent(action, result, worker, now))
            delivered.update(dict.fromkeys(job.delivers, action.cycle_on))
        outcomes.append("sent")
    if rows:
        session.execute(insert(Document), [document for document, _attempt in rows])
        session.execute(insert(Attempt), [attempt for _document, attempt in rows])
    mark_all_delivered(session, delivered)
    return outcomes


def _sent(
    action: Action, receipt: Receipt, worker: str, now: datetime
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Mark `action` sent (as `finish` does); its document and attempt rows, to be inserted
    with the round's."""
    action.provider_id = receipt.provider_id[:300]
    action.sent_at = now
    action.status = "sent"
    action.claimed_until = None
    document = {
        "action_id": action.id,
        "name": f"{action.key}{_SUFFIX.get(receipt.media_type, '')}",
        "media_type": receipt.media_type,
        "size": len(receipt.document),
        "sha256": sha256(receipt.document).hexdigest(),
        "content": receipt.document,
    }
    attempt = {
        "action_id": action.id,
        "at": now,
        "outcome": "sent",
        "detail": receipt.provider_id,
        "worker": worker,
    }
    return document, attempt


_SUFFIX = {
    "message/rfc822": ".eml",
    "application/pdf": ".pdf",
    "application/json": ".json",
    "text/plain": ".txt",
}


def record_failure(
    session: Session, job: Job, error: DeliveryError, worker: str, now: datetime
) -> str:
    """'retry', 'failed', or 'superseded' when our lease ran out and another worker has it."""
    action = session.get_one(Action, job.action_id)
    if action.status != "sending" or action.claimed_by != worker:
        return "superseded"
    if error.permanent or action.attempts >= MAX_ATTEMPTS:
        fail(session, action, error.reason, worker, now)
        return "failed"
    action.status = "queued"
    action.not_before = now + backoff(action.attempts)
    action.claimed_by = None
    action.claimed_until = None
    action.last_error = error.reason
    session.add(
        Attempt(action_id=action.id, at=now, outcome="retry", detail=error.reason, worker=worker)
    )
    return "retry"


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8… minutes after the attempt that failed, at most six hours."""
    wait: timedelta = FIRST_RETRY * (2 ** max(attempts - 1, 0))
    return min(wait, LONGEST_RETRY)


def finish(
    session: Session, action: Action, status: str, detail: str | None, worker: str, now: datetime
) -> None:
    action.status = status
    action.claimed_until = None
    if status != "sent":
        action.last_error = detail
    session.add(Attempt(action_id=action.id, at=now, outcome=status, detail=detail, worker=worker))


def fail(session: Session, action: Action, reason: str, worker: str, now: datetime) -> None:
    """Give up on an action and put it in front of a collector."""
    finish(session, action, "failed", reason, worker, now)
    customer = session.get_one(Customer, action.customer_id)
    raise_task(
        session,
        company_id=action.company_id,
        customer=customer,
        kind="failed_message",
        title=f"{action.kind} to {customer.name} failed ({action.stage})",
        detail=reason,
        due_on=now.date(),
        action_id=action.id,
    )
    message_failed(session, action, customer, reason, now)
