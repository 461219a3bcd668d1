from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from cobro.channel.base import PermanentFailure, TransientFailure
from cobro.channel.letter import (
    PANGO_HINT,
    LetterChannel,
    RendererUnavailable,
    address_lines,
    gather_print_file,
    html_to_pdf,
)
from cobro.errors import Invalid
from tests.channel import messages
from tests.channel.messages import ADDRESS
from tests.support.http import HttpTestServer

DAY = "2025-03-14"


def pages(pdf: bytes | Path) -> list[str]:
    """The text of each page, as a print shop's software would read it."""
    data = pdf.read_bytes() if isinstance(pdf, Path) else pdf
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_html_becomes_a_real_pdf() -> None:
    pdf = html_to_pdf("<h1>Reminder</h1><p>Invoice 2024-001 is overdue.</p>")

    assert pdf.startswith(b"%PDF-")
    [text] = pages(pdf)
    assert "Invoice 2024-001 is overdue." in text


def test_a_letter_is_filed_by_day_and_channel_and_the_receipt_holds_the_pdf(
    tmp_path: Path,
) -> None:
    channel = LetterChannel(tmp_path)

    receipt = channel.send(messages.letter(key="action-1"))

    path = tmp_path / DAY / "letter" / "action-1.pdf"
    assert path.read_bytes() == receipt.document
    assert receipt.media_type == "application/pdf"
    assert receipt.provider_id == f"{DAY}/letter/action-1.pdf"
    assert len(pages(receipt.document)) == 1


def test_a_letter_without_html_shows_the_address_and_the_text(tmp_path: Path) -> None:
    receipt = LetterChannel(tmp_path).send(messages.letter(html=None))

    [text] = pages(receipt.document)
    assert "Müller Bau GmbH" in text
    assert "Hauptstraße 12" in text
    assert "10115 Berlin" in text
    assert "Invoice 2024-001 is overdue." in text


def test_a_letter_with_html_is_rendered_from_it(tmp_path: Path) -> None:
    html = "<p>Sehr geehrte Damen und Herren,</p><p>Rechnung 2024-001 ist fällig.</p>"

    receipt = LetterChannel(tmp_path).send(messages.letter(html=html))

    [text] = pages(receipt.document)
    assert "Rechnung 2024-001 ist fällig." in text


def test_text_that_looks_like_markup_is_printed_not_interpreted(tmp_path: Path) -> None:
    receipt = LetterChannel(tmp_path).send(messages.letter(text="Total <b>due</b> & payable"))

    assert "Total <b>due</b> & payable" in pages(receipt.document)[0]


def test_a_long_letter_runs_over_several_pages(tmp_path: Path) -> None:
    text = "\n".join(f"Invoice 2024-{number:03} is overdue." for number in range(150))

    receipt = LetterChannel(tmp_path).send(messages.letter(text=text))

    assert len(pages(receipt.document)) > 1


def test_sending_the_same_letter_again_replaces_its_file(tmp_path: Path) -> None:
    channel = LetterChannel(tmp_path)

    channel.send(messages.letter(key="action-1", text="first"))
    channel.send(messages.letter(key="action-1", text="second"))

    [path] = (tmp_path / DAY / "letter").iterdir()
    assert "second" in pages(path)[0]


def test_a_letter_without_a_postal_address_is_a_permanent_failure(tmp_path: Path) -> None:
    with pytest.raises(PermanentFailure, match="no postal address"):
        LetterChannel(tmp_path).send(messages.letter(address=None))

    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("on", [None, "", "14/03/2025", "../../etc"])
def test_a_letter_without_a_valid_day_is_a_permanent_failure(
    tmp_path: Path, on: str | None
) -> None:
    with pytest.raises(PermanentFailure, match="day"):
        LetterChannel(tmp_path).send(messages.letter(on=on))


def test_a_letter_never_fetches_from_the_network(
    tmp_path: Path, http_server: HttpTestServer
) -> None:
    html = (
        f'<link rel="stylesheet" href="{http_server.url}/style.css">'
        f'<img src="{http_server.url}/logo.png"><p>Reminder</p>'
    )

    receipt = LetterChannel(tmp_path).send(messages.letter(html=html))

    assert receipt.document.startswith(b"%PDF-")
    assert http_server.requests == []


def test_local_files_next_to_the_template_are_used(tmp_path: Path) -> None:
    (tmp_path / "letter.css").write_text("p.hidden { display: none }")
    html = '<link rel="stylesheet" href="letter.css"><p>shown</p><p class="hidden">secret</p>'

    pdf = html_to_pdf(html, base_url=tmp_path.as_uri() + "/")

    [text] = pages(pdf)
    assert "shown" in text
    assert "secret" not in text


def test_without_pango_the_error_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # makes `import weasyprint` fail

    with pytest.raises(RendererUnavailable) as error:
        html_to_pdf("<p>x</p>")

    assert error.value.message.startswith(PANGO_HINT)
    assert "apt-get install libpango-1.0-0 libpangoft2-1.0-0" in PANGO_HINT


def test_without_pango_a_letter_waits_for_it_instead_of_failing_for_good(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)

    with pytest.raises(TransientFailure, match="need Pango"):
        LetterChannel(tmp_path).send(messages.letter())


def test_the_print_file_binds_the_days_letters_in_file_name_order(tmp_path: Path) -> None:
    channel = LetterChannel(tmp_path)
    long_text = "\n".join(f"line {number}" for number in range(150))
    channel.send(messages.letter(key="b", text="letter B"))
    channel.send(messages.letter(key="a", text="letter A " + long_text))
    channel.send(messages.letter(key="c", text="letter C"))
    sizes = [len(pages(path)) for path in sorted((tmp_path / DAY / "letter").iterdir())]

    printed = gather_print_file(tmp_path, DAY, "letter")

    assert printed == tmp_path / DAY / f"letter-print-{DAY}.pdf"
    texts = pages(printed)
    assert len(texts) == sum(sizes) > 3
    assert "letter A" in texts[0]
    assert "letter B" in texts[sizes[0]]
    assert "letter C" in texts[-1]


def test_gathering_again_replaces_the_print_file(tmp_path: Path) -> None:
    channel = LetterChannel(tmp_path)
    channel.send(messages.letter(key="a"))
    first = gather_print_file(tmp_path, DAY, "letter")
    assert first is not None
    assert len(pages(first)) == 1

    channel.send(messages.letter(key="b"))
    again = gather_print_file(tmp_path, DAY, "letter")

    assert again == first
    assert len(pages(again)) == 2


def test_registered_letters_get_their_own_print_file(tmp_path: Path) -> None:
    LetterChannel(tmp_path, "letter").send(messages.letter(key="a"))
    LetterChannel(tmp_path, "registered_letter").send(messages.letter(key="r1"))
    LetterChannel(tmp_path, "registered_letter").send(messages.letter(key="r2"))

    ordinary = gather_print_file(tmp_path, DAY, "letter")
    registered = gather_print_file(tmp_path, DAY, "registered_letter")

    assert ordinary is not None
    assert registered is not None
    assert (len(pages(ordinary)), len(pages(registered))) == (1, 2)


def test_a_day_without_letters_has_no_print_file(tmp_path: Path) -> None:
    assert gather_print_file(tmp_path, DAY, "letter") is None
    assert not (tmp_path / DAY).exists()


def test_a_bad_day_to_gather_is_invalid(tmp_path: Path) -> None:
    with pytest.raises(Invalid, match="YYYY-MM-DD"):
        gather_print_file(tmp_path, "../x", "letter")


def test_the_address_lines_leave_out_empty_parts() -> None:
    assert address_lines(ADDRESS) == ["Müller Bau GmbH", "Hauptstraße 12", "10115 Berlin", "DE"]
