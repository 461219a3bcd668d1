"""The late-payment interest calculator (mounted under /api by `cobro.app`): any signed-in
reader computes the interest and fixed compensation on one amount, from the shipped rates
extended by those imported into the database; and the rate series those come from."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from fastapi import APIRouter

from cobro.endpoint import CALLER_ERRORS, DbSession, Reader
from cobro.errors import Invalid
from cobro.interest.law import check_jurisdiction, currency_of
from cobro.interest.rules import DayBasis
from cobro.interest.schemas import InterestIn, InterestOut, SeriesOut
from cobro.interest.service import claim_for, list_series

router = APIRouter(tags=["interest"], responses=CALLER_ERRORS)


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
