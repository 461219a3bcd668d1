"""Shared by the benchmarks: a SQLite file holding the demo company, built once."""

from __future__ import annotations

import resource
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

from cobro.db import make_engine, transaction, upgrade
from cobro.demo.service import DemoOptions, DemoSummary, build_demo

ON = date(2026, 11, 24)  # a Tuesday; fixed so that runs compare


def build(
    path: Path, invoices: int, on: date = ON, seed: int = 42, customers: int | None = None
) -> tuple[DemoSummary, float]:
    """Migrate `path` and build the demo in one transaction; (summary, seconds with commit).
    `customers`: how many (None: the demo's default)."""
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    started = time.perf_counter()
    with transaction(engine) as session:
        options = DemoOptions(on=on, seed=seed, invoices=invoices, replace=True)
        if customers is not None:
            options = replace(options, customers=customers)
        summary = build_demo(session, options)
    seconds = time.perf_counter() - started
    engine.dispose()
    return summary, seconds


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
