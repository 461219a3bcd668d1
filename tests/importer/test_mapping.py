from pathlib import Path

import pytest

from cobro.errors import Invalid
from cobro.importer.mapping import (
    IGNORE,
    Mapping,
    combine,
    header_key,
    load_mapping,
    resolve,
)


def fields_of(kind: str, headers: list[str], mapping: Mapping | None = None) -> dict[str, str]:
    columns = resolve(kind, "file.csv", headers, mapping or Mapping())  # type: ignore[arg-type]
    return {headers[position]: name for name, position in columns.index.items()}


def test_header_keys_ignore_case_accents_punctuation_camel_case_and_small_words() -> None:
    assert header_key("Fecha de emisión") == header_key("FECHA_EMISION") == "fechaemision"
    assert header_key("invoiceNumber") == header_key("Invoice number") == "invoicenumber"
    assert header_key("Nº factura") == header_key("N.º Factura") == "nofactura"


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            ["Invoice number", "Customer ID", "Issue date", "Due date", "Amount", "Tax",
             "Currency", "PO", "Paid on"],
            ["number", "customer", "issue_date", "due_date", "total", "tax", "currency",
             "purchase_order", "settled_on"],
        ),
        (
            ["Nº factura", "Código cliente", "Fecha de emisión", "Vencimiento", "Importe",
             "IVA", "Moneda", "Pedido", "Fecha de pago"],
            ["number", "customer", "issue_date", "due_date", "total", "tax", "currency",
             "purchase_order", "settled_on"],
        ),
        (
            ["número de factura", "cliente", "fecha factura", "fecha de vencimiento", "total",
             "impuestos", "divisa", "condiciones de pago"],
            ["number", "customer", "issue_date", "due_date", "total", "tax", "currency",
             "terms"],
        ),
    ],
)  # fmt: skip
def test_invoice_headers_are_recognised_in_english_and_spanish(
    headers: list[str], expected: list[str]
) -> None:
    assert fields_of("invoices", headers) == dict(zip(headers, expected, strict=True))


def test_customer_headers_are_recognised_in_english_and_spanish() -> None:
    headers = ["Código cliente", "Razón social", "País", "Idioma", "Correo", "Teléfono",
               "Límite de crédito", "Forma de pago", "NIF/CIF", "Dirección", "C.P."]  # fmt: skip
    assert list(fields_of("customers", headers).values()) == [
        "external_id", "name", "country", "language", "email", "phone", "credit_limit",
        "terms", "tax_id", "street", "postal_code",
    ]  # fmt: skip


def test_payment_headers_are_recognised_and_payment_method_differs_from_terms() -> None:
    headers = ["ID pago", "Cliente", "Fecha cobro", "Importe", "Facturas", "Forma de pago"]
    assert list(fields_of("payments", headers).values()) == [
        "external_id", "customer", "received_on", "amount", "invoices", "method",
    ]  # fmt: skip


def test_unknown_columns_are_reported_as_ignored_not_as_errors() -> None:
    headers = [*["Invoice", "Customer", "Date", "Amount"], "Salesman", "Region"]
    columns = resolve("invoices", "f.csv", headers, Mapping())
    assert columns.ignored == ("Salesman", "Region")


def test_map_option_names_a_column_and_beats_a_synonym_for_the_same_field() -> None:
    mapping = combine(Mapping(), ["Bruto=total", "Amount=ignore"], "invoices")
    headers = ["Invoice", "Customer", "Date", "Amount", "Bruto"]
    assert fields_of("invoices", headers, mapping)["Bruto"] == "total"
    assert "Amount" in resolve("invoices", "f.csv", headers, mapping).ignored


def test_a_synonym_never_takes_a_field_the_mapping_gave_to_another_column() -> None:
    mapping = combine(Mapping(), ["Bruto=total"], "invoices")
    headers = ["Invoice", "Customer", "Date", "Amount", "Bruto"]
    columns = resolve("invoices", "f.csv", headers, mapping)
    assert columns.index["total"] == 4
    assert "Amount" in columns.ignored


def test_map_option_with_an_unknown_field_lists_the_fields() -> None:
    with pytest.raises(Invalid, match=r"unknown field 'totl'.*number, customer"):
        combine(Mapping(), ["Bruto=totl"], "invoices")


def test_map_option_naming_a_column_the_file_lacks_is_an_error() -> None:
    mapping = combine(Mapping(), ["Brutto=total"], "invoices")
    with pytest.raises(Invalid, match=r"'Brutto', which f\.csv does not have"):
        resolve("invoices", "f.csv", ["Invoice", "Customer", "Date", "Amount"], mapping)


def test_two_columns_meaning_the_same_field_must_be_told_apart() -> None:
    with pytest.raises(Invalid, match="columns 'Amount' and 'Total' both look like the total"):
        resolve("invoices", "f.csv", ["Invoice", "Customer", "Date", "Amount", "Total"], Mapping())


def test_a_missing_required_column_is_named_with_the_file_and_its_columns() -> None:
    with pytest.raises(Invalid) as caught:
        resolve("invoices", "f.csv", ["Invoice", "Customer", "Amount"], Mapping())
    message = caught.value.message
    assert "f.csv: no column for the required field issue_date" in message
    assert "'Invoice', 'Customer', 'Amount'" in message
    assert '--map "Header=issue_date"' in message


def test_a_default_satisfies_a_required_column() -> None:
    mapping = Mapping(defaults={"issue_date": "2026-01-01"})
    assert "issue_date" not in fields_of("invoices", ["Invoice", "Customer", "Amount"], mapping)


def test_a_file_read_with_the_wrong_delimiter_gets_a_hint() -> None:
    with pytest.raises(Invalid, match="only one column was found: is the delimiter right"):
        resolve("invoices", "f.csv", ["Invoice;Customer;Date;Amount"], Mapping())


def test_payments_without_an_id_column_are_identified_by_their_reference() -> None:
    columns = resolve("payments", "p.csv", ["Reference", "Date", "Amount"], Mapping())
    assert "external_id" not in columns.index
    with pytest.raises(Invalid, match="required field external_id"):
        resolve("payments", "p.csv", ["Date", "Amount"], Mapping())


def test_a_mapping_file_gives_columns_defaults_ignored_columns_and_conventions(
    tmp_path: Path,
) -> None:
    path = tmp_path / "map.toml"
    path.write_text(
        'kind = "invoices"\ndayfirst = true\ndecimal = ","\nignore = ["Notes"]\n'
        '[columns]\n"Nr." = "number"\nRegion = "tag:region"\n'
        '[defaults]\ncurrency = "USD"\n',
        encoding="utf-8",
    )
    mapping = load_mapping("invoices", path)
    assert mapping.columns == {"Nr.": "number", "Region": "tag:region"}
    assert mapping.defaults == {"currency": "USD"}
    assert mapping.dayfirst is True
    assert mapping.decimal == ","
    columns = resolve("invoices", "f.csv", ["Nr.", "Customer", "Date", "Amount", "Region",
                                            "Notes"], mapping)  # fmt: skip
    assert columns.tags == (("region", 4),)
    assert columns.ignored == ("Notes",)


def test_the_command_line_overrides_the_mapping_file() -> None:
    base = Mapping(columns={"A": "number"}, dayfirst=True, decimal=",")
    mapping = combine(base, ["B=number"], "invoices", dayfirst=False, decimal=".")
    assert mapping.columns == {"A": "number", "B": "number"}
    assert (mapping.dayfirst, mapping.decimal) == (False, ".")
    assert combine(base, [], "invoices").dayfirst is True


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("kind = 'invoices'\n[columns\n", "not valid TOML"),
        ("colour = 'red'\n", "unknown keys colour"),
        ("kind = 'payments'\n", "is for payments, not invoices"),
        ("[columns]\nA = 'totl'\n", "unknown field 'totl'"),
        ("[defaults]\ncurrency = 3\n", r"\[defaults\] must map names to text"),
        ("dayfirst = 'yes'\n", "dayfirst must be a bool"),
        ("ignore = 'Notes'\n", "ignore must be a list"),
    ],
)
def test_a_broken_mapping_file_says_what_is_wrong(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "map.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(Invalid, match=message):
        load_mapping("invoices", path)


def test_a_missing_mapping_file_is_an_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(Invalid, match=r"mapping file .*nope.toml: cannot read it"):
        load_mapping("invoices", tmp_path / "nope.toml")


def test_ignore_is_a_mapping_target_too() -> None:
    mapping = combine(Mapping(), ["Amount=-"], "invoices")
    assert mapping.columns["Amount"] == IGNORE
