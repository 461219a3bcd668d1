from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path

import pytest

from cobro.channel.base import PermanentFailure
from cobro.channel.email import message_id
from cobro.channel.files import EmlFolderChannel, TextFolderChannel
from tests.channel import messages


def test_an_email_becomes_an_eml_file_holding_the_receipt_bytes(tmp_path: Path) -> None:
    channel = EmlFolderChannel(tmp_path / "mail", domain="acme.example")

    receipt = channel.send(messages.email(key="action-1"))

    path = tmp_path / "mail" / "action-1.eml"
    assert path.read_bytes() == receipt.document
    assert receipt.media_type == "message/rfc822"
    mail = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert mail["To"] == "Ana Debtor <ana@example.com>"
    assert mail["Message-ID"] == receipt.provider_id == message_id("action-1", "acme.example")


def test_sending_the_same_action_again_overwrites_its_file(tmp_path: Path) -> None:
    channel = EmlFolderChannel(tmp_path)

    channel.send(messages.email(key="action-1", subject="first"))
    channel.send(messages.email(key="action-1", subject="second"))
    channel.send(messages.email(key="action-2"))

    assert sorted(path.name for path in tmp_path.iterdir()) == ["action-1.eml", "action-2.eml"]
    mail = message_from_bytes((tmp_path / "action-1.eml").read_bytes(), policy=policy.default)
    assert mail["Subject"] == "second"


def test_keys_with_slashes_stay_inside_the_folder_and_do_not_collide(tmp_path: Path) -> None:
    channel = EmlFolderChannel(tmp_path)

    channel.send(messages.email(key="../tenant/1"))
    channel.send(messages.email(key=".._tenant_1"))

    files = list(tmp_path.iterdir())
    assert len(files) == 2
    assert all(path.parent == tmp_path and path.suffix == ".eml" for path in files)
    assert not any(path.name.startswith(".") for path in files)


def test_an_invalid_address_writes_no_file(tmp_path: Path) -> None:
    with pytest.raises(PermanentFailure):
        EmlFolderChannel(tmp_path).send(messages.email(to=("nobody",)))

    assert list(tmp_path.iterdir()) == []


def test_an_sms_without_a_gateway_becomes_a_text_file(tmp_path: Path) -> None:
    channel = TextFolderChannel(tmp_path, "sms")

    receipt = channel.send(messages.sms(key="action-9", to=("+34 600 12 34 56",)))

    path = tmp_path / "sms-action-9.txt"
    assert path.read_text() == "To: +34600123456\n\nAcme: invoice 2024-001 is overdue.\n"
    assert receipt.document == path.read_bytes()
    assert (receipt.provider_id, receipt.media_type) == ("action-9", "text/plain")


def test_a_text_file_channel_refuses_what_a_gateway_would_refuse(tmp_path: Path) -> None:
    channel = TextFolderChannel(tmp_path, "whatsapp")

    with pytest.raises(PermanentFailure, match="'600123456'"):
        channel.send(messages.sms(to=("600123456",)))
    with pytest.raises(PermanentFailure, match="exactly one number"):
        channel.send(messages.sms(to=("+34600123456", "+34600123457")))
    assert list(tmp_path.iterdir()) == []


def test_message_ids_use_the_senders_domain_unless_told_otherwise(tmp_path: Path) -> None:
    channel = EmlFolderChannel(tmp_path, sender="Acme <billing@acme.example>")

    receipt = channel.send(messages.email(key="action-1", sender=None))

    assert receipt.provider_id == message_id("action-1", "acme.example")
