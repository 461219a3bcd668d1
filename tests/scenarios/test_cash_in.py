"""Stories over dates: the chase stops the day the bank says the money came, starts again when
a direct debit comes back, and an "I've paid" no money answers ends in a task."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.banking import debits
from cobro.banking.accounts import add_account
from cobro.banking.imports import import_statement_file
from cobro.banking.mandates import MandateIn, add_mandate
from cobro.banking.settings import change_bank_settings
from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.cycle.service import run_cycle
from cobro.invoice.models import Invoice
from cobro.invoice.service import add_credit_note
from cobro.outbox.models import Action
from cobro.payment.service import check_ledger
from cobro.policy.holds import place_hold
from cobro.policy.models import Hold
from cobro.task.models import Task
from tests.factories.bank import Entry, camt
from tests.factories.ledger import make_company, make_customer, make_invoice

DUE = date(2026, 3, 2)  # a Monday
ACCOUNT = "ES9121000418450200051332"
BY = (None, "story")


def day(offset: int) -> date:
    return DUE + timedelta(days=offset)


def at(offset: int) -> datetime:
    return datetime.combine(day(offset), datetime.min.time(), UTC) + timedelta(hours=8)


def queued_on(session: Session, customer: Customer, on: date) -> set[str]:
    rows = session.scalars(
        select(Action.stage).where(Action.customer_id == customer.id, Action.cycle_on == on)
    )
    return set(rows)


def setup(session: Session) -> tuple[Company, Customer, Invoice]:
    company = make_company(session)
    add_account(session, company, ACCOUNT)
    customer = make_customer(session, company, "ACME", name="Acme Distribución S.L.")
    invoice = make_invoice(session, company, customer, 1200_00, date(2026, 1, 31), DUE, "F-88")
    return company, customer, invoice


def test_a_transfer_with_the_reference_stops_the_chase_the_same_day(session: Session) -> None:
    company, customer, invoice = setup(session)
    for offset in range(0, 4):
        run_cycle(session, company, day(offset))
    assert queued_on(session, customer, day(3)) == {"reminder-1"}
    # day 4: the debtor says "I've paid" on the portal
    place_hold(
        session,
        company,
        customer,
        "paid_claim",
        reason="paid on day 4",
        starts_on=day(4),
        ends_on=day(14),
    )
    # day 5: the statement brings the transfer with the invoice's RF reference
    statement = camt(
        ACCOUNT,
        [Entry(1200_00, booked=day(5), name="ACME DISTRIBUCION", rf=invoice.payment_reference)],
        statement_id="D5",
    )
    result = import_statement_file(session, company, statement, on=day(5), now=at(5), by=BY)
    assert result.outcome.applied == 1
    assert invoice.open_amount == 0
    assert invoice.settled_on == day(5)
    hold = session.scalars(select(Hold)).one()
    assert hold.released_on == day(5)
    for offset in range(5, 40):
        assert run_cycle(session, company, day(offset)).created == 0
    assert check_ledger(session, company.id) == []


def test_a_returned_direct_debit_puts_the_invoice_back_in_its_policy(session: Session) -> None:
    company, customer, invoice = setup(session)
    company.iban, company.bic = ACCOUNT, "CAIXESBBXXX"
    change_bank_settings(
        session, company, {"creditor_id": "ES97ZZZB12345678", "town": "Madrid"}, BY, at(-14)
    )
    add_mandate(
        session,
        company,
        MandateIn("ACME", "MND-ACME", date(2026, 1, 20), iban="DE89370400440532013000"),
        day(-14),
        BY,
        at(-14),
    )
    # fourteen days before the due date: the batch for the due date is written
    [batch] = debits.export_batches(session, company, DUE, "pain.008.001.08", day(-14), BY, at(-14))
    assert invoice.open_amount == 0
    for offset in range(-14, 8):
        assert run_cycle(session, company, day(offset)).created == 0
    # day 8: the debtor's bank returns it (insufficient funds)
    returned = camt(
        ACCOUNT,
        [Entry(-1200_00, booked=day(8), e2e=f"{batch.message_id}-1", return_reason="AM04")],
        kind="054",
        statement_id="R8",
    )
    import_statement_file(session, company, returned, on=day(8), now=at(8), by=BY)
    assert invoice.open_amount == 1200_00
    # the next cycle catches up: the invoice is 8 days late, past the first reminder's day
    run_cycle(session, company, day(8))
    assert queued_on(session, customer, day(8)) == {"reminder-1"}
    assert check_ledger(session, company.id) == []


def test_an_ive_paid_claim_no_payment_answers_ends_in_a_task_once(session: Session) -> None:
    company, customer, invoice = setup(session)
    hold = place_hold(
        session,
        company,
        customer,
        "paid_claim",
        reason="paid on day 1",
        starts_on=day(1),
        ends_on=day(11),
        reference="TRF-991",
    )
    for offset in range(1, 12):
        assert run_cycle(session, company, day(offset)).claims_expired == 0
    assert run_cycle(session, company, day(12)).claims_expired == 1
    assert hold.released_on == day(12)
    task = session.scalars(select(Task).where(Task.customer_id == customer.id)).one()
    assert "TRF-991" in task.title
    assert task.kind == "follow_up"
    assert run_cycle(session, company, day(13)).claims_expired == 0
    assert invoice.open_amount == 1200_00


def test_a_claim_whose_invoice_was_settled_meanwhile_closes_without_a_task(
    session: Session,
) -> None:
    company, customer, invoice = setup(session)
    place_hold(
        session,
        company,
        customer,
        "paid_claim",
        reason="paid",
        starts_on=day(1),
        ends_on=day(3),
        invoice=invoice,
    )
    add_credit_note(session, company, invoice, "CN-9", day(2), 1200_00, "cancelled order")
    assert run_cycle(session, company, day(4)).claims_expired == 0
    assert session.scalars(select(Task)).all() == []
