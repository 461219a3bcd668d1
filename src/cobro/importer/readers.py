"""Row streams from CSV and Excel files, with the problems of real files turned into clear errors.

A `Table` can be read more than once (the importer validates every row before it writes any),
and never holds the file in memory. Row numbers are those a spreadsheet shows: the header is
row 1. CSV cells are text; Excel cells keep their type (numbers as `Decimal`, dates as `date`)
so that a number typed in Excel is never re-read through a decimal-mark guess.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import IO, Protocol
from xml.parsers.expat import ExpatError

from cobro.errors import Invalid

Cell = str | Decimal | date
Record = tuple[int, list[Cell]]

DELIMITERS = {",": ",", ";": ";", "\t": "\t", "tab": "\t", "|": "|"}
_SAMPLE = 64 * 1024
_CHUNK = 1024 * 1024
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"  # the old binary .xls format
_EXCEL_SUFFIXES = (".xlsx", ".xlsm")


@dataclass(frozen=True)
class ReadOptions:
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None


class Table(Protocol):
    name: str  # the file as the user named it, for messages
    header: list[str]
    header_row: int
    encoding: str  # what a reject file should be written in
    delimiter: str

    def records(self) -> Iterator[Record]:
        """Data rows after the header, blank rows left out (their numbers are kept)."""
        ...

    def extent(self) -> int:
        """Total work for a progress bar, in the unit `position` counts (bytes or rows)."""
        ...

    def position(self) -> int: ...


def open_table(path: Path, options: ReadOptions) -> Table:
    """Open a CSV or Excel file and read its header; every failure is an `Invalid` naming it."""
    head = _read_head(path)
    if head.startswith(_OLE) or path.suffix.lower() == ".xls":
        raise Invalid(f"{path}: the old Excel format (.xls) is not supported; save as .xlsx or CSV")
    if head.startswith(_ZIP) or path.suffix.lower() in _EXCEL_SUFFIXES:
        return XlsxTable(path, options.sheet)
    if options.sheet is not None:
        raise Invalid(f"{path}: --sheet applies to Excel files only")
    return CsvTable(path, head, options.encoding, options.delimiter)


def _read_head(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            head = handle.read(_SAMPLE)
    except FileNotFoundError:
        raise Invalid(f"{path}: no such file") from None
    except IsADirectoryError:
        raise Invalid(f"{path} is a folder, not a file") from None
    except OSError as exc:
        raise Invalid(f"{path}: cannot read it ({exc.strerror})") from None
    if not head.strip(b" \t\r\n\xef\xbb\xbf"):
        raise Invalid(f"{path} is empty")
    return head


class CsvTable:
    def __init__(
        self, path: Path, head: bytes, encoding: str | None, delimiter: str | None
    ) -> None:
        self.name = str(path)
        self.path = path
        self.encoding = _choose_encoding(path, head, encoding)
        self._size = path.stat().st_size
        self._raw: IO[bytes] | None = None
        sample = head.decode(self.encoding, errors="replace")
        self.delimiter = _choose_delimiter(path, sample, delimiter)
        _check_text(self)
        self.header, self.header_row = self._read_header()

    def _rows(self) -> Iterator[list[str]]:
        with self.path.open("rb") as raw:
            self._raw = raw
            text = io.TextIOWrapper(raw, encoding=self.encoding, newline="")
            reader = csv.reader(text, delimiter=self.delimiter)
            number = 0
            try:
                for number, cells in enumerate(reader, start=1):  # noqa: B007 (the except uses it)
                    yield cells
            except csv.Error as exc:
                raise Invalid(
                    f"{self.name}: row {number + 1}: {exc} (is a quote left open?)"
                ) from None
            finally:
                self._raw = None

    def _read_header(self) -> tuple[list[str], int]:
        for number, cells in enumerate(self._rows(), start=1):
            if any(cell.strip() for cell in cells):
                return [cell.strip() for cell in cells], number
        raise Invalid(f"{self.name} has no header row (the file holds only blank lines)")

    def records(self) -> Iterator[Record]:
        width = len(self.header)
        for number, row in enumerate(self._rows(), start=1):
            if number <= self.header_row or not "".join(row).strip():
                continue
            cells: list[Cell] = list(row)
            if len(cells) < width:
                cells.extend([""] * (width - len(cells)))
            yield number, cells

    def extent(self) -> int:
        return self._size

    def position(self) -> int:
        raw = self._raw
        return raw.tell() if raw is not None and not raw.closed else self._size


def _choose_encoding(path: Path, head: bytes, encoding: str | None) -> str:
    if encoding:
        try:
            return codecs.lookup(encoding).name
        except LookupError:
            raise Invalid(f"unknown encoding {encoding!r} (try utf-8, cp1252 or latin-1)") from None
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # a byte-order mark leaves no doubt
    return "utf-8-sig"  # UTF-8, with or without the BOM Excel writes


def _choose_delimiter(path: Path, sample: str, given: str | None) -> str:
    if given is not None:
        if given not in DELIMITERS:
            raise Invalid(f"delimiter {given!r} not supported: use one of , ; tab |")
        return DELIMITERS[given]
    lines = [line for line in sample.splitlines() if line.strip()][:20] or [""]
    header, rest = lines[0], lines[1:-1]  # the last sampled line may be cut short
    counts = {d: _fields(header, d) for d in (",", ";", "\t", "|")}
    candidates = [d for d, n in counts.items() if n > 1]
    if not candidates:
        raise Invalid(
            f"{path}: cannot tell how the columns are separated (no , ; tab or | in the header "
            "row); say it with --delimiter"
        )
    # prefer the separator that splits every sampled row like the header, then the most columns
    consistent = [d for d in candidates if all(_fields(line, d) == counts[d] for line in rest)]
    return max(consistent or candidates, key=lambda d: counts[d])


def _fields(line: str, delimiter: str) -> int:
    try:
        return len(next(csv.reader([line], delimiter=delimiter)))
    except (csv.Error, StopIteration):
        return 0


def _check_text(table: CsvTable) -> None:
    """Decode the whole file once, cheaply, so that a wrong encoding or binary content is told
    with its row and column before any row is read, not as a traceback halfway through."""
    decoder = codecs.getincrementaldecoder(table.encoding)()
    offset = 0
    with table.path.open("rb") as raw:
        while chunk := raw.read(_CHUNK):
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                _raise_at(table, offset + exc.start, _decoding_advice(table, chunk, exc))
            if "\x00" in text:
                bad = offset + (chunk.find(b"\x00") if b"\x00" in chunk else 0)
                _raise_at(table, bad, "binary content (a NUL byte): this is not a text file")
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            _raise_at(table, offset, "the file ends in the middle of a character")


def _decoding_advice(table: CsvTable, chunk: bytes, exc: UnicodeDecodeError) -> str:
    byte = chunk[exc.start : exc.start + 1].hex()
    if table.encoding.startswith("utf-8"):
        return (
            f"byte 0x{byte} is not UTF-8: the file is in another encoding; "
            "try --encoding cp1252 (Windows, Excel) or --encoding latin-1"
        )
    return f"byte 0x{byte} is not valid {table.encoding}; try another --encoding"


def _raise_at(table: CsvTable, byte_offset: int, reason: str) -> None:
    """Find the row and column holding `byte_offset` by parsing the text before it."""
    with table.path.open("rb") as raw:
        before = raw.read(byte_offset).decode(table.encoding, errors="replace")
    rows = list(csv.reader(io.StringIO(before, newline=""), delimiter=table.delimiter))
    complete = before.endswith(("\n", "\r")) or not rows
    row = len(rows) + 1 if complete else len(rows)
    column_index = 0 if complete else max(len(rows[-1]) - 1, 0)
    header = rows[0] if rows and row > 1 else []
    column = header[column_index].strip() if column_index < len(header) else ""
    where = f"row {row}, column {column!r}" if column else f"row {row}"
    raise Invalid(f"{table.name}: {where}: {reason}")


# openpyxl reports a damaged workbook with whatever its zip, XML or zlib layer raised
_BROKEN_XLSX = (
    zipfile.BadZipFile,
    zlib.error,
    ExpatError,
    KeyError,
    ValueError,
    TypeError,
    IndexError,
    AttributeError,
    EOFError,
    OSError,
)


class XlsxTable:
    def __init__(self, path: Path, sheet: str | None) -> None:
        self.name = str(path)
        self.path = path
        self.sheet = sheet
        self.encoding = "utf-8"
        self.delimiter = ","
        self._row = 0
        self._max_row = 0
        self.header, self.header_row = self._read_header()

    def _rows(self) -> Iterator[tuple[int, tuple[object, ...]]]:
        # openpyxl adds a sixth to every `cobro` start-up: load it when an Excel file comes
        from openpyxl import load_workbook  # noqa: PLC0415
        from openpyxl.utils.exceptions import InvalidFileException  # noqa: PLC0415

        try:
            book = load_workbook(self.path, read_only=True, data_only=True)
        except (InvalidFileException, *_BROKEN_XLSX) as exc:
            raise Invalid(f"{self.name}: not a readable Excel (.xlsx) file ({exc})") from None
        try:
            sheet = self._pick(book.sheetnames)
            worksheet = book[sheet]
            self._max_row = int(getattr(worksheet, "max_row", 0) or 0)
            rows = worksheet.iter_rows(values_only=True)
            number = 0
            while True:
                try:
                    values = next(rows)
                except StopIteration:
                    return
                except _BROKEN_XLSX as exc:
                    raise Invalid(
                        f"{self.name}: sheet {sheet!r} is damaged after row {number} ({exc})"
                    ) from None
                number += 1
                self._row = number
                yield number, tuple(values)
        finally:
            book.close()

    def _pick(self, names: list[str]) -> str:
        if not names:
            raise Invalid(f"{self.name}: the workbook has no sheets")
        if self.sheet is None:
            return names[0]
        if self.sheet in names:
            return self.sheet
        if self.sheet.isdigit() and 1 <= int(self.sheet) <= len(names):
            return names[int(self.sheet) - 1]
        raise Invalid(f"{self.name}: no sheet {self.sheet!r}; its sheets are {', '.join(names)}")

    def _read_header(self) -> tuple[list[str], int]:
        for number, values in self._rows():
            cells = [cell_text(excel_cell(value)) for value in values]
            if any(cells):
                while cells and not cells[-1]:
                    cells.pop()
                return cells, number
        raise Invalid(f"{self.name}: the sheet is empty (no header row)")

    def records(self) -> Iterator[Record]:
        width = len(self.header)
        for number, values in self._rows():
            if number <= self.header_row:
                continue
            # cells right of the last header have no column to belong to: Excel users leave
            # notes there, so they are not an error (unlike a CSV row that splits too often)
            cells = [excel_cell(value) for value in values[:width]]
            if not any(cell != "" for cell in cells):
                continue
            cells.extend([""] * (width - len(cells)))
            yield number, cells

    def extent(self) -> int:
        return self._max_row

    def position(self) -> int:
        return self._row


def excel_cell(value: object) -> Cell:
    """An Excel value as a `Cell`: numbers exact (a float through its shortest text, never its
    binary value), date-times as their date, everything else as text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (time, timedelta)):
        return str(value)
    return str(value).strip()


def cell_text(cell: Cell) -> str:
    """A cell as the text a user would type for it."""
    if isinstance(cell, str):
        return cell
    if isinstance(cell, Decimal):
        return f"{cell.normalize():f}" if cell == cell.to_integral_value() else f"{cell:f}"
    return cell.isoformat()
