"""What the API says and takes about FX rates. A rate is decimal text ("0.92"), never a JSON
number: a float would not keep it exactly."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from cobro.fx.models import SOURCE_MAX, FxRate

RATE_DOC = "units of the reporting currency per 1 unit of `currency`, as decimal text"


class FxRateOut(BaseModel):
    currency: str
    day: date = Field(description="the rate holds from this day until the currency's next one")
    rate: str = Field(description=RATE_DOC, examples=["0.92"])
    reporting: str = Field(description="the company's reporting currency")
    source: str | None
    created_at: datetime

    @classmethod
    def of(cls, row: FxRate, reporting: str) -> FxRateOut:
        return cls(
            currency=row.currency,
            day=row.day,
            rate=f"{row.rate.normalize():f}",
            reporting=reporting,
            source=row.source,
            created_at=row.created_at,
        )


class FxRateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rate: str = Field(min_length=1, max_length=40, description=RATE_DOC, examples=["0.92"])
    source: str | None = Field(None, max_length=SOURCE_MAX, description='e.g. "ECB"')
