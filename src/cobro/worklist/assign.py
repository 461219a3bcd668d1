"""Assign the worklist's customers to collectors within their capacity (issue #9): read the
kept ranking, let `worklist.assign_rules.assign` decide, write the customers whose collector
changes. The rule and its reasons are in `assign_rules`; this is the reading and the writing.

The ranking is the one a collector's page shows (`worklist.service.worklist`): rebuilt first
when stale, customers on hold left out (nobody works them now), in `RANK_ORDER`. A customer
owing in two currencies has two rows; it is one customer to work, placed at its best rank.

The kept worklist rows do not store the collector (the page joins `Customer` for it), so
nothing but `Customer.collector` changes. One audit event records the run. Services flush;
the caller commits."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cobro.audit.actor import NOBODY, Actor
from cobro.audit.service import record
from cobro.bulk import slices
from cobro.customer.models import Customer
from cobro.kit.dates import utcnow
from cobro.worklist.assign_rules import Assignment, assign, check_capacity
from cobro.worklist.models import WorklistRow
from cobro.worklist.repository import RANK_ORDER
from cobro.worklist.snapshot import needs_rebuild, rebuild


def assign_collectors(
    session: Session,
    company_id: int,
    on: date,
    capacity: Mapping[str, int],
    dry_run: bool = False,
    actor: Actor = NOBODY,
) -> Assignment:
    """Assign the company's worklist customers on `on` to the collectors of `capacity` (name ->
    how many customers they can work); unless `dry_run`, save the changes (one audit event)."""
    check_capacity(capacity)  # before any work, and before a rebuild writes anything
    now = utcnow()
    if needs_rebuild(session, company_id, on, now):
        rebuild(session, company_id, on, now)
    done = assign(worklist_order(session, company_id), capacity)
    if not dry_run:
        _save(session, company_id, done.changes)
        _audit(session, company_id, capacity, done, actor)
    return done


def worklist_order(session: Session, company_id: int) -> list[tuple[int, str | None]]:
    """(customer id, its collector) of the kept ranking's customers not on hold, most urgent
    first, each once: at its first (best) row."""
    rows = session.execute(
        select(WorklistRow.customer_id, Customer.collector)
        .join(Customer, Customer.id == WorklistRow.customer_id)
        .where(WorklistRow.company_id == company_id, WorklistRow.on_hold == 0)
        .order_by(*RANK_ORDER)
    )
    seen: set[int] = set()
    ranked: list[tuple[int, str | None]] = []
    for customer_id, collector in rows:
        if customer_id not in seen:
            seen.add(customer_id)
            ranked.append((customer_id, collector))
    return ranked


def external_ids(session: Session, company_id: int, customer_ids: Sequence[int]) -> list[str]:
    """The external ids of these customers, in the order given (to name them to a person)."""
    if not customer_ids:
        return []
    rows = session.execute(
        select(Customer.id, Customer.external_id).where(
            Customer.company_id == company_id, Customer.id.in_(customer_ids)
        )
    )
    # a comprehension, not dict(rows): rows are not pairs to mypy
    found = {customer_id: external_id for customer_id, external_id in rows}  # noqa: C416
    return [found[customer_id] for customer_id in customer_ids if customer_id in found]


def _save(session: Session, company_id: int, changes: Mapping[int, str]) -> None:
    """One UPDATE per collector and slice of ids, not one per customer."""
    by_collector: dict[str, list[int]] = defaultdict(list)
    for customer_id, name in changes.items():
        by_collector[name].append(customer_id)
    for name in sorted(by_collector):
        for part in slices(by_collector[name]):
            session.execute(
                update(Customer)
                .where(Customer.company_id == company_id, Customer.id.in_(part))
                .values(collector=name)
            )
    session.flush()


def _audit(
    session: Session,
    company_id: int,
    capacity: Mapping[str, int],
    done: Assignment,
    actor: Actor,
) -> None:
    record(
        session,
        "worklist.assigned",
        at=utcnow(),
        entity_type="company",
        entity_id=company_id,
        actor_id=actor.id,
        company_id=company_id,
        after={
            "capacity": dict(sorted(capacity.items())),
            "changed": done.changed,
            "kept": done.kept,
            "unplaced": len(done.unplaced),
            "load": done.load,
        },
        source=actor.name,
    )
