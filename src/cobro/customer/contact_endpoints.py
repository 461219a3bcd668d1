"""A customer's contacts (mounted under /api by `cobro.app`): listing needs `read`, changes
`work` (an API token's `write` scope). Another company's customer is a 404, never its data."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from cobro.customer.contact_schemas import ContactIn, ContactOut, ContactPatch
from cobro.customer.contacts import (
    CONTACT_FIELDS,
    add_contact,
    change_contact,
    contacts_page,
    remove_contact,
)
from cobro.customer.rules import ContactIn as ContactData
from cobro.endpoint import CALLER_ERRORS, DbSession, Paging, Reader, Worker, error_responses
from cobro.kit.dates import utcnow
from cobro.kit.pagination import MAX_OFFSET
from cobro.kit.schemas import PageOut

router = APIRouter(
    prefix="/customers/{external_id}/contacts",
    tags=["contacts"],
    responses={**CALLER_ERRORS, **error_responses(404)},
)

ContactId = Annotated[int, Path(ge=1, le=MAX_OFFSET, description="the contact's id")]


@router.get("")
def list_contacts(
    session: DbSession, caller: Reader, page: Paging, external_id: str
) -> PageOut[ContactOut]:
    """The contacts of one customer of the caller's company, oldest first."""
    found = contacts_page(session, caller.company_id, external_id, page)
    return PageOut.of(found, ContactOut)


@router.post("", status_code=201)
def create_contact(
    session: DbSession, caller: Worker, external_id: str, body: ContactIn
) -> ContactOut:
    """Add a contact to a customer."""
    data = ContactData(**body.model_dump(include=set(CONTACT_FIELDS)))
    contact = add_contact(
        session, caller.company_id, external_id, data, body.role, caller.user.id, utcnow()
    )
    return ContactOut.model_validate(contact)


@router.patch("/{contact_id}")
def update_contact(
    session: DbSession,
    caller: Worker,
    external_id: str,
    contact_id: ContactId,
    body: ContactPatch,
) -> ContactOut:
    """Change some fields of a contact: those sent (null clears one); the rest stay."""
    changes = body.model_dump(exclude_unset=True)
    contact = change_contact(
        session, caller.company_id, external_id, contact_id, changes, caller.user.id, utcnow()
    )
    return ContactOut.model_validate(contact)


@router.delete("/{contact_id}", status_code=204)
def delete_contact(
    session: DbSession, caller: Worker, external_id: str, contact_id: ContactId
) -> Response:
    """Remove a contact from a customer."""
    remove_contact(session, caller.company_id, external_id, contact_id, caller.user.id, utcnow())
    return Response(status_code=204)
