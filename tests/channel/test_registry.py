from __future__ import annotations

from pathlib import Path

import pytest

from cobro.channel.base import PermanentFailure
from cobro.channel.files import EmlFolderChannel, TextFolderChannel
from cobro.channel.gateway import HttpGatewayChannel
from cobro.channel.letter import LetterChannel
from cobro.channel.registry import (
    CHANNEL_NAMES,
    build_channels,
    channel_settings,
    close_channels,
)
from cobro.channel.smtp import SmtpChannel
from cobro.channel.webhook import WebhookChannel
from cobro.errors import Invalid
from tests.channel import messages
from tests.support.http import HttpTestServer
from tests.support.smtp import SmtpTestServer


def test_without_configuration_everything_is_written_to_folders() -> None:
    settings = channel_settings({})
    channels = build_channels(settings)

    assert (settings.mail_dir, settings.letter_dir) == (Path("mail"), Path("letters"))
    assert settings.mail_from == "Cobro <noreply@localhost>"
    assert settings.mail_domain == "localhost"
    assert list(channels) == list(CHANNEL_NAMES)
    assert isinstance(channels["email"], EmlFolderChannel)
    assert isinstance(channels["sms"], TextFolderChannel)
    assert isinstance(channels["whatsapp"], TextFolderChannel)
    assert isinstance(channels["letter"], LetterChannel)
    assert isinstance(channels["registered_letter"], LetterChannel)
    assert all(channel.name == name for name, channel in channels.items())


def test_without_a_secret_webhooks_fail_saying_what_to_set() -> None:
    channels = build_channels(channel_settings({}))

    with pytest.raises(PermanentFailure, match="COBRO_WEBHOOK_SECRET"):
        channels["webhook"].send(messages.email(channel="webhook", to=("https://x.example",)))


def test_configured_servers_are_used(tmp_path: Path) -> None:
    settings = channel_settings(
        {
            "COBRO_SMTP_URL": "smtp://u:p@mail.example:2525?starttls=1",
            "COBRO_MAIL_FROM": "Acme <billing@acme.example>",
            "COBRO_SMS_GATEWAY_URL": "https://gw.example/sms",
            "COBRO_WHATSAPP_GATEWAY_URL": "https://gw.example/wa",
            "COBRO_GATEWAY_TOKEN": "tok",
            "COBRO_WEBHOOK_SECRET": "whsec",
            "COBRO_MAIL_DIR": str(tmp_path / "out"),
            "COBRO_LETTER_DIR": str(tmp_path / "paper"),
        }
    )
    channels = build_channels(settings)

    assert settings.mail_domain == "acme.example"  # taken from the sender
    assert settings.letter_dir == tmp_path / "paper"
    assert isinstance(channels["email"], SmtpChannel)
    assert isinstance(channels["sms"], HttpGatewayChannel)
    assert isinstance(channels["whatsapp"], HttpGatewayChannel)
    assert isinstance(channels["webhook"], WebhookChannel)
    assert (channels["sms"].url, channels["whatsapp"].url) == (
        "https://gw.example/sms",
        "https://gw.example/wa",
    )
    close_channels(channels)


def test_empty_variables_count_as_unset() -> None:
    settings = channel_settings({"COBRO_SMTP_URL": "", "COBRO_MAIL_FROM": " "})

    assert settings.smtp_url is None
    assert settings.mail_from == "Cobro <noreply@localhost>"


def test_the_mail_domain_can_be_set_apart_from_the_sender() -> None:
    settings = channel_settings(
        {"COBRO_MAIL_FROM": "billing@acme.example", "COBRO_MAIL_DOMAIN": "mail.acme.example"}
    )

    assert settings.mail_domain == "mail.acme.example"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("COBRO_SMTP_URL", "http://u:hunter2@mail.example"),
        ("COBRO_SMTP_URL", "smtp://u:hunter2@mail.example:notaport"),
        ("COBRO_MAIL_FROM", "billing at acme"),
        ("COBRO_SMS_GATEWAY_URL", "gw.example/sms"),
        ("COBRO_WHATSAPP_GATEWAY_URL", "ftp://gw.example"),
    ],
)
def test_a_bad_variable_is_invalid_and_named(variable: str, value: str) -> None:
    with pytest.raises(Invalid) as error:
        channel_settings({variable: value})

    assert error.value.message.startswith(f"{variable}: ")
    assert error.value.field == variable
    assert "hunter2" not in error.value.message


def test_the_settings_repr_shows_no_secrets() -> None:
    settings = channel_settings(
        {
            "COBRO_SMTP_URL": "smtp://u:hunter2@mail.example",
            "COBRO_GATEWAY_TOKEN": "tok-secret",
            "COBRO_WEBHOOK_SECRET": "whsec-secret",
        }
    )

    shown = repr(settings)
    assert "hunter2" not in shown
    assert "tok-secret" not in shown
    assert "whsec-secret" not in shown


def test_channels_built_from_settings_deliver_and_close(
    smtp_server: SmtpTestServer, http_server: HttpTestServer, tmp_path: Path
) -> None:
    channels = build_channels(
        channel_settings(
            {
                "COBRO_SMTP_URL": smtp_server.url,
                "COBRO_MAIL_FROM": "Acme <billing@acme.example>",
                "COBRO_SMS_GATEWAY_URL": http_server.url + "/sms",
                "COBRO_LETTER_DIR": str(tmp_path),
            }
        )
    )

    email = channels["email"].send(messages.email(sender=None))
    channels["sms"].send(messages.sms())
    close_channels(channels)
    channels["email"].send(messages.email(key="after-close", sender=None))
    close_channels(channels)

    assert email.provider_id.endswith("@acme.example>")
    assert smtp_server.messages[0].mail_from == "billing@acme.example"
    assert smtp_server.connections == 2  # closing ended the first connection
    assert [request.path for request in http_server.requests] == ["/sms"]
