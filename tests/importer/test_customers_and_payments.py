from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.customer.service import get_customer
from cobro.importer.mapping import Kind
from cobro.importer.report import ImportReport, Problem, RowsInvalid
from cobro.importer.service import ImportOptions, import_file
from cobro.invoice.service import get_invoice
from cobro.payment.models import Payment
from cobro.payment.service import check_ledger
from cobro.terms.models import PaymentTerms
from tests.factories.ledger import make_company, make_customer, make_invoice
from tests.importer.helpers import ledger_counts, write_csv

CUSTOMERS = [
    ["Código cliente", "Razón social", "País", "Correo", "Teléfono", "Límite de crédito",
     "Forma de pago", "NIF", "Tipo"],
    ["C1", "Talleres Pérez S.L.", "ES", "pagos@perez.es", "+34 600 000 000", "5.000,00",
     "NET30", "B12345678", "empresa"],
    ["C2", "Ana López", "ES", "", "", "", "", "", "particular"],
]  # fmt: skip


@pytest.fixture
def company(session: Session) -> Company:
    return make_company(session)


def run(
    session: Session, company: Company, kind: Kind, path: Path, **options: object
) -> ImportReport:
    report = import_file(session, company, kind, path, ImportOptions(**options))  # type: ignore[arg-type]
    assert check_ledger(session, company.id) == []
    return report


def problems(
    session: Session, company: Company, kind: Kind, path: Path, **options: object
) -> list[Problem]:
    before = ledger_counts(session)
    with pytest.raises(RowsInvalid) as caught:
        run(session, company, kind, path, **options)
    assert ledger_counts(session) == before
    return caught.value.report.problems


def test_a_customer_file_creates_customers_with_contact_terms_and_credit_limit(
    session: Session, company: Company, tmp_path: Path
) -> None:
    report = run(session, company, "customers", write_csv(tmp_path / "c.csv", CUSTOMERS))
    assert report.count("customers").created == 2
    first = get_customer(session, company.id, "C1")
    assert (first.name, first.country, first.language, first.currency) == (
        "Talleres Pérez S.L.", "ES", "es", "EUR",
    )  # fmt: skip
    assert (first.credit_limit, first.tax_id, first.kind) == (5000_00, "B12345678", "business")
    terms = session.get(PaymentTerms, first.terms_id)
    assert terms is not None
    assert terms.code == "NET30"
    assert (first.contacts[0].email, first.contacts[0].phone) == (
        "pagos@perez.es", "+34 600 000 000",
    )  # fmt: skip
    assert get_customer(session, company.id, "C2").kind == "consumer"


def test_reimporting_a_customer_file_changes_nothing(
    session: Session, company: Company, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "c.csv", CUSTOMERS)
    run(session, company, "customers", path)
    before = ledger_counts(session)
    assert run(session, company, "customers", path).count("customers").unchanged == 2
    assert ledger_counts(session) == before


def test_columns_a_customer_file_lacks_keep_their_stored_values(
    session: Session, company: Company, tmp_path: Path
) -> None:
    run(session, company, "customers", write_csv(tmp_path / "c.csv", CUSTOMERS))
    emails = [["Customer ID", "Email"], ["C1", "ap@perez.es"]]
    report = run(session, company, "customers", write_csv(tmp_path / "e.csv", emails))
    assert report.count("customers").updated == 1
    customer = get_customer(session, company.id, "C1")
    assert (customer.name, customer.tax_id, customer.credit_limit) == (
        "Talleres Pérez S.L.", "B12345678", 5000_00,
    )  # fmt: skip
    assert (customer.contacts[0].email, customer.contacts[0].phone) == (
        "ap@perez.es", "+34 600 000 000",
    )  # fmt: skip


def test_an_empty_cell_clears_an_optional_value(
    session: Session, company: Company, tmp_path: Path
) -> None:
    run(session, company, "customers", write_csv(tmp_path / "c.csv", CUSTOMERS))
    cleared = [["Customer ID", "NIF", "Límite de crédito"], ["C1", "", ""]]
    run(session, company, "customers", write_csv(tmp_path / "d.csv", cleared))
    customer = get_customer(session, company.id, "C1")
    assert (customer.tax_id, customer.credit_limit) == (None, None)


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("País", "Spain", "unknown country 'Spain'"),
        ("Correo", "pagos@", "is not an email address"),
        ("Teléfono", "call me", "is not a phone number"),
        ("Límite de crédito", "-5", "credit limit -500 is negative"),
        ("Forma de pago", "whenever", "not understood"),
        ("Tipo", "alien", "expected business or consumer"),
        ("Razón social", "", "customer name is empty"),
    ],
)
def test_a_bad_customer_value_is_reported_at_its_column(
    session: Session, company: Company, tmp_path: Path, column: str, value: str, reason: str
) -> None:
    row = list(CUSTOMERS[1])
    row[CUSTOMERS[0].index(column)] = value
    found = problems(session, company, "customers", write_csv(tmp_path / "c.csv", [
        CUSTOMERS[0], row,
    ]))  # fmt: skip
    assert [(p.row, p.column, p.value) for p in found] == [(2, column, value)]
    assert reason in found[0].reason


def test_a_new_customer_needs_a_name_even_when_the_file_has_no_name_column(
    session: Session, company: Company, tmp_path: Path
) -> None:
    rows = [["Customer ID", "Email"], ["C9", "x@y.es"]]
    found = problems(session, company, "customers", write_csv(tmp_path / "c.csv", rows))
    assert (found[0].column, found[0].reason) == ("name", "customer name is empty")


@pytest.fixture
def ledger(session: Session, company: Company) -> Company:
    customer = make_customer(session, company, "C1")
    other = make_customer(session, company, "C2")
    make_invoice(session, company, customer, 100_00, due_date=date(2026, 1, 31), number="F-1")
    make_invoice(session, company, customer, 50_00, due_date=date(2026, 2, 28), number="F-2")
    make_invoice(session, company, customer, 70_00, due_date=date(2026, 3, 31), number="F-3")
    make_invoice(session, company, other, 10_00, number="G-1")
    make_invoice(session, company, other, 10_00, number="U-1", currency="USD")
    return company


PAYMENTS = [
    ["Payment ID", "Customer", "Date", "Amount", "Invoices", "Method"],
    ["P1", "C1", "2026-02-01", "150,00", "F-1; F-2", "transfer"],
    ["P2", "", "2026-02-02", "30", "F-3", ""],
    ["P3", "C1", "2026-02-03", "12.50", "", "cash"],
]


def test_a_payment_file_records_payments_and_applies_them_to_the_named_invoices(
    session: Session, ledger: Company, tmp_path: Path
) -> None:
    report = run(session, ledger, "payments", write_csv(tmp_path / "p.csv", PAYMENTS))
    assert report.count("payments").created == 3
    assert get_invoice(session, ledger.id, "F-1").open_amount == 0
    assert get_invoice(session, ledger.id, "F-2").settled_on == date(2026, 2, 1)
    assert get_invoice(session, ledger.id, "F-3").open_amount == 40_00
    cash = session.scalars(select(Payment).where(Payment.external_id == "P3")).one()
    assert (cash.amount, cash.unapplied, cash.method) == (12_50, 12_50, "cash")


def test_reimporting_a_payment_file_changes_nothing(
    session: Session, ledger: Company, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "p.csv", PAYMENTS)
    run(session, ledger, "payments", path)
    before = ledger_counts(session)
    assert run(session, ledger, "payments", path).count("payments").unchanged == 3
    assert ledger_counts(session) == before


def test_apply_oldest_pays_the_customers_oldest_open_invoices_and_keeps_the_rest(
    session: Session, ledger: Company, tmp_path: Path
) -> None:
    rows = [["Payment ID", "Customer", "Date", "Amount"], ["P1", "C1", "2026-02-01", "230"]]
    run(session, ledger, "payments", write_csv(tmp_path / "p.csv", rows), apply_oldest=True)
    assert [get_invoice(session, ledger.id, n).open_amount for n in ("F-1", "F-2", "F-3")] == [
        0, 0, 0,
    ]  # fmt: skip
    assert session.scalars(select(Payment)).one().unapplied == 10_00


def test_an_overpayment_of_a_named_invoice_stays_unapplied(
    session: Session, ledger: Company, tmp_path: Path
) -> None:
    rows = [["Payment ID", "Date", "Amount", "Invoice"], ["P1", "2026-02-01", "120", "F-1"]]
    run(session, ledger, "payments", write_csv(tmp_path / "p.csv", rows))
    payment = session.scalars(select(Payment)).one()
    assert (payment.unapplied, payment.customer_id) == (
        20_00, get_customer(session, ledger.id, "C1").id,
    )  # fmt: skip


def test_the_reference_identifies_a_payment_when_the_file_has_no_id_column(
    session: Session, ledger: Company, tmp_path: Path
) -> None:
    rows = [["Referencia", "Fecha", "Importe"], ["TRF-778", "2026-02-01", "5"]]
    path = write_csv(tmp_path / "p.csv", rows)
    run(session, ledger, "payments", path)
    assert session.scalars(select(Payment.external_id)).all() == ["TRF-778"]
    assert run(session, ledger, "payments", path).count("payments").unchanged == 1


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        (["P9", "C1", "2026-02-01", "10", "F-404"], "Invoices", "no invoice 'F-404'"),
        (["P9", "C1", "2026-02-01", "10", "G-1"], "Invoices", "belongs to another customer"),
        (["P9", "", "2026-02-01", "10", "F-1;G-1"], "Invoices", "belongs to another customer"),
        (["P9", "C2", "2026-02-01", "10", "U-1"], "Invoices", "is in USD, the payment in EUR"),
        (["P9", "C7", "2026-02-01", "10", ""], "Customer", "no customer 'C7'"),
        (["P9", "C1", "2026-02-01", "0", ""], "Amount", "must be positive"),
        (["P9", "C1", "2026-02-01", "-3", ""], "Amount", "must be positive"),
        (["P1", "C1", "2026-02-01", "99", ""], "Payment ID", "already exists with other"),
    ],
)
def test_a_bad_payment_row_is_reported_at_its_column(
    session: Session, ledger: Company, tmp_path: Path, row: list[str], column: str, reason: str
) -> None:
    run(session, ledger, "payments", write_csv(tmp_path / "p.csv", PAYMENTS[:2]))
    header = PAYMENTS[0][:5]
    found = problems(session, ledger, "payments", write_csv(tmp_path / "q.csv", [header, row]))
    assert [(p.row, p.column) for p in found] == [(2, column)]
    assert reason in found[0].reason


def test_payments_can_create_their_missing_customers(
    session: Session, ledger: Company, tmp_path: Path
) -> None:
    rows = [["Payment ID", "Customer", "Payer", "Date", "Amount"],
            ["P1", "C9", "Nuevo S.A.", "2026-02-01", "10"]]  # fmt: skip
    report = run(session, ledger, "payments", write_csv(tmp_path / "p.csv", rows),
                 create_customers=True)  # fmt: skip
    assert report.count("customers").created == 1
    assert get_customer(session, ledger.id, "C9").name == "Nuevo S.A."
