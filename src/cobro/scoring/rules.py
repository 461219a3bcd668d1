"""Grades and reasons from a score. Pure.

**Grade.** A customer's grade says how likely its next invoice is to be paid late, as the
trained model sees it: A under 25 %, B under 50 %, C under 75 %, D from 75 %. What is overdue
today overrides a good record, as it does in the rule-based grade: an item more than 90 days
overdue makes D, more than 60 days at least C.

**When the rules grade instead.** With fewer than `MIN_SETTLED` invoices settled the model has
nothing of the customer's own to go on (only the company's averages): the rule-based grade of
`policy.assign.grade_from_history` is used, and the customer's score says so.

**Reasons.** The model's largest pushes towards (or away from) paying late, in words with the
customer's own figures: "paid 41 days after the invoice on average (raises the risk)".
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from cobro.policy.assign import MIN_SETTLED, History, grade_from_history
from cobro.policy.rules import Grade

GRADE_CUTS = ((0.25, Grade.A), (0.5, Grade.B), (0.75, Grade.C))
TOP_REASONS = 3


def grade_of(late: float, oldest_overdue: int) -> Grade:
    """The grade for a chance `late` (0–1) of paying late and the oldest item's days overdue."""
    grade = next((g for cut, g in GRADE_CUTS if late < cut), Grade.D)
    if oldest_overdue > 90:
        return Grade.D
    if oldest_overdue > 60 and grade in (Grade.A, Grade.B):
        return Grade.C
    return grade


def use_model(settled: int) -> bool:
    return settled >= MIN_SETTLED


def rules_grade(settled: int, late_12m: float, oldest_overdue: int) -> Grade | None:
    """The rule-based grade from the same history (amount-weighted days late in 12 months)."""
    weighted = 0 if math.isnan(late_12m) else round(late_12m)
    return grade_from_history(History(settled, weighted, oldest_overdue))


def rules_reason(settled: int) -> str:
    """Why the rules graded the customer: too few invoices paid, or no model to ask."""
    if settled >= MIN_SETTLED:
        return "graded by the rules"
    if settled == 0:
        return "no invoice paid yet: graded by the rules"
    return f"only {settled} invoice{'s' if settled > 1 else ''} paid: graded by the rules"


def _percent(value: float) -> str:
    return f"{value:.0%}"


def _days(value: float) -> str:
    return f"{value:.0f} day{'' if round(value) == 1 else 's'}"


# what each input says, given its value (None: it was missing)
_PHRASES: dict[str, Callable[[float], str]] = {
    "settled": lambda v: f"{v:.0f} invoices paid so far",
    "days_mean": lambda v: f"pays {_days(v)} after the invoice date on average",
    "days_median": lambda v: f"pays half its invoices within {_days(v)}",
    "days_recent": lambda v: f"paid its recent invoices {_days(v)} after the invoice date",
    "late_share": lambda v: f"{_percent(v)} of its invoices paid late",
    "late_days_mean": lambda v: f"{_days(v)} late on average",
    "late_3m": lambda v: f"{_days(v)} late in the last 3 months (by amount)",
    "late_6m": lambda v: f"{_days(v)} late in the last 6 months (by amount)",
    "late_12m": lambda v: f"{_days(v)} late in the last 12 months (by amount)",
    "late_trend": lambda v: (
        f"paying {_days(v)} later than over the year" if v > 0
        else f"paying {_days(-v)} sooner than over the year"
    ),
    "parts_share": lambda v: f"{_percent(v)} of its invoices paid in parts",
    "dispute_share": lambda v: f"{_percent(v)} of its invoices disputed",
    "broken_12m": lambda v: f"{v:.0f} promise{'s' if round(v) != 1 else ''} broken in 12 months",
    "limit_used": lambda v: f"{_percent(v)} of its credit limit in use",
    "open_items": lambda v: f"{v:.0f} invoice{'s' if round(v) != 1 else ''} open",
    "oldest_overdue": lambda v: f"oldest open item {_days(v)} overdue",
    "size": lambda v: f"invoice {math.exp(v):.1f}× its usual size",
    "paperless": lambda v: "paperless bills" if v >= 0.5 else "paper bills",
    "payday_gap": lambda v: f"usually pays {_days(v)} after the due date's day of the month",
}  # fmt: skip
_MISSING = {
    "days_mean": "no invoice paid yet",
    "late_3m": "nothing paid in the last 3 months",
    "late_12m": "nothing paid in the last 12 months",
    "limit_used": "no credit limit",
    "size": "no earlier invoice to compare its size with",
    "payday_gap": "no usual pay day",
}


def phrase(column: str, value: float | None) -> str | None:
    """The words for one input of the model (a feature, "country XX", or "<name> missing")."""
    if column.endswith(" missing"):
        return _MISSING.get(column.removesuffix(" missing"))
    if column.startswith("country "):
        country = column.removeprefix("country ")
        if value is None or value < 0.5:
            return None  # not this country: a push only by comparison, not a reason
        return "country not among the usual ones" if country == "other" else f"in {country}"
    say = _PHRASES.get(column)
    if say is None or value is None or math.isnan(value):
        return None
    return say(value)


def reasons(
    pushes: Sequence[tuple[str, float]], values: dict[str, float], top: int = TOP_REASONS
) -> list[str]:
    """The `top` largest pushes (largest first) in words, each saying which way it pushes."""
    out: list[str] = []
    for column, push in pushes:
        words = phrase(column, values.get(column))
        if words is None or words in out:
            continue
        out.append(f"{words} ({'raises' if push > 0 else 'lowers'} the risk)")
        if len(out) == top:
            break
    return out
