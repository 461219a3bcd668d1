"""Aging of a 1M-invoice demo on SQLite: the demo's own day (stored open amounts, the fast
path) and six months earlier (open amounts as of that day, from dated reductions).

Target (issue #2): ≤ 3 s each. Usage: python bench/aging_1m.py [DB_FILE]  — a given file is
reused when it exists (built there otherwise), so repeated runs skip the minute of building.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from _demo_db import ON, build
from cobro.company.models import Company
from cobro.db import make_engine, transaction
from cobro.kit.dates import add_months
from cobro.kit.money import display
from cobro.payment.repository import reduced_after
from cobro.report.service import aging

INVOICES = 1_000_000
RUNS = 3


def measure(path: Path) -> bool:
    engine = make_engine(f"sqlite:///{path}")
    fast_enough = True
    with transaction(engine) as session:
        company = session.scalars(select(Company).where(Company.code == "demo")).one()
        for label, day in (("demo day", ON), ("6 months earlier", add_months(ON, -6))):
            path_used = "as-of" if reduced_after(session, company.id, day) else "fast (stored)"
            times = []
            for _ in range(RUNS):
                started = time.perf_counter()
                report = aging(session, company.id, day)
                times.append(time.perf_counter() - started)
            totals = ", ".join(f"{c} {display(report.total(c), c)}" for c in sorted(report.totals))
            print(
                f"  {label} ({day}, {path_used} path): first {times[0]:.2f} s, "
                f"best of {RUNS} {min(times):.2f} s; {len(report.lines):,} lines; {totals}"
            )
            fast_enough = fast_enough and times[0] <= 3
    engine.dispose()
    return fast_enough


def main() -> int:
    if len(sys.argv) > 1:
        path = Path(sys.argv[1])
        if not path.exists():
            print(f"building {INVOICES:,} invoices into {path}…", flush=True)
            build(path, INVOICES)
        print(f"aging on {path}:")
        return 0 if measure(path) else 1
    with tempfile.TemporaryDirectory(prefix="cobro-bench-") as folder:
        path = Path(folder) / "demo.db"
        print(f"building {INVOICES:,} invoices into a temporary file…", flush=True)
        _, seconds = build(path, INVOICES)
        print(f"  built in {seconds:.0f} s; aging:")
        return 0 if measure(path) else 1


if __name__ == "__main__":
    sys.exit(main())
