"""Champion/challenger experiments on live customers: try a new collection policy on a random
share of the customers before switching everyone to it.

A back-test (`scoring.backtest`) says what a policy *would have done*; only customers say how
they *respond* to it. So an experiment takes the customers following the current policy (the
**champion**), moves a random share of them to the new one (the **challenger**) and keeps
another random share on the champion as the **holdout**: the control group, drawn by the same
rule at the same moment, so that the two groups differ by the policy alone (and by chance,
which the significance tests measure). Customers in neither group are simply not counted.

The split is deterministic: a customer's bucket is sha256("<code>:<customer id>") as an integer,
modulo 100; buckets below the challenger percent go to the challenger, the next holdout-percent
buckets to the holdout. The same code and customers always give the same groups (it can be
checked and re-run by hand), and two experiments with different codes draw independently.

Who follows the champion is read from the customer alone: its own policy is the champion, or it
has none and the champion is the company's default policy. Assignment rules (`policy_rule`)
are ignored for simplicity: a customer without its own policy whom a rule sends elsewhere is
still taken for the default's. A customer in a running experiment is never drawn into another.

Stopping gives each challenger customer its policy from before back, unless a person has
changed it since (its policy is no longer the challenger): that choice is left alone.

The report comparing the two groups is `scoring.experiment_report`.

Services add and flush; the caller commits.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from cobro.audit.actor import Actor
from cobro.audit.service import record
from cobro.bulk import slices
from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.errors import Conflict, Invalid, NotFound
from cobro.kit.dates import utcnow
from cobro.policy.models import CollectionPolicy
from cobro.policy.service import get_policy
from cobro.scoring.models import Experiment, ExperimentMember

T = TypeVar("T")

CHALLENGER = "challenger"
HOLDOUT = "holdout"
MAX_PERCENT = 50  # each group; so both together are at most 100
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")


def bucket(code: str, customer_id: int) -> int:
    """The customer's bucket in the experiment `code`, 0 to 99."""
    digest = hashlib.sha256(f"{code}:{customer_id}".encode()).hexdigest()
    return int(digest, 16) % 100


def arm_of(
    code: str, customer_id: int, challenger_percent: int, holdout_percent: int
) -> str | None:
    """ "challenger", "holdout", or None (not drawn) for an eligible customer."""
    drawn = bucket(code, customer_id)
    if drawn < challenger_percent:
        return CHALLENGER
    if drawn < challenger_percent + holdout_percent:
        return HOLDOUT
    return None


# ---- start, stop, list ----------------------------------------------------------------------


def start(
    session: Session,
    company: Company,
    code: str,
    champion_code: str,
    challenger_code: str,
    challenger_percent: int,
    holdout_percent: int,
    on: date,
    actor: Actor,
) -> Experiment:
    """Draw the champion's customers into the two groups and switch the challenger group."""
    code = _check_code(code)
    _check_percent(challenger_percent, "challenger_percent")
    _check_percent(holdout_percent, "holdout_percent")
    champion = _policy(session, company, champion_code, "champion")
    challenger = _policy(session, company, challenger_code, "challenger")
    if champion.id == challenger.id:
        raise Invalid(
            f"the challenger is the champion ({champion.code!r}): pick another policy to try",
            field="challenger",
        )
    _check_free(session, company, code, champion)
    experiment = Experiment(
        company_id=company.id,
        code=code,
        champion_policy_id=champion.id,
        challenger_policy_id=challenger.id,
        challenger_percent=challenger_percent,
        holdout_percent=holdout_percent,
        started_on=on,
    )
    session.add(experiment)
    session.flush()
    members = _draw(session, company, experiment, champion)
    _enrol(session, company, experiment, members)
    _audit(session, "experiment.started", experiment, actor, _sizes(members))
    return experiment


def _check_code(code: str) -> str:
    code = code.strip()
    if not _CODE.match(code):
        raise Invalid(
            f"experiment code {code!r}: use 1 to 40 letters, digits, '.', '-' or '_', "
            "starting with a letter or digit",
            field="code",
        )
    return code


def _check_percent(value: int, name: str) -> None:
    if not 1 <= value <= MAX_PERCENT:
        what = name.replace("_", " ")
        raise Invalid(f"{what} must be 1 to {MAX_PERCENT}, not {value}", field=name)


def _policy(session: Session, company: Company, code: str, side: str) -> CollectionPolicy:
    try:
        return get_policy(session, company, code.strip())
    except NotFound as exc:
        raise NotFound(exc.message, field=side) from None


def _check_free(session: Session, company: Company, code: str, champion: CollectionPolicy) -> None:
    """One experiment per code ever, and one running at a time per champion: two would draw
    from the same customers and each would measure the other's switch too."""
    taken = session.scalar(
        select(Experiment.id).where(Experiment.company_id == company.id, Experiment.code == code)
    )
    if taken is not None:
        raise Conflict(f"experiment {code!r} already exists: pick another code", field="code")
    running = session.scalar(
        select(Experiment.code).where(
            Experiment.company_id == company.id,
            Experiment.champion_policy_id == champion.id,
            Experiment.ended_on.is_(None),
        )
    )
    if running is not None:
        raise Invalid(
            f"experiment {running!r} is already running on policy {champion.code!r}: stop it "
            "first (one experiment at a time per champion)",
            field="champion",
        )


def _draw(
    session: Session, company: Company, experiment: Experiment, champion: CollectionPolicy
) -> list[tuple[int, str, int | None]]:
    """(customer id, arm, its own policy) of the customers drawn, in id order."""
    follows = Customer.policy_id == champion.id
    if champion.is_default:
        follows = follows | Customer.policy_id.is_(None)
    busy = (
        select(ExperimentMember.customer_id)
        .join(Experiment, Experiment.id == ExperimentMember.experiment_id)
        .where(Experiment.company_id == company.id, Experiment.ended_on.is_(None))
    )
    eligible = session.execute(
        select(Customer.id, Customer.policy_id)
        .where(Customer.company_id == company.id, follows, Customer.id.not_in(busy))
        .order_by(Customer.id)
    )
    drawn = []
    for customer_id, policy_id in eligible:
        arm = arm_of(
            experiment.code,
            customer_id,
            experiment.challenger_percent,
            experiment.holdout_percent,
        )
        if arm is not None:
            drawn.append((customer_id, arm, policy_id))
    return drawn


def _enrol(
    session: Session,
    company: Company,
    experiment: Experiment,
    members: Sequence[tuple[int, str, int | None]],
) -> None:
    """The members in bulk, then the challenger group's policy switched, a slice at a time."""
    rows = [
        {
            "experiment_id": experiment.id,
            "customer_id": customer_id,
            "arm": arm,
            # the holdout keeps its policy: nothing to give back
            "previous_policy_id": policy_id if arm == CHALLENGER else None,
        }
        for customer_id, arm, policy_id in members
    ]
    for part in slices(rows):
        session.execute(insert(ExperimentMember), list(part))
    switched = [customer_id for customer_id, arm, _ in members if arm == CHALLENGER]
    for ids in slices(switched):
        session.execute(
            update(Customer)
            .where(Customer.company_id == company.id, Customer.id.in_(ids))
            .values(policy_id=experiment.challenger_policy_id)
        )
    session.flush()


@dataclass(frozen=True)
class Stopped:
    experiment: Experiment
    restored: int  # challenger customers given their policy from before back
    kept: int  # challenger customers whose policy a person changed since: left alone


def stop(session: Session, company: Company, code: str, on: date, actor: Actor) -> Stopped:
    """End the experiment on `on`: the challenger group gets its policies from before back."""
    experiment = get_experiment(session, company, code)
    if experiment.ended_on is not None:
        raise Invalid(
            f"experiment {experiment.code!r} was already stopped on {experiment.ended_on}",
            field="code",
        )
    if on < experiment.started_on:
        raise Invalid(
            f"experiment {experiment.code!r} started on {experiment.started_on}: it cannot "
            f"stop on {on}, before that",
            field="on",
        )
    challengers = session.scalar(
        select(func.count()).where(
            ExperimentMember.experiment_id == experiment.id, ExperimentMember.arm == CHALLENGER
        )
    )
    by_previous: defaultdict[int | None, list[int]] = defaultdict(list)
    still = session.execute(
        select(ExperimentMember.customer_id, ExperimentMember.previous_policy_id)
        .join(Customer, Customer.id == ExperimentMember.customer_id)
        .where(
            ExperimentMember.experiment_id == experiment.id,
            ExperimentMember.arm == CHALLENGER,
            Customer.policy_id == experiment.challenger_policy_id,
        )
    )
    for customer_id, previous in still:
        by_previous[previous].append(customer_id)
    for previous, ids in by_previous.items():
        for part in slices(ids):
            session.execute(
                update(Customer)
                .where(
                    Customer.company_id == company.id,
                    Customer.id.in_(part),
                    Customer.policy_id == experiment.challenger_policy_id,
                )
                .values(policy_id=previous)
            )
    experiment.ended_on = on
    session.flush()
    restored = sum(len(ids) for ids in by_previous.values())
    result = Stopped(experiment, restored, (challengers or 0) - restored)
    _audit(
        session,
        "experiment.stopped",
        experiment,
        actor,
        {"ended_on": on.isoformat(), "restored": result.restored, "kept": result.kept},
    )
    return result


def get_experiment(session: Session, company: Company, code: str) -> Experiment:
    row = session.scalar(
        select(Experiment).where(
            Experiment.company_id == company.id, Experiment.code == code.strip()
        )
    )
    if row is None:
        known = ", ".join(e.code for e in list_experiments(session, company)) or "none yet"
        raise NotFound(f"no experiment {code!r} (known: {known})", field="code")
    return row


def list_experiments(session: Session, company: Company) -> list[Experiment]:
    """The company's experiments, the latest started first."""
    return list(
        session.scalars(
            select(Experiment)
            .where(Experiment.company_id == company.id)
            .order_by(Experiment.started_on.desc(), Experiment.id.desc())
        )
    )


def arm_sizes(session: Session, experiment: Experiment) -> dict[str, int]:
    """{"challenger": n, "holdout": m}: how many customers each group has."""
    counted = session.execute(
        select(ExperimentMember.arm, func.count())
        .where(ExperimentMember.experiment_id == experiment.id)
        .group_by(ExperimentMember.arm)
    )
    sizes = {CHALLENGER: 0, HOLDOUT: 0}
    sizes.update((arm, count) for arm, count in counted)
    return sizes


def _sizes(members: Sequence[tuple[int, str, int | None]]) -> dict[str, int]:
    return {arm: sum(1 for _, drawn, _ in members if drawn == arm) for arm in (CHALLENGER, HOLDOUT)}


def _audit(
    session: Session,
    action: str,
    experiment: Experiment,
    actor: Actor,
    after: Mapping[str, object],
) -> None:
    record(
        session,
        action,
        at=utcnow(),
        entity_type="experiment",
        entity_id=experiment.id,
        actor_id=actor.id,
        company_id=experiment.company_id,
        after={"code": experiment.code, **after},
        source=actor.name,
    )
