"""What the interest calculator API takes and answers, and how it lists the rate series."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from cobro.interest.law import Claim
from cobro.interest.service import SeriesView


class InterestIn(BaseModel):
    """One late amount and the law to compute its interest by."""

    amount: int = Field(description="the amount due, VAT included, minor units of `currency`")
    currency: str = Field(
        max_length=3, description="ISO 4217; the jurisdiction's (EUR, GBP for GB, MXN, COP)"
    )
    due: date
    paid: date = Field(description="the day it was (or will be) paid; after `due`")
    jurisdiction: str = Field(max_length=2, description="EU, FR, BE, DE, ES, GB (or UK), MX, CO")
    business: bool = Field(default=True, description="the debtor is a business (else a consumer)")
    day_basis: Literal["ACT/365", "ACT/ACT"] = Field(
        default="ACT/365", description="ACT/ACT: a leap year counts 366 days"
    )
    count_payment_day: bool = Field(
        default=True, description="count the payment day itself (some calculators leave it out)"
    )
    contract_rate: str | None = Field(
        default=None,
        max_length=20,
        description='the rate the contract sets, % a year as decimal text (e.g. "9.5"); '
        "capped or flagged as the jurisdiction's law says",
    )


class StretchOut(BaseModel):
    first: date
    last: date
    days: int
    rate: str = Field(description="% a year, as decimal text")
    year_days: int
    interest: str = Field(description="minor units, exact (unrounded), as decimal text")


class InterestOut(BaseModel):
    """The interest stretch by stretch, rounded once (half up) into `interest`; the fixed
    compensation per invoice; what the user should know about the rates (`warnings`)."""

    jurisdiction: str
    currency: str
    days: int
    compounding: bool = Field(description="effective annual rates (Colombia), not simple ones")
    stretches: list[StretchOut]
    interest: int = Field(description="minor units")
    fixed_compensation: int = Field(description="minor units")
    total: int = Field(description="interest + fixed compensation, minor units")
    warnings: list[str]

    @classmethod
    def of(cls, claim: Claim, compounding: bool) -> InterestOut:
        accrual = claim.accrual
        return cls(
            jurisdiction=claim.jurisdiction,
            currency=claim.currency,
            days=accrual.days,
            compounding=compounding,
            stretches=[
                StretchOut(
                    first=s.first,
                    last=s.last,
                    days=s.days,
                    rate=f"{s.rate:f}",
                    year_days=s.year_days,
                    interest=f"{s.interest:f}",
                )
                for s in accrual.stretches
            ],
            interest=accrual.amount,
            fixed_compensation=claim.fixed_compensation,
            total=claim.total,
            warnings=list(claim.warnings),
        )


class SeriesOut(BaseModel):
    series: str
    name: str
    source: str
    first_day: date
    last_day: date | None = Field(description="null: open-ended")
    imported: int = Field(description="periods imported into the database")
    compounding: bool

    @classmethod
    def of(cls, view: SeriesView) -> SeriesOut:
        return cls(
            series=view.series,
            name=view.name,
            source=view.source,
            first_day=view.first_day,
            last_day=view.last_day,
            imported=view.imported,
            compounding=view.compounding,
        )
