"""Which policy an item follows, and the risk grade read from a customer's history. Pure.

Order: the invoice's own policy, then the customer's, then the first assignment rule that
matches, then the company's default. Settings follow the same idea, from the company down to the
invoice (`policy.settings`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cobro.policy.rules import Grade


@dataclass(frozen=True)
class AssignmentRule:
    """Every field that is set must match; an empty rule matches everything."""

    policy_id: int
    segment: str | None = None
    country: str | None = None
    kind: str | None = None
    grade: str | None = None
    currency: str | None = None
    min_amount: int | None = None  # open amount in `currency`, minor units


@dataclass(frozen=True)
class Target:
    """What assignment rules look at for one item."""

    segment: str | None
    country: str
    kind: str
    grade: str | None
    currency: str
    open_amount: int
    invoice_policy: int | None = None
    customer_policy: int | None = None


def choose_policy(rules: Sequence[AssignmentRule], default_id: int, target: Target) -> int:
    if target.invoice_policy is not None:
        return target.invoice_policy
    if target.customer_policy is not None:
        return target.customer_policy
    for rule in rules:
        if matches(rule, target):
            return rule.policy_id
    return default_id


def matches(rule: AssignmentRule, target: Target) -> bool:
    wanted = (
        (rule.segment, target.segment),
        (rule.country, target.country),
        (rule.kind, target.kind),
        (rule.grade, target.grade),
        (rule.currency, target.currency),
    )
    if any(want is not None and want != have for want, have in wanted):
        return False
    return rule.min_amount is None or target.open_amount >= rule.min_amount


# Too little history says nothing about a customer: the grade stays unknown, and stages meant
# for risky customers do not fire on a newcomer's first invoice.
MIN_SETTLED = 3


@dataclass(frozen=True)
class History:
    """A customer's record over the last twelve months, as the cycle's query sums it up."""

    settled: int  # invoices settled
    weighted_days_late: int  # amount-weighted average days late of those, 0 if none late
    oldest_overdue_days: int  # days past due of the oldest item still open (0 if none)


def grade_from_history(history: History) -> Grade | None:
    """A simple, explainable grade until issue #9's model is trained: A pays on time, B a few
    days late, C weeks late, D months late or has an item past 90 days now."""
    if history.oldest_overdue_days > 90:
        return Grade.D
    if history.settled < MIN_SETTLED:
        return Grade.C if history.oldest_overdue_days > 60 else None
    late = history.weighted_days_late
    grade = Grade.A if late <= 5 else Grade.B if late <= 15 else Grade.C if late <= 45 else Grade.D
    if history.oldest_overdue_days > 60 and grade in (Grade.A, Grade.B):
        return Grade.C
    return grade
