"""Bank endpoints (mounted under /api by `cobro.app`): the company's accounts, importing a
statement file (multipart upload; a file imported again adds nothing), the statements with
their balance check and lines, and the review queue of cash application with its actions —
accept a candidate, split, reassign, ignore — each applying money with a required
`Idempotency-Key`. Reading needs `read`; importing and reviewing `work`; adding an account
`configure`. Another company's line or statement is a 404."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Path, Response, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from cobro.banking import accounts, imports, queries, review, settings
from cobro.banking.models import StatementLine
from cobro.company.models import Company
from cobro.endpoint import (
    CALLER_ERRORS,
    Caller,
    DbSession,
    Paging,
    Reader,
    Worker,
    error_responses,
    require,
)
from cobro.errors import Invalid
from cobro.idempotency.http import REPLAYED_HEADER_DOC, Idempotent
from cobro.kit.dates import today_in, utcnow
from cobro.kit.pagination import MAX_OFFSET
from cobro.kit.schemas import PageOut
from cobro.payment.models import Payment
from cobro.worklist.snapshot import refresh_customers

router = APIRouter(prefix="/bank", tags=["bank"], responses=CALLER_ERRORS)

Configurer = Annotated[Caller, require("configure")]
LineId = Annotated[int, Path(ge=1, le=MAX_OFFSET, description="the bank line's id")]
StatementId = Annotated[int, Path(ge=1, le=MAX_OFFSET, description="the statement's id")]
MAX_FILE = 20 * 1024 * 1024  # a month of a busy account in camt.053 is a few megabytes
MONEY_ANSWERS = {
    **error_responses(404, 409),
    201: {
        "description": "Applied (or the stored answer, replayed)",
        "headers": REPLAYED_HEADER_DOC,
    },
}


class AccountOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    account: str = Field(description="compact IBAN, or the bank's account number")
    bic: str | None
    currency: str
    name: str | None


class AccountIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    account: str = Field(min_length=1, max_length=60)
    currency: str | None = Field(default=None, max_length=3)
    bic: str | None = Field(default=None, max_length=11)
    name: str | None = Field(default=None, max_length=100)


class StatementOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    account: str
    format: str
    identifier: str | None
    filename: str | None
    currency: str | None
    from_date: date | None
    to_date: date | None
    opening: int | None = Field(description="minor units, signed")
    closing: int | None
    balance_gap: int | None = Field(
        description="closing − (opening + booked lines); 0 adds up; None: balances not stated"
    )
    balance_check: str
    line_count: int
    new_lines: int = Field(description="lines not already brought by another file")
    imported_at: datetime


class ReasonOut(BaseModel):
    code: str
    text: str
    points: int


class ShareOut(BaseModel):
    invoice_id: int
    invoice: str
    amount: int


class CandidateOut(BaseModel):
    customer_id: int
    customer: str = Field(description="the customer's external id")
    customer_name: str
    shares: list[ShareOut]
    discount: int = Field(description="early-payment discount taken (settled by a credit note)")
    charges: int = Field(description="bank charges deducted (settled by a write-off)")
    unapplied: int = Field(description="left as unapplied cash on the customer")
    score: int = Field(description="0–100")
    reasons: list[ReasonOut]


class LineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    statement_id: int
    amount: int = Field(description="minor units, signed: money in > 0")
    currency: str
    booking_date: date | None
    value_date: date | None
    counterparty_name: str | None
    counterparty_iban: str | None
    counterparty_bic: str | None
    end_to_end_id: str | None
    structured_reference: str | None
    remittance: str | None
    bank_code: str | None
    bank_reference: str | None
    return_reason: str | None
    mandate_id: str | None
    reversal: bool
    state: str = Field(
        description="applied, review, unmatched, ignored, debit, returned or pending"
    )
    why: str | None = Field(description="why it was not applied alone, or why it was ignored")
    payment_id: int | None
    applied_by: str | None
    suggestions: list[CandidateOut] = Field(description="candidates, best first")


class StatementDetailOut(StatementOut):
    lines: list[LineOut]


class ImportOut(BaseModel):
    statements: list[dict[str, Any]]
    new_lines: int
    applied: int
    review: int
    unmatched: int
    returned: int


class AcceptIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    candidate: int = Field(default=0, ge=0, le=20, description="0: the best")


class ShareIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    invoice: str = Field(min_length=1, max_length=60, description="the invoice's number")
    amount: int = Field(gt=0, description="minor units")


class SplitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer: str = Field(min_length=1, max_length=100, description="external id")
    shares: list[ShareIn] = Field(min_length=1, max_length=200)


class ReassignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer: str = Field(min_length=1, max_length=100, description="external id")


class IgnoreIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=300)


@router.get("/accounts")
def list_accounts(session: DbSession, caller: Reader) -> list[AccountOut]:
    company = session.get_one(Company, caller.company_id)
    return [AccountOut.model_validate(a) for a in accounts.list_accounts(session, company)]


@router.post("/accounts", status_code=201, responses=error_responses(409))
def add_account(session: DbSession, caller: Configurer, body: AccountIn) -> AccountOut:
    """Add an account of the company: statements for it can then be imported."""
    company = session.get_one(Company, caller.company_id)
    row = accounts.add_account(session, company, body.account, body.currency, body.bic, body.name)
    return AccountOut.model_validate(row)


@router.post("/statements", status_code=201)
def import_statement(
    session: DbSession,
    caller: Worker,
    file: Annotated[UploadFile, File(description="camt.052/053/054, MT940/MT942 or CSV")],
    format: Annotated[Literal["camt", "mt940", "csv"] | None, Form()] = None,
    preset: Annotated[str, Form(max_length=40)] = "generic",
    account: Annotated[str | None, Form(max_length=60)] = None,
) -> ImportOut:
    """Import a statement file: all or nothing (a 422 names the line or element at fault, or
    the account the company does not own); entries already imported are not added again; new
    payments are matched and applied when sure, else queued for review."""
    company = session.get_one(Company, caller.company_id)
    data = file.file.read(MAX_FILE + 1)
    if len(data) > MAX_FILE:
        raise Invalid(f"the file is larger than {MAX_FILE // (1024 * 1024)} MB", field="file")
    result = imports.import_statement_file(
        session,
        company,
        data,
        on=today_in(company.timezone),
        now=utcnow(),
        by=(caller.user.id, caller.user.email),
        filename=file.filename,
        fmt=format,
        mapping=preset,
        account=account,
    )
    out = result.outcome
    refresh_customers(session, company.id, today_in(company.timezone), sorted(out.customers))
    return ImportOut(
        statements=[vars(summary) for summary in result.statements],
        new_lines=result.new_lines,
        applied=out.applied,
        review=out.review,
        unmatched=out.unmatched,
        returned=out.returned,
    )


@router.get("/statements")
def list_statements(session: DbSession, caller: Reader, page: Paging) -> PageOut[StatementOut]:
    company = session.get_one(Company, caller.company_id)
    return PageOut.of(queries.list_statements(session, company, page), StatementOut)


@router.get("/statements/{statement_id}", responses=error_responses(404))
def show_statement(
    session: DbSession, caller: Reader, statement_id: StatementId
) -> StatementDetailOut:
    company = session.get_one(Company, caller.company_id)
    row = queries.get_statement(session, company, statement_id)
    lines = queries.statement_lines(session, company, statement_id)
    return StatementDetailOut(
        **StatementOut.model_validate(row).model_dump(),
        lines=[LineOut.model_validate(line) for line in lines],
    )


@router.get("/review")
def review_queue(session: DbSession, caller: Reader, page: Paging) -> PageOut[LineOut]:
    """Lines waiting for a person (review: candidates found; unmatched: none), oldest first."""
    company = session.get_one(Company, caller.company_id)
    return PageOut.of(review.review_queue(session, company, page), LineOut)


@router.get("/lines/{line_id}", responses=error_responses(404))
def show_line(session: DbSession, caller: Reader, line_id: LineId) -> LineOut:
    company = session.get_one(Company, caller.company_id)
    return LineOut.model_validate(review.get_line(session, company, line_id))


def _answer(session: DbSession, line: StatementLine) -> LineOut:
    """The line as it stands; its customer ranks again at once (it owes less now)."""
    session.flush()
    if line.payment_id is not None:
        company = session.get_one(Company, line.company_id)
        payment = session.get_one(Payment, line.payment_id)
        if payment.customer_id is not None:
            refresh_customers(
                session, company.id, today_in(company.timezone), [payment.customer_id]
            )
    return LineOut.model_validate(line)


def _review(
    session: DbSession,
    caller: Caller,
    once: Idempotent,
    act: Callable[[Company, review.By], StatementLine],
) -> Response:
    """Apply a line as a person decided, once per Idempotency-Key; answers the line."""
    company = session.get_one(Company, caller.company_id)
    by = (caller.user.id, caller.user.email)
    return once.answer(session, company.id, lambda: _answer(session, act(company, by)))


@router.post("/lines/{line_id}/accept", status_code=201, responses=MONEY_ANSWERS)
def accept_line(
    session: DbSession, caller: Worker, line_id: LineId, body: AcceptIn, once: Idempotent
) -> Response:
    """Apply the line as one of its candidates proposes (0: the best)."""
    return _review(
        session,
        caller,
        once,
        lambda company, by: review.accept(session, company, line_id, body.candidate, by, utcnow()),
    )


@router.post("/lines/{line_id}/split", status_code=201, responses=MONEY_ANSWERS)
def split_line(
    session: DbSession, caller: Worker, line_id: LineId, body: SplitIn, once: Idempotent
) -> Response:
    """Apply the line to the invoices given, each with its amount; the rest stays unapplied."""
    shares = [(share.invoice, share.amount) for share in body.shares]
    return _review(
        session,
        caller,
        once,
        lambda company, by: review.split(
            session, company, line_id, body.customer, shares, by, utcnow()
        ),
    )


@router.post("/lines/{line_id}/reassign", status_code=201, responses=MONEY_ANSWERS)
def reassign_line(
    session: DbSession, caller: Worker, line_id: LineId, body: ReassignIn, once: Idempotent
) -> Response:
    """The money is this customer's: it pays their oldest open invoices first."""
    return _review(
        session,
        caller,
        once,
        lambda company, by: review.reassign(session, company, line_id, body.customer, by, utcnow()),
    )


@router.post("/lines/{line_id}/ignore", responses=error_responses(404, 409))
def ignore_line(session: DbSession, caller: Worker, line_id: LineId, body: IgnoreIn) -> LineOut:
    """Take the line out of the queue (no customer's payment), with the reason kept."""
    company = session.get_one(Company, caller.company_id)
    line = review.ignore(
        session, company, line_id, body.reason, (caller.user.id, caller.user.email), utcnow()
    )
    return _answer(session, line)


class BankSettingsOut(BaseModel):
    match_threshold: int = Field(description="score from which a match is applied alone")
    charges_tolerance: int = Field(description="most bank charges a payer may deduct (minor)")
    creditor_id: str | None = Field(description="SEPA creditor identifier")
    street: str | None
    building_number: str | None
    postal_code: str | None
    town: str | None
    return_fee: int = Field(description="charged for a returned direct debit (minor); 0: none")


class BankSettingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    match_threshold: int | None = Field(default=None, ge=50, le=100)
    charges_tolerance: int | None = Field(default=None, ge=0, le=100_000)
    creditor_id: str | None = Field(default=None, max_length=35)
    street: str | None = Field(default=None, max_length=70)
    building_number: str | None = Field(default=None, max_length=16)
    postal_code: str | None = Field(default=None, max_length=16)
    town: str | None = Field(default=None, max_length=35)
    return_fee: int | None = Field(default=None, ge=0, le=100_000)


@router.get("/settings")
def show_settings(session: DbSession, caller: Reader) -> BankSettingsOut:
    company = session.get_one(Company, caller.company_id)
    return BankSettingsOut(**vars(settings.bank_settings(company)))


@router.patch("/settings")
def change_settings(
    session: DbSession, caller: Configurer, body: BankSettingsIn
) -> BankSettingsOut:
    """Change the fields given ("" clears a text); audited with the values before and after."""
    company = session.get_one(Company, caller.company_id)
    changes: dict[str, object] = body.model_dump(exclude_unset=True)
    shown = settings.change_bank_settings(
        session, company, changes, (caller.user.id, caller.user.email), utcnow()
    )
    return BankSettingsOut(**vars(shown))
