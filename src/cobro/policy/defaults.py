"""The policy Cobro starts with: good collection practice, friendly first. Pure.

- −5 preventive reminder, only where history or size warrants it: customers graded C or D, or an
  open amount of at least 5,000.00 EUR, USD, GBP or CHF, or 100,000.00 MXN (about the same
  amount). In any other currency only the grade counts until the company sets its own threshold;
  good payers with ordinary invoices are not bothered before the due date.
- 0 due-day notice; +3 and +10 friendly reminders; +20 firm reminder with a collector's call.
- +30 extrajudicial demand: letter, call task, and the statutory interest with the law's fixed
  compensation (€40 per invoice in the EU for business debtors). No fee of Cobro's own: beyond
  what the law grants, a fee is the company's decision (a stage's `fee`), not a default.
- +60 final notice by registered letter, and the customer's credit is blocked; the interest
  claimed is brought up to date, so the final notice shows it to its own day.
- +90 escalation to a legal case (the manager may place it with an agency instead).

From +30 on each stage needs the one before it delivered: a formal demand must follow a reminder
the debtor actually received, and a bounced one stops the chase where a collector will see it.
"""

from __future__ import annotations

from cobro.policy.rules import (
    ActionKind,
    Condition,
    Grade,
    Policy,
    Stage,
    Tone,
    check_policy,
)

# open amount, in minor units, from which an invoice is worth a reminder before it is due
LARGE_INVOICE = {
    "EUR": 5_000_00,
    "USD": 5_000_00,
    "GBP": 5_000_00,
    "CHF": 5_000_00,
    "MXN": 100_000_00,
}
RISKY_GRADES = frozenset({Grade.C, Grade.D})

_DELIVERED = Condition(previous_delivered=True)


def default_policy() -> Policy:
    preventive = Condition(
        any_of=(Condition(grades=RISKY_GRADES), Condition(min_open=dict(LARGE_INVOICE)))
    )
    return check_policy(
        Policy(
            code="default",
            name="Default collection policy",
            stages=(
                Stage("preventive", -5, Tone.FRIENDLY, (ActionKind.EMAIL,), preventive),
                Stage("due", 0, Tone.FRIENDLY, (ActionKind.EMAIL,)),
                Stage("reminder-1", 3, Tone.FRIENDLY, (ActionKind.EMAIL,)),
                Stage("reminder-2", 10, Tone.FRIENDLY, (ActionKind.EMAIL, ActionKind.SMS)),
                Stage("firm", 20, Tone.FIRM, (ActionKind.EMAIL, ActionKind.CALL_TASK)),
                Stage(
                    "demand",
                    30,
                    Tone.FORMAL,
                    (
                        ActionKind.LETTER,
                        ActionKind.CALL_TASK,
                        ActionKind.INTEREST_CLAIM,
                    ),
                    _DELIVERED,
                ),
                Stage(
                    "final",
                    60,
                    Tone.FINAL,
                    (
                        ActionKind.REGISTERED_LETTER,
                        ActionKind.EMAIL,
                        ActionKind.CREDIT_BLOCK,
                        ActionKind.INTEREST_CLAIM,
                    ),
                    _DELIVERED,
                ),
                Stage(
                    "escalation",
                    90,
                    Tone.FINAL,
                    (ActionKind.ESCALATE_LEGAL, ActionKind.INTERNAL_TASK),
                    _DELIVERED,
                ),
            ),
        )
    )
