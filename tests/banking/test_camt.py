"""The camt reader on small files written for each rule."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from cobro.banking.camt import read_camt
from cobro.banking.statement import Balance, StatementError

NS = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"


def statement(
    body: str, ns: str = NS, message: str = "BkToCstmrStmt", record: str = "Stmt"
) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="{ns}"><{message}>
  <GrpHdr><MsgId>M1</MsgId><CreDtTm>2024-03-04T12:00:00</CreDtTm></GrpHdr>
  <{record}><Id>S1</Id>
    <Acct><Id><IBAN>NL91ABNA0417164300</IBAN></Id><Ccy>EUR</Ccy></Acct>
    {body}
  </{record}>
</{message}></Document>""".encode()


def entry(
    amount: str = "10.00", indicator: str = "CRDT", details: str = "", extra: str = ""
) -> str:
    return f"""<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>{indicator}</CdtDbtInd>
      <Sts>BOOK</Sts><BookgDt><Dt>2024-03-02</Dt></BookgDt><ValDt><Dt>2024-03-03</Dt></ValDt>
      <AcctSvcrRef>BANK-1</AcctSvcrRef>{extra}
      <NtryDtls>{details}</NtryDtls></Ntry>"""


def balance(code: str, amount: str, indicator: str = "CRDT") -> str:
    return f"""<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp>
      <Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>{indicator}</CdtDbtInd>
      <Dt><Dt>2024-03-01</Dt></Dt></Bal>"""


def test_a_credit_is_positive_and_a_debit_negative() -> None:
    (parsed,) = read_camt(statement(entry("10.00", "CRDT") + entry("2.50", "DBIT")))
    assert [line.amount for line in parsed.lines] == [1000, -250]
    assert parsed.lines[0].booking_date == date(2024, 3, 2)
    assert parsed.lines[0].value_date == date(2024, 3, 3)
    assert parsed.lines[0].bank_reference == "BANK-1"


def test_statement_fields_are_read_and_a_time_without_offset_is_utc() -> None:
    (parsed,) = read_camt(statement(""))
    assert parsed.format == "camt.053.001.02"
    assert (parsed.identifier, parsed.account_iban, parsed.currency) == (
        "S1",
        "NL91ABNA0417164300",
        "EUR",
    )
    assert parsed.created_at == datetime(2024, 3, 4, 12, tzinfo=UTC)


def test_a_debit_balance_is_negative_and_balances_add_up() -> None:
    body = balance("OPBD", "5.00", "DBIT") + balance("CLBD", "5.00") + entry("10.00")
    (parsed,) = read_camt(statement(body))
    assert parsed.opening == Balance(-500, "EUR", date(2024, 3, 1))
    assert parsed.closing == Balance(500, "EUR", date(2024, 3, 1))
    assert parsed.balance_gap() == 0


def test_previous_closing_opens_when_there_is_no_opening_and_intraday_never_closes() -> None:
    (parsed,) = read_camt(statement(balance("PRCD", "1.00") + balance("ITBD", "2.00")))
    assert parsed.opening is not None
    assert parsed.opening.amount == 100
    assert parsed.closing is None
    assert parsed.balance_gap() is None


def test_a_report_without_balances_is_fine() -> None:
    data = statement(
        entry(),
        ns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.08",
        message="BkToCstmrAcctRpt",
        record="Rpt",
    )
    (parsed,) = read_camt(data)
    assert parsed.format == "camt.052.001.08"
    assert (parsed.opening, parsed.closing) == (None, None)
    assert len(parsed.lines) == 1


def test_each_transaction_of_a_batch_becomes_a_line_when_they_make_up_the_entry() -> None:
    tx = """<TxDtls><Refs><EndToEndId>{e2e}</EndToEndId></Refs>
      <AmtDtls><TxAmt><Amt Ccy="EUR">{amount}</Amt></TxAmt></AmtDtls>
      <RltdPties><Dbtr><Nm>{name}</Nm></Dbtr></RltdPties></TxDtls>"""
    details = tx.format(e2e="A", amount="7.00", name="Ann") + tx.format(
        e2e="B", amount="3.00", name="Bob"
    )
    (parsed,) = read_camt(statement(entry("10.00", details=details)))
    assert [(x.amount, x.end_to_end_id, x.counterparty_name) for x in parsed.lines] == [
        (700, "A", "Ann"),
        (300, "B", "Bob"),
    ]


def test_a_transaction_with_its_own_indicator_keeps_its_sign_in_a_split() -> None:
    details = """<TxDtls><Amt Ccy="EUR">12.00</Amt><CdtDbtInd>CRDT</CdtDbtInd></TxDtls>
      <TxDtls><Amt Ccy="EUR">2.00</Amt><CdtDbtInd>DBIT</CdtDbtInd></TxDtls>"""
    (parsed,) = read_camt(statement(entry("10.00", details=details)))
    assert [line.amount for line in parsed.lines] == [1200, -200]


def test_a_batch_whose_transactions_do_not_make_up_the_entry_stays_one_line() -> None:
    details = """<TxDtls><Amt Ccy="EUR">7.00</Amt><RltdPties><Dbtr><Nm>Ann</Nm></Dbtr>
      </RltdPties></TxDtls><TxDtls><Amt Ccy="EUR">2.00</Amt><RltdPties><Dbtr><Nm>Bob</Nm>
      </Dbtr></RltdPties></TxDtls>"""
    (parsed,) = read_camt(statement(entry("10.00", details=details)))
    (line,) = parsed.lines
    assert line.amount == 1000
    assert line.counterparty_name is None  # neither payer paid the whole entry


def test_notprovided_end_to_end_id_is_none() -> None:
    details = "<TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs></TxDtls>"
    (parsed,) = read_camt(statement(entry(details=details)))
    assert parsed.lines[0].end_to_end_id is None


def test_every_field_of_a_debit_line_is_read_from_the_creditor_side() -> None:
    details = """<TxDtls>
      <Refs><InstrId>I-1</InstrId><EndToEndId>E-1</EndToEndId><MndtId>M-1</MndtId></Refs>
      <RltdPties><Dbtr><Nm>Us</Nm></Dbtr><Cdtr><Nm>Supplier</Nm></Cdtr>
        <CdtrAcct><Id><IBAN>DE89370400440532013000</IBAN></Id></CdtrAcct></RltdPties>
      <RltdAgts><CdtrAgt><FinInstnId><BIC>COBADEFFXXX</BIC></FinInstnId></CdtrAgt></RltdAgts>
      <RmtInf><Ustrd>INV 1</Ustrd><Ustrd>INV 2</Ustrd>
        <Strd><CdtrRefInf><Ref>RF18539007547034</Ref></CdtrRefInf></Strd></RmtInf>
      <RtrInf><Rsn><Cd>AM04</Cd></Rsn></RtrInf></TxDtls>"""
    extra = """<RvslInd>true</RvslInd><BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>ICDT</Cd>
      <SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>"""
    (parsed,) = read_camt(statement(entry("1.00", "DBIT", details=details, extra=extra)))
    (line,) = parsed.lines
    assert line.counterparty_name == "Supplier"
    assert line.counterparty_iban == "DE89370400440532013000"
    assert line.counterparty_bic == "COBADEFFXXX"
    assert line.remittance == "INV 1 INV 2"
    assert line.structured_reference == "RF18539007547034"
    assert (line.end_to_end_id, line.instruction_id, line.mandate_id) == ("E-1", "I-1", "M-1")
    assert line.return_reason == "AM04"
    assert line.bank_code == "PMNT/ICDT/ESCT"
    assert line.reversal is True


def test_without_unstructured_remittance_the_additional_information_is_the_text() -> None:
    tx = "<TxDtls><AddtlTxInf>Tx text</AddtlTxInf></TxDtls>"
    entry_text = "<AddtlNtryInf>Entry text</AddtlNtryInf>"
    (parsed,) = read_camt(
        statement(entry(details=tx) + entry().replace("</Ntry>", f"{entry_text}</Ntry>"))
    )
    assert [line.remittance for line in parsed.lines] == ["Tx text", "Entry text"]


def test_version_8_names_are_read_like_version_2() -> None:
    details = """<TxDtls><RltdPties><Dbtr><Pty><Nm>Payer</Nm></Pty></Dbtr>
      <DbtrAcct><Id><Othr><Id>12345</Id></Othr></Id></DbtrAcct></RltdPties>
      <RltdAgts><DbtrAgt><FinInstnId><BICFI>NDEAFIHH</BICFI></FinInstnId></DbtrAgt></RltdAgts>
      </TxDtls>"""
    body = entry(details=details).replace("<Sts>BOOK</Sts>", "<Sts><Cd>PDNG</Cd></Sts>")
    (parsed,) = read_camt(statement(body, ns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"))
    (line,) = parsed.lines
    assert (line.counterparty_name, line.counterparty_iban) == ("Payer", "12345")
    assert line.counterparty_bic == "NDEAFIHH"
    assert line.status == "PDNG"


def test_a_file_without_namespace_is_read_by_its_element_names() -> None:
    data = statement(entry()).replace(f' xmlns="{NS}"'.encode(), b"")
    (parsed,) = read_camt(data)
    assert parsed.format == "camt.053"
    assert parsed.lines[0].amount == 1000


def test_trailing_zeros_beyond_the_currency_are_exact_and_kept() -> None:
    (parsed,) = read_camt(statement(entry("8.85000")))
    assert parsed.lines[0].amount == 885


def test_an_amount_with_more_decimals_than_its_currency_is_refused_naming_the_entry() -> None:
    body = entry() + entry() + entry("8.855")
    with pytest.raises(StatementError, match=r"Ntry 3 Amt: .*more decimals than EUR"):
        read_camt(statement(body))


def test_an_entry_without_a_credit_or_debit_indicator_is_refused() -> None:
    with pytest.raises(StatementError, match="Ntry 1 CdtDbtInd"):
        read_camt(statement(entry(indicator="")))


def test_a_dtd_with_an_entity_bomb_is_refused() -> None:
    bomb = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<Document><BkToCstmrStmt>&lol2;</BkToCstmrStmt></Document>"""
    with pytest.raises(StatementError, match="DTD"):
        read_camt(bomb)


def test_truncated_xml_is_refused_naming_the_position() -> None:
    data = statement(entry())
    with pytest.raises(StatementError, match=r"line \d+, column \d+"):
        read_camt(data[: len(data) // 2])


def test_what_is_not_xml_is_refused() -> None:
    with pytest.raises(StatementError, match="broken XML at line 1"):
        read_camt(b"Date;Amount\n2024-01-01;12.00\n")


def test_a_root_that_is_not_camt_is_refused_by_name() -> None:
    data = b"""<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03">
      <CstmrCdtTrfInitn/></Document>"""
    with pytest.raises(StatementError, match=r"not a camt\.05x file: root element is CstmrCdtTrf"):
        read_camt(data)


def test_a_message_without_statements_is_refused() -> None:
    data = b"<Document><BkToCstmrStmt><GrpHdr><MsgId>M</MsgId></GrpHdr></BkToCstmrStmt></Document>"
    with pytest.raises(StatementError, match="has no Stmt"):
        read_camt(data)
