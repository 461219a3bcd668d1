"""Customer use cases: create or update by external id, find, list."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.customer.models import Contact, Customer
from cobro.customer.rules import ContactIn, CustomerIn, normalise_customer
from cobro.errors import Invalid, NotFound
from cobro.kit.pagination import Page, PageRequest, paginate, sorted_by
from cobro.terms.service import ensure_terms


class Change(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


_PLAIN_FIELDS = (
    "name",
    "kind",
    "country",
    "language",
    "timezone",
    "currency",
    "credit_limit",
    "tax_id",
    "collector",
)


def upsert_customer(
    session: Session, company: Company, data: CustomerIn
) -> tuple[Customer, Change]:
    """Create the customer, or update the one with the same external id. Same data: no change."""
    clean = normalise_customer(data, company.currency)
    terms_id = ensure_terms(session, company.id, clean.terms).id if clean.terms else None
    customer = find_customer(session, company.id, clean.external_id)
    if customer is None:
        customer = Customer(company_id=company.id, external_id=clean.external_id, tags=[])
        session.add(customer)
        change = Change.CREATED
    else:
        change = Change.UNCHANGED
    for name in _PLAIN_FIELDS:
        if getattr(customer, name) != getattr(clean, name):
            setattr(customer, name, getattr(clean, name))
            change = change if change is Change.CREATED else Change.UPDATED
    if clean.terms and customer.terms_id != terms_id:
        customer.terms_id = terms_id
        change = change if change is Change.CREATED else Change.UPDATED
    if sorted(customer.tags or []) != list(clean.tags):
        customer.tags = list(clean.tags)
        change = change if change is Change.CREATED else Change.UPDATED
    # set when given, never cleared by a file or request that does not say it
    if clean.paperless_since is not None and customer.paperless_since != clean.paperless_since:
        customer.paperless_since = clean.paperless_since
        change = change if change is Change.CREATED else Change.UPDATED
    if clean.contact is not None and _set_contact(customer, clean.contact):
        change = change if change is Change.CREATED else Change.UPDATED
    session.flush()
    return customer, change


def _set_contact(customer: Customer, contact: ContactIn) -> bool:
    """Keep one primary billing contact in step with the imported one; True if it changed."""
    current = next((c for c in customer.contacts if c.role == "billing"), None)
    if current is None:
        current = Contact(role="billing")
        customer.contacts.append(current)
    changed = False
    for name, value in vars(contact).items():
        if getattr(current, name) != value:
            setattr(current, name, value)
            changed = True
    return changed


def find_customer(session: Session, company_id: int, external_id: str) -> Customer | None:
    return session.scalar(
        select(Customer).where(
            Customer.company_id == company_id, Customer.external_id == external_id
        )
    )


def get_customer(session: Session, company_id: int, external_id: str) -> Customer:
    customer = find_customer(session, company_id, external_id)
    if customer is None:
        raise NotFound(f"no customer {external_id!r}")
    return customer


SEGMENT_LENGTH = 40  # Customer.segment


def set_segment(
    session: Session, company_id: int, external_id: str, segment: str | None
) -> Customer:
    """Put a customer in a segment (what assignment rules and chase settings match on, exactly
    as written); None or an empty text takes it out of any."""
    customer = get_customer(session, company_id, external_id)
    clean = (segment or "").strip() or None
    if clean is not None and len(clean) > SEGMENT_LENGTH:
        raise Invalid(f"a segment has at most {SEGMENT_LENGTH} characters", field="segment")
    customer.segment = clean
    session.flush()
    return customer


def customers_query(company_id: int, search: str | None = None) -> Select[Customer]:
    query = select(Customer).where(Customer.company_id == company_id)
    if search:
        pattern = f"%{search}%"
        query = query.where(Customer.name.ilike(pattern) | Customer.external_id.ilike(pattern))
    return query.order_by(Customer.external_id)


def list_customers(
    session: Session, company_id: int, search: str | None = None, limit: int = 50, offset: int = 0
) -> list[Customer]:
    return list(session.scalars(customers_query(company_id, search).limit(limit).offset(offset)))


# what a list of customers may be sorted by ("-" first: descending); the id breaks ties
CUSTOMER_SORTS = {
    "external_id": Customer.external_id,
    "name": Customer.name,
    "country": Customer.country,
    "created_at": Customer.created_at,
}


def customers_page(
    session: Session,
    company_id: int,
    page: PageRequest,
    search: str | None = None,
    sort: str = "external_id",
) -> Page[Customer]:
    """A page of one company's customers: those whose name or external id contains `search`
    (any case; `%` and `_` are plain characters), sorted by one of CUSTOMER_SORTS."""
    query = select(Customer).where(Customer.company_id == company_id)
    clean = (search or "").strip()
    if clean:
        query = query.where(
            Customer.name.icontains(clean, autoescape=True)
            | Customer.external_id.icontains(clean, autoescape=True)
        )
    query = sorted_by(query, sort, CUSTOMER_SORTS, Customer.id)
    return paginate(session, query, page)
