"""Bank statements exported as CSV, read into one `ParsedStatement` through a preset. Pure.

A preset says how a bank writes its export: the delimiter (or sniffed), the encodings to try,
the date formats, the decimal mark, and which header names hold which field. `PRESETS` has a
`generic` one (English, Spanish and German header names) and presets for typical exports; a
caller may pass its own mapping of field → column instead. One bad row refuses the whole file,
naming the row (as a spreadsheet numbers it: the header is row 1 when it is the first line)
and the column.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from types import MappingProxyType

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from cobro.banking.statement import Balance, Line, ParsedStatement, StatementError
from cobro.errors import Invalid
from cobro.kit.money import check_currency, parse_amount

FIELDS = (
    "date", "value_date", "amount", "debit", "credit", "direction", "currency", "name", "iban",
    "bic", "reference", "end_to_end_id", "mandate_id", "text", "balance",
)  # fmt: skip
# a direction column ("S"/"H", "D"/"C", "Cargo"/"Abono") marks these values as money out
_DEBIT_MARKS = frozenset({"d", "s", "dr", "debit", "soll", "cargo", "-", "rd"})
_RF = re.compile(r"\bRF[0-9]{2}[0-9A-Z]{1,21}\b")


@dataclass(frozen=True)
class CsvPreset:
    """How one kind of export is written. `columns` maps a field (see `FIELDS`) to the header
    names that may hold it, compared without case, accents or surrounding spaces."""

    name: str
    columns: Mapping[str, tuple[str, ...]]
    delimiter: str | None = None  # None: sniffed from the first lines
    encodings: tuple[str, ...] = ("utf-8-sig", "cp1252")
    date_formats: tuple[str, ...] = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y")
    decimal_mark: str | None = None  # None: parse_amount guesses each amount
    quotechar: str = '"'


def _columns(**names: tuple[str, ...]) -> Mapping[str, tuple[str, ...]]:
    return MappingProxyType(names)


_GENERIC = _columns(
    date=("date", "booking date", "transaction date", "fecha", "fecha operacion", "f. operacion",
          "buchungstag", "buchungsdatum", "datum"),
    value_date=("value date", "valuta", "fecha valor", "f. valor", "valutadatum", "wertstellung"),
    amount=("amount", "importe", "cantidad", "betrag", "betrag (eur)", "umsatz"),
    debit=("debit", "debit amount", "paid out", "cargo", "cargos", "soll", "ausgang"),
    credit=("credit", "credit amount", "paid in", "abono", "abonos", "haben", "eingang"),
    direction=("debit/credit", "d/c", "dc", "soll/haben", "s/h", "cargo/abono"),
    currency=("currency", "divisa", "moneda", "wahrung", "waehrung"),
    name=("name", "counterparty", "payee", "payer", "beneficiario", "ordenante",
          "auftraggeber/empfanger", "beguenstigter/zahlungspflichtiger",
          "name zahlungsbeteiligter", "zahlungsempfanger"),
    iban=("iban", "counterparty iban", "cuenta", "iban ordenante", "kontonummer/iban",
          "iban zahlungsbeteiligter", "kontonummer"),
    bic=("bic", "bic (swift-code)", "bic zahlungsbeteiligter", "swift"),
    reference=("reference", "referencia", "referencia 1", "bank reference", "kundenreferenz"),
    end_to_end_id=("end-to-end id", "end to end id", "end-to-end reference", "eref",
                   "kundenreferenz (end-to-end)", "referencia end to end"),
    mandate_id=("mandate", "mandate id", "mandate reference", "mandatsreferenz",
                "referencia del mandato"),
    text=("text", "description", "details", "memo", "concepto", "descripcion", "observaciones",
          "verwendungszweck", "buchungstext"),
    balance=("balance", "running balance", "saldo", "kontostand", "saldo nach buchung"),
)  # fmt: skip

PRESETS: dict[str, CsvPreset] = {
    "generic": CsvPreset("generic", _GENERIC),
    # Spanish banks (Santander, BBVA, CaixaBank, Sabadell…): ';', "1.234,56", 31/12/2025
    "es": CsvPreset(
        "es",
        _columns(
            date=("fecha", "fecha operacion", "f. operacion", "fecha contable"),
            value_date=("fecha valor", "f. valor"),
            text=("concepto", "descripcion", "concepto comun", "concepto propio"),
            amount=("importe", "importe (eur)"),
            currency=("divisa", "moneda"),
            balance=("saldo", "saldo (eur)"),
            reference=("referencia", "referencia 1"),
            name=("beneficiario", "ordenante", "beneficiario/ordenante"),
        ),
        delimiter=";",
        date_formats=("%d/%m/%Y", "%d-%m-%Y", "%d/%m/%y"),
        decimal_mark=",",
    ),
    # German banks (Sparkasse CSV-CAMT, Volksbank, Deutsche Bank…): ';', "1.234,56", 31.12.2025
    "de": CsvPreset(
        "de",
        _columns(
            date=("buchungstag", "buchungsdatum", "datum"),
            value_date=("valutadatum", "valuta", "wertstellung"),
            name=(
                "auftraggeber/empfanger",
                "beguenstigter/zahlungspflichtiger",
                "name zahlungsbeteiligter",
                "zahlungsempfanger",
            ),
            iban=("iban", "kontonummer/iban", "iban zahlungsbeteiligter", "kontonummer"),
            bic=("bic", "bic (swift-code)", "bic zahlungsbeteiligter"),
            text=("verwendungszweck",),
            amount=("betrag", "betrag (eur)", "umsatz"),
            direction=("soll/haben", "s/h"),
            currency=("wahrung", "waehrung"),
            end_to_end_id=("kundenreferenz (end-to-end)", "kundenreferenz"),
            mandate_id=("mandatsreferenz",),
            balance=("saldo", "saldo nach buchung", "kontostand"),
        ),
        delimiter=";",
        date_formats=("%d.%m.%Y", "%d.%m.%y"),
        decimal_mark=",",
    ),
    # exports with money out and money in in two unsigned columns (UK banks, many ERPs)
    "debit_credit": CsvPreset(
        "debit_credit",
        _columns(**{k: v for k, v in _GENERIC.items() if k not in ("amount", "direction")}),
    ),
}


def read_csv(
    data: bytes,
    preset: str | Mapping[str, str] | CsvPreset,
    account: str | None = None,
    currency: str | None = None,
) -> list[ParsedStatement]:
    """The file as one statement of `account` (IBAN or other id); `currency` where the file has
    no currency column. `preset` is a name in `PRESETS`, a preset, or a field → column mapping
    (read with the generic preset's other settings)."""
    chosen = _preset(preset)
    default_currency = _currency(currency, "currency") if currency else None
    rows = list(csv.reader(io.StringIO(_decode(data, chosen)), _dialect(data, chosen)))
    header_at, columns = _header(rows, chosen)
    parsed = [
        _row(number, row, columns, chosen, default_currency)
        for number, row in enumerate(rows[header_at + 1 :], start=header_at + 2)
        if any(cell.strip() for cell in row)
    ]
    days = [line.booking_date for line, _ in parsed if line.booking_date]
    if days and days[0] > days[-1]:
        parsed.reverse()  # newest first, as many banks export: the balance runs the other way
    lines = tuple(line for line, _ in parsed)
    return [_statement(chosen, lines, [b for _, b in parsed], account, default_currency)]


def _preset(preset: str | Mapping[str, str] | CsvPreset) -> CsvPreset:
    if isinstance(preset, CsvPreset):
        return preset
    if isinstance(preset, str):
        if preset not in PRESETS:
            raise StatementError(f"unknown CSV preset {preset!r} (known: {', '.join(PRESETS)})")
        return PRESETS[preset]
    unknown = sorted(set(preset) - set(FIELDS))
    if unknown:
        raise StatementError(f"unknown field(s) {', '.join(unknown)} (known: {', '.join(FIELDS)})")
    columns = _columns(**{key: (column,) for key, column in preset.items()})
    return replace(PRESETS["generic"], name="custom", columns=columns)


def _decode(data: bytes, preset: CsvPreset) -> str:
    """The first of the preset's encodings that reads the whole file; else the error names the
    line of the first byte the first encoding could not read."""
    first: UnicodeDecodeError | None = None
    for encoding in preset.encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as error:
            first = first or error
    assert first is not None
    line = data[: first.start].count(b"\n") + 1
    tried = ", ".join(preset.encodings)
    raise StatementError(f"line {line}: byte {data[first.start]:#04x} is not text in {tried}")


def _dialect(data: bytes, preset: CsvPreset) -> type[csv.Dialect]:
    delimiter = preset.delimiter
    if delimiter is None:
        sample = data[:8192].decode("latin-1")  # any 1-byte reading finds the delimiter
        try:
            delimiter = csv.Sniffer().sniff(sample, delimiters=";,\t|").delimiter
        except csv.Error:
            first = sample.splitlines()[0] if sample.strip() else ""
            delimiter = max(";,\t|", key=first.count)

    class Dialect(csv.excel):
        pass

    Dialect.delimiter = delimiter
    Dialect.quotechar = preset.quotechar
    return Dialect


def _norm(name: str) -> str:
    """Header names compared as people mean them: "Fecha Valor", "fecha valor ", "Währung"."""
    plain = unicodedata.normalize("NFKD", name.replace("\ufeff", ""))
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return " ".join(plain.casefold().split())


def _header(rows: list[list[str]], preset: CsvPreset) -> tuple[int, dict[str, tuple[int, str]]]:
    """The header row (bank exports often start with lines about the account) and, per field,
    the column index and its name as written."""
    wanted = {key: {_norm(name) for name in names} for key, names in preset.columns.items()}
    for index, row in enumerate(rows[:30]):
        found: dict[str, tuple[int, str]] = {}
        for position, cell in enumerate(row):
            for key, names in wanted.items():
                if key not in found and _norm(cell) in names:
                    found[key] = (position, cell.strip())
                    break
        has_money = "amount" in found or ("debit" in found and "credit" in found)
        if "date" in found and has_money:
            return index, found
    need = "a date column and an amount (or debit and credit) column"
    raise StatementError(f"no header row found: preset {preset.name!r} needs {need}")


def _cell(row: list[str], columns: dict[str, tuple[int, str]], key: str) -> str:
    if key not in columns:
        return ""
    position = columns[key][0]
    return row[position].strip() if position < len(row) else ""


def _row(
    number: int,
    row: list[str],
    columns: dict[str, tuple[int, str]],
    preset: CsvPreset,
    default_currency: str | None,
) -> tuple[Line, int | None]:
    """One line and the running balance after it, when the file has one."""

    def where(key: str) -> str:
        return f"row {number}, column {columns[key][1]!r}"

    def value(key: str) -> str:
        return _cell(row, columns, key)

    money = value("currency") or default_currency
    if not money:
        raise StatementError(f"row {number}: no currency (the file has none: pass currency=)")
    money = _currency(money, where("currency") if value("currency") else "currency")
    amount = _amount(row, columns, money, preset, number)
    balance = value("balance")
    text = value("text") or None
    reference = value("reference") or None
    return (
        Line(
            amount=amount,
            currency=money,
            booking_date=_date(value("date"), preset, where("date")),
            value_date=_date(value("value_date"), preset, where("value_date"))
            if value("value_date")
            else None,
            counterparty_name=value("name") or None,
            counterparty_iban=value("iban").replace(" ", "") or None,
            counterparty_bic=value("bic") or None,
            end_to_end_id=_eref(value("end_to_end_id")),
            structured_reference=_rf(reference) or _rf(text),
            remittance=" ".join(text.split()) if text else None,
            bank_reference=reference,
            mandate_id=value("mandate_id") or None,
        ),
        _money(balance, money, preset, where("balance")) if balance else None,
    )


def _amount(
    row: list[str],
    columns: dict[str, tuple[int, str]],
    currency: str,
    preset: CsvPreset,
    number: int,
) -> int:
    """Signed minor units from one signed column, or from unsigned debit/credit columns, or
    from an amount and a direction column ("S"/"H")."""
    if "amount" in columns:
        where = f"row {number}, column {columns['amount'][1]!r}"
        amount = _money(_cell(row, columns, "amount"), currency, preset, where)
        direction = _cell(row, columns, "direction").casefold()
        return -abs(amount) if direction in _DEBIT_MARKS else amount
    debit, credit = _cell(row, columns, "debit"), _cell(row, columns, "credit")
    if bool(debit) == bool(credit):
        names = f"{columns['debit'][1]!r} and {columns['credit'][1]!r}"
        raise StatementError(f"row {number}: exactly one of columns {names} must hold an amount")
    key = "debit" if debit else "credit"
    amount = abs(_money(debit or credit, currency, preset, f"row {number}, column "
                        f"{columns[key][1]!r}"))  # fmt: skip
    return -amount if debit else amount


def _money(text: str, currency: str, preset: CsvPreset, where: str) -> int:
    try:
        return parse_amount(text, currency, preset.decimal_mark)
    except Invalid as error:
        detail = "" if "is not an amount" in error.message else f" ({error.message})"
        raise StatementError(f"{where}: {text!r} is not an amount{detail}") from error


def _date(text: str, preset: CsvPreset, where: str) -> date:
    for pattern in preset.date_formats:
        try:
            # a calendar day, no time of day: naive is right here
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007
        except ValueError:
            continue
    formats = ", ".join(preset.date_formats)
    raise StatementError(f"{where}: {text!r} is not a date ({formats})")


def _currency(code: str, where: str) -> str:
    try:
        return check_currency(code)
    except Invalid as error:
        raise StatementError(f"{where}: {error.message}") from error


def _eref(text: str) -> str | None:
    return None if not text or text.upper() == "NOTPROVIDED" else text


def _rf(text: str | None) -> str | None:
    """An RF creditor reference (ISO 11649) in the text, when its check digits hold."""
    for candidate in _RF.findall((text or "").upper()):
        digits = "".join(str(int(ch, 36)) for ch in candidate[4:] + candidate[:4])
        if int(digits) % 97 == 1:
            return str(candidate)
    return None


def _statement(
    preset: CsvPreset,
    lines: tuple[Line, ...],
    balances: list[int | None],
    account: str | None,
    currency: str | None,
) -> ParsedStatement:
    money = currency or (lines[0].currency if lines else None)
    opening = closing = None
    if lines and money and balances[0] is not None and balances[-1] is not None:
        # the first row's balance is after its amount: the opening is before it
        first, last = lines[0], lines[-1]
        on_first = first.booking_date or date.min
        opening = Balance(amount=balances[0] - first.amount, currency=money, on=on_first)
        closing = Balance(amount=balances[-1], currency=money, on=last.booking_date or on_first)
    iban = _iban(account)
    days = [line.booking_date for line in lines if line.booking_date]
    return ParsedStatement(
        format=f"csv:{preset.name}",
        identifier=None,
        account_iban=iban,
        account_other=None if iban else account,
        currency=money,
        created_at=None,
        from_date=min(days, default=None),
        to_date=max(days, default=None),
        opening=opening,
        closing=closing,
        lines=lines,
    )


def _iban(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return str(IBAN(value.replace(" ", "")).compact)
    except SchwiftyException:
        return None
