"""The statement of account as a real PDF."""

from __future__ import annotations

import io

from pypdf import PdfReader

from cobro.notice.statement import statement_html, statement_pdf
from tests.notice.samples import COMPENSATION, INTEREST, notice, several


def test_the_statement_is_a_one_page_pdf_listing_every_item() -> None:
    context = notice(items=several(), unapplied={"EUR": 50_00}, charges=(INTEREST, COMPENSATION))
    pdf = statement_pdf(context)
    assert pdf.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    for number in ("F-2026-0001", "F-2026-0002", "F-2026-0003"):
        assert number in text
    assert "Extracto de cuenta" in text
    assert "ES91 2100 0418 4502 0005 1332" in text


def test_the_statement_is_in_the_debtors_language_with_the_address_in_the_window() -> None:
    html = statement_html(notice(language="en-GB"))
    assert '<html lang="en">' in html
    assert "Statement of account" in html
    assert "on 5 March 2026" in html
    assert 'class="window"' in html
    assert "Calle Mayor, 5<br>" in html
