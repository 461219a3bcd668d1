"""Benchmark: import a million invoices from CSV into a fresh SQLite database.

Generates a customers file and an invoices file in a temporary folder, imports both through
`cobro.importer.service.import_file` (what `cobro import` calls), and prints rows per second,
wall seconds and the peak resident memory of the process. Not a test: a script that prints.

    .venv/bin/python bench/import_invoices.py [--rows 1000000] [--settled 0.3] [--again]
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from cobro.company.models import Company
from cobro.company.service import create_company
from cobro.db import make_engine, transaction, upgrade
from cobro.importer.mapping import Kind
from cobro.importer.service import ImportOptions, import_file
from cobro.payment.service import check_ledger


def write_customers(path: Path, count: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["Customer ID", "Name", "Country", "Email", "Payment terms"])
        for n in range(count):
            out.writerow([f"C{n:06d}", f"Customer {n}", "ES", f"ap{n}@example.com", "NET30"])


def write_invoices(path: Path, rows: int, customers: int, settled: float) -> None:
    rng = random.Random(42)
    start = date(2024, 1, 1)
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(
            ["Invoice number", "Customer ID", "Issue date", "Due date", "Amount", "Tax",
             "Currency", "PO", "Settled date"]
        )  # fmt: skip
        for n in range(rows):
            issued = start + timedelta(days=rng.randrange(700))
            cents = rng.randrange(1_000, 5_000_000)
            paid = issued + timedelta(days=rng.randrange(90)) if rng.random() < settled else None
            out.writerow(
                [
                    f"INV-{n:08d}",
                    f"C{rng.randrange(customers):06d}",
                    issued.isoformat(),
                    (issued + timedelta(days=30)).isoformat(),
                    f"{cents // 100}.{cents % 100:02d}",
                    f"{cents * 21 // 121 // 100}.{cents * 21 // 121 % 100:02d}",
                    "EUR",
                    f"PO{n % 9973}" if n % 3 == 0 else "",
                    paid.isoformat() if paid else "",
                ]
            )


def timed_import(url: str, company: Company, kind: Kind, path: Path) -> tuple[float, float, int]:
    """Wall and CPU seconds of one import in one transaction, commit included; the ledger
    check that follows is not timed."""
    engine = make_engine(url)
    wall, cpu = time.perf_counter(), time.process_time()
    with transaction(engine) as session:
        report = import_file(session, company, kind, path, ImportOptions())
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    with transaction(engine) as session:
        if check_ledger(session, company.id):
            raise SystemExit("the ledger does not balance after the import")
    engine.dispose()
    print(f"  {kind}: {report.rows:,} rows; {dict(report.counts)}")
    return wall, cpu, report.rows


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--settled", type=float, default=0.0, help="share of paid invoices")
    parser.add_argument("--again", action="store_true", help="then import the file again")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        started = time.perf_counter()
        write_customers(root / "customers.csv", args.customers)
        write_invoices(root / "invoices.csv", args.rows, args.customers, args.settled)
        size = (root / "invoices.csv").stat().st_size / 2**20
        print(f"generated {args.rows:,} invoices ({size:.0f} MiB) in "
              f"{time.perf_counter() - started:.1f} s")  # fmt: skip
        url = f"sqlite:///{root / 'bench.db'}"
        upgrade(url)
        engine = make_engine(url)
        with transaction(engine) as session:
            company = create_company(session, "bench", "Bench S.L.", "ES", "EUR", "Europe/Madrid")
        engine.dispose()
        wall, cpu, _ = timed_import(url, company, "customers", root / "customers.csv")
        print(f"customers: {wall:.1f} s wall, {cpu:.1f} s CPU")
        runs = ["first import"] + (["re-import"] if args.again else [])
        for label in runs:
            wall, cpu, rows = timed_import(url, company, "invoices", root / "invoices.csv")
            print(
                f"invoices, {label}: {rows / wall:,.0f} rows/s, {wall:.1f} s wall, "
                f"{cpu:.1f} s CPU, peak RSS so far {peak_mib():.0f} MiB"
            )


if __name__ == "__main__":
    main()
