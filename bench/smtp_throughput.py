"""How many emails a second SmtpChannel pushes through one connection to a local SMTP server.

    .venv/bin/python bench/smtp_throughput.py [N [KB]]   (default N = 2000, KB = 20)

The server is the test suite's aiosmtpd server, running in this same process (so the figure is
a floor: a real MTA runs in its own process). Each message is a typical reminder: text + HTML
alternatives, a List-Unsubscribe header and a KB-kilobyte PDF attachment (0: none).
The target is >= 200/s.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.support

from tests.support.smtp import SmtpTestServer

from cobro.channel.base import Attachment, Message
from cobro.channel.smtp import SmtpChannel


def reminder(number: int, attachment_kb: int = 20) -> Message:
    statement = Attachment(
        "statement.pdf", "application/pdf", b"%PDF-1.7\n" + b"0" * 1000 * attachment_kb
    )
    return Message(
        key=f"bench-{number}",
        channel="email",
        to=(f"Debtor {number} <debtor{number}@example.com>",),
        subject=f"Invoice 2025-{number:05} is overdue",
        text="Dear customer,\n\nInvoice is 10 days overdue. Please pay.\n" * 5,
        html="<p>Dear customer,</p><p>Invoice is 10 days overdue. Please pay.</p>" * 5,
        language="en",
        sender="Acme Billing <billing@acme.example>",
        unsubscribe_url=f"https://pay.acme.example/unsubscribe/{number}",
        attachments=(statement,) if attachment_kb else (),
    )


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    attachment_kb = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    batch = [reminder(number, attachment_kb) for number in range(count)]
    with SmtpTestServer() as server:
        channel = SmtpChannel(server.url)
        started = time.perf_counter()
        for message in batch:
            channel.send(message)
        elapsed = time.perf_counter() - started
        channel.close()
        assert len(server.messages) == count, "the server did not get every message"
        print(
            f"{count} emails ({attachment_kb} KB attachment) in {elapsed:.2f} s: "
            f"{count / elapsed:.0f} emails/s "
            f"over {server.connections} connection(s)"
        )


if __name__ == "__main__":
    main()
