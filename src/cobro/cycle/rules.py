"""What the cycle decides for one customer on one day. Pure: the rows come in, decisions go out.

- Each open item that is not held moves to the stage `policy.rules.next_stage` gives it, unless
  it reached a stage fewer than `min_gap` days ago (a debtor reached late is walked up the
  stages, not handed the demand letter on the day after the first reminder), and never twice
  in a day.
- A customer with known payment runs gets its first pre-due reminder early enough to land
  before the run that precedes the due date (`policy.runs.advance`, worked out per item as
  `OpenItem.advance`); it never turns into a due-day or overdue stage by coming early.
- Items whose currency's open total is covered by the customer's unapplied cash are not chased:
  the debtor has paid, we have only not yet matched the money.
- One action per customer and kind (email, SMS, letter, call task…) for the day, at the most
  advanced stage among the items that moved: one message lists every item at its stage.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from cobro.policy.rules import (
    ActionKind,
    CustomerKind,
    Grade,
    ItemFacts,
    Policy,
    Stage,
    next_stage,
)

COVERED = "unapplied cash"


@dataclass(frozen=True)
class Debtor:
    """The customer facts the stages look at."""

    customer_id: int
    kind: CustomerKind
    grade: Grade | None
    tags: frozenset[str]


class OpenItem(NamedTuple):
    """One open item as the cycle sees it (a tuple: a million are made each run, at C speed)."""

    invoice_id: int
    due_date: date
    open_amount: int
    currency: str
    policy_id: int
    current: str | None  # the stage reached under this policy, None if none yet
    stage_on: date | None
    delivered: str | None
    hold: str | None  # kind of the hold in force on the item or its customer
    min_gap: int = 0
    # days a pre-due stage comes early, to land before the customer's payment run
    # (`policy.runs.advance`); 0 for most items
    advance: int = 0


class Step(NamedTuple):
    invoice_id: int
    policy_id: int
    stage: str
    open_amount: int


@dataclass(frozen=True)
class Planned:
    kind: ActionKind
    policy_id: int
    stage: Stage


@dataclass
class Plan:
    steps: list[Step] = field(default_factory=list)
    actions: dict[ActionKind, Planned] = field(default_factory=dict)
    held: Counter[str] = field(default_factory=Counter)  # items not chased, by reason


def plan_customer(
    debtor: Debtor,
    items: Sequence[OpenItem],
    policies: Mapping[int, Policy],
    unapplied: Mapping[str, int],
    on: date,
) -> Plan:
    plan = Plan()
    chased = [item for item in items if item.hold is None]
    for item in items:
        if item.hold is not None:
            plan.held[item.hold] += 1
    covered = _covered_currencies(chased, unapplied)
    # the stages reached today, each once, in the order first reached (the first wins a tie)
    reached: dict[tuple[int, str], Stage] = {}
    for item in chased:
        if item.currency in covered:
            plan.held[COVERED] += 1
            continue
        stage = _move(debtor, item, policies[item.policy_id], on)
        if stage is None:
            continue
        plan.steps.append(Step(item.invoice_id, item.policy_id, stage.code, item.open_amount))
        reached.setdefault((item.policy_id, stage.code), stage)
    for (policy_id, _code), stage in reached.items():
        for kind in stage.actions:
            _keep_most_advanced(plan.actions, kind, policy_id, stage, policies)
    return plan


def _covered_currencies(items: Sequence[OpenItem], unapplied: Mapping[str, int]) -> set[str]:
    owed: dict[str, int] = defaultdict(int)
    for item in items:
        owed[item.currency] += item.open_amount
    return {currency for currency, total in owed.items() if unapplied.get(currency, 0) >= total}


def _move(debtor: Debtor, item: OpenItem, policy: Policy, on: date) -> Stage | None:
    # at most one move a day, whatever the gap says: the step reached last is the item's
    # current stage (`policy.progress`), so no two steps of an item share a day; nor does an
    # item move on a day before its last step (a backfill of days already run)
    if item.stage_on is not None and (on - item.stage_on).days < max(item.min_gap, 1):
        return None
    facts = ItemFacts(
        open_amount=item.open_amount,
        currency=item.currency,
        kind=debtor.kind,
        grade=debtor.grade,
        tags=debtor.tags,
        last_delivered=item.delivered,
    )
    days = (on - item.due_date).days
    if item.advance and days < 0:
        # a reminder brought forward stays a reminder: it never reaches the due day's stages
        days = min(days + item.advance, -1)
    return next_stage(policy, item.current, days, facts)


def _keep_most_advanced(
    actions: dict[ActionKind, Planned],
    kind: ActionKind,
    policy_id: int,
    stage: Stage,
    policies: Mapping[int, Policy],
) -> None:
    """Keep the action of `kind` at the more advanced of the stage kept and this one (the first
    one on a tie). Called for every action of every item that moves: the `Planned` is made only
    when it is kept."""
    kept = actions.get(kind)
    if kept is not None:
        if stage is kept.stage and policy_id == kept.policy_id:
            return  # the same stage again, the common case: an equal rank
        if stage.offset != kept.stage.offset:
            if stage.offset < kept.stage.offset:  # what `_rank` compares first
                return
        elif _rank(policy_id, stage, policies) <= _rank(kept.policy_id, kept.stage, policies):
            return
    actions[kind] = Planned(kind, policy_id, stage)


def _rank(policy_id: int, stage: Stage, policies: Mapping[int, Policy]) -> tuple[int, int]:
    # across policies only the offset compares; within one, the position breaks a tie
    return stage.offset, policies[policy_id].stages.index(stage)
