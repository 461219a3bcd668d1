"""Channels that write to a folder instead of a server: the defaults of `make run`.

With no SMTP server or SMS gateway configured, Cobro still "sends": each message becomes a file a
person can open (`.eml` in any mail client, `.txt` for SMS/WhatsApp). The file is named after the
action's key, so sending the same action again overwrites it instead of adding a duplicate.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from cobro.channel.base import Message, PermanentFailure, Receipt
from cobro.channel.checks import email_address, phone_number, safe_name
from cobro.channel.email import DEFAULT_SENDER, build_email, email_bytes


def write_atomic(path: Path, data: bytes) -> None:
    """Write `path` so that readers see the old file or the whole new one, never half of it.

    No fsync: atomicity is what matters here (a print shop or mail client never picks up a torn
    file); the bytes themselves are also kept in the delivery log through the receipt.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class EmlFolderChannel:
    """The "email" channel writing `<folder>/<key>.eml` files, exactly what SMTP would send."""

    def __init__(
        self,
        folder: Path | str,
        *,
        sender: str = DEFAULT_SENDER,
        domain: str | None = None,
        name: str = "email",
    ) -> None:
        self.name = name
        self.folder = Path(folder)
        self.sender = sender
        # Message-IDs under the sender's domain, as SmtpChannel does.
        self.domain = domain or email_address(sender).domain

    def path_for(self, key: str) -> Path:
        return self.folder / f"{safe_name(key)}.eml"

    def send(self, message: Message) -> Receipt:
        mail = build_email(message, self.sender, self.domain)
        data = email_bytes(mail)
        write_atomic(self.path_for(message.key), data)
        return Receipt(
            provider_id=str(mail["Message-ID"]), document=data, media_type="message/rfc822"
        )


class TextFolderChannel:
    """SMS or WhatsApp without a gateway: `<folder>/<name>-<key>.txt` with the number and text."""

    def __init__(self, folder: Path | str, name: str) -> None:
        self.name = name
        self.folder = Path(folder)

    def path_for(self, key: str) -> Path:
        return self.folder / f"{self.name}-{safe_name(key)}.txt"

    def send(self, message: Message) -> Receipt:
        if len(message.to) != 1:
            raise PermanentFailure(f"{self.name} goes to exactly one number, not {len(message.to)}")
        # Checked as strictly as the gateway would, so the demo shows the same failures.
        number = phone_number(message.to[0])
        data = f"To: {number}\n\n{message.text}\n".encode()
        write_atomic(self.path_for(message.key), data)
        return Receipt(provider_id=message.key, document=data, media_type="text/plain")
