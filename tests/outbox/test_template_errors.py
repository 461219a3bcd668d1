"""A company template that breaks on one customer's data stops that customer's notice only: the
action fails with the error on its attempt, a collector gets a task, everyone else's email goes
out. End to end: the template saved through the service (it passes every save-time check), the
cycle, the worker and a real SMTP server, on a database of the test's own."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Engine, select

from cobro.channel.base import Channel
from cobro.channel.smtp import SmtpChannel
from cobro.company.models import Company
from cobro.customer.models import Contact, Customer
from cobro.cycle.service import run_cycle
from cobro.db import transaction
from cobro.notice.service import languages_needed, save_templates
from cobro.outbox.models import Action, Attempt
from cobro.task.models import Task
from cobro.worker import run_worker
from tests.factories.ledger import make_company, make_customer, make_invoice
from tests.support.smtp import SmtpTestServer

DUE = date(2026, 3, 2)  # a Monday: the "due" stage's email goes out that day
NOON = datetime(2026, 3, 2, 12, tzinfo=UTC)  # 13:00 in Madrid, inside the send window
# "Dear Mr/Ms <surname>": written for contacts named "First Last", as both of the save-time
# sample customers are. A contact named with one word ("Contabilidad", the accounts mailbox)
# has no second word, and the render fails for that customer only.
SURNAME_TEMPLATE = (
    "Estimado/a Sr./Sra. {{ recipient.split()[1] }}:\n\n"
    "Hoy vence {{ amount_due }}. Gracias por su pago.\n"
)
CONTACTS = {
    "C-1": "Lucía Pérez",
    "C-2": "Jorge Martín",
    "C-3": "Contabilidad",  # the one the template breaks on
    "C-4": "Ana Ruiz",
}


def address(customer: str) -> str:
    return f"{customer.lower()}@debtor.example"


def build(engine: Engine) -> None:
    with transaction(engine) as session:
        company = make_company(session, "acme")
        company.email = "cobros@vendor.example"
        for number, (external_id, contact) in enumerate(CONTACTS.items()):
            customer = make_customer(session, company, external_id, name=f"Cliente {number} S.L.")
            customer.contacts.append(Contact(name=contact, email=address(external_id)))
            make_invoice(
                session, company, customer, 500_00 + number, date(2026, 1, 31), DUE, f"F-{number}"
            )
        session.flush()
        saved = save_templates(
            session,
            company,
            "due",
            "email",
            {("es", "text"): SURNAME_TEMPLATE},
            languages_needed(session, company),
        )
        assert len(saved) == 1  # accepted: the sample data has two-word names


def test_a_template_error_for_one_customer_fails_that_notice_only(
    own_engine: Engine, smtp_server: SmtpTestServer, tmp_path: Path
) -> None:
    build(own_engine)
    with transaction(own_engine) as session:
        company = session.scalars(select(Company)).one()
        assert run_cycle(session, company, DUE).created == len(CONTACTS)
    email = SmtpChannel(smtp_server.url, sender="Vendor <cobros@vendor.example>")
    channels: dict[str, Channel] = {"email": email}
    try:
        report = run_worker(own_engine, channels, once=True, clock=lambda: NOON)
    finally:
        email.close()

    assert report.outcomes["failed"] == 1
    assert report.outcomes["sent"] == len(CONTACTS) - 1
    # every other customer's email arrived, in the company's own words
    received = {mail.rcpt_tos: mail for mail in smtp_server.messages}
    others = [c for c in CONTACTS if c != "C-3"]
    assert sorted(received) == sorted((address(c),) for c in others)
    for external_id in others:
        body = received[(address(external_id),)].message.get_body(("plain",))
        assert body is not None
        surname = CONTACTS[external_id].split()[1]
        assert f"Estimado/a Sr./Sra. {surname}:" in body.get_content()

    with transaction(own_engine) as session:
        broken = session.scalars(select(Customer).where(Customer.external_id == "C-3")).one()
        actions = session.scalars(select(Action)).all()
        assert sorted(a.status for a in actions if a.customer_id != broken.id) == ["sent"] * 3
        (failed,) = [a for a in actions if a.customer_id == broken.id]
        assert failed.status == "failed"
        # the error says which template broke and how, on the action and its attempt
        assert "notice due/email/es (custom text)" in (failed.last_error or "")
        assert "list object has no element 1" in (failed.last_error or "")
        attempt = session.scalars(select(Attempt).where(Attempt.action_id == failed.id)).one()
        assert (attempt.outcome, attempt.detail) == ("failed", failed.last_error)
        task = session.scalars(select(Task).where(Task.kind == "failed_message")).one()
        assert (task.customer_id, task.action_id, task.status) == (broken.id, failed.id, "open")
        assert task.detail == failed.last_error
