"""Stories over dates: fees adding up stage after stage on debit notes (Tryton's dunning-fee
scenario), and a demand that claims statutory interest, shows how it was computed, and keeps
it when the principal is paid. The cycle and the worker run as in production, on a database
of their own; emails are written as .eml files, exactly what SMTP would send."""

from __future__ import annotations

import email
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from cobro.channel.files import EmlFolderChannel
from cobro.charge import debit
from cobro.charge.models import Charge
from cobro.company.models import Company
from cobro.customer.models import Contact, Customer
from cobro.cycle.service import run_cycle
from cobro.db import make_engine, transaction
from cobro.errors import Conflict
from cobro.invoice.models import Invoice
from cobro.outbox.models import Action
from cobro.payment.service import check_ledger
from cobro.policy.service import save_policy
from cobro.worker import run_worker
from tests.factories.ledger import make_company, make_customer, make_invoice, make_payment
from tests.support.databases import committing_database

FEES: dict[str, Any] = {
    "code": "fees",
    "name": "Tryton's fee levels",
    "stages": [
        {
            "code": "level-1",
            "offset": 5,
            "tone": "friendly",
            "actions": ["email", "fee"],
            "fee": {"fixed": {"EUR": "10.00"}},
        },
        {
            "code": "level-2",
            "offset": 10,
            "tone": "firm",
            "actions": ["email", "fee"],
            "fee": {"percent": "15"},
        },
    ],
}
DEMAND: dict[str, Any] = {
    "code": "demand",
    "name": "Demand with interest",
    "stages": [
        {"code": "demand", "offset": 30, "tone": "formal", "actions": ["email", "interest_claim"]}
    ],
}


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    with committing_database(tmp_path) as url:
        engine = make_engine(url)
        yield engine
        engine.dispose()


def books(engine: Engine, policy: dict[str, Any], mode: str, total: int, due: date) -> None:
    with transaction(engine) as session:
        company = make_company(session, "acme")
        company.jurisdiction, company.charge_mode = "ES", mode
        save_policy(session, company, policy, default=True)
        customer = make_customer(session, company, "ACME", name="Acme Ibérica S.L.", language="es")
        customer.contacts.append(Contact(name="Lucía Pérez", email="pagos@acme.example"))
        make_invoice(session, company, customer, total, due - timedelta(days=30), due, "F-1")


def day_of(engine: Engine, on: date, outbox: Path, work_on: date | None = None) -> None:
    """The cycle of `on`, then the worker at noon that day (or of `work_on`: a Sunday's
    messages wait for Monday's send window)."""
    with transaction(engine) as session:
        run_cycle(session, session.scalars(select(Company)).one(), on)
    at = work_on or on

    def clock() -> datetime:
        return datetime(at.year, at.month, at.day, 12, tzinfo=UTC)

    run_worker(engine, {"email": EmlFolderChannel(outbox)}, once=True, clock=clock)


def owed(engine: Engine) -> dict[str, int]:
    with transaction(engine) as session:
        return {
            invoice.number: invoice.open_amount
            for invoice in session.scalars(select(Invoice).order_by(Invoice.id))
        }


def mails(outbox: Path) -> list[EmailMessage]:
    return [
        email.message_from_bytes(path.read_bytes(), policy=default)
        for path in sorted(outbox.glob("*.eml"), key=lambda p: p.stat().st_mtime)
    ]


def text_of(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def test_fees_add_up_stage_after_stage_on_debit_notes(engine: Engine, tmp_path: Path) -> None:
    """account_dunning_fee's scenario: 100.00 due; 10.00 at +5, 15 % at +10: 125.00 owed."""
    due = date(2026, 3, 2)
    books(engine, FEES, "charge", 100_00, due)
    outbox = tmp_path / "mail"

    day_of(engine, due + timedelta(days=5), outbox)
    assert sum(owed(engine).values()) == 110_00
    day_of(engine, due + timedelta(days=10), outbox)
    balances = owed(engine)
    assert sum(balances.values()) == 125_00  # 15 % of the 100.00, not of 110.00
    assert balances["F-1"] == 100_00

    with transaction(engine) as session:
        notes = session.scalars(select(Invoice).where(Invoice.kind == "debit_note")).all()
        assert sorted(note.total for note in notes) == [10_00, 15_00]
        assert all(note.due_date == note.issue_date + timedelta(days=14) for note in notes)
        fees = session.scalars(select(Charge).order_by(Charge.id)).all()
        assert [(fee.stage, fee.amount, fee.mode) for fee in fees] == [
            ("level-1", 10_00, "charge"),
            ("level-2", 15_00, "charge"),
        ]
        actions = session.scalars(select(Action).where(Action.kind == "fee")).all()
        assert [action.status for action in actions] == ["sent", "sent"]
        assert check_ledger(session, session.scalars(select(Company)).one().id) == []

    # a manager waives the second fee: a credit note on its debit note, nothing disappears
    with transaction(engine) as session:
        company = session.scalars(select(Company)).one()
        second = session.scalars(select(Charge).where(Charge.stage == "level-2")).one()
        debit.waive(
            session, company, second.id, "goodwill", (None, "manager"), datetime.now(UTC), due
        )
        assert check_ledger(session, company.id) == []
    assert sum(owed(engine).values()) == 110_00

    # the first fee's debit note is paid: it can no longer be waived, only refunded
    with transaction(engine) as session:
        company = session.scalars(select(Company)).one()
        customer = session.scalars(select(Customer)).one()
        first = session.scalars(select(Charge).where(Charge.stage == "level-1")).one()
        note = session.get_one(Invoice, first.debit_note_id)
        make_payment(session, company, customer, 10_00, due + timedelta(days=12), (note.number,))
    with transaction(engine) as session:
        company = session.scalars(select(Company)).one()
        with pytest.raises(Conflict, match="refund"):
            debit.waive(session, company, first.id, "late", (None, "x"), datetime.now(UTC), due)


def test_the_demand_claims_interest_with_its_computation_and_keeps_it_when_paid(
    engine: Engine, tmp_path: Path
) -> None:
    """The reference's S1: 10,000.00 due 15 March 2024, paid 14 May: 205.48 + 40.00."""
    due = date(2024, 3, 15)
    books(engine, DEMAND, "claim", 10_000_00, due)
    outbox = tmp_path / "mail"

    day_of(engine, date(2024, 4, 14), outbox, work_on=date(2024, 4, 15))  # a Sunday
    (demand,) = mails(outbox)
    text = text_of(demand).replace("\xa0", " ")  # Babel puts a no-break space before €
    assert "Intereses de demora, factura F-1" in text
    assert "16 mar 2024 – 14 abr 2024: 30 días, 12,50 % anual sobre 10.000,00 €" in text
    assert "102,74 €" in text
    assert "Indemnización por costes de cobro, factura F-1" in text
    assert "40,00 €" in text
    assert "10.142,74 €" in text  # the amount due: the invoice, the interest and the €40

    with transaction(engine) as session:
        company = session.scalars(select(Company)).one()
        customer = session.scalars(select(Customer)).one()
        make_payment(session, company, customer, 10_000_00, date(2024, 5, 14), ("F-1",))
    day_of(engine, date(2024, 5, 15), outbox)

    with transaction(engine) as session:
        interest = session.scalars(select(Charge).where(Charge.kind == "interest")).all()
        assert sum(row.amount for row in interest) == 205_48
        assert interest[-1].accrued_to == date(2024, 5, 14)
        assert owed(engine) == {"F-1": 0}  # claimed, not charged: no debit note
