"""Small helpers for importer tests: files in a temporary folder, row counts of the ledger."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobro.models import (
    Allocation,
    Contact,
    Customer,
    Installment,
    Invoice,
    Payment,
    PaymentTerms,
)

INVOICE_HEADER = ["Invoice number", "Customer", "Issue date", "Due date", "Amount", "Currency"]


def write_csv(
    path: Path, rows: list[list[str]], delimiter: str = ",", encoding: str = "utf-8"
) -> Path:
    with path.open("w", newline="", encoding=encoding) as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


def ledger_counts(session: Session) -> dict[str, int]:
    """How many rows each ledger table holds: equal before and after means nothing written."""
    models = (Customer, Contact, Invoice, Installment, Payment, Allocation, PaymentTerms)
    return {
        model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
        for model in models
    }
