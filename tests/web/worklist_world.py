"""Overdue items, call tasks and queued actions committed to the web tests' shared database for
a tenant's customers."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.kit.dates import today_in, utcnow
from cobro.outbox.models import Action
from cobro.task.service import raise_task
from tests.factories.ledger import make_invoice
from tests.web.access import Tenant, World


def owes(
    world: World, tenant: Tenant, external_id: str, amount: int, days: int, call_task: bool = False
) -> None:
    """`external_id` (a customer of `tenant`) owes `amount` `days` overdue today; with an open
    call task when asked."""
    with world.session() as session:
        company = session.get_one(Company, tenant.id)
        today = today_in(company.timezone)
        customer = session.scalars(
            select(Customer).where(
                Customer.company_id == tenant.id, Customer.external_id == external_id
            )
        ).one()
        due = today - timedelta(days=days)
        make_invoice(session, company, customer, amount, due - timedelta(days=30), due)
        if call_task:
            raise_task(
                session,
                company_id=tenant.id,
                customer=customer,
                kind="call",
                title=f"Call {customer.name}",
                due_on=today,
            )


def queue_action(world: World, tenant: Tenant, external_id: str) -> int:
    with world.session() as session:
        customer = session.scalars(
            select(Customer).where(
                Customer.company_id == tenant.id, Customer.external_id == external_id
            )
        ).one()
        action = Action(
            company_id=tenant.id,
            customer_id=customer.id,
            policy_id=0,
            stage="firm",
            tone="firm",
            kind="email",
            cycle_on=today_in("Europe/Madrid"),
            status="queued",
            not_before=utcnow() + timedelta(days=2),
        )
        session.add(action)
        session.flush()
        return action.id
