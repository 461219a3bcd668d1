"""What an import did or found: counts per kind of record, bad rows, ignored columns; and the
reject and error files that let a user fix the bad rows and import them again."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from cobro.customer.service import Change
from cobro.errors import Invalid
from cobro.importer.mapping import Kind
from cobro.importer.readers import Cell, cell_text


@dataclass(frozen=True)
class Problem:
    """A bad row as a spreadsheet user finds it: row number (header = 1), the file's column
    header, the cell's value and what is wrong with it."""

    row: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column {self.column!r}" if self.column else "")
        value = f" {self.value!r}:" if self.value else ""
        return f"{where}:{value} {self.reason}"


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, change: Change, how_many: int = 1) -> None:
        if change is Change.UNCHANGED:
            self.unchanged += how_many
        elif change is Change.CREATED:
            self.created += how_many
        else:
            self.updated += how_many


@dataclass
class ImportReport:
    file: str
    kind: Kind
    rows: int = 0  # data rows read (blank rows are not counted)
    counts: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    problems: list[Problem] = field(default_factory=list)
    ignored_columns: tuple[str, ...] = ()
    columns: dict[str, str] = field(default_factory=dict)  # header → field, as understood
    rejects_file: Path | None = None
    dry_run: bool = False

    @property
    def rejected(self) -> int:
        return len({problem.row for problem in self.problems})

    def count(self, what: str) -> Counts:
        return self.counts[what]

    def drop_empty_counts(self) -> None:
        for what in [what for what, c in self.counts.items() if c == Counts()]:
            del self.counts[what]


class RowsInvalid(Invalid):
    """Some rows are bad and --partial was not given: nothing was written."""

    def __init__(self, report: ImportReport) -> None:
        problems = report.problems
        more = f" (and {report.rejected - 1} more bad rows)" if report.rejected > 1 else ""
        super().__init__(
            f"{report.file}: {problems[0]}{more}; nothing was imported "
            "(fix the rows, or import the good ones with --partial)"
        )
        self.report = report


def rejects_path(source: Path) -> Path:
    """Where the bad rows of `source` go by default: invoices.csv → invoices.rejects.csv."""
    return source.with_name(f"{source.stem}.rejects.csv")


class RejectWriter:
    """The bad rows, with the original columns plus `row` and `error`, in the file's own
    encoding and delimiter so that the fixed file imports with the same options."""

    def __init__(self, path: Path, headers: list[str], encoding: str, delimiter: str) -> None:
        self.path = path
        try:
            self._handle = path.open("w", encoding=encoding, errors="replace", newline="")
        except OSError as exc:
            raise Invalid(f"cannot write the reject file {path}: {exc.strerror}") from None
        self._writer = csv.writer(self._handle, delimiter=delimiter)
        self._writer.writerow([*headers, "row", "error"])

    def write(self, row: int, cells: list[Cell], problems: Iterable[Problem]) -> None:
        reasons = "; ".join(f"{p.column}: {p.reason}" if p.column else p.reason for p in problems)
        self._writer.writerow([*(cell_text(c) for c in cells), row, reasons])

    def close(self) -> None:
        self._handle.close()


def write_errors(path: Path, problems: list[Problem]) -> None:
    """Every problem, one per line, for when the screen shows only the first ones."""
    try:
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["row", "column", "value", "error"])
            for p in problems:
                writer.writerow([p.row, p.column, p.value, p.reason])
    except OSError as exc:
        raise Invalid(f"cannot write the error file {path}: {exc.strerror}") from None


def problems_by_row(problems: list[Problem]) -> dict[int, list[Problem]]:
    by_row: dict[int, list[Problem]] = defaultdict(list)
    for problem in problems:
        by_row[problem.row].append(problem)
    return by_row
