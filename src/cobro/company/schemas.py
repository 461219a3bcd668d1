"""What the API says about companies."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from cobro.company.models import Company
from cobro.kit.pagination import Page


class CompanyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    country: str
    currency: str
    timezone: str
    language: str | None


class CompanyPage(BaseModel):
    items: list[CompanyOut]
    limit: int
    offset: int
    next_offset: int | None

    @classmethod
    def of(cls, page: Page[Company]) -> CompanyPage:
        return cls(
            items=[CompanyOut.model_validate(company) for company in page.items],
            limit=page.limit,
            offset=page.offset,
            next_offset=page.next_offset,
        )
