"""The camt reader against the sample files other projects ship, with their expectations:
genkgo/camt (`.json` beside each `.xml`), OCA bank-statement-import (`golden-*.pydata`),
nnarhinen corporate.js (`.feature` Gherkin), Tryton (scenario `.rst`). Files are read in place
from ../shared/data; nothing is copied into the repository."""

from __future__ import annotations

import ast
import json
import re
import textwrap
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from cobro.banking.camt import read_camt
from cobro.banking.statement import Line, ParsedStatement, StatementError
from cobro.kit.money import to_minor
from tests.conftest import SHARED_DATA, shared_file

CAMT = "bank_statements/camt"
ROOT = SHARED_DATA / CAMT
GENKGO = f"{CAMT}/genkgo_camt/test/data"
OCA = f"{CAMT}/oca_bank_statement_import"
FINLAND = f"{CAMT}/nnarhinen_corporate.js_FI"
TRYTON = f"{CAMT}/tryton_account_statement_sepa"
TRYTON_054 = f"{CAMT}/tryton_account_payment_sepa_camt054"


def _camt_files() -> list[str]:
    """Every camt file: `.xml`, and OCA's files without an extension (the rest is licences,
    expectations and code)."""
    if not ROOT.exists():
        return []
    found = [
        path
        for path in sorted(ROOT.rglob("*"))
        if path.is_file()
        and (path.suffix == ".xml" or (path.suffix == "" and path.parent.name.startswith("oca_")))
    ]
    return [str(path.relative_to(SHARED_DATA)) for path in found]


FILES = _camt_files()

# truly malformed: the reason the reader must give
REFUSED = {
    # a BkToCstmrStmt with a group header and no Stmt (the XSD requires one): nothing to import
    f"{GENKGO}/camt053.v2.wrong.xml": "has no Stmt",
}

# closing − (opening + Σ booked lines) for shipped files that do not add up, as they stand
DOES_NOT_ADD_UP = {
    # genkgo's samples reuse balances that have nothing to do with their one entry: the closing
    # balance is a debit of 27.00 SEK against an opening of 18.15 EUR plus 8.85 EUR
    f"{GENKGO}/camt053.v2.minimal.xml": [-5400],
    f"{GENKGO}/camt053.v2.minimal.ultimate.xml": [-5400],
    f"{GENKGO}/camt053.v2.with-party-ids.xml": [-5400],
    f"{GENKGO}/camt053.v3.xml": [-5400],
    f"{GENKGO}/camt053.v4.xml": [-5400],
    f"{GENKGO}/camt053.v8.xml": [-5400],
    # one balance of each type, 1.01 to 10.10 EUR: OPBD 1.01 + 8.85 is not CLBD 4.04
    f"{GENKGO}/camt053.v2.all-balance-types.xml": [-582],
    # 18.150 + 8.850 = 27.000, the closing balance says 27.050
    f"{GENKGO}/camt053.v2.five.decimals.xml": [5],
    # OCA's entries are a selection: 15568.27 − 12.99 is not 15121.12
    f"{OCA}/test-camt053": [-43416],
    # the Finnish samples' closing balance (1 000 000.00) does not follow from their entries
    f"{FINLAND}/extracted_camt.053.001.02_scenario1.xml": [-256846],
    f"{FINLAND}/extracted_camt.053.001.02_scenario2.xml": [-231846],
}


def test_there_are_camt_files_to_check() -> None:
    shared_file(GENKGO)
    assert len(FILES) >= 40


@pytest.mark.parametrize("relative", FILES)
def test_each_file_is_read_or_refused_with_a_reason(relative: str) -> None:
    data = shared_file(relative).read_bytes()
    if relative in REFUSED:
        with pytest.raises(StatementError, match=REFUSED[relative]):
            read_camt(data)
        return
    statements = read_camt(data)
    assert statements
    for statement in statements:
        assert statement.format.startswith("camt.05")
        assert statement.account
        assert statement.created_at is not None
        assert statement.created_at.tzinfo is not None
        for line in statement.lines:
            assert line.currency
            assert len(line.currency) == 3
            assert line.status in ("BOOK", "PDNG", "INFO")
    gaps = [s.balance_gap() for s in statements if s.balance_gap() is not None]
    assert gaps == DOES_NOT_ADD_UP.get(relative, [0] * len(gaps))


def _minor(value: float | str, currency: str) -> int:
    return to_minor(Decimal(str(value)), currency)


def _read(relative: str) -> list[ParsedStatement]:
    return read_camt(shared_file(relative).read_bytes())


# --- genkgo/camt: a PHP object dump beside each file -----------------------------------------


def _genkgo_files() -> list[str]:
    return [
        f
        for f in FILES
        if f.startswith(GENKGO) and Path(SHARED_DATA / f).with_suffix(".json").exists()
    ]


def _genkgo_parties(detail: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    parties = detail.get("getRelatedParties") or []
    return [
        p
        for p in parties
        if isinstance(p, dict) and p["getRelatedPartyType"]["__CLASS__"].endswith(f"\\{kind}")
    ]


def _check_genkgo_entry(entry: dict[str, Any], lines: tuple[Line, ...]) -> None:
    money = entry["getAmount"]
    amount, currency = int(money["getAmount"]), money["getCurrency"]["getCode"]
    booked = (entry["getBookingDate"] or {}).get("0", "")[:10] or None
    same = [
        line
        for line in lines
        if (line.amount, line.currency) == (amount, currency)
        and (line.booking_date.isoformat() if line.booking_date else None) == booked
    ]
    assert len(same) == 1, f"no line for entry {amount} {currency} {booked}"
    line = same[0]
    assert line.status == entry["getStatus"]
    assert line.reversal is bool(entry["getReversalIndicator"])
    details = [d for d in entry["getTransactionDetails"] if d]
    if len(details) != 1:
        return  # several transactions kept as one line: only what they share is on it
    detail = entry["getTransactionDetail"]
    reference = detail.get("getReference") or {}
    assert line.end_to_end_id == reference.get("getEndToEndId")
    remittance = detail.get("getRemittanceInformation") or {}
    unstructured = remittance.get("getUnstructuredBlock")  # getMessage falls back to Strd
    if unstructured:
        assert line.remittance == unstructured["getMessage"]
    creditor_ref = remittance.get("getCreditorReferenceInformation") or (
        (remittance.get("getStructuredBlock") or {}).get("getCreditorReferenceInformation")
    )
    assert line.structured_reference == (creditor_ref or {}).get("getRef")
    kind = "Debtor" if amount > 0 else "Creditor"
    candidates = _genkgo_parties(detail, kind) or _genkgo_parties(detail, f"Ultimate{kind}")
    party = candidates[0] if candidates else None
    if party is not None:
        assert line.counterparty_name == party["getRelatedPartyType"]["getName"]
        if party["getAccount"]:
            assert line.counterparty_iban == party["getAccount"]["getIdentification"]


def _check_genkgo_record(record: dict[str, Any], statement: ParsedStatement) -> None:
    assert statement.account == record["getAccount"]["getIdentification"]
    assert statement.created_at is not None
    # genkgo writes the same instant in UTC
    assert statement.created_at == datetime.fromisoformat(record["getCreatedOn"]["0"])
    balances = record.get("getBalances", [])  # notifications have none
    for kind, ours in (("opening", statement.opening), ("closing", statement.closing)):
        theirs = next((b for b in balances if b["getType"] == kind), None)
        if theirs is None:
            assert ours is None
            continue
        assert ours is not None
        assert ours.amount == int(theirs["getAmount"]["getAmount"])
        assert ours.currency == theirs["getAmount"]["getCurrency"]["getCode"]
        assert ours.on.isoformat() == theirs["getDate"]["0"][:10]


@pytest.mark.parametrize("relative", _genkgo_files())
def test_genkgo_files_give_what_genkgo_expects(relative: str) -> None:
    statements = _read(relative)
    dump = json.loads(shared_file(relative).with_suffix(".json").read_text("utf-8"))
    by_id = {s.identifier: s for s in statements}
    records = [r for r in dump["getRecords"] if isinstance(r, dict)]
    records += [e["getRecord"] for e in dump["getEntries"] if isinstance(e.get("getRecord"), dict)]
    assert records
    for record in records:
        _check_genkgo_record(record, by_id[record["getId"]])
    lines = tuple(line for s in statements for line in s.lines)
    assert len(lines) >= len(dump["getEntries"])
    for entry in dump["getEntries"]:
        _check_genkgo_entry(entry, lines)


def test_genkgo_multi_statement_file_gives_both_statements() -> None:
    # genkgo's dump lists the second statement's entry only; the file holds two statements
    first, second = _read(f"{GENKGO}/camt053.v2.multi.statement.xml")
    assert (first.identifier, second.identifier) == (
        "253EURNL26VAYB8060476890",
        "254EURNL26VAYB8060476890",
    )
    assert [line.amount for line in first.lines] == [885]
    assert [line.amount for line in second.lines] == [-700]
    assert second.lines[0].counterparty_name == "Company Name 2"


def test_genkgo_batch_whose_details_do_not_make_up_the_entry_stays_one_line() -> None:
    # three CHF credits of 3.10, 3.20, 3.20 under a SEK 200 000.00 debit: splitting would lose
    # the SEK debit; genkgo keeps one entry too (and signs the details with the entry's sign)
    for name in ("camt054.v4.xml", "camt054.v8.xml"):
        (statement,) = _read(f"{GENKGO}/{name}")
        (line,) = statement.lines
        assert (line.amount, line.currency) == (-20000000, "SEK")
        assert line.counterparty_name is None  # three different creditors
        assert line.instruction_id == "UXC06170000006PI00001"  # the batch's PmtInfId


# --- OCA: golden python data --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "golden"),
    [
        ("test-camt053", "golden-camt053.pydata"),
        ("test-camt053-txdtls", "golden-camt053-txdtls.pydata"),
        ("test-camt054", "golden-camt054.pydata"),
    ],
)
def test_oca_files_give_what_oca_expects(source: str, golden: str) -> None:
    (statement,) = _read(f"{OCA}/{source}")
    currency, account, expected = ast.literal_eval(
        shared_file(f"{OCA}/{golden}").read_text("utf-8")
    )
    (want,) = expected
    assert statement.account_iban == account
    assert statement.identifier == want["name"]
    if statement.opening is not None and statement.closing is not None:
        assert statement.opening.amount == _minor(want["balance_start"], currency)
        assert statement.closing.amount == _minor(want["balance_end_real"], currency)
    assert len(statement.lines) == len(want["transactions"])
    for line, tx in zip(statement.lines, want["transactions"], strict=True):
        assert line.currency == currency
        assert line.amount == _minor(tx["amount"], currency)
        assert line.booking_date is not None
        assert line.booking_date.isoformat() == tx["date"]
        assert line.counterparty_iban == tx["account_number"]
        assert line.counterparty_name == tx["partner_name"]
        # OCA's "ref" is the structured reference when there is one, else the end-to-end id
        assert tx["ref"] in (line.structured_reference, line.end_to_end_id)
        assert line.bank_code == tx["transaction_type"].replace("-", "/")
        # OCA's payment_ref prefers AddtlTxInf to Ustrd; ours is Ustrd, else AddtlTxInf, else
        # AddtlNtryInf, so it matches only where there is no Ustrd
        if "(RmtInf/Ustrd)" not in tx["narration"]:
            assert line.remittance in (tx["payment_ref"], None) or tx["payment_ref"].startswith(
                "MIB"  # OCA falls back to the InstrId; we keep the entry's own text
            )


def test_oca_statement_without_entries_keeps_its_balances() -> None:
    # OCA's golden data is empty (it drops a statement with no entries); we keep the statement:
    # its balances are the bank's word that nothing moved
    (statement,) = _read(f"{OCA}/test-camt053-no-ntry")
    assert statement.lines == ()
    assert statement.opening is not None
    assert statement.opening.amount == 152076
    assert statement.balance_gap() == 0


def test_oca_direct_debit_return_batch_is_split_with_reasons_and_mandates() -> None:
    (statement,) = _read(f"{OCA}/test-camt053")
    returns = [line for line in statement.lines if line.return_reason]
    assert [(r.amount, r.mandate_id, r.reversal) for r in returns] == [
        (-56405, "NL22ZZZ524885430000-C0125.1", True),
        (-10000, "NL22ZZZ524885430000-C0125.2", True),
    ]
    assert {r.return_reason for r in returns} == {"AC06"}


# --- nnarhinen corporate.js: expected hash maps in Gherkin -------------------------------------


def _feature_results(feature: str) -> list[dict[str, Any]]:
    """The `Then the result hash map should be` objects of a .feature, as Python data."""
    text = shared_file(feature).read_text("utf-8")
    blocks = re.findall(r'hash map should be\s*"""js\n(.*?)"""', text, flags=re.S)
    results = []
    for block in blocks:
        python = re.sub(r"^(\s*)(\w+):", r'\1"\2":', block, flags=re.M)
        python = re.sub(r"([{,]\s*)(\w+):", r'\1"\2":', python)
        python = re.sub(r"\bnull\b", "None", python)
        python = re.sub(r"\btrue\b", "True", re.sub(r"\bfalse\b", "False", python))
        results.append(ast.literal_eval(textwrap.dedent(python).strip()))
    return results


def _finnish_lines(entry: dict[str, Any]) -> list[dict[str, Any]]:
    """What our lines should be for one expected entry (split when its details make it up)."""
    currency = entry["amountCurrency"]
    sign = 1 if entry["creditDebitIndicator"] == "CRDT" else -1
    details = entry.get("entryDetails", {}).get("transactionDetails", [])
    details = details if isinstance(details, list) else [details]
    amounts = [d.get("transactionAmount") for d in details]
    total = _minor(entry["amount"], currency)
    split = (
        len(details) > 1
        and None not in amounts
        and sum(_minor(a, currency) for a in amounts) == total
    )
    parts = (
        [(_minor(a, currency), d) for a, d in zip(amounts, details, strict=True)]
        if split
        else [(total, details[0] if details else {})]
    )
    wanted = []
    for amount, detail in parts:
        parties = detail.get("relatedParties", {})
        name = parties.get("debitorName" if sign > 0 else "creditorName") or None
        reference = detail.get("remittanceInformation", {}).get("referenceNumber") or None
        wanted.append(
            {
                "amount": sign * amount,
                "currency": currency,
                "booking_date": entry["bookingDate"],
                "bank_reference": entry["accountServicerReference"],
                "counterparty_name": name,
                "structured_reference": reference,
            }
        )
    return wanted


@pytest.mark.parametrize(
    ("xml", "feature", "scenario", "key"),
    [
        ("extracted_camt.052.001.02_scenario1.xml", "camt.052.001.02.feature", 0, "reports"),
        ("extracted_camt.053.001.02_scenario1.xml", "camt.053.001.02.feature", 0, "statements"),
        ("extracted_camt.053.001.02_scenario2.xml", "camt.053.001.02.feature", 1, "statements"),
        ("extracted_camt.054.001.02_scenario1.xml", "camt.054.001.02.feature", 0, "notifications"),
    ],
)
def test_finnish_files_give_what_corporate_js_expects(
    xml: str, feature: str, scenario: int, key: str
) -> None:
    statements = _read(f"{FINLAND}/{xml}")
    expected = _feature_results(f"{FINLAND}/{feature}")[scenario][key]
    assert len(statements) == len(expected)
    for statement, want in zip(statements, expected, strict=True):
        assert statement.identifier == want["identification"]
        assert statement.account_iban == want["account"]["iban"]
        assert statement.currency == want["account"]["currency"]
        by_type = {b["type"]: b for b in want.get("balances", [])}
        for kind, ours in (("OPBD", statement.opening), ("CLBD", statement.closing)):
            if kind not in by_type:
                continue
            theirs = by_type[kind]
            sign = 1 if theirs["creditDebitIndicator"] == "CRDT" else -1
            assert ours is not None
            assert ours.amount == sign * _minor(theirs["amount"], theirs["amountCurrency"])
        entries = want.get("entries", [])
        if not entries:
            continue  # the 052 scenario expects statement fields only
        wanted = [line for entry in entries for line in _finnish_lines(entry)]
        got = [
            {
                "amount": line.amount,
                "currency": line.currency,
                "booking_date": line.booking_date.isoformat() if line.booking_date else None,
                "bank_reference": line.bank_reference,
                "counterparty_name": line.counterparty_name,
                "structured_reference": line.structured_reference,
            }
            for line in statement.lines
        ]
        assert got == wanted


# --- Tryton: the scenario's expected statement ---------------------------------------------------


def test_tryton_statement_gives_what_the_tryton_scenario_expects() -> None:
    scenario = shared_file(f"{TRYTON}/scenario_account_statement_sepa.rst").read_text("utf-8")
    assert "Decimal('-100.00')" in scenario
    assert "'INV 2150135'" in scenario
    (statement,) = _read(f"{TRYTON}/camt.053.001.02.xml")
    assert statement.identifier == "Example_2009-05-12T00:00:00"
    assert statement.opening is not None
    assert statement.opening.amount == 200000
    assert statement.closing is not None
    assert statement.closing.amount == 190000
    (line,) = statement.lines
    assert line.amount == -10000
    assert line.booking_date is not None
    assert line.booking_date.isoformat() == "2009-04-29"
    # v02 file with a v08-style Cdtr/Pty/Nm: Tryton reads it, so do we
    assert line.counterparty_name == "Supplier"
    assert line.counterparty_iban == "DE79370400440123619900"
    assert line.remittance == "INV 2150135"


@pytest.mark.parametrize("version", ["01", "02", "03", "04"])
def test_tryton_notifications_of_every_version_read_alike(version: str) -> None:
    (notification,) = _read(f"{TRYTON_054}/camt.054.001.{version}.xml")
    assert notification.format == f"camt.054.001.{version}"
    assert notification.account_other == "50000000054910000003"
    (line,) = notification.lines
    assert (line.amount, line.currency) == (10567850, "SEK")
    assert line.end_to_end_id == "MUELL/FINP/RA12345"
    assert line.counterparty_name == "MUELLER"
    assert line.bank_reference == "AAAASESS-FP-CN-98765/01"
