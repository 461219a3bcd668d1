"""The SEPA direct-debit page (/sepa): the company's mandates (with a form to add one and a
revoke button on each active one), what is due for a collection date and what waits and why,
the batches (pain.008 files) written with a link to each file, the form that writes the batch
for a date, and the upload of a bank's pain.002 status report, whose rejects undo collections.

The same services as the JSON API and `cobro sepa` (`cobro.banking.mandates`, `debits`,
`returns`). Anyone signed in reads; mandates and status reports need `work`; writing a batch
`configure` (it records the debits as payments). Each form carries the CSRF token; a move that
succeeds redirects back with its result (post, redirect, get), except the status report, whose
outcome (rejected, unknown) is shown at once; a refused one answers 422 (409 for a mandate no
longer active) with the page, the form as typed and the error. Another company's batch or
mandate is a 404."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from cobro.banking import debits, mandates, returns
from cobro.banking.sepa_rules import earliest_collection
from cobro.company.models import Company
from cobro.endpoint import Caller, CurrentUser, DbSession, require
from cobro.errors import CobroError, Conflict, Invalid
from cobro.kit.dates import today_in, utcnow
from cobro.kit.pagination import MAX_OFFSET
from cobro.web.charges import money_of
from cobro.web.forms import form_errors, optional_day
from cobro.web.templates import language_of, render

router = APIRouter(include_in_schema=False)

Configurer = Annotated[Caller, require("configure")]
Worker = Annotated[Caller, require("work")]
BatchId = Annotated[int, Path(ge=1, le=MAX_OFFSET)]
Reference = Annotated[str, Path(min_length=1, max_length=35)]
Text = Annotated[str, Form(max_length=500)]
MANDATE_FIELDS = ("customer", "reference", "signed_on", "scheme", "iban", "bic", "debtor_name")
MAX_REPORT = 5 * 1024 * 1024
BATCHES_SHOWN = 50


@router.get("/sepa", response_class=HTMLResponse)
def sepa_page(
    request: Request,
    session: DbSession,
    caller: CurrentUser,
    collection_date: Annotated[str, Query(max_length=20)] = "",
    written: Annotated[list[int] | None, Query()] = None,
    exported: Annotated[int | None, Query(ge=0, le=MAX_OFFSET)] = None,
    added: Annotated[str, Query(max_length=35)] = "",
) -> HTMLResponse:
    """`collection_date`: show what a batch for that day would hold and what waits; `written`
    and `exported`: the batches an export just wrote (and how many)."""
    try:
        day = optional_day(collection_date, "collection_date")
    except Invalid as error:
        return _page(request, session, caller, 422, errors={"export": error.message})
    return _page(
        request,
        session,
        caller,
        day=day,
        written=written or [],
        exported=exported,
        added=added,
    )


def _page(
    request: Request,
    session: Session,
    caller: Caller,
    status_code: int = 200,
    day: date | None = None,
    **context: Any,
) -> HTMLResponse:
    """The page; `context`: errors (field -> message), new (the mandate form as typed), revoke
    (the reference refused) and reason, written, exported, added, status (a report's
    outcome)."""
    company = session.get_one(Company, caller.company_id)
    today = today_in(company.timezone)
    rows = mandates.mandate_rows(session, company, today)
    customers = {row.mandate.customer_id: (row.customer, row.customer_name) for row in rows}
    batches = debits.list_batches(session, company, BATCHES_SHOWN)
    plan = debits.plan_batch(session, company, day, today) if day else None
    values: dict[str, Any] = {
        "errors": {},
        "new": dict.fromkeys(MANDATE_FIELDS, "") | {"scheme": "CORE", "one_off": ""},
        "revoke": None,
        "reason": "",
        "written": [],
        "exported": None,
        "added": "",
        "status": None,
        "version": debits.VERSIONS[-1],
    }
    values.update(context)
    language = language_of(request)
    return render(
        request,
        "sepa/page.html",
        status_code=status_code,
        language=language,
        company=company,
        today=today,
        earliest=earliest_collection(today, "CORE"),
        mandates=[row.mandate for row in rows],
        customers=customers,
        batches=batches,
        day=day,
        plan=plan,
        versions=debits.VERSIONS,
        money=money_of(language),
        may_work=caller.can("work"),
        may_configure=caller.can("configure"),
        **values,
    )


@router.post("/sepa/mandates", response_class=HTMLResponse)
def add_mandate(
    request: Request,
    session: DbSession,
    caller: Worker,
    customer: Text = "",
    reference: Text = "",
    signed_on: Annotated[str, Form(max_length=20)] = "",
    scheme: Annotated[str, Form(max_length=10)] = "CORE",
    iban: Text = "",
    bic: Annotated[str, Form(max_length=20)] = "",
    debtor_name: Text = "",
    one_off: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    typed = {
        "customer": customer,
        "reference": reference,
        "signed_on": signed_on,
        "scheme": scheme,
        "iban": iban,
        "bic": bic,
        "debtor_name": debtor_name,
        "one_off": one_off,
    }
    company = session.get_one(Company, caller.company_id)
    try:
        signed = optional_day(signed_on, "signed_on")
        if signed is None:
            raise Invalid("give the day the mandate was signed", field="signed_on")
        data = mandates.MandateIn(
            customer=customer.strip(),
            reference=reference.strip(),
            signed_on=signed,
            scheme=scheme.strip().upper(),
            iban=iban,
            bic=bic.strip() or None,
            debtor_name=debtor_name.strip() or None,
            one_off=one_off in ("1", "on", "true"),
        )
        mandate = mandates.add_mandate(
            session,
            company,
            data,
            today_in(company.timezone),
            (caller.user.id, caller.user.email),
            utcnow(),
        )
    except CobroError as error:
        session.rollback()
        status = 409 if isinstance(error, Conflict) else 422
        return _page(
            request, session, caller, status, errors=form_errors(error, MANDATE_FIELDS), new=typed
        )
    return RedirectResponse("/sepa?" + urlencode({"added": mandate.reference}), 303)


@router.post("/sepa/mandates/{reference}/revoke", response_class=HTMLResponse)
def revoke_mandate(
    request: Request,
    session: DbSession,
    caller: Worker,
    reference: Reference,
    reason: Text = "",
) -> Response:
    company = session.get_one(Company, caller.company_id)
    mandates.get_mandate(session, company, reference)  # another company's: a 404
    try:
        mandates.revoke_mandate(
            session, company, reference, reason, (caller.user.id, caller.user.email), utcnow()
        )
    except CobroError as error:
        session.rollback()
        status = 409 if isinstance(error, Conflict) else 422
        errors = {"revoke": error.message}
        return _page(
            request, session, caller, status, errors=errors, revoke=reference, reason=reason
        )
    return RedirectResponse("/sepa", 303)


@router.post("/sepa/export", response_class=HTMLResponse)
def export_batches(
    request: Request,
    session: DbSession,
    caller: Configurer,
    collection_date: Annotated[str, Form(max_length=20)] = "",
    version: Annotated[str, Form(max_length=20)] = "pain.008.001.08",
) -> Response:
    """Write the pain.008 files for the date (the debits count as paid on it), then back to
    the page showing what was written and what waits."""
    company = session.get_one(Company, caller.company_id)
    day = None
    try:
        day = optional_day(collection_date, "collection_date")
        if day is None:
            raise Invalid("give the collection date", field="collection_date")
        batches = debits.export_batches(
            session,
            company,
            day,
            version,
            today_in(company.timezone),
            (caller.user.id, caller.user.email),
            utcnow(),
        )
    except CobroError as error:
        session.rollback()
        return _page(
            request, session, caller, 422, day, errors={"export": error.message}, version=version
        )
    query: list[tuple[str, str | int]] = [("collection_date", day.isoformat())]
    query += [("exported", len(batches))] + [("written", batch.id) for batch in batches]
    return RedirectResponse("/sepa?" + urlencode(query), 303)


@router.get("/sepa/batches/{batch_id}/file")
def batch_file(session: DbSession, caller: CurrentUser, batch_id: BatchId) -> Response:
    """The pain.008 file as written: the same bytes every time."""
    batch = debits.get_batch(session, session.get_one(Company, caller.company_id), batch_id)
    return Response(
        batch.document,
        media_type="application/xml",
        headers={"Content-Disposition": f'attachment; filename="{batch.message_id}.xml"'},
    )


@router.post("/sepa/status-reports", response_class=HTMLResponse)
def status_report(
    request: Request,
    session: DbSession,
    caller: Worker,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Read a bank's pain.002: each rejected debit is undone; the page shows what was
    rejected, what was undone before and what is not Cobro's."""
    company = session.get_one(Company, caller.company_id)
    try:
        if file is None or not file.filename:
            raise Invalid("choose a pain.002 file", field="report")
        data = file.file.read(MAX_REPORT + 1)
        if len(data) > MAX_REPORT:
            raise Invalid("the report is larger than 5 MB", field="report")
        outcome = returns.apply_status_report(
            session, company, data, today_in(company.timezone), utcnow()
        )
    except CobroError as error:
        session.rollback()
        return _page(request, session, caller, 422, errors={"report": error.message})
    return _page(request, session, caller, status=outcome)
