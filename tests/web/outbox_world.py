"""Actions committed to the web tests' shared database for a tenant's first customer."""

from __future__ import annotations

import itertools

from sqlalchemy import select

from cobro.customer.models import Customer
from cobro.kit.dates import today_in, utcnow
from cobro.outbox.models import Action
from tests.web.access import Tenant, World

_stage = itertools.count(1)


def add_action(
    world: World, tenant: Tenant, status: str, kind: str = "email", error: str | None = None
) -> int:
    """A new action of `tenant`'s first customer in `status`; its id."""
    with world.session() as session:
        customer = session.scalars(
            select(Customer).where(Customer.company_id == tenant.id).order_by(Customer.id)
        ).first()
        assert customer is not None
        action = Action(
            company_id=tenant.id,
            customer_id=customer.id,
            policy_id=0,
            stage=f"stage-{next(_stage)}",
            tone="soft",
            kind=kind,
            cycle_on=today_in("Europe/Madrid"),
            status=status,
            not_before=utcnow(),
            attempts=3 if status == "failed" else 0,
            last_error=error
            if error is not None
            else ("550 no mailbox" if status == "failed" else None),
        )
        session.add(action)
        session.flush()
        return action.id


def status_of(world: World, action_id: int) -> str:
    with world.session() as session:
        return session.get_one(Action, action_id).status
