"""What the API says about a customer's contacts."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ContactOut(BaseModel):
    """A person or mailbox of a customer to reach; the postal address is structured."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    role: str = Field(description="what the contact is for: billing, sales, legal…")
    name: str | None
    email: str | None
    phone: str | None
    street: str | None
    building_number: str | None
    postal_code: str | None
    city: str | None
    region: str | None
    country: str | None = Field(description="ISO 3166 alpha-2 code")


class ContactFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=40, description="digits, spaces, +()-.")
    street: str | None = Field(default=None, max_length=200)
    building_number: str | None = Field(default=None, max_length=20)
    postal_code: str | None = Field(default=None, max_length=20)
    city: str | None = Field(default=None, max_length=100)
    region: str | None = Field(default=None, max_length=100)
    country: str | None = Field(default=None, max_length=2, description="ISO 3166 alpha-2 code")


class ContactIn(ContactFields):
    """A new contact: at least a name, an email, a phone or an address."""

    role: str = Field(default="billing", min_length=1, max_length=40)


class ContactPatch(ContactFields):
    """The fields to change; a field sent as null is cleared, one left out is kept."""

    role: str | None = Field(default=None, min_length=1, max_length=40)
