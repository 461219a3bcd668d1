"""A company's own channel settings (sender, SMTP server, SMS/WhatsApp gateways), and the
channels built from them on top of the worker's environment. Services change and flush; the
caller commits.

Without a stored row (or with every field empty) a company sends as the environment says
(`cobro.channel.registry.channel_settings`): stored settings only ever replace what they set.
Secrets are write-only: read back as "set" / "not set", audited the same way."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.audit.service import record
from cobro.channel.base import Channel, Message, Receipt
from cobro.channel.checks import email_address
from cobro.channel.registry import ChannelSettings, build_channels, close_channels
from cobro.errors import Invalid
from cobro.outbox.models import Action
from cobro.settings.models import ChannelSetting
from cobro.settings.rules import (
    NOT_SET,
    SECRETS,
    SET,
    check_email,
    check_gateway_url,
    check_host,
    check_port,
    check_security,
    check_smtp,
    clean_text,
    masked,
    smtp_url,
)

FIELDS = (
    "mail_from",
    "smtp_host",
    "smtp_port",
    "smtp_security",
    "smtp_username",
    "smtp_password",
    "sms_gateway_url",
    "whatsapp_gateway_url",
    "gateway_token",
)
TEST_TIMEOUT_S = 10.0  # a test email is sent while the person waits


def channel_row(session: Session, company_id: int) -> ChannelSetting | None:
    return session.scalar(select(ChannelSetting).where(ChannelSetting.company_id == company_id))


def stored_values(row: ChannelSetting | None) -> dict[str, Any]:
    """Every field, secrets included (for the worker and for comparing, never for showing)."""
    return {name: getattr(row, name) if row is not None else None for name in FIELDS}


def shown_values(row: ChannelSetting | None) -> dict[str, Any]:
    """What a screen or the API may show: secrets as "set" / "not set"."""
    return masked(stored_values(row))


def _checked(values: Mapping[str, Any]) -> dict[str, Any]:
    port = values.get("smtp_port")
    if isinstance(port, str):
        port = port.strip() or None
    if port is not None and not isinstance(port, int):
        if not str(port).isdigit():
            raise Invalid(f"SMTP port {port!r}: use a number from 1 to 65535", field="smtp_port")
        port = int(port)
    return {
        "mail_from": check_email(values.get("mail_from"), "mail_from"),
        "smtp_host": check_host(values.get("smtp_host")),
        "smtp_port": check_port(port),
        "smtp_security": check_security(values.get("smtp_security")),
        "smtp_username": clean_text(values.get("smtp_username")),
        "sms_gateway_url": check_gateway_url(values.get("sms_gateway_url"), "sms_gateway_url"),
        "whatsapp_gateway_url": check_gateway_url(
            values.get("whatsapp_gateway_url"), "whatsapp_gateway_url"
        ),
    }


def save_channels(
    session: Session,
    company_id: int,
    values: Mapping[str, Any],
    now: datetime,
    actor_id: int | None = None,
    source: str | None = None,
) -> ChannelSetting | None:
    """Replace the company's channel settings with `values` (every field; an absent or empty
    one is unset). Secrets are write-only: absent or None keeps the stored one, "" clears it,
    any other text replaces it. Returns the row, None when nothing is left set."""
    row = channel_row(session, company_id)
    before = stored_values(row)
    after = _checked(values)
    for secret in SECRETS:
        given = values.get(secret)
        after[secret] = before[secret] if given is None else (given or None)
    check_smtp(after)
    if after == before:
        return row
    if not any(value for value in after.values()):
        if row is not None:
            session.delete(row)
            session.flush()
        row = None
    else:
        if row is None:
            row = ChannelSetting(company_id=company_id)
            session.add(row)
        for name, value in after.items():
            setattr(row, name, value)
        row.updated_at = now
        row.updated_by = actor_id
        session.flush()
    _audit(session, company_id, before, after, now, actor_id, source)
    return row


def _audit(
    session: Session,
    company_id: int,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    now: datetime,
    actor_id: int | None,
    source: str | None,
) -> None:
    """Before and after of what changed, secrets masked: a replaced secret reads "changed"."""
    changed = [name for name in FIELDS if before[name] != after[name]]
    shown_before = masked({name: before[name] for name in changed})
    shown_after = masked({name: after[name] for name in changed})
    for name in SECRETS & set(changed):
        if before[name] and after[name]:
            shown_after[name] = "changed"
    record(
        session,
        "channels.updated",
        at=now,
        entity_type="channel_setting",
        entity_id=company_id,
        actor_id=actor_id,
        company_id=company_id,
        before=shown_before,
        after=shown_after,
        source=source,
    )


def company_channel_settings(defaults: ChannelSettings, row: ChannelSetting) -> ChannelSettings:
    """The worker's settings with what the company set on top."""
    chosen = defaults
    if row.mail_from:
        chosen = replace(
            chosen, mail_from=row.mail_from, mail_domain=email_address(row.mail_from).domain
        )
    if row.smtp_host:
        url = smtp_url(
            row.smtp_host, row.smtp_port, row.smtp_security, row.smtp_username, row.smtp_password
        )
        chosen = replace(chosen, smtp_url=url)
    if row.sms_gateway_url:
        chosen = replace(chosen, sms_gateway_url=row.sms_gateway_url)
    if row.whatsapp_gateway_url:
        chosen = replace(chosen, whatsapp_gateway_url=row.whatsapp_gateway_url)
    if row.gateway_token:
        chosen = replace(chosen, gateway_token=row.gateway_token)
    return chosen


class StoredChannels:
    """The channels of each company that stored settings of its own, built once and rebuilt
    when the settings change (by `updated_at`); companies without any use the worker's."""

    def __init__(self, defaults: ChannelSettings) -> None:
        self.defaults = defaults
        self._built: dict[int, tuple[datetime, dict[str, Channel]]] = {}

    def for_actions(
        self, session: Session, action_ids: Iterable[int]
    ) -> dict[int, Mapping[str, Channel]]:
        """{action id: its company's channels}, for the actions whose company stored some."""
        rows = session.execute(
            select(Action.id, ChannelSetting)
            .join(ChannelSetting, ChannelSetting.company_id == Action.company_id)
            .where(Action.id.in_(list(action_ids)))
        )
        return {action_id: self._channels(row) for action_id, row in rows}

    def _channels(self, row: ChannelSetting) -> dict[str, Channel]:
        built = self._built.get(row.company_id)
        if built is not None and built[0] == row.updated_at:
            return built[1]
        if built is not None:
            close_channels(built[1])
        channels = build_channels(company_channel_settings(self.defaults, row))
        self._built[row.company_id] = (row.updated_at, channels)
        return channels

    def close(self) -> None:
        for _at, channels in self._built.values():
            close_channels(channels)
        self._built.clear()


def send_test_email(
    session: Session,
    company_id: int,
    to: str,
    defaults: ChannelSettings,
    now: datetime,
    actor_id: int | None = None,
    source: str | None = None,
) -> Receipt:
    """Send one short email through the company's email channel now, so that a person sees at
    once whether the server, login and sender work. Raises the channel's `DeliveryError`."""
    address = check_email(to, "to") or ""
    row = channel_row(session, company_id)
    chosen = company_channel_settings(defaults, row) if row is not None else defaults
    if chosen.smtp_url:
        chosen = replace(chosen, smtp_url=_with_timeout(chosen.smtp_url))
    channels = build_channels(chosen)
    message = Message(
        key=f"cobro-{company_id}-test-{int(now.timestamp())}",
        channel="email",
        to=(address,),
        subject="Cobro: test email",
        text="This is a test email from Cobro: the company's email settings work.\n",
    )
    try:
        receipt = channels["email"].send(message)
    finally:
        close_channels(channels)
    record(
        session,
        "channels.test_email_sent",
        at=now,
        entity_type="channel_setting",
        entity_id=company_id,
        actor_id=actor_id,
        company_id=company_id,
        after={"to": address, "smtp": SET if chosen.smtp_url else NOT_SET},
        source=source,
    )
    return receipt


def _with_timeout(url: str) -> str:
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}timeout={TEST_TIMEOUT_S:g}"
