"""The KPIs read from the ledger: the figures a period's formulas need (AR at both ends, what
was not yet due, credit sales, write-offs, days to pay, promises), per currency; what happens
after the period changes nothing; an empty company has no figures, a period with no sales
has its ratios not defined; `cobro report kpis` prints them."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from cobro.cli import app as cli_app
from cobro.errors import Invalid
from cobro.invoice.service import write_off
from cobro.report.kpi_rules import rounded
from cobro.report.kpis import receivables_kpis
from tests.factories.ledger import make_company, make_customer, make_invoice, make_payment
from tests.support.cli import acme, cli_database, cli_ok, cli_refused

START, END = date(2026, 3, 1), date(2026, 3, 31)


def ledger(session: Session) -> int:
    company = make_company(session)
    customer = make_customer(session, company)
    # open at the start: 1,000.00 issued in February, due 10 March, paid 15 March
    old = make_invoice(session, company, customer, 1000_00, date(2026, 2, 1), date(2026, 3, 10))
    make_payment(session, company, customer, 1000_00, date(2026, 3, 15), (old.number,))
    # March sales: 3,000.00 (overdue at the end) and 3,100.00 (not yet due at the end)
    late = make_invoice(session, company, customer, 3000_00, date(2026, 3, 2), date(2026, 3, 20))
    make_invoice(session, company, customer, 3100_00, date(2026, 3, 5), date(2026, 4, 30))
    write_off(session, late, 100_00, date(2026, 3, 25), "rounding")
    # after the period: must not count
    make_payment(session, company, customer, 2900_00, date(2026, 4, 3), (late.number,))
    make_invoice(session, company, customer, 9999_00, date(2026, 4, 2), date(2026, 5, 2))
    return company.id


def test_the_period_s_figures_and_kpis(session: Session) -> None:
    [kpis] = receivables_kpis(session, ledger(session), START, END)
    assert (kpis.beginning_ar, kpis.ending_ar, kpis.ending_current) == (1000_00, 6000_00, 3100_00)
    assert (kpis.credit_sales, kpis.bad_debts) == (6100_00, 100_00)
    # 6,000 / 6,100 × 31 days
    assert rounded(kpis.dso) == Decimal("30.49")
    assert rounded(kpis.best_possible_dso) == Decimal("15.75")  # 3,100 / 6,100 × 31
    assert rounded(kpis.average_days_delinquent) == Decimal("14.74")
    # (1,000 + 6,100 − 6,000) ÷ (1,000 + 6,100 − 3,100) = 1,100 / 4,000
    assert rounded(kpis.cei) == Decimal("27.50")
    assert rounded(kpis.bad_debt_ratio) == Decimal("1.64")
    assert (kpis.days_to_pay, kpis.days_to_pay_weighted) == (
        Decimal(42),
        Decimal(42),
    )  # 1 Feb→15 Mar
    assert rounded(kpis.countback_dso) == Decimal("30.49")  # all of it March's: 6,000/6,100 × 31
    assert kpis.promises_kept_rate is None  # none ended


def test_an_empty_company_and_a_period_without_sales(session: Session) -> None:
    company = make_company(session)
    assert receivables_kpis(session, company.id, START, END) == []
    customer = make_customer(session, company)
    make_invoice(session, company, customer, 500_00, date(2026, 1, 2), date(2026, 2, 1))
    [kpis] = receivables_kpis(session, company.id, START, END)
    assert (kpis.credit_sales, kpis.ending_ar) == (0, 500_00)
    # nothing sold: no DSO, no ratio; nothing of the 500 collected: CEI 0 %
    assert (kpis.dso, kpis.best_possible_dso, kpis.cei, kpis.bad_debt_ratio) == (
        None, None, Decimal(0), None,
    )  # fmt: skip
    with pytest.raises(Invalid):
        receivables_kpis(session, company.id, END, START)


def test_the_command_prints_them_and_marks_what_is_not_defined(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = cli_database(tmp_path, monkeypatch)
    with acme(url) as (session, company):
        customer = make_customer(session, company)
        make_invoice(session, company, customer, 500_00, date(2026, 1, 2), date(2026, 2, 1))
    table = cli_ok(cli_app, "report", "kpis", "--from", "2026-03-01", "--to", "2026-03-31")
    assert "DSO, days" in table
    assert "n/d" in table
    out = cli_ok(
        cli_app, "report", "kpis", "--from", "2026-03-01", "--to", "2026-03-31", "--format", "json"
    )
    [row] = json.loads(out)["rows"]
    assert (row["dso"], row["ending_ar"], row["currency"]) == (None, "500.00", "EUR")
    assert "--format 'xml'" in cli_refused(
        cli_app, "report", "kpis", "--from", "2026-03-01", "--format", "xml"
    )
