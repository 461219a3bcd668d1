"""The EPC payload drawn as an SVG QR code: level M, version 13 at most, and the drawing is the
code of exactly that payload (read back from the SVG's path, module by module)."""

from __future__ import annotations

import re

import segno

from cobro.portal.epc import Transfer, epc_payload
from cobro.portal.qr import epc_code, qr_svg

PAYLOAD = epc_payload(
    Transfer("Acme Iberia S.L.", "ES9121000418450200051332", 1_234_56, "EUR", "RF18539007547034")
)


def modules_of(svg: bytes) -> set[tuple[int, int]]:
    """The dark modules an SVG of segno draws: its path is runs of "h" along rows; with a
    scale transform, coordinates are in modules (border included)."""
    path = re.search(rb'class="qrline"[^>]* d="([^"]+)"', svg)  # the dark modules' path
    assert path is not None
    x = y = 0.0
    dark: set[tuple[int, int]] = set()
    for op, a, b in re.findall(rb"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", path.group(1)):
        if op == b"M":
            x, y = float(a), float(b)
        elif op == b"m":
            x, y = x + float(a), y + float(b)
        else:
            for i in range(int(float(a))):
                dark.add((int(y), int(x) + i))
            x += float(a)
    return dark


def test_level_m_and_small_enough() -> None:
    code = epc_code(PAYLOAD)
    assert code.error == "M"
    assert isinstance(code.version, int)
    assert code.version <= 13
    assert code.mode == "byte"


def test_the_svg_draws_the_code_of_the_payload() -> None:
    svg = qr_svg(PAYLOAD, "SEPA QR INV-1")
    expected = segno.make_qr(PAYLOAD.encode("utf-8"), error="m", boost_error=False)
    border = 4
    wanted = {
        (row + border, col + border)
        for row, line in enumerate(expected.matrix)
        for col, value in enumerate(line)
        if value
    }
    assert modules_of(svg) == wanted


def test_another_payload_draws_another_code() -> None:
    other = PAYLOAD.replace("EUR1234.56", "EUR1234.57")
    assert modules_of(qr_svg(other, "x")) != modules_of(qr_svg(PAYLOAD, "x"))


def test_an_svg_with_a_title_and_no_script() -> None:
    svg = qr_svg(PAYLOAD, "SEPA QR <INV-1>")
    assert svg.startswith(b"<svg")
    assert b"<title>SEPA QR &lt;INV-1&gt;</title>" in svg
    assert b"<script" not in svg


def test_the_longest_payload_fits_version_13() -> None:
    payload = epc_payload(
        Transfer(
            "n" * 70,
            "ES9121000418450200051332",
            999_999_999_99,
            "EUR",
            "r" * 140,
            purpose="GDDS",
            information="i" * 55,
        )
    )
    version = epc_code(payload).version
    assert isinstance(version, int)
    assert version <= 13
