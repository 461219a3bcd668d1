"""The policy back-test on the company's own ledger: what a candidate policy would have done over
the last months, next to the policy in use. A service: it reads, writes nothing, never commits.

A finance manager asks "what would this policy have done over the last six months, compared
with the one we use?" This module loads the invoices of those months as they really went (issued,
paid, credited, written off), replays both policies over them with the cycle's own daily
decision (`backtest_rules.replay`) and compares messages, letters, fees, how often customers
would have been contacted and an estimate of the DSO.

What the comparison assumes, in plain words:

- Every invoice follows the policy being compared. Policies chosen for one customer or one
  invoice, and the rules that send segments to other policies, are not replayed.
- Holds (disputes, promises to pay, paused customers) are not replayed: the policy is measured,
  not the holds people happened to place. Every message is taken as delivered.
- The pace between stages is the company's own setting (minimum days between stages); settings
  for a segment, a customer or an invoice are not replayed, nor are send windows and caps.
- Customers are chased on what they owed: unapplied cash they had is not looked at.
- The DSO effect is an estimate by a response-lag model: an invoice paid within a week of a
  reminder is taken to be paid the same number of days after the other policy's reminder of the
  same rank (first, second…). Everything else is paid on the day it really was.
- The ledger is read as it stands on the last day of the period: what was paid, credited or
  written off after it is not known yet.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, ScalarSelect, or_, select
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.cycle.rules import Debtor
from cobro.errors import Invalid
from cobro.invoice.models import CreditNote, Invoice, WriteOff
from cobro.kit.dates import add_months, end_of_month
from cobro.kit.money import format_minor
from cobro.payment.models import Allocation, Payment
from cobro.policy.chase_settings import show_settings
from cobro.policy.defaults import default_policy
from cobro.policy.models import CollectionPolicy
from cobro.policy.rules import ActionKind, CustomerKind, Grade, Policy
from cobro.policy.service import as_policy, get_policy
from cobro.scoring.backtest_rules import DsoEffect, PastItem, Replay, dso_effect, replay
from cobro.scoring.compare import count_row, signed

MAX_MONTHS = 24
# an invoice settled this long before the period cannot weigh on it: the replay's warm-up
# (30 days) and the DSO only look at days from `start` on; the margin is generous on purpose
LOOKBACK_DAYS = 120
INVOICE_KINDS = ("invoice", "debit_note")


# ---- the period ------------------------------------------------------------------------------


def months_before(day: date, months: int) -> date:
    """`day` moved back `months` calendar months. The day of the month is kept where the month
    has it, else the month's last day; and a month's last day stays a last day (31 May − 3 is
    28 February, 30 June − 2 is 30 April), so that whole calendar months stay whole."""
    moved = add_months(day, -months)
    return end_of_month(moved) if day == end_of_month(day) else moved


def period_of(on: date, months: int) -> tuple[date, date]:
    """The `months` whole months that end on `on`: (first day, `on`)."""
    if not 1 <= months <= MAX_MONTHS:
        raise Invalid(f"months must be 1 to {MAX_MONTHS}, not {months}", field="months")
    return months_before(on, months) + timedelta(days=1), on


# ---- loading the ledger ------------------------------------------------------------------------


def load_items(
    session: Session, company_id: int, start: date, end: date
) -> tuple[list[PastItem], dict[int, Debtor]]:
    """Every invoice and debit note that may have been open on a day from `LOOKBACK_DAYS` before
    `start` to `end`, with its reductions up to `end` in day order, and the facts of their
    customers. Five set-based queries, whatever the number of invoices."""
    where = _open_in(company_id, start, end)
    rows = session.execute(
        select(
            Invoice.id,
            Invoice.customer_id,
            Invoice.currency,
            Invoice.issue_date,
            Invoice.due_date,
            Invoice.total,
            Invoice.settled_on,
        )
        .where(*where)
        .order_by(Invoice.id)
    ).all()
    reductions = _reductions(session, select(Invoice.id).where(*where).scalar_subquery(), end)
    items = [
        PastItem(
            invoice_id=row.id,
            customer_id=row.customer_id,
            currency=row.currency,
            issue_date=row.issue_date,
            due_date=row.due_date,
            total=row.total,
            reductions=tuple(sorted(reductions.get(row.id, ()))),
            # settled after the period: the replay must see it open at the period's end
            settled_on=row.settled_on if row.settled_on and row.settled_on <= end else None,
        )
        for row in rows
    ]
    customers = select(Invoice.customer_id).where(*where).scalar_subquery()
    return items, _debtors(session, customers)


def _open_in(company_id: int, start: date, end: date) -> tuple[ColumnElement[bool], ...]:
    return (
        Invoice.company_id == company_id,
        Invoice.kind.in_(INVOICE_KINDS),
        Invoice.issue_date <= end,
        or_(
            Invoice.settled_on.is_(None),
            Invoice.settled_on >= start - timedelta(days=LOOKBACK_DAYS),
        ),
    )


def _reductions(
    session: Session, ids: ScalarSelect[int], end: date
) -> dict[int, list[tuple[date, int]]]:
    """(day, amount) of every allocation, credit note and write-off of the invoices `ids`
    selects, up to `end`. A returned direct debit has its allocations undone when it comes back
    (`banking.returns`), so none should be left; any that are, are left out: the money did not
    stay. (The undone allocations are deleted, so the few days the money seemed paid cannot be
    replayed.)"""
    queries = (
        select(Allocation.invoice_id, Allocation.applied_on, Allocation.amount)
        .join(Payment, Payment.id == Allocation.payment_id)
        .where(
            Allocation.invoice_id.in_(ids),
            Allocation.applied_on <= end,
            Payment.returned_on.is_(None),
        ),
        select(CreditNote.invoice_id, CreditNote.issue_date, CreditNote.amount).where(
            CreditNote.invoice_id.in_(ids), CreditNote.issue_date <= end
        ),
        select(WriteOff.invoice_id, WriteOff.written_off_on, WriteOff.amount).where(
            WriteOff.invoice_id.in_(ids), WriteOff.written_off_on <= end
        ),
    )
    found: defaultdict[int, list[tuple[date, int]]] = defaultdict(list)
    for query in queries:
        for invoice_id, day, amount in session.execute(query):
            found[invoice_id].append((day, amount))
    return found


def _debtors(session: Session, customer_ids: ScalarSelect[int]) -> dict[int, Debtor]:
    rows = session.execute(
        select(Customer.id, Customer.kind, Customer.grade, Customer.tags).where(
            Customer.id.in_(customer_ids)
        )
    )
    return {
        customer_id: Debtor(
            customer_id,
            CustomerKind(kind),
            Grade(grade) if grade else None,
            frozenset(tags or ()),
        )
        for customer_id, kind, grade, tags in rows
    }


# ---- the back-test -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Backtest:
    """Both policies replayed over the same period of the ledger, and their comparison."""

    start: date
    end: date
    current_code: str
    candidate_code: str
    current: Replay
    candidate: Replay
    effect: DsoEffect
    items: int  # invoices and debit notes replayed
    customers: int  # their customers
    min_gap: int  # days between stages, the company's setting

    def rows(self) -> list[tuple[str, str, str, str]]:
        """The comparison as (what, current, candidate, difference) texts, difference being
        candidate − current. "payments moved" and "days moved" are the candidate's estimate
        alone, so only their difference column is filled (days moved < 0: paid sooner)."""
        now, then = self.current, self.candidate
        out = [count_row("messages", now.messages, then.messages)]
        out.append(count_row("letters", now.letters, then.letters))
        kinds = [kind for kind in ActionKind if now.actions[kind] or then.actions[kind]]
        out.extend(count_row(_label(kind), now.actions[kind], then.actions[kind]) for kind in kinds)
        for currency in sorted(now.fees.keys() | then.fees.keys()):
            before, after = now.fees.get(currency, 0), then.fees.get(currency, 0)
            out.append(
                (
                    f"fees {currency}",
                    format_minor(before, currency),
                    format_minor(after, currency),
                    signed(after - before, format_minor(abs(after - before), currency)),
                )
            )
        load_now, load_then = now.contacts_per_customer_week, then.contacts_per_customer_week
        out.append(count_row("contacts per customer-week, max", load_now.max, load_then.max))
        out.append(
            _decimal_row("contacts per customer-week, mean", load_now.mean, load_then.mean, 2)
        )
        effect = self.effect
        for currency, dso in effect.current_dso.items():
            out.append(_decimal_row(f"DSO {currency} (days)", dso, effect.candidate_dso[currency]))
        out.append(("payments moved", "", "", str(effect.moved)))
        out.append(("days moved", "", "", signed(effect.days_moved, str(abs(effect.days_moved)))))
        return out

    def dso_lines(self) -> list[str]:
        """One line per currency: "DSO EUR 41.2 → 38.9 days (−2.3), estimated"."""
        effect = self.effect
        return [
            f"DSO {currency} {dso:.1f} \u2192 {effect.candidate_dso[currency]:.1f} days "
            f"({signed(effect.difference[currency], f'{abs(effect.difference[currency]):.1f}')})"
            ", estimated"
            for currency, dso in effect.current_dso.items()
        ]


def backtest(
    session: Session,
    company: Company,
    candidate_code: str,
    current_code: str | None,
    months: int,
    on: date,
) -> Backtest:
    """Replay `candidate_code` and `current_code` (None: the company's default policy) over the
    `months` whole months ending on `on`, and compare them (the module docstring says what it
    assumes). Refuses months outside 1..24, a policy code the company does not have and the same
    policy on both sides."""
    start, end = period_of(on, months)
    current = _current_policy(session, company, current_code)
    if current.code == candidate_code.strip():
        raise Invalid(
            f"policy {current.code!r} would be compared with itself: name another candidate or "
            "another current policy (--current)",
            field="current",
        )
    candidate = as_policy(get_policy(session, company, candidate_code.strip()))
    items, debtors = load_items(session, company.id, start, end)
    gap = show_settings(session, company).resolved.min_days_between_stages
    now = replay(items, debtors, current, start, end, min_gap=gap)
    then = replay(items, debtors, candidate, start, end, min_gap=gap)
    return Backtest(
        start=start,
        end=end,
        current_code=current.code,
        candidate_code=candidate.code,
        current=now,
        candidate=then,
        effect=dso_effect(items, now, then, start, end),
        items=len(items),
        customers=len(debtors),
        min_gap=gap,
    )


def _current_policy(session: Session, company: Company, code: str | None) -> Policy:
    """The named policy, else the company's default one; a company that never ran a cycle has
    not saved its default yet: the built-in one it would get is used, and not saved (a
    back-test writes nothing)."""
    if code is not None:
        return as_policy(get_policy(session, company, code.strip()))
    row = session.scalar(
        select(CollectionPolicy).where(
            CollectionPolicy.company_id == company.id, CollectionPolicy.is_default.is_(True)
        )
    )
    return default_policy() if row is None else as_policy(row)


# ---- rows --------------------------------------------------------------------------------------


def _label(kind: ActionKind) -> str:
    return f"actions: {kind.value.replace('_', ' ')}"


def _decimal_row(
    what: str, before: float, after: float, places: int = 1
) -> tuple[str, str, str, str]:
    difference = round(after - before, places)
    return (
        what,
        f"{before:.{places}f}",
        f"{after:.{places}f}",
        signed(difference, f"{abs(difference):.{places}f}"),
    )
