"""The policy pages: the list (whom each policy applies to) and one policy's stages in order,
each with its day, tone, actions and templates; admins and managers change, add and remove
stages (errors next to the field, each change audited), everyone previews the message a stage
sends to a real customer, and those who may `work` run the dry run of tomorrow.

The preview and the dry run are parts of the same page (`?preview=<stage>`, POST dry-run):
htmx swaps in just that part (`hx-select`), a browser without it gets the whole page."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.cycle.endpoints import run_for, tomorrow_of
from cobro.cycle.outcome import CycleOutcome
from cobro.endpoint import Caller, DbSession, Reader, Worker, require
from cobro.errors import Conflict, Invalid
from cobro.kit.dates import today_in, utcnow
from cobro.notice.editor import template_name
from cobro.notice.environment import format_money
from cobro.notice.preview import StagePreview, stage_preview
from cobro.notice.render import CHANNEL_PARTS
from cobro.policy import editor
from cobro.policy.rules import ActionKind, Tone
from cobro.web.templates import language_of, render

router = APIRouter(include_in_schema=False)

Configurer = Annotated[Caller, require("configure")]
Code = Annotated[str, Path(max_length=40)]
StageCode = Annotated[str, Path(max_length=40)]
Text = Annotated[str, Form(max_length=40)]
Actions = Annotated[list[str], Form(max_length=len(ActionKind))]
TONES = [tone.value for tone in Tone]
ACTIONS = [action.value for action in ActionKind]
# {stage code, or "new" for the add form: {field: message}}
Errors = dict[str, dict[str, str]]


class FeeForm(BaseModel):
    """The fee fields of the stage form, in the company's currency (fees in other currencies
    are set through the API or a policy file, and kept when the form saves)."""

    fee_fixed: str = Field(default="", max_length=20)
    fee_percent: str = Field(default="", max_length=20)
    fee_minimum: str = Field(default="", max_length=20)
    fee_maximum: str = Field(default="", max_length=20)
    fee_per: str = Field(default="invoice", max_length=10)

    def mapping(self, actions: list[str], currency: str) -> dict[str, Any]:
        """The stage's `fee` as a policy file writes it; {} (none) without the fee action."""
        if ActionKind.FEE.value not in actions:
            return {}
        fee: dict[str, Any] = {"per": self.fee_per}
        for key, text in (
            ("fixed", self.fee_fixed),
            ("minimum", self.fee_minimum),
            ("maximum", self.fee_maximum),
        ):
            if text.strip():
                fee[key] = {currency: text.strip().replace(",", ".")}
        if self.fee_percent.strip():
            fee["percent"] = self.fee_percent.strip().rstrip("%").strip().replace(",", ".")
        # nothing typed: no fee, so the check says the action has none
        return fee if len(fee) > 1 else {}


@router.get("/policies", response_class=HTMLResponse)
def policy_list(request: Request, session: DbSession, caller: Reader) -> HTMLResponse:
    company = session.get_one(Company, caller.company_id)
    return render(
        request,
        "policies/list.html",
        company=company,
        policies=editor.policy_views(session, company),
    )


@router.get("/policies/{code}", response_class=HTMLResponse)
def policy_page(
    request: Request,
    session: DbSession,
    caller: Reader,
    code: Code,
    preview: Annotated[str | None, Query(max_length=40)] = None,
    customer: Annotated[str | None, Query(max_length=100)] = None,
) -> HTMLResponse:
    company = session.get_one(Company, caller.company_id)
    shown, errors = None, {}
    if preview:
        try:
            shown = stage_preview(
                session, company, code, preview, today_in(company.timezone), customer
            )
        except Invalid as exc:
            errors = {preview: {"customer": exc.message}}
    return _page(request, session, caller, code, errors=errors, preview=shown, chosen=preview,
                 customer=customer)  # fmt: skip


@router.post("/policies/{code}/stages/{stage}")
def change_stage(
    request: Request,
    session: DbSession,
    caller: Configurer,
    code: Code,
    stage: StageCode,
    offset: Text,
    tone: Text,
    fee: Annotated[FeeForm, Form()],
    actions: Actions = [],  # noqa: B006  (FastAPI copies the default)
) -> Response:
    company = session.get_one(Company, caller.company_id)
    try:
        changes = {
            "offset": _offset(offset),
            "tone": tone,
            "actions": actions,
            "fee": fee.mapping(actions, company.currency),
        }
        editor.change_stage(session, company, code, stage, changes, _editor(caller))
    except (Invalid, Conflict) as exc:
        return _refused(request, session, caller, code, stage, exc)
    return RedirectResponse(f"/policies/{code}#stage-{stage}", 303)


@router.post("/policies/{code}/stages")
def add_stage(
    request: Request,
    session: DbSession,
    caller: Configurer,
    code: Code,
    stage: Annotated[str, Form(alias="code", max_length=40)],
    offset: Text,
    tone: Text,
    fee: Annotated[FeeForm, Form()],
    actions: Actions = [],  # noqa: B006
) -> Response:
    company = session.get_one(Company, caller.company_id)
    try:
        data = {
            "code": stage,
            "offset": _offset(offset),
            "tone": tone,
            "actions": actions,
            "fee": fee.mapping(actions, company.currency),
        }
        added = editor.add_stage(session, company, code, data, _editor(caller))
    except (Invalid, Conflict) as exc:
        return _refused(request, session, caller, code, "new", exc)
    return RedirectResponse(f"/policies/{code}#stage-{added['code']}", 303)


@router.post("/policies/{code}/stages/{stage}/remove")
def remove_stage(
    request: Request, session: DbSession, caller: Configurer, code: Code, stage: StageCode
) -> Response:
    company = session.get_one(Company, caller.company_id)
    try:
        editor.remove_stage(session, company, code, stage, _editor(caller))
    except (Invalid, Conflict) as exc:
        return _refused(request, session, caller, code, stage, exc)
    return RedirectResponse(f"/policies/{code}", 303)


@router.post("/policies/{code}/dry-run", response_class=HTMLResponse)
def dry_run_tomorrow(
    request: Request, session: DbSession, caller: Worker, code: Code
) -> HTMLResponse:
    """The cycle of tomorrow (company time), rolled back: what every policy would queue."""
    company = session.get_one(Company, caller.company_id)
    editor.policy_view(session, company, code)  # another company's code: 404 before any run
    outcome = run_for(request, session, caller, True, tomorrow_of(company))
    return _page(request, session, caller, code, outcome=outcome)


def _offset(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise Invalid(f"{text!r} is not a whole number of days", field="offset") from None


def _editor(caller: Caller) -> editor.Editor:
    return editor.Editor(caller.user.id, utcnow(), "web")


def _refused(
    request: Request,
    session: Session,
    caller: Caller,
    code: str,
    stage: str,
    exc: Invalid | Conflict,
) -> HTMLResponse:
    field = exc.field if exc.field in ("code", "offset", "tone", "actions") else "stage"
    if exc.field and exc.field.startswith("fee"):
        field = "fee"
    errors = {stage: {field: exc.message}}
    return _page(request, session, caller, code, errors=errors, status=exc.status)


def _page(
    request: Request,
    session: Session,
    caller: Caller,
    code: str,
    errors: Errors | None = None,
    status: int = 200,
    preview: StagePreview | None = None,
    chosen: str | None = None,
    customer: str | None = None,
    outcome: CycleOutcome | None = None,
) -> HTMLResponse:
    company = session.get_one(Company, caller.company_id)
    view = editor.policy_view(session, company, code)
    language = language_of(request)
    return render(
        request,
        "policies/show.html",
        status_code=status,
        language=language,
        company=company,
        policy=view,
        stages=[_stage(stage, company.currency) for stage in view.stages],
        errors=errors or {},
        preview=preview,
        chosen=chosen,
        customer=customer or "",
        outcome=outcome,
        tomorrow=tomorrow_of(company),
        tones=TONES,
        actions=ACTIONS,
        may_configure=caller.can("configure"),
        may_work=caller.can("work"),
        money=lambda amount, currency: format_money(amount, currency, language),
    )


def _stage(stage: dict[str, Any], currency: str) -> dict[str, Any]:
    """A stage with the names of the templates its messages use, its condition in words and
    its fee's fields in the company's currency."""
    channels = [action for action in stage["actions"] if action in CHANNEL_PARTS]
    fee = stage.get("fee") or {}
    return {
        **stage,
        "fee_text": json.dumps(fee, ensure_ascii=False) if fee else "",
        "fee_fields": {
            "fee_fixed": fee.get("fixed", {}).get(currency, ""),
            "fee_percent": fee.get("percent", ""),
            "fee_minimum": fee.get("minimum", {}).get(currency, ""),
            "fee_maximum": fee.get("maximum", {}).get(currency, ""),
            "fee_per": fee.get("per", "invoice"),
        },
        "templates": [template_name(stage["code"], channel) for channel in channels],
        "when_text": json.dumps(stage.get("when", {}), ensure_ascii=False)
        if stage.get("when")
        else "",
    }
