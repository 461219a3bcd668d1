"""What the interest calculator API takes and answers, and how it lists the rate series."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from cobro.interest.law import Claim
from cobro.interest.service import ImportResult, PeriodView, SeriesView, added_by_series
from cobro.kit.rows import Problem


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


class PeriodOut(BaseModel):
    """One period of a series: shipped with Cobro or imported."""

    starts_on: date
    ends_on: date | None = Field(description="null: open-ended")
    rate: str | None = Field(description="% a year, as decimal text; null: not published")
    origin: Literal["shipped", "imported"]
    source: str = Field(description="the series' source (shipped) or the import's")
    imported_at: datetime | None

    @classmethod
    def of(cls, view: PeriodView) -> PeriodOut:
        return cls(
            starts_on=view.starts_on,
            ends_on=view.ends_on,
            rate=None if view.rate is None else f"{view.rate:f}",
            origin="imported" if view.imported else "shipped",
            source=view.source,
            imported_at=view.imported_at,
        )


CSV_EXAMPLE = (
    "series,starts_on,ends_on,rate,source\n"
    "de_basiszinssatz,2026-07-01,2026-12-31,1.27,Bundesbank press release of 30 June 2026\n"
)


class RatesImportIn(BaseModel):
    """A rate file's text: CSV (UTF-8), header `series,starts_on,ends_on,rate,source`, one
    period per row (row 1 is the header), both days inclusive, rates in % a year."""

    csv: str = Field(max_length=1_000_000, examples=[CSV_EXAMPLE])


class AddedPeriodOut(BaseModel):
    series: str
    starts_on: date
    ends_on: date
    rate: str = Field(description="% a year, as decimal text")
    source: str


class SeriesAddedOut(BaseModel):
    series: str
    periods: int = Field(description="periods added")
    days: int = Field(description="days they give a rate for")


class RatesImportOut(BaseModel):
    """What the file added (or, `dry_run`, would add): each period stored, per series the
    periods and days; `already_known`: periods of the file every day of which was known at
    that rate. Nothing added: `summary` says "Nothing new"."""

    dry_run: bool
    summary: str
    series: list[SeriesAddedOut]
    added: list[AddedPeriodOut]
    already_known: int

    @classmethod
    def of(cls, result: ImportResult, dry_run: bool) -> RatesImportOut:
        added = [
            AddedPeriodOut(
                series=series,
                starts_on=span.starts_on,
                ends_on=span.ends_on or span.starts_on,
                rate="" if span.rate is None else f"{span.rate:f}",
                source=span.source,
            )
            for series, span in result.added
        ]
        return cls(
            dry_run=dry_run,
            summary=import_summary(result, dry_run),
            series=[SeriesAddedOut(**vars(part)) for part in added_by_series(result)],
            added=added,
            already_known=result.already_known,
        )


def import_summary(result: ImportResult, dry_run: bool) -> str:
    """The import in one line, as `cobro rates import` ends."""
    known = result.already_known
    if not result.added:
        return f"Nothing new: all {known} periods are already known at those rates."
    verb = "Would add" if dry_run else "Added"
    return (
        f"{verb} {len(result.added)} periods"
        + (f"; {known} already known at those rates" if known else "")
        + "."
    )


class ProblemOut(BaseModel):
    row: int = Field(description="the file's row; the header is row 1")
    field: str
    message: str

    @classmethod
    def of(cls, problem: Problem) -> ProblemOut:
        return cls(row=problem.row, field=problem.field, message=problem.reason)


class RateFileErrorDetail(BaseModel):
    message: str
    field: str | None = None
    problems: list[ProblemOut] = Field(
        default_factory=list,
        description="only for a refused rate file: every problem, each with its row and field",
    )


class RateFileErrorOut(BaseModel):
    """The API's error body (`{"error": {"message", "field"}}`), and for a refused rate file
    `error.problems`: every problem found, each with its row and field."""

    error: RateFileErrorDetail
