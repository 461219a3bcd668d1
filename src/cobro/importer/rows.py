"""One file row → the typed input of a ledger service (`CustomerIn`, `InvoiceIn`, `PaymentIn`).

Pure: no database. Every problem of a row is collected with its field, so that the user sees
all of them at once, each pointing at the file's own column.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from cobro.customer.rules import ContactIn, CustomerIn, normalise_customer
from cobro.errors import Invalid
from cobro.importer.mapping import Columns
from cobro.importer.readers import Cell, cell_text
from cobro.invoice.rules import InvoiceIn
from cobro.kit.dates import parse_date
from cobro.kit.money import check_currency, exponent, parse_amount, to_minor
from cobro.payment.service import PaymentIn

# a ledger that sums many amounts must stay far inside 64-bit integers
MAX_AMOUNT = 10**15
_NO_LIMIT = 1 << 30
FIRST_YEAR, LAST_YEAR = 1900, 2199
CONTACT_FIELDS = (
    "contact_name",
    "email",
    "phone",
    "street",
    "building_number",
    "postal_code",
    "city",
    "region",
    "contact_country",
)


@dataclass(frozen=True)
class FieldProblem:
    field: str
    value: str
    reason: str


class RowInvalid(Invalid):
    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("; ".join(p.reason for p in problems), field=problems[0].field)
        self.problems = problems


@dataclass(frozen=True)
class ParseOptions:
    currency: str  # the company's: for a row that names none, when no default says otherwise
    dayfirst: bool = False
    decimal: str | None = None
    defaults: dict[str, str] = field(default_factory=dict)
    max_length: dict[str, int] = field(default_factory=dict)  # what the database columns hold


class RowParser:
    """Reads fields out of one row at a time; problems pile up until `done()`."""

    def __init__(self, columns: Columns, options: ParseOptions) -> None:
        self.columns = columns
        self.options = options
        self._defaults = options.defaults
        self._max_length = options.max_length
        self._dot_is_decimal = options.decimal in (None, ".")
        # Each row becomes a list of stripped cells followed by one blank cell and the
        # defaults of the fields the file lacks, so that every field is one list index away
        # (a million-row file reads each field twice: lookups must be cheap).
        self._width = width = len(columns.headers)
        self._position = dict(columns.index)
        tail: list[Cell] = [""]
        for name, value in options.defaults.items():
            if name not in self._position:
                self._position[name] = width + len(tail)
                tail.append(value)
        self._tail = tail
        self._fill = [
            (columns.index[n], v) for n, v in options.defaults.items() if n in columns.index
        ]
        # a file repeats few distinct dates and currencies: parse each text once
        self._dates: dict[str, date] = {}
        self._currencies: dict[str, str] = {}
        self._scales: dict[str, tuple[int, int]] = {}  # currency: (decimals, 10 ** decimals)
        self.cells: list[Cell] = []
        self._values: list[Cell] = []
        self.problems: list[FieldProblem] = []

    def start(self, cells: list[Cell]) -> None:
        self.cells = cells
        self.problems = []
        if len(cells) != self._width:
            cells = cells[: self._width]
        try:
            values: list[Cell] = list(map(str.strip, cells))  # type: ignore[arg-type]
        except TypeError:  # an Excel row: numbers and dates among the text
            values = [c.strip() if isinstance(c, str) else c for c in cells]
        values.extend(self._tail)
        for position, default in self._fill:
            if values[position] == "":
                values[position] = default
        self._values = values

    def done(self) -> None:
        if self.problems:
            raise RowInvalid(self.problems)

    def has(self, name: str) -> bool:
        """Whether the file (or a default) gives this field at all."""
        return name in self._position

    def optional(self, name: str) -> str | None:
        """`text` for fields most files lack, skipping its work when the file lacks them."""
        return self.text(name) if name in self._position else None

    def fail(self, name: str, value: Cell, reason: str) -> None:
        self.problems.append(FieldProblem(name, cell_text(value), reason))

    def cell(self, name: str) -> Cell:
        """The field's cell, stripped; the mapping's default when the cell is empty."""
        return self._values[self._position.get(name, self._width)]

    def text(self, name: str) -> str | None:
        value = self._values[self._position.get(name, self._width)]
        text = value if isinstance(value, str) else cell_text(value)
        if not text:
            return None
        if len(text) > self._max_length.get(name, _NO_LIMIT):
            limit = self._max_length[name]
            self.fail(name, text, f"is {len(text)} characters long; at most {limit} fit")
        return text

    def required(self, name: str) -> str:
        value = self.text(name)
        if value is None:
            self.fail(name, "", "is empty")
            return ""
        return value

    def day(self, name: str, required: bool = False) -> date | None:
        value = self.cell(name)
        if isinstance(value, str):
            if not value:
                if required:
                    self.fail(name, "", "is empty")
                return None
            known = self._dates.get(value)
            return known if known is not None else self._new_date(name, value)
        if isinstance(value, Decimal):
            self.fail(name, value, "is a number, not a date (format the cells as dates)")
            return None
        return self._in_range(name, value)

    def _new_date(self, name: str, text: str) -> date | None:
        try:
            day = parse_date(text, dayfirst=self.options.dayfirst)
        except Invalid as exc:
            self.fail(name, text, exc.message)
            return None
        checked = self._in_range(name, day, text)
        if checked is not None:
            self._dates[text] = checked
        return checked

    def _in_range(self, name: str, day: date, text: str | None = None) -> date | None:
        if FIRST_YEAR <= day.year <= LAST_YEAR:
            return day
        reason = f"year {day.year} is out of range ({FIRST_YEAR}–{LAST_YEAR})"
        self.fail(name, text or day, reason)
        return None

    def currency(self) -> str | None:
        value = self.text("currency") or self.options.currency
        code = self._currencies.get(value)
        if code is None:
            try:
                code = check_currency(value)
            except Invalid as exc:
                self.fail("currency", value, exc.message)
                return None
            self._currencies[value] = code
        return code

    def amount(self, name: str, currency: str | None, required: bool = False) -> int | None:
        """Minor units of `currency`; None when the cell is empty or wrong (then noted)."""
        value = self.cell(name)
        if value == "" or currency is None:
            if required and value == "":
                self.fail(name, "", "is empty")
            return None
        try:
            if isinstance(value, str):
                minor = self._plain_amount(value, currency)
                if minor is None:
                    minor = parse_amount(value, currency, self.options.decimal)
            elif isinstance(value, Decimal):
                if not value.is_finite():
                    raise Invalid(f"{value} is not an amount")
                minor = to_minor(value, currency)
            else:
                raise Invalid("is a date, not an amount")
        except Invalid as exc:
            self.fail(name, value, exc.message)
            return None
        if abs(minor) > MAX_AMOUNT:
            self.fail(name, value, "is too large an amount")
            return None
        return minor

    def _plain_amount(self, text: str, currency: str) -> int | None:
        """ "1234" or "1234.5": the reading `parse_amount` gives too, found without its general
        machinery (a million-row export is made of these). None for anything else, which then
        goes to `parse_amount` — so do three decimals, where "1.234" may group thousands."""
        if not self._dot_is_decimal:
            return None
        whole, dot, fraction = text.partition(".")
        scale = self._scales.get(currency)
        if scale is None:
            scale = self._scales[currency] = (exponent(currency), 10 ** exponent(currency))
        places = scale[0]
        if not (whole.isascii() and whole.isdigit() and len(whole) <= 15):
            return None
        if dot and not (fraction.isascii() and fraction.isdigit() and len(fraction) <= 2):
            return None
        if len(fraction) > places:
            return None  # parse_amount says what is wrong
        return int(whole) * scale[1] + (int(fraction.ljust(places, "0")) if fraction else 0)

    def tags(self, name: str = "tags") -> tuple[str, ...] | None:
        """Tags from a "tags" column (split on ; or ,) and from tag:<prefix> columns; None when
        the file has neither, so that stored tags are kept."""
        present = self.has(name) or bool(self.columns.tags)
        if not present:
            return None
        found: list[str] = []
        listed = self.text(name) if self.has(name) else None
        if listed:
            found.extend(part.strip() for part in listed.replace(",", ";").split(";"))
        for prefix, position in self.columns.tags:
            value = cell_text(self.cells[position]).strip()
            if value:
                found.append(f"{prefix}:{value}")
        return tuple(tag for tag in found if tag)


@dataclass(slots=True)
class InvoiceRow:
    invoice: InvoiceIn
    settled_on: date | None
    customer_name: str | None
    customer_country: str | None
    tags: tuple[str, ...]
    customer_paperless: date | None = None


def read_invoice(p: RowParser) -> InvoiceRow:
    currency = p.currency()
    number = p.required("number")
    customer = p.required("customer")
    issued = p.day("issue_date", required=True)
    due = p.day("due_date")
    total = p.amount("total", currency, required=True)
    tax = p.amount("tax", currency)
    settled = p.day("settled_on")
    terms = p.optional("terms")
    row = InvoiceRow(
        invoice=InvoiceIn(
            number=number,
            customer=customer,
            issue_date=issued or date.min,
            total=total or 0,
            currency=currency or "",
            tax=tax or 0,
            due_date=due,
            terms=terms,
            purchase_order=p.optional("purchase_order"),
            reference=p.optional("reference"),
            payment_reference=p.optional("payment_reference"),
        ),
        settled_on=settled,
        customer_name=p.optional("name"),
        customer_country=p.optional("country"),
        tags=p.tags() or (),
        customer_paperless=p.day("paperless_since"),
    )
    p.done()
    return row


@dataclass(slots=True)
class PaymentRow:
    payment: PaymentIn
    customer_country: str | None


def read_payment(p: RowParser) -> PaymentRow:
    currency = p.currency()
    # without a payment id column the payment's own reference identifies it
    key = "external_id" if p.has("external_id") else "reference"
    external_id = p.required(key)
    received = p.day("received_on", required=True)
    amount = p.amount("amount", currency, required=True)
    listed = p.text("invoices") or ""
    numbers = tuple(dict.fromkeys(n.strip() for n in listed.split(";") if n.strip()))
    row = PaymentRow(
        payment=PaymentIn(
            external_id=external_id,
            received_on=received or date.min,
            amount=amount or 0,
            currency=currency or "",
            customer=p.text("customer"),
            method=p.text("method"),
            reference=p.text("reference"),
            payer_name=p.text("payer_name"),
            invoices=numbers,
        ),
        customer_country=p.text("country"),
    )
    p.done()
    return row


_PLAIN = ("name", "country", "kind", "language", "timezone", "currency", "terms", "tax_id",
          "collector")  # fmt: skip
# what spreadsheets write for the two kinds of customer
_KINDS = {"empresa": "business", "company": "business", "b2b": "business",
          "particular": "consumer", "consumidor": "consumer", "person": "consumer",
          "b2c": "consumer"}  # fmt: skip


def read_customer(
    p: RowParser, stored: CustomerIn | None, country: str, currency: str
) -> CustomerIn:
    """The checked customer a row describes. Columns the file does not have keep their stored
    values (a file of e-mail addresses must not wipe tax ids); an empty cell in a column it has
    clears an optional value. A new customer without a country gets `country`."""
    external_id = p.required("external_id")
    base = stored or CustomerIn(external_id=external_id, name="", country=country)
    present = {name: p.text(name) for name in _PLAIN if p.has(name)}
    for name in ("name", "kind", "country"):  # never "empty": keep the stored or default value
        if name in present and present[name] is None:
            del present[name]
    if present.get("kind"):
        present["kind"] = _KINDS.get(str(present["kind"]).strip().lower(), present["kind"])
    data = replace(base, external_id=external_id, **present)  # type: ignore[arg-type]
    tags = p.tags()
    if tags is not None:
        data = replace(data, tags=tags)
    if p.has("paperless_since"):
        data = replace(data, paperless_since=p.day("paperless_since"))
    contact = _contact(p, base.contact)
    if contact is not None:
        data = replace(data, contact=contact)
    if p.problems:
        p.done()
    try:
        clean = normalise_customer(data, currency)
        if p.has("credit_limit"):  # money in the customer's currency, known only now
            limit = p.amount("credit_limit", clean.currency)
            clean = normalise_customer(replace(clean, credit_limit=limit), currency)
    except Invalid as exc:
        name = exc.field or "external_id"
        p.fail(name, p.cell(name), exc.message)
        raise RowInvalid(p.problems) from None
    p.done()
    return clean


def _contact(p: RowParser, stored: ContactIn | None) -> ContactIn | None:
    present = {name: p.text(name) for name in CONTACT_FIELDS if p.has(name)}
    if not present:
        return None
    fields = {
        "name" if name == "contact_name" else "country" if name == "contact_country" else name: v
        for name, v in present.items()
    }
    return replace(stored or ContactIn(), **fields)


def unknown_customer(external_id: str) -> Invalid:
    """The error for an invoice or payment row naming a customer the ledger lacks."""
    return Invalid(
        f"no customer {external_id!r} (import customers first, or use --create-customers)",
        field="customer",
    )
