"""Read a bank's payment status report (pain.002) about a pain.008 file Cobro sent. Pure.

Written for pain.002.001.03, the version SEPA banks send; later versions (.001.10 …) keep the
same element names for everything read here, so elements are found by local name, whatever the
namespace. The XML is parsed with defusedxml and any DTD is refused: a status report never
needs one, and entity expansion ("billion laughs") or external entities are the classic attacks
on XML parsers. A report that cannot be read raises `Invalid` naming the element at fault.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from cobro.errors import Invalid

# A status report about a file or transaction that was refused.
REJECTED = "RJCT"


@dataclass(frozen=True)
class Reason:
    code: str | None  # StsRsnInf/Rsn/Cd (ISO code such as AM04) or Rsn/Prtry
    text: str | None  # AddtlInf lines joined: often the bank's explanation in words


@dataclass(frozen=True)
class TransactionStatus:
    """The status of one collection, as found under OrgnlPmtInfAndSts/TxInfAndSts."""

    original_end_to_end_id: str
    original_instruction_id: str | None
    original_payment_info_id: str | None
    # TxSts, or the status of its payment-information block or of the group when it has none
    status: str | None
    reason_code: str | None
    reason_text: str | None
    amount: int | None  # minor units, from OrgnlTxRef/Amt/InstdAmt when the bank repeats it
    currency: str | None

    @property
    def rejected(self) -> bool:
        return self.status == REJECTED


@dataclass(frozen=True)
class StatusReport:
    message_id: str | None  # the report's own GrpHdr/MsgId
    original_message_id: str
    original_message_type: str | None  # OrgnlMsgNmId, e.g. pain.008.001.02
    group_status: str | None
    group_reason: Reason | None
    transactions: tuple[TransactionStatus, ...]

    @property
    def rejected(self) -> bool:
        """The whole file was refused: none of its collections will happen."""
        return self.group_status == REJECTED


def read_pain002(data: bytes) -> StatusReport:
    """The status report in `data`; `Invalid` if it is not a readable pain.002."""
    root = _parse(data)
    report = _child(root, "CstmrPmtStsRpt")
    if _local(root.tag) != "Document" or report is None:
        raise Invalid("not a pain.002 status report: no Document/CstmrPmtStsRpt", field="Document")
    group = _child(report, "OrgnlGrpInfAndSts")
    if group is None:
        raise Invalid("the report has no OrgnlGrpInfAndSts", field="OrgnlGrpInfAndSts")
    original_message_id = _text(group, "OrgnlMsgId")
    if original_message_id is None:
        raise Invalid("the report has no OrgnlMsgId", field="OrgnlGrpInfAndSts/OrgnlMsgId")
    group_status = _text(group, "GrpSts")
    transactions: list[TransactionStatus] = []
    for block in _children(report, "OrgnlPmtInfAndSts"):
        transactions.extend(_block_transactions(block, group_status, len(transactions)))
    return StatusReport(
        message_id=_text(_child(report, "GrpHdr"), "MsgId"),
        original_message_id=original_message_id,
        original_message_type=_text(group, "OrgnlMsgNmId"),
        group_status=group_status,
        group_reason=_reason(group),
        transactions=tuple(transactions),
    )


def _parse(data: bytes) -> Element:
    try:
        return fromstring(data, forbid_dtd=True)
    except DefusedXmlException as error:
        # DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
        raise Invalid(
            f"the report declares a DTD or entities, which is refused: {error}", field="DOCTYPE"
        ) from error
    except ParseError as error:
        raise Invalid(f"the report is not well-formed XML: {error}", field="Document") from error


def _block_transactions(
    block: Element, group_status: str | None, count_before: int
) -> list[TransactionStatus]:
    """The transactions of one OrgnlPmtInfAndSts, each inheriting the block's status."""
    payment_info_id = _text(block, "OrgnlPmtInfId")
    block_status = _text(block, "PmtInfSts") or group_status
    block_reason = _reason(block)
    found = []
    for offset, tx in enumerate(_children(block, "TxInfAndSts")):
        where = f"TxInfAndSts[{count_before + offset + 1}]"
        end_to_end_id = _text(tx, "OrgnlEndToEndId")
        if end_to_end_id is None:
            # optional in the schema but how Cobro finds the collection: without it, nothing
            raise Invalid(f"{where} has no OrgnlEndToEndId", field=f"{where}/OrgnlEndToEndId")
        reason = _reason(tx) or block_reason
        amount, currency = _amount(tx, where)
        found.append(
            TransactionStatus(
                original_end_to_end_id=end_to_end_id,
                original_instruction_id=_text(tx, "OrgnlInstrId"),
                original_payment_info_id=payment_info_id,
                status=_text(tx, "TxSts") or block_status,
                reason_code=reason.code if reason else None,
                reason_text=reason.text if reason else None,
                amount=amount,
                currency=currency,
            )
        )
    return found


def _reason(parent: Element) -> Reason | None:
    """The first StsRsnInf under `parent` (banks send one; more would repeat the same code)."""
    info = _child(parent, "StsRsnInf")
    if info is None:
        return None
    rsn = _child(info, "Rsn")
    code = _text(rsn, "Cd") or _text(rsn, "Prtry")
    # banks cut long explanations into 105-character AddtlInf lines, mid-word and keeping the
    # spaces at the cut: joining them as they are gives back the sentence
    text = "".join(e.text or "" for e in _children(info, "AddtlInf")).strip() or None
    return Reason(code=code, text=text)


def _amount(tx: Element, where: str) -> tuple[int | None, str | None]:
    """OrgnlTxRef/Amt/InstdAmt in minor units, converted exactly from the decimal text."""
    element = _child(_child(_child(tx, "OrgnlTxRef"), "Amt"), "InstdAmt")
    if element is None:
        return None, None
    field = f"{where}/OrgnlTxRef/Amt/InstdAmt"
    try:
        value = Decimal((element.text or "").strip())
    except InvalidOperation as error:
        raise Invalid(f"{field} is not an amount: {element.text!r}", field=field) from error
    if not value.is_finite() or value < 0 or (value * 100) % 1 != 0:
        raise Invalid(f"{field} is not an amount in cents: {element.text!r}", field=field)
    return int(value * 100), element.get("Ccy")


# --- namespace-blind element access ----------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(parent: Element | None, name: str) -> list[Element]:
    if parent is None:
        return []
    return [child for child in parent if _local(child.tag) == name]


def _child(parent: Element | None, name: str) -> Element | None:
    found = _children(parent, name)
    return found[0] if found else None


def _text(parent: Element | None, name: str) -> str | None:
    element = _child(parent, name)
    if element is None or element.text is None:
        return None
    return element.text.strip() or None
