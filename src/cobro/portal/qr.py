"""The EPC payload drawn as a QR code, an SVG the portal serves from its own address (the
strict CSP allows same-origin images; no inline data).

The EPC rules fix the error correction at level M (never boosted) and the symbol at version 13
at most; the payload's bytes go as they are (character set 1: UTF-8)."""

from __future__ import annotations

import io

import segno

EPC_ERROR = "m"
EPC_MAX_VERSION = 13


def epc_code(payload: str) -> segno.QRCode:
    code = segno.make_qr(payload.encode("utf-8"), error=EPC_ERROR, boost_error=False)
    # segno's version is a number for QR codes (a string only for Micro QR, never made here)
    if (
        not isinstance(code.version, int) or code.version > EPC_MAX_VERSION
    ):  # 331 bytes fit version 13-M: a guard, not a path
        raise ValueError(f"an EPC QR code is version 13 at most, this is {code.designator}")
    return code


def qr_svg(payload: str, title: str) -> bytes:
    """An SVG of the payload's code, with a quiet zone, black on white, titled for screen
    readers."""
    out = io.BytesIO()
    epc_code(payload).save(
        out,
        kind="svg",
        scale=5,
        border=4,
        dark="#000",
        light="#fff",
        title=title,
        xmldecl=False,
        svgclass="epc-qr",
    )
    return out.getvalue()
