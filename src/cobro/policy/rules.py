"""Policies and stages: which step of the chase an open item is at. Pure: no database, no clock.

A policy is a list of stages in order of their offset (days from the due date, negative = before
it). On a given day an item is at the *latest* stage whose offset has come and whose condition
holds for the item.

A stage whose condition does not hold is **passed over, not delayed**: the preventive reminder at
−5 for a good payer is simply never sent, and the chase goes on at the due-day notice as for
everyone else. Conditions do not depend on the day, so for fixed facts the stage an item is at can
only move forward as days pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from itertools import pairwise

from cobro.errors import Invalid
from cobro.kit.money import check_currency
from cobro.policy.fees import Fee, check_fee

# 60 days ahead is already an unusually early reminder; ten years late is past any limitation
# period, so an offset beyond it is a typo rather than a policy
MIN_OFFSET = -60
MAX_OFFSET = 3650


class ActionKind(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    WHATSAPP = "whatsapp"
    LETTER = "letter"
    REGISTERED_LETTER = "registered_letter"
    CALL_TASK = "call_task"
    INTERNAL_TASK = "internal_task"
    FEE = "fee"
    INTEREST_CLAIM = "interest_claim"
    ESCALATE_LEGAL = "escalate_legal"
    ESCALATE_AGENCY = "escalate_agency"
    CREDIT_BLOCK = "credit_block"
    WEBHOOK = "webhook"


# the actions that put a message in front of the debtor; the others are tasks and bookkeeping
CHANNELS = frozenset(
    {
        ActionKind.EMAIL,
        ActionKind.SMS,
        ActionKind.WHATSAPP,
        ActionKind.LETTER,
        ActionKind.REGISTERED_LETTER,
    }
)


class Tone(StrEnum):
    FRIENDLY = "friendly"
    FIRM = "firm"
    FORMAL = "formal"
    FINAL = "final"


class CustomerKind(StrEnum):
    # the same words as cobro.customer.rules.KINDS (a test keeps them in step)
    BUSINESS = "business"
    CONSUMER = "consumer"


class Grade(StrEnum):
    """Risk grade, A (best) to D (worst)."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"


@dataclass(frozen=True)
class Condition:
    """When a stage applies. Every part that is set must hold; an empty condition always holds.

    - `min_open`: {currency: minor units}; the open amount must reach the minimum for the item's
      currency. A currency left out of a non-empty map does not qualify: a stage meant for large
      amounts is not sent when we cannot tell what "large" is in that currency.
    - `kinds`, `grades`: the customer's must be one of these; an unknown grade matches none.
    - `tags`: the item (or its customer) must carry all of them.
    - `previous_delivered`: the nearest earlier stage this item qualifies for (by its other
      conditions) was delivered, or a later one was; a demand letter must follow a reminder the
      debtor actually received.
    - `any_of`: at least one of these holds (for "grade C–D *or* a large invoice").
    """

    # a dict is not hashable, so it stays out of the hash (equal conditions still compare equal)
    min_open: Mapping[str, int] = field(default_factory=dict, hash=False)
    kinds: frozenset[CustomerKind] = frozenset()
    grades: frozenset[Grade] = frozenset()
    tags: frozenset[str] = frozenset()
    previous_delivered: bool = False
    any_of: tuple[Condition, ...] = ()


ALWAYS = Condition()


@dataclass(frozen=True)
class Stage:
    code: str
    offset: int  # days from the due date; negative = before it
    tone: Tone
    actions: tuple[ActionKind, ...]
    condition: Condition = ALWAYS
    fee: Fee | None = None  # what the `fee` action charges (`policy.fees`)


@dataclass(frozen=True)
class Policy:
    code: str
    name: str
    stages: tuple[Stage, ...]

    @cached_property
    def positions(self) -> dict[str, int]:
        """Each stage's index by its code (asked for on every item of every cycle)."""
        return {stage.code: index for index, stage in enumerate(self.stages)}


@dataclass(frozen=True)
class ItemFacts:
    """What the rules need to know about an open item (an invoice of a customer)."""

    open_amount: int  # minor units, net of payments, credit notes and write-offs
    currency: str
    kind: CustomerKind
    grade: Grade | None = None
    tags: frozenset[str] = frozenset()
    last_delivered: str | None = None  # code of the last stage delivered for this item


def check_policy(policy: Policy) -> Policy:
    """Refuse a policy that cannot be run as written; return it unchanged when it can.

    Stages are never sorted here: a list out of order is more likely a typo in an offset than an
    intent, and the person saving it should see which one.
    """
    if not policy.code.strip():
        raise Invalid("policy code is empty", field="code")
    if not policy.stages:
        raise Invalid(f"policy {policy.code!r} has no stages", field="stages")
    seen: set[str] = set()
    for index, stage in enumerate(policy.stages):
        _check_stage(stage, index, seen)
    for index, (before, after) in enumerate(pairwise(policy.stages), start=1):
        if after.offset == before.offset:
            raise Invalid(
                f"stages {before.code!r} and {after.code!r} overlap: both at day {after.offset}",
                field=f"stages[{index}].offset",
            )
        if after.offset < before.offset:
            raise Invalid(
                f"stages out of order: {after.code!r} (day {after.offset}) comes after "
                f"{before.code!r} (day {before.offset}); list stages by increasing offset",
                field=f"stages[{index}].offset",
            )
    if policy.stages[0].condition.previous_delivered:
        raise Invalid(
            f"stage {policy.stages[0].code!r} is the first: no previous stage can be delivered",
            field="stages[0].condition",
        )
    return policy


def _check_stage(stage: Stage, index: int, seen: set[str]) -> None:
    where = f"stages[{index}]"
    if not stage.code.strip():
        raise Invalid(f"stage {index + 1} has no code", field=f"{where}.code")
    if stage.code in seen:
        raise Invalid(f"stage code {stage.code!r} is used twice", field=f"{where}.code")
    seen.add(stage.code)
    if not MIN_OFFSET <= stage.offset <= MAX_OFFSET:
        raise Invalid(
            f"stage {stage.code!r}: offset {stage.offset} days is outside "
            f"{MIN_OFFSET}..{MAX_OFFSET}",
            field=f"{where}.offset",
        )
    if not stage.actions:
        raise Invalid(f"stage {stage.code!r} has no actions", field=f"{where}.actions")
    if len(set(stage.actions)) != len(stage.actions):
        raise Invalid(f"stage {stage.code!r} lists an action twice", field=f"{where}.actions")
    _check_fee(stage, where)
    _check_condition(stage.condition, stage.code, f"{where}.condition")


def _check_fee(stage: Stage, where: str) -> None:
    """A `fee` action needs its fee, and a fee its action: one without the other is a stage
    half edited, which would charge nothing (or something nobody asked for)."""
    if ActionKind.FEE in stage.actions and stage.fee is None:
        raise Invalid(
            f"stage {stage.code!r} has the fee action but no fee: set a fixed amount or a "
            "percent, or remove the action",
            field=f"{where}.fee",
        )
    if stage.fee is not None:
        if ActionKind.FEE not in stage.actions:
            raise Invalid(
                f"stage {stage.code!r} sets a fee but does not list the fee action",
                field=f"{where}.actions",
            )
        check_fee(stage.fee, f"{where}.fee")


def _check_condition(condition: Condition, code: str, where: str) -> None:
    for currency, minimum in condition.min_open.items():
        try:
            check_currency(currency)
        except Invalid as exc:
            raise Invalid(f"stage {code!r}: {exc.message}", field=f"{where}.min_open") from None
        if currency != currency.upper() or minimum < 0:
            raise Invalid(
                f"stage {code!r}: minimum {minimum} {currency} must be a non-negative amount "
                "keyed by an upper-case ISO 4217 code",
                field=f"{where}.min_open",
            )
    for alternative in condition.any_of:
        if alternative.previous_delivered:
            # only the stage's own condition can ask for it; inside any_of it would be ignored
            raise Invalid(
                f"stage {code!r}: previous_delivered belongs on the stage's condition, "
                "not inside any_of",
                field=f"{where}.any_of",
            )
        _check_condition(alternative, code, f"{where}.any_of")


def stage_due(policy: Policy, days_past_due: int, facts: ItemFacts) -> Stage | None:
    """The latest stage whose offset has come and whose condition holds; None before the first."""
    return _latest(policy, 0, days_past_due, facts)


def next_stage(
    policy: Policy, current: str | None, days_past_due: int, facts: ItemFacts
) -> Stage | None:
    """The stage to carry out now for an item that has already reached `current` (None: none yet).

    Only stages after `current` count, so a stage reached is never returned again and the chase
    never steps back, even when the facts change (a smaller open amount after a part payment).
    Stages passed over on the way (by condition, or because the item came late into Cobro) are
    not sent afterwards: the item jumps straight to the latest one due.
    """
    start = 0 if current is None else _index(policy, current, "current") + 1
    return _latest(policy, start, days_past_due, facts)


def holds(policy: Policy, stage: Stage, facts: ItemFacts) -> bool:
    """Whether `stage` of `policy` applies to the item (its offset aside)."""
    return _applies(policy, _index(policy, stage.code, "stage"), facts)


def _applies(policy: Policy, index: int, facts: ItemFacts) -> bool:
    condition = policy.stages[index].condition
    return _holds(condition, facts) and (
        not condition.previous_delivered or _previous_delivered(policy, index, facts)
    )


def _latest(policy: Policy, start: int, days_past_due: int, facts: ItemFacts) -> Stage | None:
    for index in range(len(policy.stages) - 1, start - 1, -1):
        stage = policy.stages[index]
        if stage.offset <= days_past_due and _applies(policy, index, facts):
            return stage
    return None


def _holds(condition: Condition, facts: ItemFacts) -> bool:
    """Every part of the condition except `previous_delivered`, which needs the whole policy."""
    if condition.min_open:
        minimum = condition.min_open.get(facts.currency)
        if minimum is None or facts.open_amount < minimum:
            return False
    if condition.kinds and facts.kind not in condition.kinds:
        return False
    if condition.grades and facts.grade not in condition.grades:
        return False
    if not condition.tags <= facts.tags:
        return False
    return not condition.any_of or any(_holds(option, facts) for option in condition.any_of)


def _previous_delivered(policy: Policy, index: int, facts: ItemFacts) -> bool:
    # the nearest earlier stage the item qualifies for, judged without `previous_delivered` so
    # the answer does not chase itself back through the whole policy
    earlier = next(
        (i for i in range(index - 1, -1, -1) if _holds(policy.stages[i].condition, facts)), None
    )
    if earlier is None:
        return True  # nothing earlier was ever meant for this item
    if facts.last_delivered is None:
        return False
    delivered = policy.positions.get(facts.last_delivered)
    # "or a later one": once this stage itself is delivered its condition keeps holding
    return delivered is not None and delivered >= earlier


def _index(policy: Policy, code: str, field_name: str) -> int:
    index = policy.positions.get(code)
    if index is None:
        raise Invalid(f"policy {policy.code!r} has no stage {code!r}", field=field_name)
    return index
