"""Template endpoints (mounted under /api by `cobro.app`): the caller's company's templates
(`<stage>.<channel>`), saved whole or not at all (`configure`), previewed as drafts in every
language (any reader: nothing is saved); and the preview of a policy stage's messages. Another
company's template or policy is a 404, never its data."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query

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
from cobro.kit.dates import today_in, utcnow
from cobro.kit.pagination import page_of
from cobro.kit.schemas import PageOut
from cobro.notice import editor
from cobro.notice.preview import stage_preview
from cobro.notice.schemas import PreviewIn, PreviewOut, TemplateIn, TemplateOut, TemplateSummaryOut

router = APIRouter(tags=["templates"], responses=CALLER_ERRORS)

Configurer = Annotated[Caller, require("configure")]
Name = Annotated[str, Path(max_length=80, description="<stage>.<channel>, e.g. due.email")]
NOT_FOUND = error_responses(404)


@router.get("/templates")
def list_templates(session: DbSession, caller: Reader, page: Paging) -> PageOut[TemplateSummaryOut]:
    """The templates the company's policies use and those it wrote, by name."""
    company = session.get_one(Company, caller.company_id)
    rows = editor.template_summaries(session, company)[page.offset : page.offset + page.limit + 1]
    return PageOut.of(page_of(rows, page), TemplateSummaryOut)


@router.get("/templates/{name}", responses=NOT_FOUND)
def show_template(session: DbSession, caller: Reader, name: Name) -> TemplateOut:
    company = session.get_one(Company, caller.company_id)
    return TemplateOut.of(editor.template_view(session, company, name))


@router.put("/templates/{name}", responses=NOT_FOUND)
def save_template(
    session: DbSession, caller: Configurer, name: Name, body: TemplateIn
) -> TemplateOut:
    """Save the wording in every language, or nothing: an error names the field
    ("es.text"); audited with the wording before and after."""
    company = session.get_one(Company, caller.company_id)
    view = editor.save_draft(session, company, name, body.clean(), caller.user.id, utcnow(), "api")
    return TemplateOut.of(view)


@router.delete("/templates/{name}", responses=NOT_FOUND)
def reset_template(session: DbSession, caller: Configurer, name: Name) -> TemplateOut:
    """Back to Cobro's built-in wording (audited)."""
    company = session.get_one(Company, caller.company_id)
    editor.reset_template(session, company, name, caller.user.id, utcnow(), "api")
    return TemplateOut.of(editor.template_view(session, company, name))


@router.post("/templates/{name}/preview", responses=NOT_FOUND)
def preview_template(session: DbSession, caller: Reader, name: Name, body: PreviewIn) -> PreviewOut:
    """The draft rendered for a customer in every language, with the errors that would stop
    it being saved. Nothing is saved."""
    company = session.get_one(Company, caller.company_id)
    sources = body.clean()
    on = body.on or today_in(company.timezone)
    sample, previews = editor.preview_draft(session, company, name, sources, on, body.customer)
    view = editor.template_view(session, company, name)
    errors = editor.check_draft(sources, view.summary.channel, view.languages)
    return PreviewOut.of(sample, previews, errors)


@router.get("/policies/{code}/stages/{stage}/preview", tags=["policies"], responses=NOT_FOUND)
def preview_stage(
    session: DbSession,
    caller: Reader,
    code: Annotated[str, Path(max_length=40)],
    stage: Annotated[str, Path(max_length=40)],
    customer: Annotated[str | None, Query(max_length=100)] = None,
    on: Annotated[date | None, Query(description="default: today")] = None,
) -> PreviewOut:
    """The messages a stage sends, for a customer (or the one nearest the stage), in the
    customer's language."""
    company = session.get_one(Company, caller.company_id)
    found = stage_preview(session, company, code, stage, on or today_in(company.timezone), customer)
    return PreviewOut.of(found.sample, found.previews, {})
