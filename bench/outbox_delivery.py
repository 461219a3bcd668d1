"""End to end through the outbox: the worker claims, re-checks, composes (Jinja2, from the
ledger), sends over SMTP to a local server and records every email with its document.

    .venv/bin/python bench/outbox_delivery.py [CUSTOMERS] [--charges]   (default 2000)

Each customer has one invoice 3 days overdue: the cycle queues one friendly reminder each.
With `--charges` the reminder's stage also charges a fee and claims statutory interest (Spanish
law): each email is composed after recording both, and lists them; the worker also carries out
the fee and interest actions (three actions per customer, one email). The
SMTP server is the test suite's aiosmtpd server, run in a process of its own as a real mail
server is (inside the worker's process it took a share of the worker's interpreter): the figure
is the worker's, from claiming the first action to recording the last. Once the worker is done,
the server reports what it received: every email must have arrived, each with its own
Message-ID. Target: >= 200 emails/s.
"""

from __future__ import annotations

import multiprocessing
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from multiprocessing.connection import Connection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.support, tests.factories

from sqlalchemy import func, select
from tests.factories.ledger import make_company, make_customer, make_invoice
from tests.support.smtp import SmtpTestServer

from cobro.channel.smtp import SmtpChannel
from cobro.charge.models import Charge
from cobro.company.models import Company
from cobro.customer.models import Contact
from cobro.cycle.service import run_cycle
from cobro.db import make_engine, transaction, upgrade
from cobro.policy.service import save_policy
from cobro.worker import run_worker

ON = date(2026, 3, 5)  # a Thursday
TARGET = 200.0


def serve(pipe: Connection) -> None:
    """In the server's process: send the URL, wait to be told the worker is done, then send
    back how many messages arrived and their Message-IDs."""
    with SmtpTestServer() as server:
        pipe.send(server.url)
        pipe.recv()
        pipe.send([received.message_id for received in server.messages])


CHARGING = {
    "code": "charging",
    "name": "A reminder with a fee and interest",
    "stages": [
        {
            "code": "reminder",
            "offset": 3,
            "tone": "firm",
            "actions": ["email", "fee", "interest_claim"],
            "fee": {"fixed": {"EUR": "10.00"}},
        }
    ],
}


def main() -> int:
    numbers = [arg for arg in sys.argv[1:] if not arg.startswith("--")]
    customers = int(numbers[0]) if numbers else 2000
    charging = "--charges" in sys.argv
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'outbox.db'}"
        upgrade(url)
        engine = make_engine(url)
        with transaction(engine) as session:
            company = make_company(session, "bench")
            if charging:
                company.jurisdiction = "ES"
                save_policy(session, company, CHARGING, default=True)
            for number in range(customers):
                customer = make_customer(session, company, f"C{number:06d}", language="es")
                customer.contacts.append(Contact(name="Pagos", email=f"pagos{number}@example.com"))
                make_invoice(
                    session, company, customer, 1234_56, date(2026, 2, 1), date(2026, 3, 2)
                )
        with transaction(engine) as session:
            owner = session.scalars(select(Company)).one()
            queued = run_cycle(session, owner, ON).created
        ours, theirs = multiprocessing.Pipe()
        server = multiprocessing.get_context("spawn").Process(
            target=serve, args=(theirs,), daemon=True
        )
        server.start()
        channel = SmtpChannel(ours.recv())
        noon = datetime(2026, 3, 5, 12, tzinfo=UTC)
        started = time.perf_counter()
        report = run_worker(engine, {"email": channel}, once=True, batch=100, clock=lambda: noon)
        seconds = time.perf_counter() - started
        channel.close()
        ours.send("done")
        message_ids: list[str] = ours.recv()
        server.join()
        with transaction(engine) as session:
            charges = session.scalar(select(func.count(Charge.id))) or 0
        engine.dispose()
    received, distinct = len(message_ids), len(set(message_ids))
    rate = received / seconds
    print(
        f"queued {queued} actions; worker carried out {report.outcomes['sent']} in {seconds:.2f} s"
    )
    if charging:
        print(
            f"charges recorded: {charges} "
            "(per customer: a fee, the interest and the fixed compensation)"
        )
    print(
        f"SMTP server (own process) received {received}, {distinct} distinct Message-IDs: "
        f"{rate:.0f} emails/s (target >= {TARGET:.0f})"
    )
    recorded = charges == (3 * customers if charging else 0)
    return 0 if received == distinct == customers and rate >= TARGET and recorded else 1


if __name__ == "__main__":
    sys.exit(main())
