"""A worker round reads the ledger for its whole batch at once and records it at once: the
statements it costs do not grow with the batch, and each message is still composed from its own
customer's ledger only."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, select

from cobro.channel.smtp import SmtpChannel
from cobro.company.models import Company
from cobro.customer.models import Contact, Customer
from cobro.cycle.service import run_cycle
from cobro.db import make_engine, transaction
from cobro.invoice.models import Invoice
from cobro.outbox.models import Action, Attempt, Document
from cobro.policy.holds import place_hold
from cobro.policy.progress import progress_of
from cobro.worker import run_worker
from tests.factories.ledger import make_company, make_customer, make_invoice, make_payment
from tests.support.databases import committing_database
from tests.support.smtp import SmtpTestServer

DUE = date(2026, 3, 2)  # Monday
ON = date(2026, 3, 5)  # three days late: one friendly email per customer
NOON = datetime(2026, 3, 5, 12, tzinfo=UTC)


def ledger(engine: Engine, customers: int, invoices: int = 1) -> None:
    with transaction(engine) as session:
        company = make_company(session, "acme")
        for n in range(customers):
            customer = make_customer(session, company, f"C{n:02d}", name=f"Cliente {n}")
            customer.contacts.append(Contact(name="Pagos", email=f"c{n:02d}@debtor.example"))
            for i in range(invoices):
                number = f"F-{n:02d}-{i}"
                make_invoice(session, company, customer, 100_00, date(2026, 2, 1), DUE, number)


def cycle(engine: Engine) -> int:
    with transaction(engine) as session:
        company = session.scalars(select(Company)).one()
        return run_cycle(session, company, ON).created


def statements_of_a_round(tmp_path: Path, customers: int) -> int:
    """Statements the worker runs to send one batch of `customers` reminders."""
    tmp_path.mkdir()
    with committing_database(tmp_path) as url, SmtpTestServer() as server:
        engine = make_engine(url)
        ledger(engine, customers)
        assert cycle(engine) == customers
        count = 0

        def counted(*_args: Any) -> None:
            nonlocal count
            count += 1

        event.listen(engine, "before_cursor_execute", counted)
        channel = SmtpChannel(server.url)
        report = run_worker(engine, {"email": channel}, once=True, batch=100, clock=lambda: NOON)
        channel.close()
        engine.dispose()
        assert report.outcomes == {"sent": customers}
        assert len(server.by_message_id()) == customers
        return count


def test_a_round_costs_the_same_statements_for_3_emails_as_for_30(tmp_path: Path) -> None:
    few = statements_of_a_round(tmp_path / "few", 3)
    many = statements_of_a_round(tmp_path / "many", 30)
    assert many == few
    assert few < 40


def test_each_message_of_a_round_lists_its_own_customer_s_items_as_the_ledger_is_now(
    own_engine: Engine, smtp_server: SmtpTestServer
) -> None:
    ledger(own_engine, customers=6, invoices=2)
    assert cycle(own_engine) == 6
    with transaction(own_engine) as session:
        company = session.scalars(select(Company)).one()
        customers = {c.external_id: c for c in session.scalars(select(Customer))}
        place_hold(session, company, customers["C01"], "dispute", "everything", ON)
        invoice = session.scalars(select(Invoice).where(Invoice.number == "F-02-0")).one()
        place_hold(session, company, customers["C02"], "dispute", "price", ON, invoice=invoice)
        make_payment(session, company, customers["C03"], 200_00, ON)  # not applied yet
        make_payment(session, company, customers["C04"], 50_00, ON)  # not enough
    channel = SmtpChannel(smtp_server.url)
    report = run_worker(own_engine, {"email": channel}, once=True, batch=10, clock=lambda: NOON)
    channel.close()
    assert report.outcomes == {"sent": 4, "cancelled": 2}
    listed = {}
    for received in smtp_server.messages:
        (to,) = received.rcpt_tos
        body = received.message.get_body(("plain",))
        assert body is not None
        text = body.get_content()
        listed[to] = sorted(set(re.findall(r"F-\d\d-\d", text)))
    assert listed == {
        "c00@debtor.example": ["F-00-0", "F-00-1"],
        "c02@debtor.example": ["F-02-1"],  # F-02-0 is disputed
        "c04@debtor.example": ["F-04-0", "F-04-1"],
        "c05@debtor.example": ["F-05-0", "F-05-1"],
    }
    with transaction(own_engine) as session:
        status = dict(
            session.execute(
                select(Customer.external_id, Action.status).join(
                    Customer, Customer.id == Action.customer_id
                )
            ).all()
        )
        assert status == {
            "C00": "sent",
            "C01": "cancelled",  # on hold
            "C02": "sent",
            "C03": "cancelled",  # covered by the cash received
            "C04": "sent",
            "C05": "sent",
        }
        sent = set(session.scalars(select(Action.id).where(Action.status == "sent")))
        assert set(session.scalars(select(Document.action_id))) == sent
        outcomes = sorted(session.scalars(select(Attempt.outcome)))
        assert outcomes == ["cancelled"] * 2 + ["sent"] * 4
        numbers = dict(session.execute(select(Invoice.id, Invoice.number)).all())
        delivered = {
            numbers[invoice_id]: p.delivered
            for invoice_id, p in progress_of(session, numbers).items()
        }
        assert {n for n, stage in delivered.items() if stage is not None} == {
            "F-00-0",
            "F-00-1",
            "F-02-1",
            "F-04-0",
            "F-04-1",
            "F-05-0",
            "F-05-1",
        }
