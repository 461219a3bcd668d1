"""`cobro demo --invoices 1000000` into a fresh SQLite file: seconds, invoices/s, peak RSS.

Target (issue #2): ≤ 90 s on the 2-core machine. Usage: python bench/demo_1m.py [INVOICES]
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from _demo_db import build, peak_rss_mib


def main() -> int:
    invoices = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory(prefix="cobro-bench-") as folder:
        path = Path(folder) / "demo.db"
        summary, seconds = build(path, invoices)
        size = sum(p.stat().st_size for p in Path(folder).iterdir()) / 2**20
    rows = sum(summary.rows.values())
    print(
        f"demo: {invoices:,} invoices, {rows:,} rows in all, into SQLite ({os.cpu_count()} cores)"
    )
    print(f"  {seconds:.1f} s (generation, writing and commit)")
    print(f"  {invoices / seconds:,.0f} invoices/s, {rows / seconds:,.0f} rows/s")
    print(f"  peak RSS {peak_rss_mib():.0f} MiB; database with WAL {size:,.0f} MiB")
    print("  rows: " + ", ".join(f"{name} {count:,}" for name, count in summary.rows.items()))
    return 0 if invoices < 1_000_000 or seconds <= 90 else 1


if __name__ == "__main__":
    sys.exit(main())
