"""Which column of a file is which field: header synonyms in English and Spanish, `--map`
options and TOML mapping files.

Headers are compared by a key that ignores case, accents, punctuation, spaces, camelCase and
the small words ("de", "of"): "Fecha de emisión", "fecha_emision" and "FechaEmision" are one.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal, TypeVar, cast

from cobro.errors import Invalid

_T = TypeVar("_T")
Kind = Literal["customers", "invoices", "payments", "vendor_bills"]
KINDS: tuple[Kind, ...] = ("customers", "invoices", "payments", "vendor_bills")
IGNORE = "ignore"
TAG_PREFIX = "tag:"  # "tag:region" turns a cell "391" into the customer tag "region:391"

_STOP_WORDS = frozenset({"de", "del", "la", "el", "los", "las", "of", "the"})
_WORD = re.compile(r"[a-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def header_key(text: str) -> str:
    spaced = _CAMEL.sub(" ", text)
    plain = unicodedata.normalize("NFKD", spaced)
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch)).lower()
    return "".join(word for word in _WORD.findall(plain) if word not in _STOP_WORDS)


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    synonyms: tuple[str, ...] = ()
    required: bool = False


_CUSTOMER_ID = (
    "customer", "customer id", "customer number", "customer no", "customer code", "client",
    "client id", "account", "account number", "debtor", "cliente", "codigo cliente",
    "cod cliente", "id cliente", "numero cliente", "nº cliente", "deudor",
)  # fmt: skip
_NAME = ("name", "customer name", "company name", "nombre", "razón social", "nombre cliente",
         "empresa", "denominación")  # fmt: skip
_COUNTRY = ("country", "country code", "país", "codigo pais")
# electronic bills since: how soon a customer pays depends on it (the collection ranking)
_PAPERLESS = ("paperless since", "paperless date", "e-invoicing since", "paperless",
              "factura electrónica desde", "fecha factura electrónica")  # fmt: skip
_CURRENCY = ("currency", "currency code", "moneda", "divisa")
_TERMS = ("payment terms", "terms", "condiciones de pago", "forma de pago", "plazo de pago",
          "términos de pago")  # fmt: skip

FIELDS: dict[Kind, tuple[Field, ...]] = {
    "customers": (
        Field("external_id", "customer id", (*_CUSTOMER_ID, "id", "code", "código"), True),
        Field("name", "name", _NAME),
        Field("country", "country", _COUNTRY),
        Field("kind", "kind", ("type", "customer type", "tipo", "tipo de cliente")),
        Field("language", "language", ("language", "lang", "idioma", "lengua")),
        Field("timezone", "time zone", ("time zone", "tz", "zona horaria")),
        Field("currency", "currency", _CURRENCY),
        Field("credit_limit", "credit limit", ("credit limit", "límite de crédito", "riesgo")),
        Field("terms", "payment terms", _TERMS),
        Field("tax_id", "tax id", ("tax id", "tax number", "vat", "vat number", "vat id", "nif",
                                   "cif", "nif/cif", "dni", "nie", "tin", "ein", "rfc", "cuit")),
        Field("collector", "collector", ("collector", "gestor", "gestor de cobro", "cobrador")),
        Field("paperless_since", "paperless since", _PAPERLESS),
        Field("tags", "tags", ("tags", "etiquetas")),
        Field("contact_name", "contact", ("contact", "contact name", "contacto",
                                          "persona de contacto")),
        Field("email", "email", ("email", "e-mail", "mail", "correo", "correo electrónico")),
        Field("phone", "phone", ("phone", "telephone", "tel", "mobile", "teléfono", "móvil")),
        Field("street", "street", ("street", "address", "calle", "dirección", "domicilio")),
        Field("building_number", "building number", ("building number", "house number")),
        Field("postal_code", "postal code", ("postal code", "postcode", "zip", "zip code",
                                             "código postal", "cp")),
        Field("city", "city", ("city", "town", "ciudad", "población", "localidad", "municipio")),
        Field("region", "region", ("region", "state", "province", "provincia", "estado")),
        Field("contact_country", "contact country", ("contact country", "país de contacto")),
    ),
    "invoices": (
        Field("number", "invoice number", ("invoice", "invoice number", "invoice no",
                                           "invoice nr", "invoice num", "invoice id",
                                           "document number", "número de factura", "nº factura",
                                           "n.º factura", "num factura", "nro factura",
                                           "factura", "numero documento"), True),
        Field("customer", "customer id", _CUSTOMER_ID, True),
        Field("issue_date", "issue date", ("issue date", "invoice date", "date issued",
                                           "issued", "issued on", "date", "document date",
                                           "fecha", "fecha de emisión", "fecha factura",
                                           "fecha de expedición"), True),
        Field("due_date", "due date", ("due date", "due", "due on", "vencimiento",
                                       "fecha de vencimiento", "fecha vto", "vto")),
        Field("total", "amount", ("amount", "total", "invoice amount", "invoice total",
                                  "total amount", "gross amount", "importe", "importe total",
                                  "total factura"), True),
        Field("tax", "tax", ("tax", "tax amount", "vat", "vat amount", "iva", "cuota iva",
                             "impuestos")),
        Field("currency", "currency", _CURRENCY),
        Field("terms", "payment terms", _TERMS),
        Field("purchase_order", "purchase order", ("po", "po number", "purchase order",
                                                   "order", "order number", "pedido",
                                                   "número de pedido", "orden de compra")),
        Field("reference", "reference", ("reference", "your reference", "referencia",
                                         "description", "descripción", "concepto")),
        Field("payment_reference", "payment reference", ("payment reference", "rf",
                                                         "rf reference", "creditor reference",
                                                         "referencia de pago")),
        Field("settled_on", "settled date", ("settled date", "settled on", "settlement date",
                                             "paid on", "paid date", "date paid",
                                             "payment date", "fecha de pago", "fecha pago",
                                             "fecha cobro", "fecha de cobro", "pagada el")),
        Field("name", "customer name", ("name", "customer name", "nombre", "nombre cliente",
                                         "razón social")),
        Field("country", "customer country", ("country", "país")),
        Field("paperless_since", "customer paperless since", _PAPERLESS),
    ),
    "payments": (
        Field("external_id", "payment id", ("payment id", "payment number", "payment no", "id",
                                            "transaction id", "receipt", "receipt number",
                                            "id pago", "número de pago", "id cobro",
                                            "id transacción", "recibo", "número de recibo")),
        Field("customer", "customer id", _CUSTOMER_ID),
        Field("received_on", "payment date", ("payment date", "date", "received on",
                                              "received", "value date", "booking date", "fecha",
                                              "fecha de pago", "fecha pago", "fecha cobro",
                                              "fecha de cobro", "fecha valor"), True),
        Field("amount", "amount", ("amount", "amount paid", "paid", "total", "importe",
                                   "importe pagado", "importe cobrado", "cantidad"), True),
        Field("currency", "currency", _CURRENCY),
        Field("invoices", "invoice numbers", ("invoice", "invoices", "invoice number",
                                              "invoice numbers", "applies to", "factura",
                                              "facturas", "número de factura", "nº factura",
                                              "aplicar a")),
        Field("method", "payment method", ("method", "payment method", "método de pago",
                                           "medio de pago", "forma de pago", "via")),
        Field("reference", "reference", ("reference", "remittance", "remittance information",
                                         "memo", "referencia", "concepto")),
        Field("payer_name", "payer", ("payer", "payer name", "name", "pagador", "ordenante",
                                      "nombre")),
        Field("country", "customer country", ("country", "país")),
    ),
    # bills the customer (also a supplier) sent the company: what the company owes them
    "vendor_bills": (
        Field("customer", "customer id", (*_CUSTOMER_ID, "supplier", "supplier id", "vendor",
                                          "vendor id", "proveedor", "código proveedor",
                                          "acreedor"), True),
        Field("number", "bill number", ("bill", "bill number", "bill no", "vendor bill",
                                        "supplier invoice", "invoice", "invoice number",
                                        "document number", "número de factura", "nº factura",
                                        "factura", "factura proveedor"), True),
        Field("issue_date", "issue date", ("issue date", "bill date", "invoice date", "date",
                                           "fecha", "fecha de emisión", "fecha factura"), True),
        Field("due_date", "due date", ("due date", "due", "due on", "vencimiento",
                                       "fecha de vencimiento", "fecha vto", "vto"), True),
        Field("currency", "currency", _CURRENCY),
        Field("total", "amount", ("amount", "total", "bill amount", "invoice amount",
                                  "total amount", "gross amount", "importe", "importe total",
                                  "total factura"), True),
        Field("open_amount", "open amount", ("open", "open amount", "balance", "outstanding",
                                             "amount due", "amount open", "pendiente",
                                             "importe pendiente", "saldo")),
        Field("reference", "reference", ("reference", "referencia", "description",
                                         "descripción", "concepto")),
    ),
}  # fmt: skip


def field_names(kind: Kind) -> tuple[str, ...]:
    return tuple(f.name for f in FIELDS[kind])


def _synonyms(kind: Kind) -> dict[str, str]:
    table: dict[str, str] = {}
    for item in FIELDS[kind]:
        for text in (item.name, *item.synonyms):
            key = header_key(text)
            if table.setdefault(key, item.name) != item.name:
                raise AssertionError(f"{kind}: header {text!r} means two fields")
    return table


SYNONYMS: dict[Kind, dict[str, str]] = {kind: _synonyms(kind) for kind in KINDS}


@dataclass(frozen=True)
class Mapping:
    """How to read one kind of file: explicit columns, constant defaults, columns to ignore,
    and the reading conventions (a mapping file may fix them; the command line overrides)."""

    columns: dict[str, str] = field(default_factory=dict)  # header → field, IGNORE or tag:…
    defaults: dict[str, str] = field(default_factory=dict)  # field → value when absent/empty
    ignore: tuple[str, ...] = ()
    dayfirst: bool = False
    decimal: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    strict_columns: tuple[str, ...] = ()  # headers named on the command line: must exist


def check_target(kind: Kind, target: str, where: str) -> str:
    clean = target.strip()
    if clean.lower() in (IGNORE, "-"):
        return IGNORE
    if clean.startswith(TAG_PREFIX) and clean[len(TAG_PREFIX) :].strip():
        if kind in ("payments", "vendor_bills"):
            raise Invalid(f"{where}: tags go on customers, in customer or invoice files")
        return TAG_PREFIX + clean[len(TAG_PREFIX) :].strip()
    if clean not in field_names(kind):
        raise Invalid(
            f"{where}: unknown field {clean!r} for {kind}; fields are "
            f"{', '.join(field_names(kind))}, tag:<name> or ignore"
        )
    return clean


def parse_map_option(kind: Kind, option: str) -> tuple[str, str]:
    """`--map "Header=field"`: the last "=" splits, so a header may itself contain one."""
    header, sep, target = option.rpartition("=")
    if not sep or not header.strip():
        raise Invalid(f'--map {option!r}: write it as "Header=field"')
    return header.strip(), check_target(kind, target, f"--map {option!r}")


def load_mapping(kind: Kind, path: Path) -> Mapping:
    """Read a TOML mapping file (see docs/examples/ibm-accounts-receivable.toml)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise Invalid(f"mapping file {path}: cannot read it ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise Invalid(f"mapping file {path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise Invalid(f"mapping file {path}: not valid TOML ({exc})") from None
    known = {"kind", "columns", "defaults", "ignore", "dayfirst", "decimal", "encoding",
             "delimiter"}  # fmt: skip
    unknown = sorted(set(data) - known)
    if unknown:
        raise Invalid(f"mapping file {path}: unknown keys {', '.join(unknown)}")
    if data.get("kind", kind) != kind:
        raise Invalid(f"mapping file {path} is for {data['kind']}, not {kind}")
    columns = _table(path, data, "columns")
    defaults = _table(path, data, "defaults")
    for name in defaults:
        if check_target(kind, name, f"mapping file {path}, [defaults]") != name:
            raise Invalid(f"mapping file {path}, [defaults]: {name!r} is not a field")
    ignore = data.get("ignore", [])
    if not isinstance(ignore, list) or not all(isinstance(item, str) for item in ignore):
        raise Invalid(f"mapping file {path}: ignore must be a list of column headers")
    return Mapping(
        columns={
            header: check_target(kind, target, f"mapping file {path}, [columns] {header!r}")
            for header, target in columns.items()
        },
        defaults={name: value.strip() for name, value in defaults.items()},
        ignore=tuple(ignore),
        dayfirst=_option(path, data, "dayfirst", bool, False),
        decimal=_option(path, data, "decimal", str, None),
        encoding=_option(path, data, "encoding", str, None),
        delimiter=_option(path, data, "delimiter", str, None),
    )


def _table(path: Path, data: dict[str, object], name: str) -> dict[str, str]:
    table = data.get(name, {})
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise Invalid(f"mapping file {path}: [{name}] must map names to text values")
    return cast(dict[str, str], table)


def _option(path: Path, data: dict[str, object], name: str, kind: type[_T], empty: _T) -> _T:
    value = data.get(name)
    if value is None:
        return empty
    if not isinstance(value, kind):
        raise Invalid(f"mapping file {path}: {name} must be a {kind.__name__}")
    return value


def combine(
    base: Mapping,
    maps: list[str],
    kind: Kind,
    dayfirst: bool | None = None,
    decimal: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> Mapping:
    """The mapping file's settings with the command line's on top."""
    if decimal is not None and decimal not in (".", ","):
        raise Invalid(f"--decimal {decimal!r}: use . or ,")
    explicit = dict(parse_map_option(kind, option) for option in maps)
    return replace(
        base,
        columns={**base.columns, **explicit},
        dayfirst=base.dayfirst if dayfirst is None else dayfirst,
        decimal=decimal or base.decimal,
        encoding=encoding or base.encoding,
        delimiter=delimiter or base.delimiter,
        strict_columns=tuple(explicit),
    )


@dataclass(frozen=True)
class Columns:
    """Where each field sits in a file's rows."""

    headers: list[str]
    index: dict[str, int]  # field → cell position
    tags: tuple[tuple[str, int], ...]  # (tag prefix, cell position)
    ignored: tuple[str, ...]  # headers not used, in file order

    def header_of(self, name: str) -> str:
        """The file's header text for a field (what a spreadsheet user sees), else its name."""
        position = self.index.get(name)
        return self.headers[position] if position is not None else name


def resolve(kind: Kind, file_name: str, headers: list[str], mapping: Mapping) -> Columns:
    """Assign each header a field, an explicit mapping first, then the known synonyms."""
    explicit = {header_key(header): target for header, target in mapping.columns.items()}
    ignored_keys = {header_key(header) for header in mapping.ignore}
    keys = [header_key(header) for header in headers]
    for header in mapping.strict_columns:
        if header_key(header) not in keys:
            raise Invalid(
                f"--map names column {header!r}, which {file_name} does not have; its columns "
                f"are: {', '.join(repr(h) for h in headers)}"
            )
    index: dict[str, int] = {}
    tags: list[tuple[str, int]] = []
    ignored: list[str] = []
    claimed = set(explicit.values())
    for position, (header, key) in enumerate(zip(headers, keys, strict=True)):
        target = explicit.get(key)
        if target is None and key in ignored_keys:
            target = IGNORE
        if target is None:
            target = SYNONYMS[kind].get(key)
            # a synonym never takes a field that the mapping gave to another column
            target = IGNORE if target in claimed else target
        if target is None or target == IGNORE or not key:
            ignored.append(header)
        elif target.startswith(TAG_PREFIX):
            tags.append((target[len(TAG_PREFIX) :], position))
        elif target in index:
            first = headers[index[target]]
            raise Invalid(
                f"{file_name}: columns {first!r} and {header!r} both look like the "
                f'{target} field; say which to use, e.g. --map "{header}=ignore"'
            )
        else:
            index[target] = position
    _check_required(kind, file_name, headers, index, mapping)
    return Columns(headers, index, tuple(tags), tuple(ignored))


def _check_required(
    kind: Kind, file_name: str, headers: list[str], index: dict[str, int], mapping: Mapping
) -> None:
    missing = [
        f
        for f in FIELDS[kind]
        if f.required and f.name not in index and f.name not in mapping.defaults
    ]
    if kind == "payments" and "external_id" not in index and "reference" not in index:
        missing.insert(0, FIELDS["payments"][0])
    if not missing:
        return
    first = missing[0]
    hint = (
        " (only one column was found: is the delimiter right? see --delimiter)"
        if len(headers) == 1
        else ""
    )
    raise Invalid(
        f"{file_name}: no column for the required field {first.name} ({first.label}: e.g. "
        f"{', '.join(repr(s) for s in first.synonyms[:4])}); the file's columns are "
        f'{", ".join(repr(h) for h in headers)}{hint}; map one with --map "Header={first.name}"'
    )
