"""What the settings API reads and answers. Secrets are write-only: they come in, and go out
only as "set" or "not set"."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Role = Literal["admin", "manager", "collector", "viewer", "auditor"]
Secret = Literal["set", "not set"]
Security = Literal["plain", "starttls", "ssl"]


class CompanySettingsOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str = Field(description="How the CLI names the company (not editable)")
    country: str = Field(description="ISO 3166 country (not editable: it sets the jurisdiction)")
    currency: str = Field(description="Reporting currency (not editable: the ledger's unit)")
    name: str
    timezone: str
    language: str | None = Field(description="Language of the company's notices")
    email: str | None = Field(description="Where debtors' replies go")
    phone: str | None
    iban: str | None = Field(description="The account notices and the portal show")
    bic: str | None


class CompanySettingsIn(BaseModel):
    """Only the fields given change; an empty text clears a field (not the name or time
    zone)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=200)
    timezone: str | None = Field(None, max_length=64)
    language: str | None = Field(None, max_length=12)
    email: str | None = Field(None, max_length=320)
    phone: str | None = Field(None, max_length=40)
    iban: str | None = Field(
        None, max_length=50, description="Spaces allowed; check digits checked"
    )
    bic: str | None = Field(None, max_length=11)


class ChannelSettingsOut(BaseModel):
    """Empty fields: the server's environment decides (COBRO_SMTP_URL, COBRO_MAIL_FROM…)."""

    mail_from: str | None = Field(description='Sender, "Name <address>" or an address')
    smtp_host: str | None
    smtp_port: int | None
    smtp_security: Security | None
    smtp_username: str | None
    smtp_password: Secret
    sms_gateway_url: str | None
    whatsapp_gateway_url: str | None
    gateway_token: Secret


class ChannelSettingsIn(BaseModel):
    """Every field: an absent or empty one is unset. Secrets: absent or null keeps the stored
    one, "" clears it, any other text replaces it."""

    model_config = ConfigDict(extra="forbid")

    mail_from: str | None = Field(None, max_length=320)
    smtp_host: str | None = Field(None, max_length=255)
    smtp_port: int | None = Field(None, ge=1, le=65535)
    smtp_security: Security | None = None
    smtp_username: str | None = Field(None, max_length=320)
    smtp_password: str | None = Field(None, max_length=500)
    sms_gateway_url: str | None = Field(None, max_length=500)
    whatsapp_gateway_url: str | None = Field(None, max_length=500)
    gateway_token: str | None = Field(None, max_length=500)


class EmailCheckIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: str = Field(max_length=320, description="Who gets the test email")


class EmailCheckOut(BaseModel):
    sent: bool
    detail: str = Field(description="The message's id, or why it could not be sent")


class MemberOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str
    role: str
    active: bool
    language: str
    last_login_at: datetime | None
    member_since: datetime


class MemberIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(max_length=320)
    name: str = Field("", max_length=200, description="Needed for a new user")
    role: Role


class MemberAddedOut(BaseModel):
    member: MemberOut
    initial_password: str | None = Field(
        description="A new user's password, shown this once (null: the user already existed)"
    )


class RoleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role


ChaseValue = str | int | bool | None


class ChaseSettingsOut(BaseModel):
    values: dict[str, ChaseValue] = Field(
        description="What the company layer sets; null: inherited from the profile"
    )
    applies: dict[str, ChaseValue] = Field(description="What a business customer is chased with")
    profile: str
    clamped: list[str] = Field(description="Settings tightened to a regulation")


class ChaseSettingsIn(BaseModel):
    """Only the fields given change; null (or "inherit") removes a setting. Times as HH:MM."""

    model_config = ConfigDict(extra="forbid")

    window_start: str | None = Field(None, max_length=5)
    window_end: str | None = Field(None, max_length=5)
    weekends: bool | None = None
    holidays: bool | None = None
    max_messages: int | None = Field(None, ge=0, le=1000)
    period_days: int | None = Field(None, ge=1, le=366)
    max_calls: int | None = Field(None, ge=0, le=1000)
    call_period_days: int | None = Field(None, ge=1, le=366)
    quiet_after_conversation_days: int | None = Field(None, ge=0, le=366)
    min_days_between_stages: int | None = Field(None, ge=0, le=366)
    regulation: Literal["none", "reg_f"] | None = None
