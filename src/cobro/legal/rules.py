"""The rules of legal cases and agency placements, without a database: how a case moves
through its stages, what a placement needs, what the agency's export holds, and how a row
of the agency's payment file is read (each problem naming its row and field)."""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from cobro.errors import Conflict, Invalid
from cobro.kit.dates import parse_date
from cobro.kit.money import check_currency, parse_amount

# the same words as cobro.legal.models.CASE_STAGES / PLACEMENT_STATUSES (cases.py checks)
STAGES = ("pre_legal", "claim_filed", "judgment", "enforcement", "closed")
STATUSES = ("placed", "recalled", "closed")
MAX_AGENCY = 200
MAX_REFERENCE = 100
MAX_NOTE = 500
MAX_SYNC_ROWS = 10_000
MAX_PAYMENT_ID = 100  # payment.external_id


def check_move(current: str, target: str) -> None:
    """A case moves forward one stage at a time (a judgment needs a claim filed first), and
    may be closed from any stage; a closed case stays closed."""
    if target not in STAGES:
        raise Invalid(f"stage {target!r}: use one of {', '.join(STAGES)}", field="stage")
    if current == "closed":
        raise Conflict("the case is closed: it moves no further")
    if target == "closed":
        return
    here, there = STAGES.index(current), STAGES.index(target)
    if there <= here:
        raise Invalid(f"the case is at {current}: it only moves forward", field="stage")
    if there != here + 1:
        raise Invalid(
            f"the case is at {current}: the next stage is {STAGES[here + 1]}", field="stage"
        )


def check_agency(agency: str) -> str:
    name = agency.strip()
    if not name:
        raise Invalid("a placement needs the agency's name", field="agency")
    if len(name) > MAX_AGENCY:
        raise Invalid(f"the agency's name is longer than {MAX_AGENCY} characters", field="agency")
    return name


def check_commission(text: str | None) -> str | None:
    """The agency's commission, % of what it collects, 0 to 100, kept as written ("15",
    "12.5"); None or blank: not agreed here."""
    if text is None or not text.strip():
        return None
    clean = text.strip().rstrip("%").strip().replace(",", ".")
    try:
        value = Decimal(clean)
    except InvalidOperation:
        raise Invalid(f"commission {text!r}: not a percentage", field="commission") from None
    if not value.is_finite() or value < 0 or value > 100:
        raise Invalid(f"commission {text!r}: give 0 to 100 (%)", field="commission")
    shown = format(value.normalize(), "f")
    if len(shown) > 8:
        raise Invalid(f"commission {text!r}: at most 8 characters", field="commission")
    return shown


def check_placeable(open_amounts: list[tuple[str, int, str]]) -> tuple[int, str]:
    """The invoices to place (number, open amount, currency): at least one still open, all in
    one currency (the agency collects one sum). The amount placed and its currency."""
    owing = [(number, amount, currency) for number, amount, currency in open_amounts if amount]
    if not owing:
        raise Invalid("a placement needs at least one open invoice", field="invoices")
    settled = [number for number, amount, _ in open_amounts if amount <= 0]
    if settled:
        raise Invalid(f"invoice {settled[0]} is paid: only open invoices", field="invoices")
    currencies = sorted({currency for _, _, currency in owing})
    if len(currencies) > 1:
        raise Invalid(
            f"the invoices are in {', '.join(currencies)}: place each currency on its own",
            field="invoices",
        )
    return sum(amount for _, amount, _ in owing), currencies[0]


# ---- the agency's export ---------------------------------------------------------------------

# one row per invoice placed; the debtor's columns repeat on each (an agency imports a flat
# file). Amounts are decimal text in the invoice's currency: the file leaves Cobro
EXPORT_COLUMNS = (
    "placement",
    "agency_reference",
    "placed_on",
    "creditor",
    "debtor_id",
    "debtor_name",
    "debtor_kind",
    "tax_id",
    "language",
    "contact_name",
    "email",
    "phone",
    "street",
    "building_number",
    "postal_code",
    "city",
    "region",
    "country",
    "invoice",
    "issue_date",
    "due_date",
    "total",
    "open_amount",
    "currency",
    "payment_reference",
    "stage",
    "last_message_on",
    "notes",
)
CONTACT_COLUMNS = (
    "name",
    "role",
    "email",
    "phone",
    "street",
    "building_number",
    "postal_code",
    "city",
    "region",
    "country",
)


def export_csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, EXPORT_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({column: row.get(column, "") for column in EXPORT_COLUMNS})
    return out.getvalue()


# ---- the agency's payment file ---------------------------------------------------------------

SYNC_COLUMNS = ("reference", "invoice", "date", "amount", "currency")
_ALIASES = {
    "agency_reference": "reference",
    "ref": "reference",
    "invoice_number": "invoice",
    "number": "invoice",
    "paid_on": "date",
    "received_on": "date",
}


@dataclass(frozen=True)
class SyncRow:
    """One payment the agency collected: its line in the file (the header is line 1)."""

    row: int
    reference: str | None  # the agency's reference of the payment
    invoice: str | None  # the invoice number it names, if any
    paid_on: date
    amount: int  # minor units of `currency`
    currency: str


def read_sync_csv(text: str, currency: str, on: date) -> list[SyncRow]:
    """The rows of an agency's payment file (`reference`, `invoice`, `date`, `amount`,
    `currency`; a blank currency is the placement's). All or nothing: every problem of every
    row is gathered into one error, each naming its row and field."""
    lines = text.lstrip("\ufeff").splitlines()
    if not any(line.strip() for line in lines):
        raise Invalid("the payment file is empty", field="file")
    dialect = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.reader(lines, delimiter=dialect)
    header = [_ALIASES.get(h.strip().lower(), h.strip().lower()) for h in next(reader)]
    missing = [c for c in ("date", "amount") if c not in header]
    if missing or not {"reference", "invoice"} & set(header):
        need = missing or ["reference or invoice"]
        raise Invalid(f"row 1: the header lacks {', '.join(need)}", field="file")
    problems: list[str] = []
    rows: list[SyncRow] = []
    seen: dict[str, int] = {}
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) + len(problems) >= MAX_SYNC_ROWS:
            problems.append(f"row {number}: more than {MAX_SYNC_ROWS} rows in one file")
            break
        values = {
            name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(header)
        }
        try:
            row = _sync_row(number, values, currency, on)
        except Invalid as problem:
            problems.append(problem.message)
            continue
        if row.reference is not None:
            if row.reference in seen:
                problems.append(
                    f"row {number}, reference: {row.reference} is on row {seen[row.reference]} too"
                )
                continue
            seen[row.reference] = number
        rows.append(row)
    if problems:
        raise Invalid("; ".join(problems), field="file")
    if not rows:
        raise Invalid("the payment file has no payments", field="file")
    return rows


def _sync_row(number: int, values: dict[str, str], currency: str, on: date) -> SyncRow:
    def wrong(field: str, why: str) -> Invalid:
        return Invalid(f"row {number}, {field}: {why}", field=field)

    reference = values.get("reference") or None
    invoice = values.get("invoice") or None
    if reference is None and invoice is None:
        raise wrong("reference", "give the agency's reference or the invoice number")
    if reference is not None and len(reference) > 60:
        raise wrong("reference", "longer than 60 characters")
    try:
        code = check_currency(values.get("currency") or currency)
    except Invalid:
        raise wrong("currency", f"{values.get('currency')!r} is not a currency") from None
    if code != currency:
        raise wrong("currency", f"{code}: the placement is in {currency}")
    try:
        paid_on = parse_date(values.get("date", ""))
    except Invalid:
        raise wrong("date", f"{values.get('date')!r} is not a date (YYYY-MM-DD)") from None
    if paid_on > on:
        raise wrong("date", f"{paid_on} is after today ({on})")
    try:
        amount = parse_amount(values.get("amount", ""), code)
    except Invalid:
        raise wrong("amount", f"{values.get('amount')!r} is not an amount") from None
    if amount <= 0:
        raise wrong("amount", "must be more than zero")
    return SyncRow(number, reference, invoice, paid_on, amount, code)


def payment_id(placement_id: int, row: SyncRow) -> str:
    """The payment's external id: the agency's reference when the row has one (the same
    payment in a later file is the same payment), else what the row says and where it is, so
    the same file recorded twice records nothing new."""
    if row.reference is not None:
        key = f"agency-{placement_id}-{row.reference}"
    else:
        key = f"agency-{placement_id}-r{row.row}-{row.invoice}-{row.paid_on}-{row.amount}"
    if len(key) <= MAX_PAYMENT_ID:
        return key
    # too long for the column: cut, and keep it unique with a digest of the whole
    return f"{key[: MAX_PAYMENT_ID - 17]}-{hashlib.sha256(key.encode()).hexdigest()[:16]}"


def next_stages(current: str) -> tuple[str, ...]:
    """Where a case at `current` may go: its next stage and closed (nowhere once closed)."""
    if current == "closed":
        return ()
    following = STAGES[STAGES.index(current) + 1]
    return (following,) if following == "closed" else (following, "closed")
