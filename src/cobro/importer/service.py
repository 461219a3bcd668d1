"""Import a ledger file: read it twice, write once.

Pass 1 streams the file and validates every row; nothing is written. Bad rows stop the import
(`RowsInvalid`, with every problem) unless `partial` is set. Pass 2 streams the file again and
writes the good rows in the caller's transaction; with `partial`, the bad rows go to a reject
file instead. Keeping no parsed rows between the passes is what lets a million-row file import
in little memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from sqlalchemy.orm import Session

from cobro.bulk import gc_paused, sqlite_cache
from cobro.company.models import Company
from cobro.customer.models import Contact, Customer
from cobro.errors import CobroError, Invalid
from cobro.importer.bills import VendorBillImport, bill_lengths
from cobro.importer.invoices import InvoiceImport
from cobro.importer.mapping import Columns, Kind, Mapping, resolve
from cobro.importer.parties import CustomerImport, PaymentImport
from cobro.importer.readers import Cell, ReadOptions, Record, Table, cell_text, open_table
from cobro.importer.report import (
    ImportReport,
    Problem,
    RejectWriter,
    RowsInvalid,
    problems_by_row,
    rejects_path,
)
from cobro.importer.rows import CONTACT_FIELDS, ParseOptions, RowInvalid, RowParser
from cobro.invoice.models import Invoice
from cobro.kit.codes import check_country
from cobro.kit.money import check_currency
from cobro.payment.models import Payment
from cobro.terms.rules import parse_terms

PROGRESS_EVERY = 4096  # rows between progress updates: often enough to see, cheap to send


class Progress(Protocol):
    def start(self, label: str, total: int) -> None: ...

    def update(self, done: int) -> None: ...


@dataclass(frozen=True)
class ImportOptions:
    mapping: Mapping = field(default_factory=Mapping)
    sheet: str | None = None
    partial: bool = False
    rejects: Path | None = None
    create_customers: bool = False
    apply_oldest: bool = False
    dry_run: bool = False


class _Importer(Protocol):
    def load(self, columns: Columns) -> None: ...

    def check(self, number: int, parser: RowParser) -> bool: ...

    def prepare(self) -> None: ...

    def write(self, number: int, parser: RowParser) -> None: ...

    def finish(self) -> None: ...


def import_file(
    session: Session,
    company: Company,
    kind: Kind,
    path: Path,
    options: ImportOptions | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Validate the whole file, then write it in `session`'s transaction (never committed here).

    Raises `Invalid` for a file that cannot be read or understood, and `RowsInvalid` when rows
    are bad and `options.partial` is not set; in both cases nothing was written.
    """
    with gc_paused():
        return _import(session, company, kind, path, options or ImportOptions(), progress)


def _import(
    session: Session,
    company: Company,
    kind: Kind,
    path: Path,
    options: ImportOptions,
    progress: Progress | None,
) -> ImportReport:
    mapping = options.mapping
    table = open_table(path, ReadOptions(mapping.encoding, mapping.delimiter, options.sheet))
    columns = resolve(kind, table.name, table.header, mapping)
    report = ImportReport(
        file=table.name,
        kind=kind,
        ignored_columns=columns.ignored,
        columns={columns.headers[i]: name for name, i in columns.index.items()},
        dry_run=options.dry_run,
    )
    country = _check_defaults(mapping, company)
    parser = RowParser(columns, _parse_options(kind, mapping, company))
    importer = _importer(kind, session, company, report, options, country)
    importer.load(columns)

    skip = _validate(table, columns, parser, importer, report, progress)
    if not report.rows:
        raise Invalid(f"{table.name}: there are no rows under the header, nothing to import")
    if report.problems and not options.partial:
        raise RowsInvalid(report)

    savepoint = session.begin_nested() if options.dry_run else None
    writer = None
    if report.problems and not options.dry_run:
        report.rejects_file = options.rejects or rejects_path(path)
        writer = RejectWriter(report.rejects_file, table.header, table.encoding, table.delimiter)
    try:
        with sqlite_cache(session.connection()):
            _write(table, parser, importer, report, skip, writer, progress)
    finally:
        if writer is not None:
            writer.close()
    if savepoint is not None:
        savepoint.rollback()
    report.drop_empty_counts()
    return report


def _validate(
    table: Table,
    columns: Columns,
    parser: RowParser,
    importer: _Importer,
    report: ImportReport,
    progress: Progress | None,
) -> set[int]:
    """Pass 1. Returns the rows pass 2 must leave out: the bad ones and repeats."""
    skip: set[int] = set()
    width = len(columns.headers)
    for number, cells in _tracked(table, "Checking", progress):
        report.rows += 1
        if len(cells) > width and any(cell_text(c).strip() for c in cells[width:]):
            report.problems.append(
                Problem(
                    number,
                    "",
                    "",
                    f"has {len(cells)} cells but the header has {width} (a value with the "
                    f"delimiter {table.delimiter!r} in it and no quotes?)",
                )
            )
            skip.add(number)
            continue
        parser.start(cells)
        try:
            if not importer.check(number, parser):
                skip.add(number)
        except CobroError as exc:
            report.problems.extend(_problems(number, exc, columns, parser))
            skip.add(number)
    return skip


def _write(
    table: Table,
    parser: RowParser,
    importer: _Importer,
    report: ImportReport,
    skip: set[int],
    rejects: RejectWriter | None,
    progress: Progress | None,
) -> None:
    """Pass 2: the same rows, planned again by the same code, now written."""
    importer.prepare()
    bad = problems_by_row(report.problems)
    for number, cells in _tracked(table, "Importing", progress):
        if number in skip:
            if rejects is not None and number in bad:
                rejects.write(number, cells, bad[number])
            continue
        parser.start(cells)
        importer.write(number, parser)
    importer.finish()


def _tracked(table: Table, label: str, progress: Progress | None) -> Iterator[Record]:
    if progress is None:
        yield from table.records()
        return
    progress.start(label, table.extent())
    for count, record in enumerate(table.records(), start=1):
        if count % PROGRESS_EVERY == 0:
            progress.update(table.position())
        yield record
    progress.update(table.extent())


def _problems(number: int, exc: CobroError, columns: Columns, parser: RowParser) -> list[Problem]:
    if isinstance(exc, RowInvalid):
        return [
            Problem(number, columns.header_of(p.field), p.value, p.reason) for p in exc.problems
        ]
    name = exc.field
    if name is None:
        return [Problem(number, "", "", exc.message)]
    value: Cell = parser.cell(name)
    return [Problem(number, columns.header_of(name), cell_text(value), exc.message)]


def _check_defaults(mapping: Mapping, company: Company) -> str:
    """Check the mapping's constant values once, not once per row; returns the country that
    new customers get when their row names none."""
    defaults = mapping.defaults
    try:
        if "currency" in defaults:
            check_currency(defaults["currency"])
        if "terms" in defaults:
            parse_terms(defaults["terms"])
        return check_country(defaults.get("country") or company.country)
    except Invalid as exc:
        raise Invalid(f"the mapping's defaults: {exc.message}") from None


def _parse_options(kind: Kind, mapping: Mapping, company: Company) -> ParseOptions:
    return ParseOptions(
        currency=company.currency,
        dayfirst=mapping.dayfirst,
        decimal=mapping.decimal,
        defaults=mapping.defaults,
        max_length=_column_lengths(kind),
    )


def _column_lengths(kind: Kind) -> dict[str, int]:
    """How long a text may be in each field: its database column's length (PostgreSQL refuses
    longer text, so pass 1 must). Codes (country, currency…) have their own checks."""
    customer, contact = Customer.__table__.c, Contact.__table__.c
    invoice, payment = Invoice.__table__.c, Payment.__table__.c
    sources = {
        "customers": {
            "external_id": customer.external_id,
            "name": customer.name,
            "tax_id": customer.tax_id,
            "collector": customer.collector,
            "contact_name": contact.name,
            **{name: contact[name] for name in CONTACT_FIELDS if name in contact},
        },
        "invoices": {
            "number": invoice.number,
            "customer": customer.external_id,
            "name": customer.name,
            "purchase_order": invoice.purchase_order,
            "reference": invoice.reference,
        },
        "payments": {
            "external_id": payment.external_id,
            "customer": customer.external_id,
            "method": payment.method,
            "reference": payment.reference,
            "payer_name": payment.payer_name,
        },
    }.get(kind)
    if sources is None:
        return bill_lengths()
    return {name: int(getattr(column.type, "length", 0) or 0) for name, column in sources.items()}


def _importer(
    kind: Kind,
    session: Session,
    company: Company,
    report: ImportReport,
    options: ImportOptions,
    country: str,
) -> _Importer:
    if kind == "customers":
        return CustomerImport(session, company, report, country)
    if kind == "invoices":
        return InvoiceImport(session, company, report, options.create_customers, country)
    if kind == "vendor_bills":
        return VendorBillImport(session, company, report)
    return PaymentImport(
        session, company, report, options.create_customers, options.apply_oldest, country
    )
