"""The interest calculator page: a GET form for any signed-in user (amount in major units,
currency (empty: the jurisdiction's), due and payment days, whose law, business or consumer
debtor, ACT/365 or ACT/ACT, whether the payment day counts, an agreed rate) and the result
below it: each stretch of days at its rate (exact interest), the interest rounded once, the
fixed compensation, the total and the warnings on the rates. The same service as
`POST /api/interest` (`cobro.interest.service.claim_for`), so the shipped rates are extended by
those imported (the rates page). A bad input answers 422 with its error next to its field.

The form is a GET (nothing changes): a result can be bookmarked or sent as a link. The page
computes once the query holds `amount`; without it, the empty form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from babel.numbers import format_decimal
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from cobro.company.models import Company
from cobro.endpoint import CurrentUser, DbSession
from cobro.errors import CobroError, Invalid
from cobro.interest.law import CO, JURISDICTIONS, Claim, check_jurisdiction, currency_of
from cobro.interest.rules import DayBasis
from cobro.interest.service import claim_for
from cobro.kit.money import exponent, parse_amount
from cobro.notice.environment import format_money
from cobro.web.forms import optional_day
from cobro.web.templates import language_of, render

router = APIRouter(include_in_schema=False)

Text = Annotated[str | None, Query(max_length=40)]
FIELDS = ("amount", "currency", "due", "paid", "jurisdiction", "debtor", "day_basis",
          "count_payment_day", "contract_rate")  # fmt: skip
BASES = ("ACT/365", "ACT/ACT")


@dataclass(frozen=True)
class Asked:
    """The form as parsed: what `claim_for` takes."""

    code: str
    business: bool
    amount: int
    due: date
    paid: date
    agreed: Decimal | None
    basis: DayBasis
    count_payment_day: bool


@router.get("/interest", response_class=HTMLResponse)
def interest_page(
    request: Request,
    session: DbSession,
    caller: CurrentUser,
    amount: Text = None,
    currency: Text = None,
    due: Text = None,
    paid: Text = None,
    jurisdiction: Text = None,
    debtor: Text = None,
    day_basis: Text = None,
    count_payment_day: Text = None,
    contract_rate: Text = None,
) -> HTMLResponse:
    company = caller.company or session.get_one(Company, caller.company_id)
    computing = amount is not None
    values = {
        "amount": amount or "",
        "currency": (currency or "").strip().upper(),
        "due": due or "",
        "paid": paid or "",
        "jurisdiction": (jurisdiction or _default_jurisdiction(company)).strip().upper(),
        "debtor": "consumer" if debtor == "consumer" else "business",
        "day_basis": day_basis if day_basis in BASES else "ACT/365",
        # an unticked box sends nothing: ticked on the empty form, as the query says after
        "count_payment_day": "1" if count_payment_day or not computing else "",
        "contract_rate": contract_rate or "",
    }
    errors: dict[str, str] = {}
    result: Claim | None = None
    if computing:
        asked = _parse(values, errors)
        if asked is not None:
            try:
                result = claim_for(session, asked.code, asked.business, asked.amount, asked.due,
                                   asked.paid, contract_rate=asked.agreed, basis=asked.basis,
                                   count_payment_day=asked.count_payment_day)  # fmt: skip
            except CobroError as error:
                errors[_field_of(error)] = error.message
    language = language_of(request)
    return render(
        request,
        "interest/calculator.html",
        status_code=422 if errors else 200,
        language=language,
        values=values,
        errors=errors,
        jurisdictions=JURISDICTIONS,
        bases=BASES,
        currency=_currency(values["jurisdiction"]),
        result=None if result is None else _shown(result, language),
    )


def _default_jurisdiction(company: Company) -> str:
    """The company's late-payment law, else its country's when Cobro has it, else the EU's."""
    if company.jurisdiction:
        return company.jurisdiction
    country = "GB" if company.country.upper() == "UK" else company.country.upper()
    return country if country in JURISDICTIONS else "EU"


def _currency(code: str) -> str:
    try:
        return currency_of(code)
    except Invalid:
        return ""


def _field_of(error: CobroError) -> str:
    field = {"business": "debtor"}.get(error.field or "", error.field or "")
    return field if field in FIELDS else "form"


def _parse(values: dict[str, str], errors: dict[str, str]) -> Asked | None:
    """The form's fields checked, each error keyed by its field; None when one is wrong."""

    def check(field: str, read: Any) -> Any:
        try:
            return read()
        except Invalid as error:
            errors[field] = error.message
            return None

    code = check("jurisdiction", lambda: check_jurisdiction(values["jurisdiction"]))
    currency = values["currency"] or (currency_of(code) if code else "")
    if code and currency != currency_of(code):
        errors["currency"] = (
            f"{currency}: {code}'s rates and fixed sums are for {currency_of(code)} debts; "
            f"give the amount in {currency_of(code)}"
        )
    amount = None
    if "currency" not in errors and currency:
        amount = check("amount", lambda: _amount(values["amount"], currency))
    due = check("due", lambda: _day(values["due"], "due"))
    paid = check("paid", lambda: _day(values["paid"], "paid"))
    agreed = check("contract_rate", lambda: _rate(values["contract_rate"]))
    if errors or code is None or amount is None or due is None or paid is None:
        return None
    return Asked(
        code,
        values["debtor"] != "consumer",
        amount,
        due,
        paid,
        agreed,
        DayBasis(values["day_basis"]),
        values["count_payment_day"] == "1",
    )


def _amount(text: str, currency: str) -> int:
    if not text.strip():
        raise Invalid("give the amount due", "amount")
    try:
        amount = parse_amount(text, currency)
    except Invalid as error:
        raise Invalid(error.message, "amount") from None
    if amount <= 0:
        raise Invalid("the amount due must be positive", "amount")
    return amount


def _day(text: str, field: str) -> date:
    day = optional_day(text, field)
    if day is None:
        raise Invalid("give the day as YYYY-MM-DD", field)
    return day


def _rate(text: str) -> Decimal | None:
    clean = text.strip().rstrip("%").strip().replace(",", ".")
    if not clean:
        return None
    try:
        rate = Decimal(clean)
    except InvalidOperation:
        rate = Decimal("NaN")
    if not rate.is_finite():
        raise Invalid(f"{text!r} is not a rate (% a year, e.g. 9.5)", "contract_rate")
    return rate


def _shown(result: Claim, language: str) -> dict[str, Any]:
    """The result as the page shows it: money in the user's language, exact interest in major
    units to four places."""
    currency = result.currency
    scale = Decimal(10) ** exponent(currency)

    def money(amount: int) -> str:
        return format_money(amount, currency, language)

    stretches = [
        {
            "first": part.first,
            "last": part.last,
            "days": part.days,
            "rate": format_decimal(part.rate, format="0.00##", locale=language),
            "year_days": part.year_days,
            "interest": format_decimal(part.interest / scale, format="#,##0.0000", locale=language),
        }
        for part in result.accrual.stretches
    ]
    return {
        "jurisdiction": result.jurisdiction,
        "currency": currency,
        "days": result.accrual.days,
        "compounding": result.jurisdiction == CO,
        "stretches": stretches,
        "interest": money(result.accrual.amount),
        "fixed_compensation": money(result.fixed_compensation),
        "total": money(result.total),
        "warnings": list(result.warnings),
    }
