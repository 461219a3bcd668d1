"""Export of open items — invoices with something left to pay — to CSV or Excel.

Amounts are written as plain decimal text ("1234.56"), never as floats, so that no spreadsheet
or script reading the file can turn a cent into 0.009999. The headers are ones the importer
recognises, so an export can be read back.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.errors import Invalid
from cobro.invoice.models import Invoice
from cobro.invoice.rules import days_past_due
from cobro.kit.money import format_minor

HEADERS = (
    "Customer ID",
    "Customer name",
    "Invoice number",
    "Issue date",
    "Due date",
    "Currency",
    "Total",
    "Open amount",
    "Days past due",
)
FORMATS = (".csv", ".xlsx")

ExportRow = tuple[str, str, str, date, date, str, str, str, int]


def open_items(session: Session, company_id: int, on: date) -> Iterator[ExportRow]:
    """Open invoices as stored, by customer and due date; days past due counted to `on`."""
    query = (
        select(
            Customer.external_id,
            Customer.name,
            Invoice.number,
            Invoice.issue_date,
            Invoice.due_date,
            Invoice.currency,
            Invoice.total,
            Invoice.open_amount,
        )
        .join(Customer, Customer.id == Invoice.customer_id)
        .where(Invoice.company_id == company_id, Invoice.open_amount > 0)
        .order_by(Customer.external_id, Invoice.due_date, Invoice.number)
        .execution_options(yield_per=5000)
    )
    for customer, name, number, issued, due, currency, total, open_amount in session.execute(query):
        yield (
            customer,
            name,
            number,
            issued,
            due,
            currency,
            format_minor(total, currency),
            format_minor(open_amount, currency),
            days_past_due(due, on),
        )


def export_open_items(session: Session, company: Company, path: Path, on: date) -> int:
    """Write the open items to `path` (.csv or .xlsx, by its suffix); returns how many.

    The file appears whole or not at all: it is written beside the target and then renamed.
    """
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise Invalid(f"{path}: write to a .csv or .xlsx file (the suffix chooses the format)")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise Invalid(f"{path}: folder {folder} does not exist")
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=suffix)
        os.close(handle)
    except OSError as exc:
        raise Invalid(f"cannot write in {folder}: {exc.strerror}") from None
    try:
        rows = open_items(session, company.id, on)
        count = (
            _write_xlsx(Path(temporary), rows)
            if suffix == ".xlsx"
            else _write_csv(Path(temporary), rows)
        )
        os.replace(temporary, path)
    except OSError as exc:
        raise Invalid(f"cannot write {path}: {exc.strerror}") from None
    finally:
        Path(temporary).unlink(missing_ok=True)
    return count


def _write_csv(path: Path, rows: Iterator[ExportRow]) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        for row in rows:
            writer.writerow([*row[:3], row[3].isoformat(), row[4].isoformat(), *row[5:]])
            count += 1
    return count


def _write_xlsx(path: Path, rows: Iterator[ExportRow]) -> int:
    from openpyxl import Workbook  # noqa: PLC0415 (see readers: only Excel work needs it)

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Open items")
    sheet.append(list(HEADERS))
    count = 0
    for row in rows:
        # dates stay dates (Excel sorts and filters them); amounts are text, as in the CSV
        sheet.append(list(row))
        count += 1
    book.save(path)
    return count
