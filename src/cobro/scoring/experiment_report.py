"""The report of a champion/challenger experiment (`scoring.experiment`): its challenger group
and its holdout side by side, and whether they differ by more than chance.

The report compares the two groups on the invoices due since the start (due from the start day
to the report day, or to the stop day once stopped): the share paid within 30 days of the due
date, the mean days past due at settlement, the overdue amount still open, and the messages
sent per customer. Whether the share and the days differ by more than chance is said by a
two-proportion z-test and Welch's t-test (`scoring.significance`). Below 30 invoices a side
those say little: the report shows the numbers and says it is too early to tell. "Settled"
is the ledger's `settled_on`, so an invoice credited or written off in full counts as settled.

It only reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from statistics import fmean

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.errors import Invalid
from cobro.invoice.models import Invoice
from cobro.kit.money import display
from cobro.outbox.models import Action
from cobro.policy.models import CollectionPolicy
from cobro.policy.rules import CHANNELS
from cobro.scoring.compare import MINUS, count_row, signed
from cobro.scoring.experiment import CHALLENGER, HOLDOUT, arm_sizes, get_experiment
from cobro.scoring.models import Experiment, ExperimentMember
from cobro.scoring.significance import Significance, means_test, proportions_test

PAID_WITHIN_DAYS = 30
MIN_INVOICES = 30  # a side, below which the tests say little
# actions that never reached the customer and never will (paid first, opted out…)
_NOT_CONTACTS = ("cancelled", "skipped")


@dataclass(frozen=True)
class Arm:
    """One group's figures over the invoices due since the start."""

    customers: int
    invoices: int  # due since the start
    paid_within: int  # of those, settled by the report day within 30 days of the due date
    days_past_due: tuple[int, ...]  # of those settled by the report day (negative: early)
    overdue: dict[str, int] = field(default_factory=dict)  # open now, per currency
    contacts: int = 0  # messages since the start

    @property
    def share(self) -> float | None:
        return self.paid_within / self.invoices if self.invoices else None

    @property
    def mean_days(self) -> float | None:
        return fmean(self.days_past_due) if self.days_past_due else None

    @property
    def contacts_per_customer(self) -> float | None:
        return self.contacts / self.customers if self.customers else None


@dataclass(frozen=True)
class ExperimentReport:
    code: str
    champion: str  # policy codes
    challenger: str
    started_on: date
    ended_on: date | None
    on: date
    until: date  # the last due day counted: the report day, or the stop day
    holdout: Arm  # a in the tests
    trial: Arm  # the challenger group, b in the tests
    paid_within: Significance  # share paid within 30 days, challenger − holdout
    days_past_due: Significance  # mean days past due at settlement, challenger − holdout

    def rows(self) -> list[tuple[str, str, str, str]]:
        """(what, holdout, challenger, difference) texts; difference = challenger − holdout."""
        a, b = self.holdout, self.trial
        out = [
            count_row("customers", a.customers, b.customers),
            count_row("invoices due since the start", a.invoices, b.invoices),
            count_row(f"paid within {PAID_WITHIN_DAYS} days", a.paid_within, b.paid_within),
            _ratio_row(f"paid within {PAID_WITHIN_DAYS} days, share", a.share, b.share),
            count_row("settled", len(a.days_past_due), len(b.days_past_due)),
            _decimal_row("days past due at settlement, mean", a.mean_days, b.mean_days, 1),
        ]
        for currency in sorted(a.overdue.keys() | b.overdue.keys()):
            before, after = a.overdue.get(currency, 0), b.overdue.get(currency, 0)
            change = display(abs(after - before), currency)
            out.append(
                (
                    f"overdue open now {currency}",
                    display(before, currency),
                    display(after, currency),
                    signed(after - before, change),
                )
            )
        out.append(
            _decimal_row(
                "messages per customer", a.contacts_per_customer, b.contacts_per_customer, 2
            )
        )
        return out

    def verdict(self) -> list[str]:
        """Two sentences: the share paid within 30 days, then the days past due; each says
        when there are too few invoices to tell yet, and still gives the numbers so far."""
        holdout = f"the holdout on {self.champion!r}"
        trial = f"the challenger group on {self.challenger!r}"
        share = self.paid_within.words(
            holdout,
            trial,
            unit="percentage points",
            verb=f"is paid within {PAID_WITHIN_DAYS} days",
            more="more often",
            less="less often",
            scale=100.0,
        )
        days = self.days_past_due.words(
            holdout, trial, unit="days", verb="pays", more="later", less="sooner"
        )
        return [
            _sentence(share, self.paid_within, "invoices due since the start"),
            _sentence(days, self.days_past_due, "invoices settled"),
        ]


def _sentence(words: str, test: Significance, noun: str) -> str:
    words = words[0].upper() + words[1:]
    if min(test.n_a, test.n_b) >= MIN_INVOICES:
        return f"{words}."
    return (
        f"Too early to tell: {test.n_a} {noun} in the holdout and {test.n_b} in the challenger "
        f"group, {MIN_INVOICES} a side are needed. So far: {words}."
    )


def report(session: Session, company: Company, code: str, on: date) -> ExperimentReport:
    """The two groups side by side as of `on`, with the significance of their differences."""
    experiment = get_experiment(session, company, code)
    if on < experiment.started_on:
        raise Invalid(
            f"experiment {experiment.code!r} started on {experiment.started_on}: nothing to "
            f"report on {on}",
            field="on",
        )
    until = min(on, experiment.ended_on or on)
    customers = arm_sizes(session, experiment)
    invoices = _invoices(session, company, experiment, until, on)
    overdue = _overdue(session, company, experiment, on)
    contacts = _contacts(session, company, experiment, until)
    arms = {
        arm: Arm(
            customers=customers[arm],
            invoices=invoices[arm][0],
            paid_within=invoices[arm][1],
            days_past_due=tuple(invoices[arm][2]),
            overdue=dict(sorted(overdue[arm].items())),
            contacts=contacts.get(arm, 0),
        )
        for arm in (HOLDOUT, CHALLENGER)
    }
    a, b = arms[HOLDOUT], arms[CHALLENGER]
    policies = {
        row.id: row.code
        for row in session.scalars(
            select(CollectionPolicy).where(
                CollectionPolicy.id.in_(
                    (experiment.champion_policy_id, experiment.challenger_policy_id)
                )
            )
        )
    }
    return ExperimentReport(
        code=experiment.code,
        champion=policies[experiment.champion_policy_id],
        challenger=policies[experiment.challenger_policy_id],
        started_on=experiment.started_on,
        ended_on=experiment.ended_on,
        on=on,
        until=until,
        holdout=a,
        trial=b,
        paid_within=proportions_test(a.paid_within, a.invoices, b.paid_within, b.invoices),
        days_past_due=means_test(
            [float(d) for d in a.days_past_due], [float(d) for d in b.days_past_due]
        ),
    )


def _invoices(
    session: Session, company: Company, experiment: Experiment, until: date, on: date
) -> dict[str, tuple[int, int, list[int]]]:
    """Per arm: invoices due since the start, those paid within 30 days, days past due of the
    settled ones; a settlement after `on` is not known on `on`."""
    found: dict[str, tuple[int, int, list[int]]] = {HOLDOUT: (0, 0, []), CHALLENGER: (0, 0, [])}
    rows = session.execute(
        select(ExperimentMember.arm, Invoice.due_date, Invoice.settled_on)
        .join(Invoice, Invoice.customer_id == ExperimentMember.customer_id)
        .where(
            ExperimentMember.experiment_id == experiment.id,
            Invoice.company_id == company.id,
            Invoice.due_date >= experiment.started_on,
            Invoice.due_date <= until,
        )
    )
    limit = timedelta(days=PAID_WITHIN_DAYS)
    for arm, due, settled in rows:
        invoices, paid, days = found[arm]
        if settled is not None and settled <= on:
            days.append((settled - due).days)
            paid += settled <= due + limit
        found[arm] = (invoices + 1, paid, days)
    return found


def _overdue(
    session: Session, company: Company, experiment: Experiment, on: date
) -> dict[str, dict[str, int]]:
    """Per arm and currency: the open amount of the members' invoices past due on `on`."""
    sums: dict[str, dict[str, int]] = {HOLDOUT: {}, CHALLENGER: {}}
    rows = session.execute(
        select(ExperimentMember.arm, Invoice.currency, func.sum(Invoice.open_amount))
        .join(Invoice, Invoice.customer_id == ExperimentMember.customer_id)
        .where(
            ExperimentMember.experiment_id == experiment.id,
            Invoice.company_id == company.id,
            Invoice.due_date < on,
            Invoice.settled_on.is_(None),
        )
        .group_by(ExperimentMember.arm, Invoice.currency)
    )
    for arm, currency, total in rows:
        sums[arm][currency] = int(total or 0)
    return sums


def _contacts(
    session: Session, company: Company, experiment: Experiment, until: date
) -> dict[str, int]:
    """Per arm: the messages (any channel) the cycle decided for the members since the start,
    less those that never went out (cancelled, skipped)."""
    rows = session.execute(
        select(ExperimentMember.arm, func.count(Action.id))
        .join(Action, Action.customer_id == ExperimentMember.customer_id)
        .where(
            ExperimentMember.experiment_id == experiment.id,
            Action.company_id == company.id,
            Action.cycle_on >= experiment.started_on,
            Action.cycle_on <= until,
            Action.kind.in_(sorted(kind.value for kind in CHANNELS)),
            Action.status.not_in(_NOT_CONTACTS),
        )
        .group_by(ExperimentMember.arm)
    )
    return {arm: count for arm, count in rows}  # noqa: C416 - rows are not pairs to mypy


# ---- rows -----------------------------------------------------------------------------------


def _decimal_row(
    what: str, a: float | None, b: float | None, places: int
) -> tuple[str, str, str, str]:
    def text(value: float | None) -> str:
        return "" if value is None else f"{value:.{places}f}".replace("-", MINUS)

    if a is None or b is None:
        return what, text(a), text(b), ""
    difference = round(b - a, places)
    return what, text(a), text(b), signed(difference, f"{abs(difference):.{places}f}")


def _ratio_row(what: str, a: float | None, b: float | None) -> tuple[str, str, str, str]:
    """Shares as percentages, their difference in percentage points."""

    def text(value: float | None) -> str:
        return "" if value is None else f"{value * 100:.1f} %"

    if a is None or b is None:
        return what, text(a), text(b), ""
    difference = round((b - a) * 100, 1)
    return what, text(a), text(b), signed(difference, f"{abs(difference):.1f} points")
