"""SEPA direct debit as a story on a real database: mandates, the batch for a collection date
(its file valid against the ISO schema), and returns and rejects that undo a collection."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import xmlschema
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.banking import debits, returns
from cobro.banking.accounts import add_account
from cobro.banking.imports import import_statement_file
from cobro.banking.mandates import MandateIn, add_mandate, list_mandates, revoke_mandate
from cobro.banking.models import StatementLine
from cobro.banking.sepa_models import Collection, DebitBatch, Mandate
from cobro.banking.settings import change_bank_settings
from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.errors import Conflict, Invalid
from cobro.invoice.models import Invoice
from cobro.payment.models import Payment
from cobro.payment.service import check_ledger
from cobro.policy.holds import place_hold
from cobro.task.models import Task
from tests.conftest import shared_file
from tests.factories.bank import Entry, camt
from tests.factories.ledger import make_company, make_customer, make_invoice

ACCOUNT = "ES9121000418450200051332"
DEBTOR_IBAN = "DE89370400440532013000"
NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
ON = date(2026, 3, 2)
COLLECT = date(2026, 3, 20)
BY = (None, "test")


@pytest.fixture
def company(session: Session) -> Company:
    company = make_company(session)
    company.iban, company.bic = ACCOUNT, "CAIXESBBXXX"
    change_bank_settings(
        session,
        company,
        {"creditor_id": "ES97ZZZB12345678", "town": "Madrid", "street": "Gran Vía"},
        BY,
        NOW,
    )
    add_account(session, company, "ES7921000813610123456789")
    return company


def with_mandate(session: Session, company: Company, name: str = "Elena Díaz") -> Customer:
    customer = make_customer(session, company, name=name)
    add_mandate(
        session,
        company,
        MandateIn(customer.external_id, f"MND-{customer.id}", date(2026, 1, 5), iban=DEBTOR_IBAN),
        ON,
        BY,
        NOW,
    )
    return customer


def due_invoice(session: Session, company: Company, customer: Customer, total: int) -> Invoice:
    return make_invoice(
        session,
        company,
        customer,
        total=total,
        issue_date=date(2026, 2, 1),
        due_date=date(2026, 3, 3),
    )


def test_a_mandate_with_a_bad_iban_is_refused(session: Session, company: Company) -> None:
    customer = make_customer(session, company)
    with pytest.raises(Invalid) as refused:
        add_mandate(
            session,
            company,
            MandateIn(customer.external_id, "M-1", date(2026, 1, 5), iban="DE89370400440532013001"),
            ON,
            BY,
            NOW,
        )
    assert refused.value.field == "iban"


def test_a_mandate_reference_is_unique(session: Session, company: Company) -> None:
    customer = with_mandate(session, company)
    with pytest.raises(Conflict):
        add_mandate(
            session,
            company,
            MandateIn(
                customer.external_id, f"MND-{customer.id}", date(2026, 1, 5), iban=DEBTOR_IBAN
            ),
            ON,
            BY,
            NOW,
        )


@pytest.mark.parametrize("version", ["pain.008.001.02", "pain.008.001.08"])
def test_the_batch_debits_each_customer_once_and_its_file_is_schema_valid(
    session: Session, company: Company, version: str
) -> None:
    first = with_mandate(session, company)
    second = with_mandate(session, company, "Jürgen Groß")
    a, b = due_invoice(session, company, first, 40_00), due_invoice(session, company, first, 2_50)
    c = due_invoice(session, company, second, 99_99)
    [batch] = debits.export_batches(session, company, COLLECT, version, ON, BY, NOW)
    assert (batch.count, batch.total) == (2, 142_49)
    assert (a.open_amount, b.open_amount, c.open_amount) == (0, 0, 0)
    schema = xmlschema.XMLSchema(shared_file(f"schemas/sepaxml_2.7.0/{version}.xsd"))
    schema.validate(batch.document.encode())
    assert "FRST" in batch.document
    assert check_ledger(session, company.id) == []
    assert {m.next_sequence for m in session.scalars(select(Mandate))} == {"RCUR"}


def test_the_next_batch_is_recurrent(session: Session, company: Company) -> None:
    customer = with_mandate(session, company)
    due_invoice(session, company, customer, 10_00)
    debits.export_batches(session, company, COLLECT, "pain.008.001.08", ON, BY, NOW)
    make_invoice(
        session,
        company,
        customer,
        total=12_00,
        issue_date=date(2026, 3, 1),
        due_date=date(2026, 4, 1),
    )
    [batch] = debits.export_batches(
        session, company, date(2026, 4, 20), "pain.008.001.08", date(2026, 4, 2), BY, NOW
    )
    assert "<SeqTp>RCUR</SeqTp>" in batch.document
    assert "FRST" not in batch.document


def test_invoices_on_hold_or_issued_too_late_to_prenotify_wait(
    session: Session, company: Company
) -> None:
    customer = with_mandate(session, company)
    disputed = due_invoice(session, company, customer, 10_00)
    place_hold(
        session, company, customer, "dispute", reason="wrong price", starts_on=ON, invoice=disputed
    )
    late = make_invoice(
        session,
        company,
        customer,
        total=5_00,
        issue_date=date(2026, 3, 15),
        due_date=date(2026, 3, 16),
    )
    plan = debits.plan_batch(session, company, COLLECT, ON)
    waiting = dict(plan.waiting)
    assert set(waiting) == {disputed.number, late.number}
    assert "pre-notify" in waiting[late.number]
    assert debits.export_batches(session, company, COLLECT, "pain.008.001.08", ON, BY, NOW) == []


def test_a_collection_date_too_soon_is_refused(session: Session, company: Company) -> None:
    customer = with_mandate(session, company)
    due_invoice(session, company, customer, 10_00)
    with pytest.raises(Invalid, match="too early"):
        debits.export_batches(
            session, company, date(2026, 3, 3), "pain.008.001.08", date(2026, 3, 3), BY, NOW
        )


def test_without_a_creditor_identifier_nothing_is_written(session: Session) -> None:
    company = make_company(session)
    with pytest.raises(Invalid, match="creditor identifier"):
        debits.export_batches(session, company, COLLECT, "pain.008.001.08", ON, BY, NOW)


def test_a_revoked_mandate_is_not_collected(session: Session, company: Company) -> None:
    customer = with_mandate(session, company)
    due_invoice(session, company, customer, 10_00)
    revoke_mandate(session, company, f"MND-{customer.id}", "customer asked", BY, NOW)
    assert debits.plan_batch(session, company, COLLECT, ON).collections == []


def test_a_mandate_unused_for_36_months_expires(session: Session, company: Company) -> None:
    with_mandate(session, company)
    [mandate] = list_mandates(session, company, date(2029, 1, 5))
    assert mandate.state == "expired"


def collected(session: Session, company: Company) -> tuple[Customer, Invoice, Collection]:
    customer = with_mandate(session, company)
    invoice = due_invoice(session, company, customer, 75_00)
    debits.export_batches(session, company, COLLECT, "pain.008.001.08", ON, BY, NOW)
    return customer, invoice, session.scalars(select(Collection)).one()


def test_a_return_in_a_camt054_undoes_the_collection(session: Session, company: Company) -> None:
    company.return_fee = 4_50
    customer, invoice, collection = collected(session, company)
    notice = camt(
        "ES7921000813610123456789",
        [Entry(-75_00, e2e=collection.end_to_end_id, return_reason="AM04", booked=COLLECT)],
        kind="054",
    )
    result = import_statement_file(session, company, notice, on=COLLECT, now=NOW, by=BY)
    assert result.outcome.returned == 1
    assert invoice.open_amount == 75_00
    payment = session.get_one(Payment, collection.payment_id)
    assert (payment.returned_on, payment.return_reason, payment.unapplied) == (COLLECT, "AM04", 0)
    mandate = session.get_one(Mandate, collection.mandate_id)
    assert (mandate.state, mandate.next_sequence) == ("active", "FRST")
    task = session.scalars(select(Task).where(Task.customer_id == customer.id)).one()
    assert "AM04" in task.title
    fee = session.scalars(
        select(Invoice).where(Invoice.customer_id == customer.id, Invoice.kind == "debit_note")
    ).one()
    assert fee.total == 4_50
    assert session.scalars(select(StatementLine)).one().state == "returned"
    assert check_ledger(session, company.id) == []
    again = import_statement_file(session, company, notice, on=COLLECT, now=NOW, by=BY)
    assert again.outcome.returned == 0


def test_a_final_reason_ends_the_mandate(session: Session, company: Company) -> None:
    _customer, _invoice, collection = collected(session, company)
    returns.return_collection(session, company, collection, "MD01", COLLECT)
    assert session.get_one(Mandate, collection.mandate_id).state == "revoked"


def test_a_pain002_reject_undoes_the_collection(session: Session, company: Company) -> None:
    _customer, invoice, collection = collected(session, company)
    report = f"""<?xml version="1.0"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03"><CstmrPmtStsRpt>
<GrpHdr><MsgId>STS-1</MsgId><CreDtTm>2026-03-19T10:00:00</CreDtTm></GrpHdr>
<OrgnlGrpInfAndSts><OrgnlMsgId>X</OrgnlMsgId><OrgnlMsgNmId>pain.008.001.08</OrgnlMsgNmId>
<GrpSts>PART</GrpSts></OrgnlGrpInfAndSts>
<OrgnlPmtInfAndSts><OrgnlPmtInfId>X-1</OrgnlPmtInfId><TxInfAndSts>
<OrgnlEndToEndId>{collection.end_to_end_id}</OrgnlEndToEndId><TxSts>RJCT</TxSts>
<StsRsnInf><Rsn><Cd>AC04</Cd></Rsn></StsRsnInf></TxInfAndSts>
<TxInfAndSts><OrgnlEndToEndId>SOMEONE-ELSE</OrgnlEndToEndId><TxSts>RJCT</TxSts></TxInfAndSts>
</OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>""".encode()
    outcome = returns.apply_status_report(session, company, report, COLLECT, NOW)
    assert outcome.rejected == [collection.end_to_end_id]
    assert outcome.unknown == ["SOMEONE-ELSE"]
    assert invoice.open_amount == 75_00
    assert session.get_one(Mandate, collection.mandate_id).state == "revoked"  # AC04: closed
    again = returns.apply_status_report(session, company, report, COLLECT, NOW)
    assert again.already == [collection.end_to_end_id]


def test_the_banks_credit_for_a_collection_is_not_matched_again(
    session: Session, company: Company
) -> None:
    _customer, _invoice, collection = collected(session, company)
    credit = camt(
        "ES7921000813610123456789",
        [Entry(75_00, e2e=collection.end_to_end_id, booked=COLLECT)],
        kind="054",
    )
    import_statement_file(session, company, credit, on=COLLECT, now=NOW, by=BY)
    line = session.scalars(select(StatementLine)).one()
    assert (line.state, line.payment_id) == ("applied", collection.payment_id)
    assert len(session.scalars(select(Payment)).all()) == 1


def test_the_banks_credit_for_a_whole_batch_is_recognised_by_its_message_id(
    session: Session, company: Company
) -> None:
    _customer, _invoice, collection = collected(session, company)
    batch = session.get_one(DebitBatch, collection.batch_id)
    credit = camt(
        "ES7921000813610123456789",
        [Entry(75_00, text=f"{batch.message_id}-1 SEPA DD", booked=COLLECT)],
        kind="054",
    )
    import_statement_file(session, company, credit, on=COLLECT, now=NOW, by=BY)
    line = session.scalars(select(StatementLine)).one()
    assert (line.state, line.applied_by) == ("applied", "sepa")
    assert len(session.scalars(select(Payment)).all()) == 1
