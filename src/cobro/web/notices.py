"""The template pages: the list, and the editor of one template (`<stage>.<channel>`): the
subject and text of each language side by side, English and Spanish first, with a live preview
in every language as you type (htmx posts the form to the preview, debounced; the preview also
puts each field's error next to it, out of band). Saving is for admins and managers; one error
and nothing is saved, the errors shown next to their fields.

The preview never runs what a template says: the subject and text are shown as escaped text,
and the HTML version of an email or letter in an `<iframe sandbox srcdoc>` with no allowances
(no scripts, no forms, an origin of its own: a hostile template cannot reach this page, its
cookies or its CSRF token) under the page's own strict CSP, which the frame inherits."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from cobro.company.models import Company
from cobro.endpoint import Caller, DbSession, Reader, require
from cobro.errors import Invalid
from cobro.kit.dates import today_in, utcnow
from cobro.notice import editor
from cobro.notice.errors import NoticeError
from cobro.notice.schemas import MAX_SOURCE
from cobro.web.templates import render

router = APIRouter(include_in_schema=False)

Configurer = Annotated[Caller, require("configure")]
Name = Annotated[str, Path(max_length=80)]


@router.get("/templates", response_class=HTMLResponse)
def template_list(request: Request, session: DbSession, caller: Reader) -> HTMLResponse:
    company = session.get_one(Company, caller.company_id)
    summaries = editor.template_summaries(session, company)
    return render(request, "notices/list.html", company=company, templates=summaries)


@router.get("/templates/{name}", response_class=HTMLResponse)
def template_page(request: Request, session: DbSession, caller: Reader, name: Name) -> HTMLResponse:
    company = session.get_one(Company, caller.company_id)
    view = editor.template_view(session, company, name)
    return _page(request, session, caller, view, view.sources)


@router.post("/templates/{name}")
async def save_template(
    request: Request, session: DbSession, caller: Configurer, name: Name
) -> Response:
    company = session.get_one(Company, caller.company_id)
    view = editor.template_view(session, company, name)
    sources = _sources(await request.form(), view)
    try:
        editor.save_draft(session, company, name, sources, caller.user.id, utcnow(), "web")
    except editor.TemplateErrors as exc:
        return _page(request, session, caller, view, sources, exc.errors, 422)
    except NoticeError as exc:
        return _page(request, session, caller, view, sources, {"language": exc.message}, 422)
    return RedirectResponse(f"/templates/{name}?saved=1", 303)


@router.post("/templates/{name}/reset")
def reset_template(session: DbSession, caller: Configurer, name: Name) -> Response:
    company = session.get_one(Company, caller.company_id)
    editor.reset_template(session, company, name, caller.user.id, utcnow(), "web")
    return RedirectResponse(f"/templates/{name}", 303)


@router.post("/templates/{name}/preview", response_class=HTMLResponse)
async def preview_template(
    request: Request, session: DbSession, caller: Reader, name: Name
) -> HTMLResponse:
    """The preview part of the editor (htmx), with each field's error out of band."""
    company = session.get_one(Company, caller.company_id)
    view = editor.template_view(session, company, name)
    form = await request.form()
    sources = _sources(form, view)
    customer = str(form.get("customer") or "").strip()[:100] or None
    errors = editor.check_draft(sources, view.summary.channel, view.languages)
    try:
        sample, previews = editor.preview_draft(
            session, company, name, sources, today_in(company.timezone), customer
        )
    except Invalid as exc:
        errors = {**errors, "customer": exc.message}
        sample, previews = editor.preview_draft(
            session, company, name, sources, today_in(company.timezone)
        )
    fields = [f"{language}.{part}" for language in view.languages for part in view.parts]
    return render(
        request,
        "notices/_preview.html",
        sample=sample,
        previews=previews,
        errors=errors,
        fields=[*fields, "customer"],
        out_of_band=True,
    )


def _sources(form: FormData, view: editor.TemplateView) -> editor.Sources:
    """The draft's fields ("es.text"), each cut to the longest a part may be."""
    sources: editor.Sources = {}
    for language in view.languages:
        for part in view.parts:
            value = form.get(f"{language}.{part}")
            text = value if isinstance(value, str) else ""
            sources[(language, part)] = text.replace("\r\n", "\n")[:MAX_SOURCE]
    return sources


def _page(
    request: Request,
    session: Session,
    caller: Caller,
    view: editor.TemplateView,
    sources: editor.Sources,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    company = session.get_one(Company, caller.company_id)
    sample, previews = editor.preview_draft(
        session, company, view.summary.name, sources, today_in(company.timezone)
    )
    return render(
        request,
        "notices/edit.html",
        status_code=status,
        view=view,
        sources=sources,
        errors=errors or {},
        sample=sample,
        previews=previews,
        saved=request.query_params.get("saved") == "1",
        may_configure=caller.can("configure"),
        out_of_band=False,
    )
