"""Open invoices committed to the web tests' shared database for the policy, template and
cycle pages: a tenant's first customer owes them, due some days ago."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.kit.dates import today_in
from tests.factories.ledger import make_invoice
from tests.web.access import Tenant, World


def owe(world: World, tenant: Tenant, days_late: dict[int, int]) -> str:
    """Invoices of `tenant`'s first customer, {days past due today: amount}; its external id."""
    with world.session() as session:
        company = session.get_one(Company, tenant.id)
        today = today_in(company.timezone)
        customer = session.scalars(
            select(Customer).where(Customer.company_id == tenant.id).order_by(Customer.id)
        ).first()
        assert customer is not None
        for number, (days, amount) in enumerate(days_late.items()):
            due = today - timedelta(days=days)
            make_invoice(
                session, company, customer, amount, due - timedelta(days=30), due,
                f"P-{tenant.code}-{number}",
            )  # fmt: skip
        return customer.external_id
