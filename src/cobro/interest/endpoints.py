"""The late-payment interest calculator (mounted under /api by `cobro.app`): any signed-in
reader computes the interest and fixed compensation on one amount, from the shipped rates
extended by those imported into the database; the rate series those come from, one series
period by period; and (`configure`: managers and admins) importing periods that extend them,
as `cobro rates import` does (the same service, all or nothing, audited)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse

from cobro.endpoint import CALLER_ERRORS, Caller, DbSession, Reader, error_responses, require
from cobro.errors import Invalid
from cobro.interest.law import check_jurisdiction, currency_of
from cobro.interest.models import SERIES_MAX
from cobro.interest.ratefile import RateFileInvalid
from cobro.interest.rules import DayBasis
from cobro.interest.schemas import (
    InterestIn,
    InterestOut,
    PeriodOut,
    ProblemOut,
    RateFileErrorOut,
    RatesImportIn,
    RatesImportOut,
    SeriesOut,
)
from cobro.interest.service import (
    Importer,
    claim_for,
    import_rate_text,
    list_series,
    series_periods,
)
from cobro.kit.dates import utcnow
from cobro.kit.schemas import ErrorOut

router = APIRouter(tags=["interest"], responses=CALLER_ERRORS)

Configurer = Annotated[Caller, require("configure")]
Series = Annotated[str, Path(max_length=SERIES_MAX, description="e.g. de_basiszinssatz")]
REFUSED_FILE: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "The body cannot be read (not UTF-8 JSON)"},
    422: {
        "model": RateFileErrorOut,
        "description": "Invalid input; a refused file lists every problem in error.problems",
    },
}


@router.post("/interest")
def compute_interest(session: DbSession, caller: Reader, body: InterestIn) -> InterestOut:
    """Late-payment interest on one amount: each stretch of days at its rate, rounded once;
    the fixed compensation; warnings on the rates (capped, flagged, unchecked)."""
    code = check_jurisdiction(body.jurisdiction)
    expected = currency_of(code)
    if body.currency.upper() != expected:
        raise Invalid(
            f"currency {body.currency!r}: {code}'s rates and fixed sums are for {expected} "
            f"debts; give the amount in {expected}",
            field="currency",
        )
    if body.amount <= 0:
        raise Invalid("the amount due must be positive (minor units)", field="amount")
    agreed = _rate(body.contract_rate)
    result = claim_for(
        session,
        code,
        body.business,
        body.amount,
        body.due,
        body.paid,
        contract_rate=agreed,
        basis=DayBasis(body.day_basis),
        count_payment_day=body.count_payment_day,
    )
    return InterestOut.of(result, compounding=code == "CO")


@router.get("/rates")
def list_rates(session: DbSession, caller: Reader) -> list[SeriesOut]:
    """Every rate series: its source and the days it has rates for (imports included)."""
    return [SeriesOut.of(view) for view in list_series(session)]


@router.get("/rates/{series}", responses=error_responses(404))
def list_periods(session: DbSession, caller: Reader, series: Series) -> list[PeriodOut]:
    """One rate series period by period, shipped and imported, each with its source."""
    return [PeriodOut.of(view) for view in series_periods(session, series)]


@router.post("/rates/import", response_model=RatesImportOut, responses=REFUSED_FILE)
def import_rate_periods(
    session: DbSession,
    caller: Configurer,
    body: RatesImportIn,
    dry_run: Annotated[bool, Query(description="check and report; store nothing")] = False,
) -> Any:
    """Import rate periods that extend the shipped series, as `cobro rates import` does: the
    CSV text in a JSON body, `{"csv": "series,starts_on,ends_on,rate,source\\n…"}`. All or
    nothing: a period that overlaps another, leaves a gap, or gives another rate for a day
    already known refuses the whole file with a 422 whose `error.problems` lists every
    problem with its row (the header is row 1) and field. Stored periods are audited
    ("rates.imported"); `dry_run=true` checks and reports what would be added."""
    by = Importer(caller.user.id, caller.company_id, "api")
    try:
        result = import_rate_text(session, "CSV", body.csv, by, utcnow(), dry_run=dry_run)
    except RateFileInvalid as refused:
        error = {
            "message": refused.message,
            "field": refused.field,
            "problems": [ProblemOut.of(p).model_dump() for p in refused.problems],
        }
        return JSONResponse({"error": error}, status_code=422)
    return RatesImportOut.of(result, dry_run)


def _rate(text: str | None) -> Decimal | None:
    if text is None or not text.strip():
        return None
    try:
        rate = Decimal(text.strip())
    except InvalidOperation:
        raise Invalid(
            f"{text!r} is not a rate (% a year, e.g. 9.5)", field="contract_rate"
        ) from None
    if not rate.is_finite():
        raise Invalid(f"{text!r} is not a rate (% a year, e.g. 9.5)", field="contract_rate")
    return rate
