"""One page of a company's agreements or cases of one kind (promises, payment plans…), newest
first, each with its customer's external id and name; of one status or one customer. The
kinds differ in what rows they load next (their invoices, their installments), not in this."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.customer.models import Customer
from cobro.errors import Invalid
from cobro.kit.pagination import Page, PageRequest, paginate_rows

Listed = tuple[Any, str, str]  # (the row, its customer's external id, the customer's name)


def listed_page(
    session: Session,
    kind: Any,  # a mapped class with id, company_id, customer_id and status
    company_id: int,
    page: PageRequest,
    statuses: Sequence[str],
    status: str | None = None,
    customer: str | None = None,
) -> Page[Listed]:
    query = (
        select(kind, Customer.external_id, Customer.name)
        .join(Customer, Customer.id == kind.customer_id)
        .where(kind.company_id == company_id)
    )
    if status is not None:
        if status not in statuses:
            raise Invalid(f"status {status!r}: use one of {', '.join(statuses)}", "status")
        query = query.where(kind.status == status)
    if customer is not None:
        query = query.where(Customer.external_id == customer)
    return paginate_rows(session, query.order_by(kind.id.desc()), page, _listed)


def _listed(row: Any, external_id: str, name: str) -> Listed:
    return row, external_id, name
