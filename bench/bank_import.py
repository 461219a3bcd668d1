"""A day's statement through the whole path on a real database: a camt.053 file of N lines
read, stored once, matched against the company's open invoices and applied (payments and
allocations written), as `cobro bank import` does. `bench/cash_application.py` measures the
matching alone, with its accuracy; this one measures what a user waits for.

    .venv/bin/python bench/bank_import.py [LINES] [INVOICES] [--postgresql URL]
                                          (default 10000 lines, 200000 open invoices, SQLite)

The ledger: INVOICES open invoices of INVOICES/10 customers. The statement: 70 % of the lines
pay an invoice naming its RF reference, 20 % name its number in the text, 10 % match nothing.
Figures: seconds for the whole import (one transaction, committed), lines applied and queued,
peak memory. Run it twice on the same database: the second import adds nothing.
"""

from __future__ import annotations

import random
import resource
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.factories

from sqlalchemy import insert
from tests.factories.bank import Entry, camt

from cobro.banking.accounts import add_account
from cobro.banking.imports import ImportResult, import_statement_file
from cobro.company.service import create_company, get_company
from cobro.customer.models import Customer
from cobro.db import make_engine, transaction, upgrade
from cobro.invoice.models import Invoice
from cobro.invoice.rules import payment_reference

ACCOUNT = "ES9121000418450200051332"
ON = date(2026, 3, 3)
NOW = datetime(2026, 3, 3, 8, tzinfo=UTC)
TARGET_SECONDS = 60.0  # a day's statement of 10k lines, end to end


def build_ledger(url: str, invoices: int) -> list[tuple[str, str, int]]:
    """The company, its customers and open invoices (bulk); (number, RF, amount) of each."""
    engine = make_engine(url)
    rng = random.Random(6)
    customers = max(1, invoices // 10)
    ledger = []
    with transaction(engine) as session:
        company = create_company(session, "bench", "Bench S.L.", "ES", "EUR", "Europe/Madrid")
        add_account(session, company, ACCOUNT)
        session.execute(
            insert(Customer),
            [
                {
                    "company_id": company.id,
                    "external_id": f"C{i:06d}",
                    "name": f"Cliente {i} S.L.",
                    "kind": "business",
                    "country": "ES",
                    "language": "es",
                    "timezone": "Europe/Madrid",
                    "currency": "EUR",
                    "tags": [],
                }
                for i in range(customers)
            ],
        )
        first = session.scalar(Customer.__table__.select().with_only_columns(Customer.id).limit(1))
        rows = []
        for i in range(invoices):
            number = f"F-2026-{i:07d}"
            amount = rng.randint(50_00, 5_000_00)
            reference = payment_reference("bench", number)
            ledger.append((number, reference, amount))
            rows.append(
                {
                    "company_id": company.id,
                    "customer_id": (first or 1) + i % customers,
                    "number": number,
                    "issue_date": date(2026, 1, 15),
                    "due_date": date(2026, 2, 15),
                    "currency": "EUR",
                    "total": amount,
                    "tax": 0,
                    "discount_amount": 0,
                    "payment_reference": reference,
                    "open_amount": amount,
                }
            )
        for start in range(0, len(rows), 20_000):
            session.execute(insert(Invoice), rows[start : start + 20_000])
    engine.dispose()
    return ledger


def statement(ledger: list[tuple[str, str, int]], lines: int) -> bytes:
    rng = random.Random(7)
    paid = rng.sample(ledger, lines)
    entries = []
    for index, (number, reference, amount) in enumerate(paid):
        kind = index % 10
        if kind < 7:
            entries.append(Entry(amount, rf=reference, reference=f"B{index}"))
        elif kind < 9:
            entries.append(Entry(amount, text=f"PAGO FRA {number}", reference=f"B{index}"))
        else:
            entries.append(Entry(rng.randint(1_00, 99_00), text="VARIOS", reference=f"B{index}"))
    return camt(ACCOUNT, entries, statement_id="BENCH-1")


def run(url: str, data: bytes) -> tuple[float, ImportResult]:
    engine = make_engine(url)
    started = time.perf_counter()
    with transaction(engine) as session:
        result = import_statement_file(
            session, get_company(session, "bench"), data, on=ON, now=NOW, by=(None, "bench")
        )
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed, result


def main() -> int:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    lines = int(args[0]) if args else 10_000
    invoices = int(args[1]) if len(args) > 1 else 200_000
    pg = sys.argv[sys.argv.index("--postgresql") + 1] if "--postgresql" in sys.argv else None
    with tempfile.TemporaryDirectory() as folder:
        url = pg or f"sqlite:///{folder}/bank.db"
        upgrade(url)
        ledger = build_ledger(url, invoices)
        data = statement(ledger, lines)
        print(f"{lines} lines ({len(data) / 1e6:.1f} MB camt.053) against {invoices} open invoices")
        elapsed, result = run(url, data)
        out = result.outcome
        print(
            f"import: {elapsed:.1f} s ({lines / elapsed:.0f} lines/s), applied {out.applied}, "
            f"review {out.review}, unmatched {out.unmatched}"
        )
        again, second = run(url, data)
        print(f"same file again: {again:.1f} s, new lines {second.new_lines}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:.0f} MiB; target ≤ {TARGET_SECONDS:.0f} s end to end")
    return 0 if elapsed <= TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
