"""pain.002 status reports: group and transaction statuses, reasons, amounts, hostile XML."""

from __future__ import annotations

import pytest

from cobro.banking.pain002 import Reason, StatusReport, TransactionStatus, read_pain002
from cobro.errors import Invalid

NS_03 = "urn:iso:std:iso:20022:tech:xsd:pain.002.001.03"


def document(body: str, namespace: str = NS_03) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<Document xmlns="{namespace}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<CstmrPmtStsRpt>{body}</CstmrPmtStsRpt></Document>"
    ).encode()


HEADER = "<GrpHdr><MsgId>STS-1539869</MsgId><CreDtTm>2026-03-03T08:01:10+01:00</CreDtTm></GrpHdr>"

# modelled on the Finnish bank examples of corporate.js (pain.002.001.03.feature): the bank cuts
# its explanation into AddtlInf lines mid-word, keeping the space at the first cut
EXPLANATION = (
    "pain.001.001.03 could not be processed, please verify structure. "
    "cvc-datatype-valid.1.2.1: '4847,37' ",
    "is not a valid value for 'decimal'.cvc-type.3.1.3: The value '4847,37' of element "
    "'CtrlSum' is not val",
    "id.",
)
FILE_REJECTED = document(
    HEADER
    + """
    <OrgnlGrpInfAndSts>
      <OrgnlMsgId>COBRO-2026-03-02-1</OrgnlMsgId>
      <OrgnlMsgNmId>pain.008.001.02</OrgnlMsgNmId>
      <GrpSts>RJCT</GrpSts>
      <StsRsnInf>
        <Rsn><Cd>NARR</Cd></Rsn>"""
    + "".join(f"<AddtlInf>{line}</AddtlInf>" for line in EXPLANATION)
    + """
      </StsRsnInf>
    </OrgnlGrpInfAndSts>
    """
)

PARTLY_REJECTED = document(
    HEADER
    + """
    <OrgnlGrpInfAndSts>
      <OrgnlMsgId>COBRO-2026-03-02-1</OrgnlMsgId>
      <OrgnlMsgNmId>pain.008.001.02</OrgnlMsgNmId>
      <OrgnlCreDtTm>2026-03-02T09:30:15+01:00</OrgnlCreDtTm>
      <OrgnlNbOfTxs>3</OrgnlNbOfTxs>
      <GrpSts>PART</GrpSts>
    </OrgnlGrpInfAndSts>
    <OrgnlPmtInfAndSts>
      <OrgnlPmtInfId>COBRO-2026-03-02-1-0001</OrgnlPmtInfId>
      <PmtInfSts>PART</PmtInfSts>
      <TxInfAndSts>
        <StsId>STS-1</StsId>
        <OrgnlInstrId>INSTR-1</OrgnlInstrId>
        <OrgnlEndToEndId>E2E-1</OrgnlEndToEndId>
        <TxSts>RJCT</TxSts>
        <StsRsnInf>
          <Orgtr><Nm>Debtor bank</Nm></Orgtr>
          <Rsn><Cd>AM04</Cd></Rsn>
        </StsRsnInf>
        <OrgnlTxRef>
          <Amt><InstdAmt Ccy="EUR">1012.50</InstdAmt></Amt>
          <ReqdColltnDt>2026-03-04</ReqdColltnDt>
          <Dbtr><Nm>Alkuper&#xE4;inen Maksaja</Nm></Dbtr>
        </OrgnlTxRef>
      </TxInfAndSts>
      <TxInfAndSts>
        <OrgnlEndToEndId>E2E-2</OrgnlEndToEndId>
        <TxSts>ACCP</TxSts>
        <OrgnlTxRef><Amt><InstdAmt Ccy="EUR">0.1</InstdAmt></Amt></OrgnlTxRef>
      </TxInfAndSts>
    </OrgnlPmtInfAndSts>
    <OrgnlPmtInfAndSts>
      <OrgnlPmtInfId>COBRO-2026-03-02-1-0002</OrgnlPmtInfId>
      <PmtInfSts>RJCT</PmtInfSts>
      <StsRsnInf><Rsn><Prtry>BLOCKED</Prtry></Rsn></StsRsnInf>
      <TxInfAndSts>
        <OrgnlEndToEndId>E2E-3</OrgnlEndToEndId>
      </TxInfAndSts>
    </OrgnlPmtInfAndSts>
    """
)


def test_a_rejected_file() -> None:
    report = read_pain002(FILE_REJECTED)
    assert report == StatusReport(
        message_id="STS-1539869",
        original_message_id="COBRO-2026-03-02-1",
        original_message_type="pain.008.001.02",
        group_status="RJCT",
        group_reason=Reason(
            code="NARR",
            text="pain.001.001.03 could not be processed, please verify structure. "
            "cvc-datatype-valid.1.2.1: '4847,37' is not a valid value for 'decimal'."
            "cvc-type.3.1.3: The value '4847,37' of element 'CtrlSum' is not valid.",
        ),
        transactions=(),
    )
    assert report.rejected


def test_an_accepted_file_without_transactions() -> None:
    report = read_pain002(
        document(
            HEADER + "<OrgnlGrpInfAndSts><OrgnlMsgId>M-1</OrgnlMsgId>"
            "<OrgnlMsgNmId>pain.008.001.02</OrgnlMsgNmId><GrpSts>ACTC</GrpSts>"
            "</OrgnlGrpInfAndSts>"
        )
    )
    assert (report.original_message_id, report.group_status, report.transactions) == (
        "M-1",
        "ACTC",
        (),
    )
    assert report.group_reason is None
    assert not report.rejected


def test_per_transaction_statuses_reasons_and_amounts() -> None:
    report = read_pain002(PARTLY_REJECTED)
    assert report.group_status == "PART"
    assert report.transactions == (
        TransactionStatus(
            original_end_to_end_id="E2E-1",
            original_instruction_id="INSTR-1",
            original_payment_info_id="COBRO-2026-03-02-1-0001",
            status="RJCT",
            reason_code="AM04",
            reason_text=None,
            amount=101_250,
            currency="EUR",
        ),
        TransactionStatus(
            original_end_to_end_id="E2E-2",
            original_instruction_id=None,
            original_payment_info_id="COBRO-2026-03-02-1-0001",
            status="ACCP",
            reason_code=None,
            reason_text=None,
            amount=10,
            currency="EUR",
        ),
        # no TxSts: the block's status and reason apply
        TransactionStatus(
            original_end_to_end_id="E2E-3",
            original_instruction_id=None,
            original_payment_info_id="COBRO-2026-03-02-1-0002",
            status="RJCT",
            reason_code="BLOCKED",
            reason_text=None,
            amount=None,
            currency=None,
        ),
    )
    assert [tx.rejected for tx in report.transactions] == [True, False, True]


def test_a_transaction_without_any_status_inherits_the_group_status() -> None:
    report = read_pain002(
        document(
            "<OrgnlGrpInfAndSts><OrgnlMsgId>M-1</OrgnlMsgId><GrpSts>RJCT</GrpSts>"
            "</OrgnlGrpInfAndSts><OrgnlPmtInfAndSts><OrgnlPmtInfId>P-1</OrgnlPmtInfId>"
            "<TxInfAndSts><OrgnlEndToEndId>E2E-9</OrgnlEndToEndId></TxInfAndSts>"
            "</OrgnlPmtInfAndSts>"
        )
    )
    assert report.message_id is None
    assert report.transactions[0].status == "RJCT"


@pytest.mark.parametrize(
    "namespace",
    [
        "urn:iso:std:iso:20022:tech:xsd:pain.002.001.10",
        "urn:iso:std:iso:20022:tech:xsd:pain.002.001.14",
        "urn:example:bank-specific",
    ],
)
def test_later_versions_are_read_by_local_names(namespace: str) -> None:
    body = PARTLY_REJECTED.decode().split("<CstmrPmtStsRpt>")[1].split("</CstmrPmtStsRpt>")[0]
    report = read_pain002(document(body, namespace))
    assert report == read_pain002(PARTLY_REJECTED)


def test_a_report_without_a_namespace_is_read() -> None:
    report = read_pain002(
        b"<Document><CstmrPmtStsRpt><OrgnlGrpInfAndSts><OrgnlMsgId>M-2</OrgnlMsgId>"
        b"</OrgnlGrpInfAndSts></CstmrPmtStsRpt></Document>"
    )
    assert report.original_message_id == "M-2"
    assert report.group_status is None


# --- refused ---------------------------------------------------------------------------------


def refused(data: bytes) -> Invalid:
    with pytest.raises(Invalid) as caught:
        read_pain002(data)
    return caught.value


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<Document><CstmrPmtStsRpt><OrgnlGrpInfAndSts><OrgnlMsgId>&lol4;</OrgnlMsgId>
</OrgnlGrpInfAndSts></CstmrPmtStsRpt></Document>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE Document [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Document><CstmrPmtStsRpt><OrgnlGrpInfAndSts><OrgnlMsgId>&secret;</OrgnlMsgId>
</OrgnlGrpInfAndSts></CstmrPmtStsRpt></Document>"""

BARE_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE Document SYSTEM "http://example.com/pain.002.dtd">
<Document><CstmrPmtStsRpt><OrgnlGrpInfAndSts><OrgnlMsgId>M</OrgnlMsgId>
</OrgnlGrpInfAndSts></CstmrPmtStsRpt></Document>"""


@pytest.mark.parametrize("hostile", [BILLION_LAUGHS, EXTERNAL_ENTITY, BARE_DTD])
def test_dtds_and_entities_are_refused(hostile: bytes) -> None:
    error = refused(hostile)
    assert error.field == "DOCTYPE"
    assert "DTD" in error.message


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (b"", "Document"),
        (b"not xml at all", "Document"),
        (b"<Document><CstmrPmtStsRpt>", "Document"),
        (b"<Document><CstmrDrctDbtInitn/></Document>", "Document"),
        (b"<Report><CstmrPmtStsRpt/></Report>", "Document"),
        (document(HEADER), "OrgnlGrpInfAndSts"),
        (
            document("<OrgnlGrpInfAndSts><GrpSts>ACCP</GrpSts></OrgnlGrpInfAndSts>"),
            "OrgnlGrpInfAndSts/OrgnlMsgId",
        ),
    ],
)
def test_malformed_reports_name_the_element(data: bytes, field: str) -> None:
    assert refused(data).field == field


def transaction(inner: str) -> bytes:
    return document(
        "<OrgnlGrpInfAndSts><OrgnlMsgId>M</OrgnlMsgId></OrgnlGrpInfAndSts>"
        "<OrgnlPmtInfAndSts><OrgnlPmtInfId>P</OrgnlPmtInfId>"
        "<TxInfAndSts><OrgnlEndToEndId>E2E-1</OrgnlEndToEndId><TxSts>RJCT</TxSts></TxInfAndSts>"
        f"<TxInfAndSts>{inner}</TxInfAndSts></OrgnlPmtInfAndSts>"
    )


def test_a_transaction_without_end_to_end_id_is_refused() -> None:
    error = refused(transaction("<OrgnlInstrId>I-2</OrgnlInstrId><TxSts>RJCT</TxSts>"))
    assert error.field == "TxInfAndSts[2]/OrgnlEndToEndId"


@pytest.mark.parametrize("amount", ["12,50", "1.005", "-1.00", "NaN", "", "sNaN", "Infinity"])
def test_an_amount_that_is_not_in_cents_is_refused(amount: str) -> None:
    error = refused(
        transaction(
            "<OrgnlEndToEndId>E2E-2</OrgnlEndToEndId>"
            f'<OrgnlTxRef><Amt><InstdAmt Ccy="EUR">{amount}</InstdAmt></Amt></OrgnlTxRef>'
        )
    )
    assert error.field == "TxInfAndSts[2]/OrgnlTxRef/Amt/InstdAmt"
