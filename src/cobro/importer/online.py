"""Importing an uploaded file for a signed-in user (the API and the imports page): the same
read-twice, write-once import as `cobro import`, all-or-nothing unless `partial`, with its
report, and messages that name the user's file rather than its temporary copy.

There is no table of past imports: the answer is the report. A real import (not a check) is
recorded in the audit trail with what it did."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from cobro.audit.service import record
from cobro.company.models import Company
from cobro.errors import CobroError, Invalid, NotFound
from cobro.importer.mapping import Kind, Mapping, combine, load_mapping
from cobro.importer.report import ImportReport, Problem, RowsInvalid
from cobro.importer.service import ImportOptions, import_file
from cobro.importer.upload import Upload
from cobro.kit.spreadsheet import inert


@dataclass(frozen=True)
class Choices:
    """What the person chose besides the file (the command line's options)."""

    dry_run: bool = True
    partial: bool = False
    create_customers: bool = False
    apply_oldest: bool = False
    dayfirst: bool | None = None
    decimal: str | None = None
    delimiter: str | None = None
    encoding: str | None = None
    sheet: str | None = None
    maps: tuple[str, ...] = ()  # "Header=field"


@dataclass(frozen=True)
class Outcome:
    report: ImportReport
    written: bool  # False: a check, or bad rows refused the whole file
    refusal: str | None = None  # why nothing was written, when rows were bad


def import_upload(
    session: Session,
    company_id: int,
    kind: Kind,
    upload: Upload,
    choices: Choices,
    now: datetime,
    actor_id: int | None = None,
    source: str | None = None,
) -> Outcome:
    """Check (dry run) or import the uploaded file in `session`'s transaction. Bad rows are
    an `Outcome` with the report, not an error; a file that cannot be read at all raises
    `Invalid` naming the field (file or mapping)."""
    company = session.get(Company, company_id)
    if company is None:
        raise NotFound("no such company")
    try:
        options = _options(kind, upload, choices)
        report = import_file(session, company, kind, upload.path, options)
    except RowsInvalid as refused:
        _rename(refused.report, upload)
        return Outcome(refused.report, written=False, refusal=upload.told(refused.message))
    except CobroError as error:
        field = error.field if error.field in ("mapping", "sheet") else "file"
        raise Invalid(upload.told(error.message), field) from None
    _rename(report, upload)
    if not choices.dry_run:
        _audit(session, company_id, report, now, actor_id, source)
    return Outcome(report, written=not choices.dry_run)


def _options(kind: Kind, upload: Upload, choices: Choices) -> ImportOptions:
    base = Mapping()
    if upload.mapping is not None:
        try:
            base = load_mapping(kind, upload.mapping)
        except Invalid as error:
            raise Invalid(upload.told(error.message), "mapping") from None
    mapping = combine(
        base,
        list(choices.maps),
        kind,
        choices.dayfirst,
        choices.decimal,
        choices.encoding,
        choices.delimiter,
    )
    return ImportOptions(
        mapping=mapping,
        sheet=choices.sheet if upload.type == "xlsx" else None,
        partial=choices.partial,
        rejects=upload.path.with_name("rejects.csv"),
        create_customers=choices.create_customers,
        apply_oldest=choices.apply_oldest,
        dry_run=choices.dry_run,
    )


def _rename(report: ImportReport, upload: Upload) -> None:
    report.file = upload.name
    report.rejects_file = None  # in the temporary folder, gone with it
    report.problems[:] = [
        Problem(p.row, p.column, p.value, upload.told(p.reason)) for p in report.problems
    ]


def _audit(
    session: Session,
    company_id: int,
    report: ImportReport,
    now: datetime,
    actor_id: int | None,
    source: str | None,
) -> None:
    record(
        session,
        "import.completed",
        at=now,
        entity_type="import",
        actor_id=actor_id,
        company_id=company_id,
        after={
            "file": report.file,
            "kind": report.kind,
            "rows": report.rows,
            "rejected": report.rejected,
            "counts": {what: vars(counts) for what, counts in report.counts.items()},
        },
        source=source,
    )


def problems_csv(problems: list[Problem]) -> str:
    """The error report as a spreadsheet opens it: row, column, value, error. Cells that a
    spreadsheet would run as a formula are quoted with a leading apostrophe."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["row", "column", "value", "error"])
    for p in problems:
        writer.writerow([p.row, inert(p.column), inert(p.value), inert(p.reason)])
    return out.getvalue()
