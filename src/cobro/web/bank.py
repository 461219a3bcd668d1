"""The cash-in pages: bank statements (/bank: the statements imported, newest first, each with
its balance check, and the upload form), one statement with its lines (/bank/statements/N),
and the company's bank accounts and cash-in settings (/bank/settings). The review queue is in
`cobro.web.bank_review`.

Every page goes through the services the JSON API and the CLI use (`cobro.banking.imports`,
`queries`, `review`, `accounts`, `settings`), so the rules and the audit trail are one.
Anyone signed in reads; importing and reviewing need `work`; the accounts and the settings
`configure`. Each move is a form with the CSRF token (the upload a multipart one): on success a
redirect (post, redirect, get) with the result in one line; a refused one answers 422 (409
when the line was dealt with meanwhile) with the page, the form as typed and the error. Another
company's statement or line is a 404, as in the API."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from cobro.banking import accounts, csvfile, imports, queries, settings
from cobro.company.models import Company
from cobro.endpoint import Caller, CurrentUser, DbSession, require
from cobro.errors import CobroError, Conflict, Invalid
from cobro.kit.dates import today_in, utcnow
from cobro.kit.money import format_minor, parse_amount
from cobro.kit.pagination import MAX_OFFSET, PageRequest
from cobro.web.charges import money_of
from cobro.web.forms import form_errors
from cobro.web.templates import language_of, render

router = APIRouter(include_in_schema=False)

Configurer = Annotated[Caller, require("configure")]
Worker = Annotated[Caller, require("work")]
StatementId = Annotated[int, Path(ge=1, le=MAX_OFFSET)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
Count = Annotated[int | None, Query(ge=0, le=MAX_OFFSET)]
# lengths and values are checked by the services, so their errors land next to the fields
Text = Annotated[str, Form(max_length=500)]
PAGE_SIZE = 50
MAX_FILE = 10 * 1024 * 1024  # what the CSRF check reads of a form at most
FORMATS = ("camt", "mt940", "csv")
RESULTS = ("statements", "known", "applied", "review", "unmatched", "returned")
ACCOUNT_FIELDS = ("account", "currency", "bic", "name")
SETTING_FIELDS = settings.FIELDS
MONEY_SETTINGS = ("charges_tolerance", "return_fee")


# ---- statements ---------------------------------------------------------------------------------


@router.get("/bank", response_class=HTMLResponse)
def bank_page(
    request: Request,
    session: DbSession,
    caller: CurrentUser,
    offset: Offset = 0,
    imported: Count = None,
    statements: Count = None,
    known: Count = None,
    applied: Count = None,
    in_review: Annotated[int | None, Query(ge=0, le=MAX_OFFSET, alias="review")] = None,
    unmatched: Count = None,
    returned: Count = None,
) -> HTMLResponse:
    done = None
    if imported is not None:
        counts = (statements, known, applied, in_review, unmatched, returned)
        done = {"new_lines": imported} | {
            name: value or 0 for name, value in zip(RESULTS, counts, strict=True)
        }
    return _bank(request, session, caller, offset, done=done)


def _bank(
    request: Request,
    session: Session,
    caller: Caller,
    offset: int = 0,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """The statements page; `context`: done (the import's result), errors (field -> message),
    chosen (the upload form as typed)."""
    company = session.get_one(Company, caller.company_id)
    page = queries.list_statements(session, company, PageRequest(PAGE_SIZE, offset))
    values: dict[str, Any] = {
        "done": None,
        "errors": {},
        "chosen": {"format": "", "preset": "generic", "account": ""},
    }
    values.update(context)
    language = language_of(request)
    return render(
        request,
        "bank/list.html",
        status_code=status_code,
        language=language,
        company=company,
        page=page,
        money=money_of(language),
        formats=FORMATS,
        presets=sorted(csvfile.PRESETS),
        accounts=accounts.list_accounts(session, company),
        may_work=caller.can("work"),
        **values,
    )


@router.post("/bank/import", response_class=HTMLResponse)
def import_statement(
    request: Request,
    session: DbSession,
    caller: Worker,
    file: Annotated[UploadFile | None, File()] = None,
    format: Annotated[str, Form(max_length=10)] = "",
    preset: Annotated[str, Form(max_length=40)] = "generic",
    account: Annotated[str, Form(max_length=60)] = "",
) -> Response:
    """Import a statement file: all or nothing; a refused file is a 422 naming the line or
    element at fault (or the account the company does not own) and nothing is stored."""
    chosen = {"format": format, "preset": preset, "account": account}
    company = session.get_one(Company, caller.company_id)
    try:
        name, data = _read(file)
        if format and format not in FORMATS:
            raise Invalid(f"format must be one of {', '.join(FORMATS)}", field="format")
        if preset not in csvfile.PRESETS:
            raise Invalid(f"no CSV preset {preset!r}", field="preset")
        result = imports.import_statement_file(
            session,
            company,
            data,
            on=today_in(company.timezone),
            now=utcnow(),
            by=(caller.user.id, caller.user.email),
            filename=name,
            fmt=format or None,
            mapping=preset,
            account=account.strip() or None,
        )
    except CobroError as error:
        session.rollback()
        field = error.field if error.field in ("format", "preset") else "file"
        status = 409 if isinstance(error, Conflict) else 422
        return _bank(
            request, session, caller, 0, status, errors={field: error.message}, chosen=chosen
        )
    out = result.outcome
    query = {
        "imported": result.new_lines,
        "statements": len(result.statements),
        "known": sum(1 for s in result.statements if s.already_imported),
        "applied": out.applied,
        "review": out.review,
        "unmatched": out.unmatched,
        "returned": out.returned,
    }
    return RedirectResponse("/bank?" + urlencode(query), 303)


def _read(file: UploadFile | None) -> tuple[str, bytes]:
    """The uploaded file's name and bytes, or why it cannot be taken."""
    if file is None or not file.filename:
        raise Invalid("choose a statement file (camt, MT940 or CSV)", field="file")
    data = file.file.read(MAX_FILE + 1)
    if len(data) > MAX_FILE:
        raise Invalid(f"{file.filename}: a statement file is at most 10 MB", field="file")
    if not data:
        raise Invalid(f"{file.filename} is empty", field="file")
    return file.filename[:255], data


@router.get("/bank/statements/{statement_id}", response_class=HTMLResponse)
def statement_page(
    request: Request, session: DbSession, caller: CurrentUser, statement_id: StatementId
) -> HTMLResponse:
    company = session.get_one(Company, caller.company_id)
    row = queries.get_statement(session, company, statement_id)  # another company's: a 404
    language = language_of(request)
    return render(
        request,
        "bank/statement.html",
        language=language,
        row=row,
        currency=row.currency or company.currency,
        lines=queries.statement_lines(session, company, statement_id),
        money=money_of(language),
    )


# ---- accounts and settings ----------------------------------------------------------------------


@router.get("/bank/settings", response_class=HTMLResponse)
def settings_page(
    request: Request,
    session: DbSession,
    caller: CurrentUser,
    done: Annotated[str, Query(max_length=20)] = "",
) -> HTMLResponse:
    return _settings(request, session, caller, done=done if done in ("account", "settings") else "")


def _settings(
    request: Request,
    session: Session,
    caller: Caller,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """The accounts and the settings; `context`: done ("account", "settings"), errors
    (field -> message), account (the account form as typed), values (the settings as typed)."""
    company = session.get_one(Company, caller.company_id)
    shown = settings.bank_settings(company)
    options: dict[str, Any] = {
        "done": "",
        "errors": {},
        "account": dict.fromkeys(ACCOUNT_FIELDS, ""),
        "values": _as_typed(shown, company.currency),
    }
    options.update(context)
    language = language_of(request)
    return render(
        request,
        "bank/settings.html",
        status_code=status_code,
        language=language,
        company=company,
        accounts=accounts.list_accounts(session, company),
        settings=shown,
        money=money_of(language),
        may_configure=caller.can("configure"),
        **options,
    )


def _as_typed(shown: settings.BankSettings, currency: str) -> dict[str, str]:
    typed = {}
    for name in SETTING_FIELDS:
        value = getattr(shown, name)
        if name in MONEY_SETTINGS:
            typed[name] = format_minor(int(value), currency)
        else:
            typed[name] = "" if value is None else str(value)
    return typed


@router.post("/bank/accounts", response_class=HTMLResponse)
def add_account(
    request: Request,
    session: DbSession,
    caller: Configurer,
    account: Text = "",
    currency: Annotated[str, Form(max_length=10)] = "",
    bic: Annotated[str, Form(max_length=20)] = "",
    name: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    typed = {"account": account, "currency": currency, "bic": bic, "name": name}
    company = session.get_one(Company, caller.company_id)
    try:
        accounts.add_account(
            session, company, account, currency.strip() or None, bic.strip() or None, name
        )
    except CobroError as error:
        session.rollback()
        status = 409 if isinstance(error, Conflict) else 422
        if error.field == "iban":  # the account, checked as the IBAN it looks like
            error.field = "account"
        errors = {f"account-{k}": v for k, v in form_errors(error, ACCOUNT_FIELDS).items()}
        return _settings(request, session, caller, status, errors=errors, account=typed)
    return RedirectResponse("/bank/settings?done=account", 303)


@router.post("/bank/settings", response_class=HTMLResponse)
def change_settings(
    request: Request,
    session: DbSession,
    caller: Configurer,
    match_threshold: Text = "",
    charges_tolerance: Text = "",
    creditor_id: Text = "",
    street: Text = "",
    building_number: Text = "",
    postal_code: Text = "",
    town: Text = "",
    return_fee: Text = "",
) -> Response:
    typed = {
        "match_threshold": match_threshold,
        "charges_tolerance": charges_tolerance,
        "creditor_id": creditor_id,
        "street": street,
        "building_number": building_number,
        "postal_code": postal_code,
        "town": town,
        "return_fee": return_fee,
    }
    company = session.get_one(Company, caller.company_id)
    try:
        changes = _changes(typed, company.currency)
        settings.change_bank_settings(
            session, company, changes, (caller.user.id, caller.user.email), utcnow()
        )
    except CobroError as error:
        session.rollback()
        errors = form_errors(error, SETTING_FIELDS)
        return _settings(request, session, caller, 422, errors=errors, values=typed)
    return RedirectResponse("/bank/settings?done=settings", 303)


def _changes(typed: dict[str, str], currency: str) -> dict[str, object]:
    """The form's fields as the service takes them: amounts in minor units."""
    changes: dict[str, object] = {}
    for name, text in typed.items():
        clean = text.strip()
        if name in MONEY_SETTINGS:
            try:
                changes[name] = parse_amount(clean or "0", currency)
            except Invalid as error:
                raise Invalid(error.message, field=name) from None
        elif name == "match_threshold":
            if not clean:
                raise Invalid("the threshold is a score from 50 to 100", field=name)
            changes[name] = clean
        else:
            changes[name] = clean
    return changes
