import csv
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.errors import Invalid
from cobro.importer.mapping import Mapping
from cobro.importer.report import ImportReport, Problem, RowsInvalid
from cobro.importer.service import ImportOptions, import_file
from cobro.invoice.models import Installment, Invoice
from cobro.invoice.service import get_invoice
from cobro.payment.models import Allocation, Payment
from cobro.payment.service import check_ledger
from tests.factories.ledger import make_company, make_customer, make_payment
from tests.importer.helpers import INVOICE_HEADER, ledger_counts, write_csv

GOOD = [
    INVOICE_HEADER,
    ["F-1", "C1", "2026-01-10", "2026-02-09", "121.00", "EUR"],
    ["F-2", "C1", "2026-01-15", "", "50", "EUR"],
]


@pytest.fixture
def company(session: Session) -> Company:
    company = make_company(session)
    make_customer(session, company, "C1")
    return company


def run(session: Session, company: Company, path: Path, **options: object) -> ImportReport:
    report = import_file(session, company, "invoices", path, ImportOptions(**options))  # type: ignore[arg-type]
    assert check_ledger(session, company.id) == []
    return report


def problems(session: Session, company: Company, path: Path, **options: object) -> list[Problem]:
    before = ledger_counts(session)
    with pytest.raises(RowsInvalid) as caught:
        run(session, company, path, **options)
    assert ledger_counts(session) == before
    return caught.value.report.problems


def test_an_invoice_file_creates_invoices_with_their_derived_fields(
    session: Session, company: Company, tmp_path: Path
) -> None:
    report = run(session, company, write_csv(tmp_path / "f.csv", GOOD))
    assert report.count("invoices").created == 2
    first = get_invoice(session, company.id, "F-1")
    assert (first.total, first.open_amount, first.currency) == (121_00, 121_00, "EUR")
    assert first.due_date == date(2026, 2, 9)
    assert first.payment_reference.startswith("RF")
    assert get_invoice(session, company.id, "F-2").due_date == date(2026, 1, 15)


def test_importing_the_same_file_again_changes_nothing(
    session: Session, company: Company, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "f.csv", GOOD)
    run(session, company, path)
    before = ledger_counts(session)
    report = run(session, company, path)
    assert dict(report.counts) == {"invoices": report.count("invoices")}
    assert (report.count("invoices").unchanged, report.count("invoices").created) == (2, 0)
    assert ledger_counts(session) == before


def test_a_changed_row_updates_the_invoice_and_keeps_what_was_paid(
    session: Session, company: Company, tmp_path: Path
) -> None:
    run(session, company, write_csv(tmp_path / "f.csv", GOOD))
    make_payment(session, company, None, 40_00, invoices=("F-1",))
    changed = [GOOD[0], ["F-1", "C1", "2026-01-10", "2026-03-01", "150.00", "EUR"]]
    report = run(session, company, write_csv(tmp_path / "g.csv", changed))
    assert report.count("invoices").updated == 1
    invoice = get_invoice(session, company.id, "F-1")
    assert (invoice.total, invoice.open_amount) == (150_00, 110_00)
    assert invoice.due_date == date(2026, 3, 1)


def test_an_update_below_what_was_paid_or_to_another_currency_is_refused(
    session: Session, company: Company, tmp_path: Path
) -> None:
    run(session, company, write_csv(tmp_path / "f.csv", GOOD))
    make_payment(session, company, None, 100_00, invoices=("F-1",))
    rows = [
        GOOD[0],
        ["F-1", "C1", "2026-01-10", "2026-02-09", "90.00", "EUR"],
        ["F-1", "C1", "2026-01-10", "2026-02-09", "121.00", "USD"],
    ]
    found = problems(session, company, write_csv(tmp_path / "g.csv", rows))
    assert [(p.row, p.column, p.value) for p in found] == [
        (2, "Amount", "90.00"),
        (3, "Currency", "USD"),
    ]
    assert "below the 10000 already paid" in found[0].reason
    assert "cannot change the currency" in found[1].reason


def test_a_paid_invoice_cannot_move_to_another_customer(
    session: Session, company: Company, tmp_path: Path
) -> None:
    make_customer(session, company, "C2")
    run(session, company, write_csv(tmp_path / "f.csv", GOOD))
    make_payment(session, company, None, 10_00, invoices=("F-1",))
    rows = [GOOD[0], ["F-1", "C2", "2026-01-10", "2026-02-09", "121.00", "EUR"]]
    found = problems(session, company, write_csv(tmp_path / "g.csv", rows))
    assert [(p.row, p.column, p.value) for p in found] == [(2, "Customer", "C2")]
    assert "another customer" in found[0].reason


def test_a_bad_row_stops_the_whole_file_and_is_told_by_row_column_and_value(
    session: Session, company: Company, tmp_path: Path
) -> None:
    rows = [*GOOD, ["F-3", "C1", "2026-01-20", "", "abc", "EUR"]]
    path = write_csv(tmp_path / "f.csv", rows)
    with pytest.raises(RowsInvalid) as caught:
        run(session, company, path)
    assert caught.value.report.problems == [Problem(4, "Amount", "abc", "'abc' is not an amount")]
    assert caught.value.message.startswith(f"{path}: row 4, column 'Amount': 'abc':")
    assert session.scalars(select(Invoice.number)).all() == []


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        (["F-9", "C1", "31/01/2026", "", "10", "EUR"], "Issue date", "is not a real date"),
        (["F-9", "C1", "mañana", "", "10", "EUR"], "Issue date", "is not a date"),
        (["F-9", "C1", "2026-01-10", "", "-10", "EUR"], "Amount", "must be positive"),
        (["F-9", "C1", "2026-01-10", "", "0", "EUR"], "Amount", "must be positive"),
        (["F-9", "C1", "2026-01-10", "", "10.5555", "EUR"], "Amount", "more decimals than EUR"),
        (["F-9", "C1", "2026-01-10", "", "10.5", "JPY"], "Amount", "more decimals than JPY"),
        (["F-9", "C1", "2026-01-10", "", "10", "EURO"], "Currency", "unknown currency 'EURO'"),
        (["F-9", "C7", "2026-01-10", "", "10", "EUR"], "Customer", "no customer 'C7'"),
        (["", "C1", "2026-01-10", "", "10", "EUR"], "Invoice number", "is empty"),
        (["F-9", "C1", "", "", "10", "EUR"], "Issue date", "is empty"),
        (["F-9", "C1", "2026-01-10", "2026-01-01", "10", "EUR"], "Due date", "before the issue"),
        (["F-9", "C1", "1/10/1850", "", "10", "EUR"], "Issue date", "out of range"),
        (["F" * 61, "C1", "2026-01-10", "", "10", "EUR"], "Invoice number", "at most 60 fit"),
    ],
)
def test_each_kind_of_bad_value_is_reported_at_its_row_and_column(
    session: Session,
    company: Company,
    tmp_path: Path,
    row: list[str],
    column: str,
    reason: str,
) -> None:
    found = problems(session, company, write_csv(tmp_path / "f.csv", [*GOOD, row]))
    assert len(found) == 1
    assert (found[0].row, found[0].column, found[0].value) == (4, column, row[
        INVOICE_HEADER.index(column)
    ])  # fmt: skip
    assert reason in found[0].reason


def test_every_problem_of_a_row_is_reported_at_once(
    session: Session, company: Company, tmp_path: Path
) -> None:
    rows = [GOOD[0], ["F-1", "C1", "someday", "", "ten", "XXX"]]
    found = problems(session, company, write_csv(tmp_path / "f.csv", rows))
    assert [p.column for p in found] == ["Currency", "Issue date"]
    assert {p.row for p in found} == {2}


def test_a_tax_above_the_total_points_at_the_tax_column(
    session: Session, company: Company, tmp_path: Path
) -> None:
    rows = [["Invoice", "Customer", "Date", "Amount", "IVA"], ["F-1", "C1", "2026-01-10", "10",
            "11"]]  # fmt: skip
    found = problems(session, company, write_csv(tmp_path / "f.csv", rows))
    assert (found[0].column, found[0].value) == ("IVA", "11")


def test_partial_imports_the_good_rows_and_rejects_the_bad_ones_with_row_and_error(
    session: Session, company: Company, tmp_path: Path
) -> None:
    rows = [*GOOD, ["F-3", "C1", "2026-01-20", "", "abc", "EUR"], ["F-4", "C9", "2026-01-20",
            "", "5", "EUR"]]  # fmt: skip
    path = write_csv(tmp_path / "invoices.csv", rows, delimiter=";")
    report = run(session, company, path, partial=True)
    assert report.count("invoices").created == 2
    assert report.rejected == 2
    assert report.rejects_file == tmp_path / "invoices.rejects.csv"
    with report.rejects_file.open(encoding="utf-8-sig", newline="") as handle:
        rejected = list(csv.reader(handle, delimiter=";"))
    assert rejected == [
        [*INVOICE_HEADER, "row", "error"],
        ["F-3", "C1", "2026-01-20", "", "abc", "EUR", "4", "Amount: 'abc' is not an amount"],
        ["F-4", "C9", "2026-01-20", "", "5", "EUR", "5", "Customer: no customer 'C9' (import "
         "customers first, or use --create-customers)"],
    ]  # fmt: skip
    assert sorted(session.scalars(select(Invoice.number))) == ["F-1", "F-2"]


def test_the_reject_file_can_be_named(session: Session, company: Company, tmp_path: Path) -> None:
    rows = [*GOOD, ["F-3", "C1", "2026-01-20", "", "abc", "EUR"]]
    target = tmp_path / "bad.csv"
    run(session, company, write_csv(tmp_path / "f.csv", rows), partial=True, rejects=target)
    assert target.read_text(encoding="utf-8").splitlines()[1].startswith("F-3,")


def test_a_number_repeated_with_the_same_content_is_imported_once(
    session: Session, company: Company, tmp_path: Path
) -> None:
    report = run(session, company, write_csv(tmp_path / "f.csv", [*GOOD, GOOD[1]]))
    assert report.count("invoices").created == 2


def test_a_number_repeated_with_other_content_is_an_error_naming_the_first_row(
    session: Session, company: Company, tmp_path: Path
) -> None:
    rows = [*GOOD, ["F-1", "C1", "2026-01-10", "2026-02-09", "122.00", "EUR"]]
    found = problems(session, company, write_csv(tmp_path / "f.csv", rows))
    assert (found[0].row, found[0].column) == (4, "Invoice number")
    assert found[0].reason == "invoice F-1 is already in row 2 with other content"


def test_day_first_dates_and_decimal_commas_are_read_as_told(
    session: Session, company: Company, tmp_path: Path
) -> None:
    rows = [INVOICE_HEADER, ["F-1", "C1", "01/02/2026", "03/03/2026", "1.234,5", "EUR"]]
    mapping = Mapping(dayfirst=True, decimal=",")
    run(session, company, write_csv(tmp_path / "f.csv", rows), mapping=mapping)
    invoice = get_invoice(session, company.id, "F-1")
    assert (invoice.issue_date, invoice.due_date) == (date(2026, 2, 1), date(2026, 3, 3))
    assert invoice.total == 1234_50


def test_defaults_fill_a_missing_column_and_empty_cells(
    session: Session, company: Company, tmp_path: Path
) -> None:
    rows = [["Invoice", "Customer", "Date", "Amount", "Currency"],
            ["F-1", "C1", "2026-01-10", "10", ""],
            ["F-2", "C1", "2026-01-10", "10", "EUR"]]  # fmt: skip
    run(session, company, write_csv(tmp_path / "f.csv", rows),
        mapping=Mapping(defaults={"currency": "USD", "terms": "NET30"}))  # fmt: skip
    first, second = get_invoice(session, company.id, "F-1"), get_invoice(session, company.id, "F-2")
    assert (first.currency, second.currency) == ("USD", "EUR")
    assert first.due_date == date(2026, 2, 9)


def test_the_customers_terms_give_the_due_date_when_the_file_has_none(
    session: Session, company: Company, tmp_path: Path
) -> None:
    make_customer(session, company, "C2", terms="NET45")
    rows = [["Invoice", "Customer", "Date", "Amount"], ["F-1", "C2", "2026-01-10", "10"],
            ["F-2", "C2", "2026-01-10", "10"]]  # fmt: skip
    run(session, company, write_csv(tmp_path / "f.csv", rows))
    assert get_invoice(session, company.id, "F-1").due_date == date(2026, 2, 24)
    assert run(session, company, tmp_path / "f.csv").count("invoices").unchanged == 2


def test_a_terms_column_gives_the_due_date_and_installments(
    session: Session, company: Company, tmp_path: Path
) -> None:
    rows = [["Invoice", "Customer", "Date", "Amount", "Terms"],
            ["F-1", "C1", "2026-01-10", "100", "50%@30 50%@60"]]  # fmt: skip
    run(session, company, write_csv(tmp_path / "f.csv", rows))
    invoice = get_invoice(session, company.id, "F-1")
    assert invoice.due_date == date(2026, 3, 11)
    parts = session.scalars(select(Installment).where(Installment.invoice_id == invoice.id))
    assert [(p.due_date, p.amount) for p in parts] == [
        (date(2026, 2, 9), 50_00),
        (date(2026, 3, 11), 50_00),
    ]
    assert run(session, company, tmp_path / "f.csv").count("invoices").unchanged == 1


def test_unreadable_terms_are_a_row_error(
    session: Session, company: Company, tmp_path: Path
) -> None:
    rows = [["Invoice", "Customer", "Date", "Amount", "Terms"],
            ["F-1", "C1", "2026-01-10", "100", "whenever"]]  # fmt: skip
    found = problems(session, company, write_csv(tmp_path / "f.csv", rows))
    assert (found[0].column, found[0].value) == ("Terms", "whenever")


def test_create_customers_makes_the_missing_ones_with_the_default_country_and_tags(
    session: Session, company: Company, tmp_path: Path
) -> None:
    rows = [["Invoice", "Customer", "Date", "Amount", "Zone"],
            ["F-1", "N1", "2026-01-10", "10", "north"],
            ["F-2", "N1", "2026-01-11", "10", "west"]]  # fmt: skip
    mapping = Mapping(columns={"Zone": "tag:zone"}, defaults={"country": "US"})
    path = write_csv(tmp_path / "f.csv", rows)
    assert problems(session, company, path, mapping=mapping)[0].column == "Customer"
    report = run(session, company, path, mapping=mapping, create_customers=True)
    assert report.count("customers").created == 1
    customer = session.scalars(select(Customer).where(Customer.external_id == "N1")).one()
    assert (customer.name, customer.country, customer.currency) == ("N1", "US", "USD")
    assert customer.tags == ["zone:north", "zone:west"]
    again = run(session, company, path, mapping=mapping, create_customers=True)
    assert "customers" not in again.counts


def test_a_settled_date_records_one_full_payment_that_reimporting_finds(
    session: Session, company: Company, tmp_path: Path
) -> None:
    rows = [[*INVOICE_HEADER, "Paid on"], [*GOOD[1], "2026-02-20"], [*GOOD[2], ""]]
    path = write_csv(tmp_path / "f.csv", rows)
    report = run(session, company, path)
    assert report.count("payments").created == 1
    invoice = get_invoice(session, company.id, "F-1")
    assert (invoice.open_amount, invoice.settled_on) == (0, date(2026, 2, 20))
    payment = session.scalars(select(Payment)).one()
    assert (payment.external_id, payment.amount, payment.unapplied) == ("SETTLE-F-1", 121_00, 0)
    allocation = session.scalars(select(Allocation)).one()
    assert (allocation.invoice_id, allocation.applied_on) == (invoice.id, date(2026, 2, 20))
    again = run(session, company, path)
    assert again.count("payments").unchanged == 1
    assert again.count("invoices").unchanged == 2


def test_a_settled_date_on_a_partly_paid_invoice_pays_the_rest(
    session: Session, company: Company, tmp_path: Path
) -> None:
    run(session, company, write_csv(tmp_path / "f.csv", GOOD))
    make_payment(session, company, None, 21_00, invoices=("F-1",))
    rows = [[*INVOICE_HEADER, "Paid on"], [*GOOD[1], "2026-02-20"]]
    report = run(session, company, write_csv(tmp_path / "g.csv", rows))
    assert report.count("invoices").updated == 1
    settle = session.scalars(select(Payment).where(Payment.external_id == "SETTLE-F-1")).one()
    assert settle.amount == 100_00
    assert get_invoice(session, company.id, "F-1").open_amount == 0


def test_a_settlement_before_the_issue_date_is_a_row_error(
    session: Session, company: Company, tmp_path: Path
) -> None:
    rows = [[*INVOICE_HEADER, "Paid on"], [*GOOD[1], "2025-12-31"]]
    found = problems(session, company, write_csv(tmp_path / "f.csv", rows))
    assert (found[0].column, found[0].value) == ("Paid on", "2025-12-31")


def test_a_file_with_only_a_header_has_nothing_to_import(
    session: Session, company: Company, tmp_path: Path
) -> None:
    with pytest.raises(Invalid, match="there are no rows under the header"):
        run(session, company, write_csv(tmp_path / "f.csv", [INVOICE_HEADER]))


def test_a_dry_run_counts_what_would_change_and_writes_nothing(
    session: Session, company: Company, tmp_path: Path
) -> None:
    before = ledger_counts(session)
    report = run(session, company, write_csv(tmp_path / "f.csv", GOOD), dry_run=True)
    assert report.count("invoices").created == 2
    assert ledger_counts(session) == before


def test_a_row_split_by_an_unquoted_delimiter_is_rejected(
    session: Session, company: Company, tmp_path: Path
) -> None:
    path = tmp_path / "f.csv"
    path.write_text("Invoice,Customer,Date,Amount\nF-1,C1,2026-01-10,1,234.50\n", encoding="utf-8")
    found = problems(session, company, path)
    assert (found[0].row, found[0].column) == (2, "")
    assert "has 5 cells but the header has 4" in found[0].reason


def test_objects_the_caller_holds_show_what_the_import_wrote(
    session: Session, company: Company, tmp_path: Path
) -> None:
    run(session, company, write_csv(tmp_path / "f.csv", GOOD))
    invoice = get_invoice(session, company.id, "F-1")
    assert invoice.total == 121_00
    changed = [GOOD[0], ["F-1", "C1", "2026-01-10", "2026-02-09", "130.00", "EUR"]]
    run(session, company, write_csv(tmp_path / "g.csv", changed))
    assert invoice.total == 130_00


def test_a_file_read_with_the_wrong_delimiter_says_so(
    session: Session, company: Company, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "f.csv", GOOD, delimiter=";")
    with pytest.raises(Invalid) as caught:
        run(session, company, path, mapping=Mapping(delimiter=","))
    assert caught.value.message.startswith(f"{path}: no column for the required field number")
    assert "only one column was found: is the delimiter right?" in caught.value.message
