from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobro.audit.models import AuditEvent
from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.errors import Invalid, NotFound
from cobro.payment.models import Allocation, Payment
from cobro.payment.service import check_ledger
from cobro.policy.holds import place_hold
from cobro.setoff import hints, service
from cobro.setoff.models import SetOff, SetOffBill
from cobro.setoff.rules import Exposure
from cobro.task.models import Task
from tests.factories.ledger import make_company, make_customer, make_invoice
from tests.factories.setoff import make_bill

ON = date(2026, 3, 1)
BY = (None, "cli")


@pytest.fixture
def company(session: Session) -> Company:
    return make_company(session)


@pytest.fixture
def supplier(session: Session, company: Company) -> Customer:
    return make_customer(session, company, "SUP", name="Proveedora S.A.")


def counts(session: Session) -> tuple[int, ...]:
    return tuple(
        session.scalar(select(func.count()).select_from(model)) or 0
        for model in (Payment, Allocation, SetOff, SetOffBill, AuditEvent)
    )


def test_exposure_nets_what_each_side_owes_per_currency(
    session: Session, company: Company, supplier: Customer
) -> None:
    make_invoice(session, company, supplier, 800_00)
    make_invoice(session, company, supplier, 30_00, currency="USD")
    make_bill(session, company, supplier, 500_00)
    make_bill(session, company, supplier, 90_00, open_amount=0)  # paid: not owed
    assert service.exposure(session, company, supplier) == [
        Exposure("EUR", 800_00, 500_00),
        Exposure("USD", 30_00, 0),
    ]


def test_applying_a_set_off_pays_both_sides_and_the_ledger_balances(
    session: Session, company: Company, supplier: Customer
) -> None:
    old = make_invoice(session, company, supplier, 300_00, due_date=date(2026, 1, 10))
    new = make_invoice(session, company, supplier, 400_00, due_date=date(2026, 2, 10))
    first = make_bill(session, company, supplier, 200_00, due_date=date(2026, 1, 5))
    second = make_bill(session, company, supplier, 350_00, due_date=date(2026, 2, 5))
    applied = service.apply_set_off(session, company, "SUP", None, ON, BY, note="agreed by phone")
    assert check_ledger(session, company.id) == []
    payment = applied.payment
    assert (payment.method, payment.amount, payment.unapplied, payment.received_on) == (
        "set_off", 550_00, 0, ON,
    )  # fmt: skip
    assert payment.external_id == f"SETOFF-{applied.set_off.id}"
    assert (old.open_amount, new.open_amount) == (0, 150_00)
    assert (first.open_amount, first.settled_on) == (0, ON)
    assert (second.open_amount, second.settled_on) == (0, ON)
    lines = session.scalars(select(SetOffBill).order_by(SetOffBill.bill_id)).all()
    assert [(line.bill_id, line.amount) for line in lines] == [
        (first.id, 200_00),
        (second.id, 350_00),
    ]
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "set_off.applied")).one()
    assert event.after is not None
    assert event.after["amount"] == 550_00
    assert applied.set_off.note == "agreed by phone"


def test_a_part_of_what_can_be_set_off_pays_the_oldest_first(
    session: Session, company: Company, supplier: Customer
) -> None:
    invoice = make_invoice(session, company, supplier, 300_00)
    bill = make_bill(session, company, supplier, 500_00)
    service.apply_set_off(session, company, "SUP", "eur", ON, BY, amount=120_00)
    assert (invoice.open_amount, bill.open_amount, bill.settled_on) == (180_00, 380_00, None)
    assert check_ledger(session, company.id) == []


@pytest.mark.parametrize(
    ("currency", "amount", "field"),
    [("EUR", 300_01, "amount"), ("EUR", 0, "amount"), ("USD", None, "currency"),
     ("XYZ", None, "currency")],
)  # fmt: skip
def test_a_refused_set_off_writes_nothing(
    session: Session,
    company: Company,
    supplier: Customer,
    currency: str,
    amount: int | None,
    field: str,
) -> None:
    invoice = make_invoice(session, company, supplier, 300_00)
    make_bill(session, company, supplier, 500_00)
    before = counts(session)
    with pytest.raises(Invalid) as refused:
        service.apply_set_off(session, company, "SUP", currency, ON, BY, amount=amount)
    assert refused.value.field == field
    assert counts(session) == before
    assert invoice.open_amount == 300_00


def test_another_companys_customer_is_not_found(
    session: Session, company: Company, supplier: Customer
) -> None:
    other = make_company(session)
    make_invoice(session, company, supplier, 300_00)
    make_bill(session, company, supplier, 500_00)
    with pytest.raises(NotFound):
        service.apply_set_off(session, other, "SUP", "EUR", ON, BY)


def test_the_proposal_writes_nothing(
    session: Session, company: Company, supplier: Customer
) -> None:
    make_invoice(session, company, supplier, 300_00)
    make_bill(session, company, supplier, 500_00)
    before = counts(session)
    proposal = service.propose(session, company, "SUP", None, ON)
    assert (proposal.currency, proposal.amount) == ("EUR", 300_00)
    assert counts(session) == before


def test_hinted_customers_owe_overdue_money_where_we_owe_them(
    session: Session, company: Company, supplier: Customer
) -> None:
    make_invoice(session, company, supplier, 300_00, due_date=date(2026, 2, 1))
    make_invoice(session, company, supplier, 100_00, due_date=date(2026, 4, 1))
    make_bill(session, company, supplier, 500_00)
    # not yet overdue
    early = make_customer(session, company, "EARLY")
    make_invoice(session, company, early, 300_00, due_date=date(2026, 4, 1))
    make_bill(session, company, early, 500_00)
    # another currency
    dollars = make_customer(session, company, "USD")
    make_invoice(session, company, dollars, 300_00, due_date=date(2026, 2, 1))
    make_bill(session, company, dollars, 500_00, currency="USD")
    # we owe them nothing
    plain = make_customer(session, company, "PLAIN")
    make_invoice(session, company, plain, 300_00, due_date=date(2026, 2, 1))
    assert hints.hinted_customers(session, company, ON) == {supplier.id: {"EUR": 400_00}}
    assert hints.hinted_customers(session, make_company(session), ON) == {}


def test_one_review_task_per_hinted_customer_while_one_is_open(
    session: Session, company: Company, supplier: Customer
) -> None:
    make_invoice(session, company, supplier, 300_00)
    make_bill(session, company, supplier, 500_00)
    found = hints.hinted_customers(session, company, ON)
    assert hints.review_set_offs(session, company, ON, found) == 1
    assert hints.review_set_offs(session, company, ON, found) == 0
    task = session.scalars(select(Task).where(Task.kind == "review")).one()
    assert task.title == (
        "Set-off possible with Proveedora S.A.: we owe them 500.00 EUR; they owe 300.00 EUR"
    )
    service.apply_set_off(session, company, "SUP", None, ON, BY)
    assert task.status == "done"
    assert hints.hinted_customers(session, company, ON) == {}


def test_customer_exposures_list_only_those_we_owe(
    session: Session, company: Company, supplier: Customer
) -> None:
    make_invoice(session, company, supplier, 300_00)
    make_bill(session, company, supplier, 500_00)
    make_invoice(session, company, make_customer(session, company, "PLAIN"), 300_00)
    found = service.customer_exposures(session, company)
    assert [(row.external_id, row.exposures) for row in found] == [
        ("SUP", (Exposure("EUR", 300_00, 500_00),))
    ]


def test_a_closed_review_rests_the_hint_for_thirty_days(
    session: Session, company: Company, supplier: Customer
) -> None:
    make_invoice(session, company, supplier, 300_00, due_date=date(2026, 2, 1))
    make_bill(session, company, supplier, 500_00)
    hints.review_set_offs(session, company, ON, hints.hinted_customers(session, company, ON))
    task = session.scalars(select(Task).where(Task.kind == "review")).one()
    task.status, task.closed_at = "done", datetime(2026, 3, 2, 10, tzinfo=UTC)  # not wanted
    session.flush()
    assert hints.hinted_customers(session, company, date(2026, 3, 3)) == {}
    assert hints.hinted_customers(session, company, date(2026, 3, 31)) == {}
    later = hints.hinted_customers(session, company, date(2026, 4, 2))
    assert later == {supplier.id: {"EUR": 300_00}}


def test_a_disputed_invoice_is_not_set_off(
    session: Session, company: Company, supplier: Customer
) -> None:
    disputed = make_invoice(session, company, supplier, 300_00, due_date=date(2026, 1, 10))
    other = make_invoice(session, company, supplier, 100_00, due_date=date(2026, 2, 10))
    make_bill(session, company, supplier, 500_00)
    place_hold(session, company, supplier, "dispute", "price", ON, invoice=disputed)
    [proposal] = service.proposals(session, supplier)
    assert [line.number for line in proposal.invoices] == [other.number]
    assert proposal.amount == 100_00
