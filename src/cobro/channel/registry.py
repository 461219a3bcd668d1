"""Which channel implementation serves each channel name, from the environment.

Every name is always present, so the worker never meets an unknown channel: without an SMTP
server email goes to `.eml` files, without a gateway SMS/WhatsApp go to `.txt` files, and without
a secret the webhook channel refuses each message with a reason saying what to configure
(unsigned webhooks could be forged, so there is no unsigned fallback).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar, runtime_checkable
from urllib.parse import urlsplit

from cobro.channel.base import Channel, Message, PermanentFailure, Receipt
from cobro.channel.checks import email_address
from cobro.channel.email import DEFAULT_SENDER
from cobro.channel.files import EmlFolderChannel, TextFolderChannel
from cobro.channel.gateway import HttpGatewayChannel
from cobro.channel.letter import LetterChannel
from cobro.channel.smtp import SmtpChannel, parse_smtp_url
from cobro.channel.webhook import WebhookChannel
from cobro.errors import Invalid

T = TypeVar("T")

CHANNEL_NAMES = ("email", "sms", "whatsapp", "letter", "registered_letter", "webhook")


@dataclass(frozen=True)
class ChannelSettings:
    smtp_url: str | None = None
    mail_from: str = DEFAULT_SENDER
    mail_domain: str = "localhost"
    mail_dir: Path = Path("mail")
    sms_gateway_url: str | None = None
    whatsapp_gateway_url: str | None = None
    gateway_token: str | None = None
    letter_dir: Path = Path("letters")
    webhook_secret: str | None = None

    def __repr__(self) -> str:
        # The SMTP URL may hold a password; tokens and secrets are secret.
        return (
            f"ChannelSettings(smtp={'set' if self.smtp_url else 'unset'}, "
            f"mail_from={self.mail_from!r}, mail_dir={str(self.mail_dir)!r}, "
            f"letter_dir={str(self.letter_dir)!r})"
        )


def channel_settings(env: Mapping[str, str]) -> ChannelSettings:
    """Read the COBRO_* variables (empty counts as unset); `Invalid` names a bad variable."""

    def get(variable: str) -> str | None:
        return env.get(variable, "").strip() or None

    smtp_url = get("COBRO_SMTP_URL")
    if smtp_url is not None:
        _check(parse_smtp_url, smtp_url, "COBRO_SMTP_URL")
    mail_from = get("COBRO_MAIL_FROM") or DEFAULT_SENDER
    sender = _check(email_address, mail_from, "COBRO_MAIL_FROM")
    sms_url = get("COBRO_SMS_GATEWAY_URL")
    whatsapp_url = get("COBRO_WHATSAPP_GATEWAY_URL")
    for variable, url in (
        ("COBRO_SMS_GATEWAY_URL", sms_url),
        ("COBRO_WHATSAPP_GATEWAY_URL", whatsapp_url),
    ):
        if url is not None:
            _check_http_url(url, variable)
    return ChannelSettings(
        smtp_url=smtp_url,
        mail_from=mail_from,
        mail_domain=get("COBRO_MAIL_DOMAIN") or sender.domain,
        mail_dir=Path(get("COBRO_MAIL_DIR") or "mail"),
        sms_gateway_url=sms_url,
        whatsapp_gateway_url=whatsapp_url,
        gateway_token=get("COBRO_GATEWAY_TOKEN"),
        letter_dir=Path(get("COBRO_LETTER_DIR") or "letters"),
        webhook_secret=get("COBRO_WEBHOOK_SECRET"),
    )


def _check(parse: Callable[[str], T], value: str, variable: str) -> T:
    try:
        return parse(value)
    except Invalid as error:
        raise Invalid(f"{variable}: {error.message}", field=variable) from error
    except PermanentFailure as error:
        raise Invalid(f"{variable}: {error.reason}", field=variable) from error


def _check_http_url(url: str, variable: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise Invalid(f"{variable}: expected an http(s):// URL", field=variable)


class UnconfiguredChannel:
    """A channel name with nothing behind it: every message fails, saying what to set."""

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.reason = reason

    def send(self, message: Message) -> Receipt:
        raise PermanentFailure(self.reason)


def build_channels(settings: ChannelSettings) -> dict[str, Channel]:
    """One channel per name in CHANNEL_NAMES. Nothing connects until the first send."""
    channels: dict[str, Channel] = {
        "email": (
            SmtpChannel(settings.smtp_url, sender=settings.mail_from, domain=settings.mail_domain)
            if settings.smtp_url
            else EmlFolderChannel(
                settings.mail_dir, sender=settings.mail_from, domain=settings.mail_domain
            )
        ),
        "letter": LetterChannel(settings.letter_dir, "letter"),
        "registered_letter": LetterChannel(settings.letter_dir, "registered_letter"),
        "webhook": (
            WebhookChannel(settings.webhook_secret)
            if settings.webhook_secret
            else UnconfiguredChannel("webhook", "webhooks need COBRO_WEBHOOK_SECRET to be signed")
        ),
    }
    for name, url in (
        ("sms", settings.sms_gateway_url),
        ("whatsapp", settings.whatsapp_gateway_url),
    ):
        channels[name] = (
            HttpGatewayChannel(name, url, settings.gateway_token)
            if url
            else TextFolderChannel(settings.mail_dir, name)
        )
    return {name: channels[name] for name in CHANNEL_NAMES}


@runtime_checkable
class _Closable(Protocol):
    def close(self) -> None: ...


def close_channels(channels: Mapping[str, Channel]) -> None:
    """Close the connections channels hold open (SMTP, HTTP clients)."""
    for channel in channels.values():
        if isinstance(channel, _Closable):
            channel.close()
