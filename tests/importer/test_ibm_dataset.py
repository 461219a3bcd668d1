"""IBM's "Accounts Receivable" sample, imported in place through the documented mapping file."""

import csv
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.customer.models import Customer
from cobro.importer.mapping import load_mapping
from cobro.importer.service import ImportOptions, import_file
from cobro.invoice.models import Invoice
from cobro.invoice.rules import days_late, days_to_settle
from cobro.payment.service import check_ledger
from tests.conftest import shared_file
from tests.factories.ledger import make_company
from tests.importer.helpers import ledger_counts

MAPPING = Path(__file__).resolve().parents[2] / "docs/examples/ibm-accounts-receivable.toml"


def test_the_ibm_receivables_import_and_cobro_recomputes_days_to_settle_and_days_late(
    session: Session,
) -> None:
    path = shared_file("ar/WA_Fn-UseC_-Accounts-Receivable.csv")
    company = make_company(session, country="US", currency="USD")
    options = ImportOptions(mapping=load_mapping("invoices", MAPPING), create_customers=True)

    report = import_file(session, company, "invoices", path, options)

    assert report.problems == []
    assert (report.count("customers").created, report.count("invoices").created) == (100, 2466)
    assert report.count("payments").created == 2466
    assert check_ledger(session, company.id) == []
    stored = {
        invoice.number: invoice
        for invoice in session.scalars(select(Invoice).where(Invoice.company_id == company.id))
    }
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(stored) == 2466
    for row in rows:
        invoice = stored[row["invoiceNumber"]]
        assert invoice.settled_on is not None
        assert invoice.open_amount == 0
        assert invoice.currency == "USD"
        assert days_to_settle(invoice.issue_date, invoice.settled_on) == int(row["DaysToSettle"])
        assert days_late(invoice.due_date, invoice.settled_on) == int(row["DaysLate"])
    customers = {c.external_id: c for c in session.scalars(select(Customer))}
    first = rows[0]
    assert customers[first["customerID"]].tags == [f"region:{first['countryCode']}"]
    assert customers[first["customerID"]].country == "US"

    before = ledger_counts(session)
    again = import_file(session, company, "invoices", path, options)
    assert dict(again.counts).keys() == {"invoices", "payments"}
    assert (again.count("invoices").unchanged, again.count("payments").unchanged) == (2466, 2466)
    assert ledger_counts(session) == before
    assert check_ledger(session, company.id) == []
