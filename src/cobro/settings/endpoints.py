"""Settings endpoints (mounted under /api by `cobro.app`): the caller's company, its channels
and its members. Reading and changing the company and its channels take `configure` (admins
and managers; an API token's `write` scope); changing members takes `manage_users` (admins,
never an API token). Another company's user id is a 404."""

from __future__ import annotations

import os
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from cobro.channel.base import DeliveryError
from cobro.channel.registry import channel_settings
from cobro.endpoint import CALLER_ERRORS, Caller, DbSession, Paging, error_responses, require
from cobro.kit.dates import utcnow
from cobro.kit.pagination import MAX_OFFSET
from cobro.kit.schemas import PageOut
from cobro.settings import channels, chase, company, members
from cobro.settings.schemas import (
    ChannelSettingsIn,
    ChannelSettingsOut,
    ChaseSettingsIn,
    ChaseSettingsOut,
    CompanySettingsIn,
    CompanySettingsOut,
    EmailCheckIn,
    EmailCheckOut,
    MemberAddedOut,
    MemberIn,
    MemberOut,
    Role,
    RoleIn,
)

router = APIRouter(tags=["settings"], responses=CALLER_ERRORS)

Configurer = Annotated[Caller, require("configure")]
UserManager = Annotated[Caller, require("manage_users")]
UserId = Annotated[int, Path(ge=1, le=MAX_OFFSET, description="the user's id")]
MEMBER_ERRORS = error_responses(404, 409)


def source_of(request: Request) -> str:
    return f"api {request.client.host}" if request.client else "api"


@router.get("/settings/company")
def read_company(session: DbSession, caller: Configurer) -> CompanySettingsOut:
    """The caller's company as its settings page shows it."""
    return CompanySettingsOut.model_validate(company.company_of(session, caller.company_id))


@router.patch("/settings/company")
def update_company(
    request: Request, session: DbSession, caller: Configurer, change: CompanySettingsIn
) -> CompanySettingsOut:
    """Change the fields given (an IBAN's check digits are checked); audited before/after."""
    given = change.model_dump(exclude_unset=True)
    for required in ("name", "timezone"):  # null leaves them as they are: they cannot be cleared
        if given.get(required, "") is None:
            del given[required]
    changed = company.update_company(
        session,
        caller.company_id,
        given,
        utcnow(),
        caller.user.id,
        source_of(request),
    )
    return CompanySettingsOut.model_validate(changed)


@router.get("/settings/channels")
def read_channels(session: DbSession, caller: Configurer) -> ChannelSettingsOut:
    """The company's own sender, SMTP server and gateways; secrets as "set" / "not set"."""
    row = channels.channel_row(session, caller.company_id)
    return ChannelSettingsOut.model_validate(channels.shown_values(row))


@router.put("/settings/channels")
def replace_channels(
    request: Request, session: DbSession, caller: Configurer, settings: ChannelSettingsIn
) -> ChannelSettingsOut:
    """Replace the company's channel settings (see the body's description for secrets); the
    worker uses them from its next round."""
    row = channels.save_channels(
        session,
        caller.company_id,
        settings.model_dump(exclude_unset=True),
        utcnow(),
        caller.user.id,
        source_of(request),
    )
    return ChannelSettingsOut.model_validate(channels.shown_values(row))


@router.post("/settings/channels/test-email")
def send_test_email(
    request: Request, session: DbSession, caller: Configurer, body: EmailCheckIn
) -> EmailCheckOut:
    """Send a short email now through the company's email channel and say how it went."""
    try:
        receipt = channels.send_test_email(
            session,
            caller.company_id,
            body.to,
            channel_settings(os.environ),
            utcnow(),
            caller.user.id,
            source_of(request),
        )
    except DeliveryError as error:
        return EmailCheckOut(sent=False, detail=error.reason)
    return EmailCheckOut(sent=True, detail=receipt.provider_id)


@router.get("/settings/chase")
def read_chase(session: DbSession, caller: Configurer) -> ChaseSettingsOut:
    """The company layer of the chase settings, and what it resolves to."""
    view = chase.company_chase(session, caller.company_id)
    return ChaseSettingsOut.model_validate(chase.chase_values(view))


@router.patch("/settings/chase")
def update_chase(
    request: Request, session: DbSession, caller: Configurer, change: ChaseSettingsIn
) -> ChaseSettingsOut:
    """Change the company's send window, contact caps or pacing; checked whole (a window
    that ends before it starts is a 422 naming the field)."""
    view = chase.update_chase(
        session,
        caller.company_id,
        change.model_dump(exclude_unset=True),
        utcnow(),
        caller.user.id,
        source_of(request),
    )
    return ChaseSettingsOut.model_validate(chase.chase_values(view))


@router.get("/users")
def list_members(
    session: DbSession,
    caller: Configurer,
    page: Paging,
    role: Annotated[Role | None, Query(description="only members with this role")] = None,
) -> PageOut[MemberOut]:
    """The members of the caller's company, by email."""
    found = members.members_page(session, caller.company_id, page, role)
    return PageOut.of(found, MemberOut)


@router.get("/users/{user_id}", responses=error_responses(404))
def read_member(session: DbSession, caller: Configurer, user_id: UserId) -> MemberOut:
    return MemberOut.model_validate(members.get_member(session, caller.company_id, user_id))


@router.post("/users", status_code=201, responses=error_responses(409))
def add_member(
    request: Request, session: DbSession, caller: UserManager, body: MemberIn
) -> MemberAddedOut:
    """Give a person a role in the company: a new user gets an initial password, returned
    this once; an existing user keeps theirs."""
    added = members.add_member(
        session,
        caller.company_id,
        body.email,
        body.name,
        body.role,
        utcnow(),
        caller.user.id,
        source_of(request),
    )
    return MemberAddedOut(
        member=MemberOut.model_validate(added.member), initial_password=added.initial_password
    )


@router.patch("/users/{user_id}", responses=MEMBER_ERRORS)
def change_role(
    request: Request, session: DbSession, caller: UserManager, user_id: UserId, body: RoleIn
) -> MemberOut:
    """Change a member's role (the last administrator stays one: 409)."""
    member = members.change_role(
        session, caller.company_id, user_id, body.role, utcnow(), caller.user.id,
        source_of(request),
    )  # fmt: skip
    return MemberOut.model_validate(member)


@router.delete("/users/{user_id}", status_code=204, responses=MEMBER_ERRORS)
def remove_member(
    request: Request, session: DbSession, caller: UserManager, user_id: UserId
) -> Response:
    """Revoke the user's membership of this company (their sessions here end with it)."""
    members.remove_member(
        session, caller.company_id, user_id, utcnow(), caller.user.id, source_of(request)
    )
    return Response(status_code=204)
