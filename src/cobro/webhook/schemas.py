"""What the API says about webhook subscriptions and their deliveries."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from cobro.webhook.rules import EVENTS, MAX_URL

Event = Literal[
    "payment.received", "stage.reached", "message.failed", "promise.broken", "dispute.opened"
]
# the form `rules.check_url` accepts, for the schema (the rules still decide)
URL_FORM = (
    r"^(https://[A-Za-z0-9.-]+|http://(localhost|127\.0\.0\.1|\[::1\]))"
    r"(:[0-9]{1,5})?([/?#][^\s]*)?$"
)


class WebhookIn(BaseModel):
    url: str = Field(
        max_length=MAX_URL,
        pattern=URL_FORM,
        description="https:// (plain http only to a loopback test host); its host must resolve "
        "to public addresses only",
    )
    events: list[Event] = Field(min_length=1, max_length=len(EVENTS))
    description: str | None = Field(default=None, max_length=200)


class WebhookOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    url: str
    events: list[str]
    description: str | None
    created_at: datetime


class WebhookCreatedOut(WebhookOut):
    secret: str = Field(
        description="signs every delivery (X-Cobro-Signature: sha256=HMAC-SHA256(secret, body));"
        " shown only in this answer: keep it now"
    )


class DeliveryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    subscription_id: int | None
    event: str
    event_key: str
    status: str
    attempts: int
    not_before: datetime
    last_error: str | None
    response_status: int | None
    sent_at: datetime | None
    created_at: datetime


assert set(get_args(Event)) == set(EVENTS)  # the schema offers every event
