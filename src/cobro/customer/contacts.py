"""A customer's contacts as people keep them (the API): list, add, change, remove. Always
within one company: another company's customer or contact is NotFound. Each change is an audit
event with the contact before and after. Services flush; the caller commits."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.audit.service import record
from cobro.customer.models import Contact, Customer
from cobro.customer.rules import ContactIn, check_contact
from cobro.customer.service import get_customer
from cobro.errors import Invalid, NotFound
from cobro.kit.pagination import Page, PageRequest, paginate

ROLE_MAX = 40  # Contact.role
CONTACT_FIELDS = tuple(field.name for field in fields(ContactIn))


def contacts_page(
    session: Session, company_id: int, external_id: str, page: PageRequest
) -> Page[Contact]:
    customer = get_customer(session, company_id, external_id)
    query = select(Contact).where(Contact.customer_id == customer.id).order_by(Contact.id)
    return paginate(session, query, page)


def add_contact(
    session: Session,
    company_id: int,
    external_id: str,
    data: ContactIn,
    role: str,
    actor_id: int | None,
    now: datetime,
) -> Contact:
    customer = get_customer(session, company_id, external_id)
    clean = check_contact(data)
    contact = Contact(role=_role(role), **vars(clean))
    customer.contacts.append(contact)
    session.flush()
    _audit(session, "contact.added", contact, customer, actor_id, now, None)
    return contact


def change_contact(
    session: Session,
    company_id: int,
    external_id: str,
    contact_id: int,
    changes: Mapping[str, str | None],
    actor_id: int | None,
    now: datetime,
) -> Contact:
    """Set the fields given (None clears one); the contact as a whole must stay valid."""
    customer, contact = _contact_of(session, company_id, external_id, contact_id)
    before = _state(contact)
    unknown = [name for name in changes if name not in (*CONTACT_FIELDS, "role")]
    if unknown:
        raise Invalid(f"{unknown[0]}: not a field of a contact", field=unknown[0])
    current = ContactIn(**{name: getattr(contact, name) for name in CONTACT_FIELDS})
    wanted = replace(current, **{k: v for k, v in changes.items() if k in CONTACT_FIELDS})
    clean = check_contact(wanted)
    for name, value in vars(clean).items():
        setattr(contact, name, value)
    if "role" in changes:
        contact.role = _role(changes["role"] or "")
    session.flush()
    if _state(contact) != before:
        _audit(session, "contact.changed", contact, customer, actor_id, now, before)
    return contact


def remove_contact(
    session: Session,
    company_id: int,
    external_id: str,
    contact_id: int,
    actor_id: int | None,
    now: datetime,
) -> None:
    customer, contact = _contact_of(session, company_id, external_id, contact_id)
    before = _state(contact)
    customer.contacts.remove(contact)
    session.flush()
    record(
        session,
        "contact.removed",
        at=now,
        entity_type="contact",
        entity_id=contact_id,
        actor_id=actor_id,
        company_id=company_id,
        before=before,
        source="api",
    )


def _contact_of(
    session: Session, company_id: int, external_id: str, contact_id: int
) -> tuple[Customer, Contact]:
    customer = get_customer(session, company_id, external_id)
    contact = next((c for c in customer.contacts if c.id == contact_id), None)
    if contact is None:
        raise NotFound(f"no contact {contact_id} of customer {external_id!r}")
    return customer, contact


def _role(role: str) -> str:
    clean = role.strip().lower()
    if not clean or len(clean) > ROLE_MAX:
        raise Invalid(f"role: use 1 to {ROLE_MAX} characters, e.g. billing", field="role")
    return clean


def _state(contact: Contact) -> dict[str, object]:
    return {name: getattr(contact, name) for name in ("role", *CONTACT_FIELDS)}


def _audit(
    session: Session,
    action: str,
    contact: Contact,
    customer: Customer,
    actor_id: int | None,
    now: datetime,
    before: dict[str, object] | None,
) -> None:
    record(
        session,
        action,
        at=now,
        entity_type="contact",
        entity_id=contact.id,
        actor_id=actor_id,
        company_id=customer.company_id,
        before=before,
        after={"customer": customer.external_id, **_state(contact)},
        source="api",
    )
