"""What the API says about companies."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class CompanyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    country: str
    currency: str
    timezone: str
    language: str | None
