"""Importing statements against a real migrated database: stored once, balances checked,
foreign accounts refused with nothing written, new money matched and applied."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobro.banking.accounts import add_account
from cobro.banking.imports import ImportResult, import_statement_file
from cobro.banking.models import Statement, StatementLine
from cobro.banking.statement import StatementError
from cobro.company.models import Company
from cobro.errors import Invalid
from cobro.payment.models import Payment
from cobro.payment.service import check_ledger
from tests.factories.bank import Entry, camt
from tests.factories.ledger import make_company, make_customer, make_invoice

ACCOUNT = "ES9121000418450200051332"
NOW = datetime(2026, 3, 3, 9, tzinfo=UTC)
ON = date(2026, 3, 3)


@pytest.fixture
def company(session: Session) -> Company:
    company = make_company(session)
    add_account(session, company, ACCOUNT)
    return company


def run(session: Session, company: Company, data: bytes, name: str = "s.xml") -> ImportResult:
    return import_statement_file(
        session, company, data, on=ON, now=NOW, by=(None, "test"), filename=name
    )


def count(session: Session, model: type[object]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_payment_naming_the_invoices_rf_reference_is_applied_at_once(
    session: Session, company: Company
) -> None:
    customer = make_customer(session, company, name="Talleres Ruiz S.L.")
    invoice = make_invoice(session, company, customer, total=121_00, number="F-2026-0007")
    data = camt(ACCOUNT, [Entry(121_00, name="TALLERES RUIZ", rf=invoice.payment_reference)])
    result = import_statement_file(session, company, data, on=ON, now=NOW, by=(None, "t"))
    assert result.outcome.applied == 1
    assert invoice.open_amount == 0
    line = session.scalars(select(StatementLine)).one()
    assert line.state == "applied"
    assert line.applied_by == "auto"
    payment = session.get_one(Payment, line.payment_id)
    assert payment.customer_id == customer.id
    assert check_ledger(session, company.id) == []


def test_importing_the_same_file_twice_adds_nothing(session: Session, company: Company) -> None:
    customer = make_customer(session, company)
    invoice = make_invoice(session, company, customer, total=50_00)
    data = camt(ACCOUNT, [Entry(50_00, rf=invoice.payment_reference), Entry(-10_00, text="fee")])
    run(session, company, data)
    again = import_statement_file(session, company, data, on=ON, now=NOW, by=(None, "t"))
    assert [s.already_imported for s in again.statements] == [True]
    assert count(session, StatementLine) == 2
    assert count(session, Payment) == 1


def test_the_same_entries_in_another_file_are_not_added_again(
    session: Session, company: Company
) -> None:
    customer = make_customer(session, company)
    invoice = make_invoice(session, company, customer, total=50_00)
    entry = Entry(50_00, rf=invoice.payment_reference, reference="BANK-REF-1")
    run(session, company, camt(ACCOUNT, [entry], kind="054", statement_id="N-1"))
    result = import_statement_file(
        session,
        company,
        camt(ACCOUNT, [entry, Entry(7_00, text="other", reference="BANK-REF-2")]),
        on=ON,
        now=NOW,
        by=(None, "t"),
    )
    assert result.statements[0].new_lines == 1
    assert count(session, Payment) == 1


def test_two_identical_lines_in_one_statement_are_both_kept(
    session: Session, company: Company
) -> None:
    run(session, company, camt(ACCOUNT, [Entry(20_00, text="x"), Entry(20_00, text="x")]))
    assert count(session, StatementLine) == 2


def test_a_statement_that_does_not_add_up_is_stored_with_its_gap(
    session: Session, company: Company
) -> None:
    result = import_statement_file(
        session,
        company,
        camt(ACCOUNT, [Entry(-3_00)], opening=10_00, closing=9_00),
        on=ON,
        now=NOW,
        by=(None, "t"),
    )
    assert result.statements[0].balance_gap == 2_00
    assert session.scalars(select(Statement)).one().balance_gap == 2_00


def test_a_statement_of_an_account_the_company_does_not_own_writes_nothing(
    session: Session, company: Company
) -> None:
    mine = camt(ACCOUNT, [Entry(5_00)], statement_id="A")
    foreign = camt("DE89370400440532013000", [Entry(5_00)], statement_id="B")
    both = mine.replace(b"</Document>", b"").replace(b"</BkToCstmrStmt>", b"")
    both += foreign[foreign.index(b"<Stmt>") : foreign.index(b"</BkToCstmrStmt>")]
    both += b"</BkToCstmrStmt></Document>"
    with pytest.raises(Invalid, match="DE89370400440532013000, which is not an account"):
        run(session, company, both)
    assert count(session, Statement) == 0
    assert count(session, StatementLine) == 0


def test_the_companys_own_iban_counts_as_its_account(session: Session) -> None:
    company = make_company(session)
    company.iban = "DE89370400440532013000"
    result = run(session, company, camt("DE89 3704 0044 0532 0130 00", [Entry(1_00)]))
    assert result.statements[0].new_lines == 1


def test_a_truncated_file_is_refused_naming_where(session: Session, company: Company) -> None:
    data = camt(ACCOUNT, [Entry(5_00)])
    with pytest.raises(StatementError, match="line 1"):
        run(session, company, data[: len(data) // 2])
    assert count(session, Statement) == 0


def test_an_unknown_format_is_refused(session: Session, company: Company) -> None:
    with pytest.raises(StatementError, match="unknown statement format"):
        run(session, company, b"%PDF-1.4 not a statement")


def test_money_out_and_unmatched_money_in_wait_where_they_should(
    session: Session, company: Company
) -> None:
    run(session, company, camt(ACCOUNT, [Entry(-9_00), Entry(33_33, text="nothing known")]))
    states = sorted(session.scalars(select(StatementLine.state)))
    assert states == ["debit", "unmatched"]
    assert count(session, Payment) == 0
