"""Every MT940/MT942 file shipped in ../shared/data/bank_statements/mt940 is read, or refused for
a stated reason, and agrees with the expectations shipped beside it (wolph_mt940's `.yml`
dumps, OCA's and Tryton's tests)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]  # no stubs installed; PyYAML ships untyped

from cobro.banking.mt940 import read_mt940
from cobro.banking.statement import Line, ParsedStatement, StatementError
from cobro.kit.money import to_minor
from tests.conftest import SHARED_DATA, shared_file

ROOT = "bank_statements/mt940"
_STATEMENT = re.compile(r"\.(sta|940|swi)$|940\.txt$", re.IGNORECASE)
FILES = sorted(
    str(path.relative_to(SHARED_DATA / ROOT))
    for path in (SHARED_DATA / ROOT).rglob("*")
    if path.is_file() and _STATEMENT.search(path.name)
)

# Files that are refused, and the words the refusal must contain.
REFUSED = {
    # a :25: (account) tag where the :86: belongs: the snippet is broken on purpose
    "wolph_mt940/mt940_tests/betterplace/sepa_snippet_broken.sta": "line 6: :25:",
    # fragments: a lone :61: with no balance before it has no currency
    "wolph_mt940/mt940_tests/betterplace/empty_entry_date.sta": "line 1: :61: no currency",
    "wolph_mt940/mt940_tests/cmxl/statement_details.sta": "line 1: :61: no currency",
    "wolph_mt940/mt940_tests/cmxl/statement_line.sta": "line 1: :61: no currency",
    "wolph_mt940/mt940_tests/self-provided/sparkassen.sta": "line 1: :61: no currency",
    # not MT940 at all
    "wolph_mt940/mt940_tests/self-provided/invalid_statement.sta": "not an MT940",
    # ":62M:C020315105000,00": the balance has no currency code
    "wolph_mt940/mt940_tests/self-provided/raphaelm.sta": "line 27: :62M: unknown currency '105'",
}

# closing − (opening + Σ lines) per statement, in minor units, where the sample files were
# edited by hand and do not add up (the same gaps as the library's own reading of them).
GAPS = {
    "wolph_mt940/mt940_tests/jejik/abnamro.sta": [-203800, -100260],
    "wolph_mt940/mt940_tests/jejik/ing.sta": [4906],
    "wolph_mt940/mt940_tests/jejik/knab.sta": [0, 450000],
    "wolph_mt940/mt940_tests/jejik/postfinance.sta": [0, 20],
    "wolph_mt940/mt940_tests/jejik/rabobank.sta": [113593, 0, 23656, 0],
    "wolph_mt940/mt940_tests/jejik/triodos.sta": [11140],
    "wolph_mt940/mt940_tests/mBank/with_newline_in_tnr.sta": [77071],
    "wolph_mt940/mt940_tests/betterplace/sepa_snippet.sta": [0, 30008],
    "wolph_mt940/mt940_tests/self-provided/details_60-63.sta": [23401],
    "wolph_mt940/mt940_tests/self-provided/malformed_details.sta": [23401],
    "wolph_mt940/mt940_tests/self-provided/overly_long_details.sta": [23401],
    "wolph_mt940/mt940_tests/self-provided/whitespace.sta": [23401],
    "wolph_mt940/mt940_tests/self-provided/raiffeisen-cmi.sta": [112326400],
}


def test_the_shared_files_are_there() -> None:
    shared_file(ROOT)
    assert len(FILES) > 40


@pytest.mark.parametrize("name", FILES)
def test_file_is_read_or_refused(name: str) -> None:
    data = shared_file(f"{ROOT}/{name}").read_bytes()
    if name in REFUSED:
        with pytest.raises(StatementError, match=re.escape(REFUSED[name])):
            read_mt940(data)
        return
    statements = read_mt940(data)
    assert statements
    gaps = [s.balance_gap() for s in statements if s.balance_gap() is not None]
    assert gaps == GAPS.get(name, [0] * len(gaps))
    for statement in statements:
        assert statement.format in ("mt940", "mt942")
        for line in statement.lines:
            assert line.currency == statement.currency
            assert line.status == ("PDNG" if statement.format == "mt942" else "BOOK")
    expected = Path(shared_file(f"{ROOT}/{name}")).with_suffix(".yml")
    if expected.exists():
        _compare_with_yaml(statements, _load(expected))


# ---- wolph_mt940's .yml: pickled-object dumps, read without running any of their code ------------


class _Loader(yaml.SafeLoader):  # type: ignore[misc]
    """Reads `!!python/object` tags as plain mappings and only the value types we compare
    (Decimal, Date) from `!!python/object/apply`; constructs nothing else."""


def _object(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Iterator[dict[str, Any]]:
    del suffix
    found: dict[str, Any] = {}
    yield found  # before filling in: the dumps refer back to their parents
    if isinstance(node, yaml.MappingNode):
        found.update(loader.construct_mapping(node, deep=True))


def _apply(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> object:
    if not isinstance(node, yaml.SequenceNode):
        return None
    args = loader.construct_sequence(node, deep=True)
    if suffix == "decimal.Decimal":
        return Decimal(args[0])
    if suffix in ("mt940.models.Date", "mt940.models.DateTime") and isinstance(args[0], bytes):
        raw = args[0]
        return date(raw[0] * 256 + raw[1], raw[2], raw[3])
    return None


_Loader.add_multi_constructor("tag:yaml.org,2002:python/object:", _object)
_Loader.add_multi_constructor("tag:yaml.org,2002:python/object/apply:", _apply)
_Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda *_: None)


def _load(path: Path) -> dict[str, Any]:
    loaded = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    assert isinstance(loaded, dict)
    return loaded


def _compare_with_yaml(statements: list[ParsedStatement], expected: dict[str, Any]) -> None:
    """The dumps are of the library merging the whole file into one collection: transactions
    of every statement in order, statement data of the last one that had each tag."""
    lines = [line for statement in statements for line in statement.lines]
    wanted = [t["data"] for t in expected.get("transactions", [])]
    assert len(lines) == len(wanted)
    for line, data in zip(lines, wanted, strict=True):
        _compare_line(line, data)
    balances = {(b.amount, b.on) for s in statements for b in (s.opening, s.closing) if b}
    for key, value in expected["data"].items():
        if key.endswith(("opening_balance", "closing_balance")) and value["amount"]:
            amount = value["amount"]
            minor = to_minor(amount["amount"], amount["currency"])
            assert (minor, value["date"]) in balances, key


def _compare_line(line: Line, data: dict[str, Any]) -> None:
    amount = data["amount"]
    status = str(data.get("status") or "").upper()
    # the dumps were written by a library that signed only "D": a reversal of a credit (RC)
    # takes money out, and is negative here
    sign = -1 if status == "RC" else 1
    assert line.amount == sign * to_minor(amount["amount"], amount["currency"])
    assert line.currency == amount["currency"]
    assert line.value_date == data["date"]
    assert line.reversal == status.startswith("R")
    if data.get("entry_date"):
        assert line.booking_date == data["entry_date"]
    bank_ref = data.get("bank_reference")
    if bank_ref and bank_ref.strip() and bank_ref.upper() != "NONREF":
        assert line.bank_reference == " ".join(bank_ref.split())
    eref = data.get("end_to_end_reference")
    if eref and eref.strip().upper() != "NOTPROVIDED":
        assert line.end_to_end_id == " ".join(eref.split())


# ---- OCA's and Tryton's expectations, from their test modules ----------------------------------


def _read(name: str) -> list[ParsedStatement]:
    return read_mt940(shared_file(f"{ROOT}/{name}").read_bytes())


@pytest.mark.parametrize("name", ["mt940_base__test-ing.940", "mt940_nl_ing__test-ing-old.940"])
def test_oca_ing(name: str) -> None:
    [statement] = _read(f"oca_bank_statement_import_10.0/{name}")
    # NL77INGB0574908765 fails the IBAN check digits (a made-up account): kept as written
    assert statement.account_other == "NL77INGB0574908765EUR"
    assert statement.opening
    assert statement.opening.amount == 66223
    assert statement.closing
    assert statement.closing.amount == 56435
    assert len(statement.lines) == 8
    if name == "mt940_base__test-ing.940":
        first = statement.lines[0]
        assert first.counterparty_iban == "NL32INGB0000012345"
        assert (first.amount, first.value_date) == (156, date(2014, 2, 20))
        assert first.end_to_end_id == "EV12341REP1231456T1234"
        assert statement.lines[2].return_reason == "MS03"
        assert statement.lines[6].structured_reference == "9001123412341234"


@pytest.mark.parametrize("name", ["mt940_base__test-rabo.swi", "mt940_nl_rabo__test-rabo.swi"])
def test_oca_rabobank(name: str) -> None:
    statements = _read(f"oca_bank_statement_import_10.0/{name}")
    assert len(statements) == 4  # "The file contains 4 statements, but only 2 with transactions"
    assert sum(1 for s in statements if s.lines) == 2
    assert {s.account_iban for s in statements} == {"NL34RABO0142623393"}
    assert statements[0].opening
    assert statements[0].opening.amount == 443352
    assert statements[-1].closing
    assert statements[-1].closing.amount == 479891
    first = statements[0].lines[0]
    assert (first.counterparty_iban, first.amount) == ("NL66RABO0160878799", 40000)
    assert first.value_date == date(2014, 1, 2)
    assert first.counterparty_name == "R. SMITH"


def test_oca_sns() -> None:
    statements = _read("oca_bank_statement_import_10.0/mt940_base__test-sns.940")
    assert len(statements) == 3
    assert {s.account_iban for s in statements} == {"NL05SNSB0908244436"}
    first = statements[0].lines[0]
    # SNS puts the counterparty IBAN in the :61: customer reference and the name after it
    assert first.counterparty_iban == "NL49RABO0166416932"
    assert first.counterparty_name == "gerrits glas en schilderwerk"


def test_tryton() -> None:
    [statement] = _read("tryton_account_statement_mt940/MT940.txt")
    assert statement.identifier == "20190731/001"
    assert statement.account_other == "1234567890"
    assert statement.opening is not None
    assert (statement.opening.amount, statement.opening.on) == (0, date(2019, 7, 31))
    assert statement.closing
    assert statement.closing.amount == 10000
    [line] = statement.lines
    assert (line.amount, line.value_date, line.bank_code) == (10000, date(2019, 7, 31), "FFPC")
    assert line.remittance == "98.76.54.321 John Doe"
    assert line.bank_reference == "913000381"
