"""Policy endpoints (mounted under /api by `cobro.app`): the caller's company's policies, and
one stage changed, added or removed (`configure`: admins and managers; an API token's `write`
scope). Another company's policy is a 404, never its data; a stage the rules refuse is a 422
naming the stage's field. Previews of a stage's message: `cobro.notice.endpoints`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from cobro.company.models import Company
from cobro.endpoint import (
    CALLER_ERRORS,
    Caller,
    DbSession,
    Paging,
    Reader,
    error_responses,
    require,
)
from cobro.kit.dates import utcnow
from cobro.kit.pagination import page_of
from cobro.kit.schemas import PageOut
from cobro.policy import editor
from cobro.policy.schemas import PolicyOut, StageChangeIn, StageIn

router = APIRouter(prefix="/policies", tags=["policies"], responses=CALLER_ERRORS)

Configurer = Annotated[Caller, require("configure")]
Code = Annotated[str, Path(max_length=40, description="the policy's code")]
StageCode = Annotated[str, Path(max_length=40, description="the stage's code")]
NOT_FOUND = error_responses(404)
CHANGE_ERRORS = error_responses(404, 409)


def _editor(caller: Caller) -> editor.Editor:
    return editor.Editor(caller.user.id, utcnow(), "api")


@router.get("")
def list_policies(session: DbSession, caller: Reader, page: Paging) -> PageOut[PolicyOut]:
    """The policies of the caller's company by code, with their stages and whom they apply to."""
    company = session.get_one(Company, caller.company_id)
    views = editor.policy_views(session, company)
    rows = views[page.offset : page.offset + page.limit + 1]
    found = page_of(rows, page)
    return PageOut(
        items=[PolicyOut.of(view) for view in found.items],
        limit=found.limit,
        offset=found.offset,
        next_offset=found.next_offset,
    )


@router.get("/{code}", responses=NOT_FOUND)
def show_policy(session: DbSession, caller: Reader, code: Code) -> PolicyOut:
    """One policy of the caller's company."""
    company = session.get_one(Company, caller.company_id)
    return PolicyOut.of(editor.policy_view(session, company, code))


@router.patch("/{code}/stages/{stage}", responses=NOT_FOUND)
def change_stage(
    session: DbSession, caller: Configurer, code: Code, stage: StageCode, body: StageChangeIn
) -> PolicyOut:
    """Change a stage's offset, tone or actions (audited); the policy as saved."""
    company = session.get_one(Company, caller.company_id)
    editor.change_stage(session, company, code, stage, body.changes(), _editor(caller))
    return PolicyOut.of(editor.policy_view(session, company, code))


@router.post("/{code}/stages", status_code=201, responses=NOT_FOUND)
def add_stage(session: DbSession, caller: Configurer, code: Code, body: StageIn) -> PolicyOut:
    """Add a stage, placed by its offset (audited); the policy as saved."""
    company = session.get_one(Company, caller.company_id)
    editor.add_stage(session, company, code, body.model_dump(), _editor(caller))
    return PolicyOut.of(editor.policy_view(session, company, code))


@router.delete("/{code}/stages/{stage}", responses=CHANGE_ERRORS)
def remove_stage(session: DbSession, caller: Configurer, code: Code, stage: StageCode) -> PolicyOut:
    """Remove a stage no open item is at (409 otherwise; audited); the policy as saved."""
    company = session.get_one(Company, caller.company_id)
    editor.remove_stage(session, company, code, stage, _editor(caller))
    return PolicyOut.of(editor.policy_view(session, company, code))
