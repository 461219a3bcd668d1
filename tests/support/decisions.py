"""What the cycle decided, as a value two databases can be compared on: the actions, the chase
steps (with the day each was delivered: the chase state) and the grades, keyed by what does
not depend on row ids (a killed or concurrent transaction uses up PostgreSQL sequence
numbers)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select

from cobro.customer.models import Customer
from cobro.db import transaction
from cobro.invoice.models import Invoice
from cobro.outbox.models import Action
from cobro.policy.models import ChaseStep


@dataclass(frozen=True)
class Decisions:
    actions: list[tuple[Any, ...]]
    steps: list[tuple[Any, ...]]
    grades: list[tuple[Any, ...]]


def decisions(engine: Engine) -> Decisions:
    with transaction(engine) as session:
        actions = session.execute(
            select(
                Customer.external_id,
                Action.stage,
                Action.kind,
                Action.cycle_on,
                Action.status,
                Action.not_before,
                Action.tone,
            ).join(Customer, Customer.id == Action.customer_id)
        )
        steps = session.execute(
            select(
                Invoice.number,
                ChaseStep.stage,
                ChaseStep.reached_on,
                ChaseStep.open_amount,
                ChaseStep.delivered_on,
            ).join(Invoice, Invoice.id == ChaseStep.invoice_id)
        )
        grades = session.execute(select(Customer.external_id, Customer.grade))
        return Decisions(
            actions=sorted(tuple(row) for row in actions),
            steps=sorted(tuple(row) for row in steps),
            grades=sorted(tuple(row) for row in grades),
        )
