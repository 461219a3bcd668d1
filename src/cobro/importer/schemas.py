"""What the imports API answers: the import's report."""

from __future__ import annotations

from pydantic import BaseModel, Field

from cobro.importer.online import Outcome
from cobro.kit.schemas import ErrorDetail

SHOWN_PROBLEMS = 1000  # a report lists this many problems at most; `problems_total` counts all


class CountsOut(BaseModel):
    created: int
    updated: int
    unchanged: int


class ProblemOut(BaseModel):
    row: int = Field(description="The spreadsheet's row number (the header is row 1)")
    column: str = Field(description="The file's column header ('' for the whole row)")
    value: str
    reason: str


class ImportReportOut(BaseModel):
    file: str
    kind: str
    dry_run: bool = Field(description="A check: nothing was written")
    written: bool = Field(description="Whether the rows were written")
    rows: int = Field(description="Data rows read (blank rows are not counted)")
    rejected: int = Field(description="Rows with problems (left out with partial=true)")
    counts: dict[str, CountsOut] = Field(description="Created/updated/unchanged per record")
    problems: list[ProblemOut]
    problems_total: int
    ignored_columns: list[str]
    columns: dict[str, str] = Field(description="Each used header and the field it was read as")

    @classmethod
    def of(cls, outcome: Outcome) -> ImportReportOut:
        report = outcome.report
        return cls(
            file=report.file,
            kind=report.kind,
            dry_run=report.dry_run,
            written=outcome.written,
            rows=report.rows,
            rejected=report.rejected,
            counts={what: CountsOut(**vars(c)) for what, c in report.counts.items()},
            problems=[ProblemOut(**vars(p)) for p in report.problems[:SHOWN_PROBLEMS]],
            problems_total=len(report.problems),
            ignored_columns=list(report.ignored_columns),
            columns=dict(report.columns),
        )


class ImportRefusedOut(BaseModel):
    """Bad rows and no partial=true: nothing was imported; the report names every problem."""

    error: ErrorDetail
    report: ImportReportOut
