"""Paper letters: HTML rendered to PDF with WeasyPrint, one file per letter, one print file per day.

Letters are filed as `<folder>/<day>/<channel>/<key>.pdf`; `gather_print_file` binds a day's
letters of one channel (ordinary or registered) into the single PDF a print shop takes.
WeasyPrint needs Debian's Pango; it is imported only when a letter is rendered, so the rest of
Cobro runs without it and a missing Pango is reported with the command that installs it.
"""

from __future__ import annotations

import html as markup
import io
from datetime import date
from pathlib import Path

from pypdf import PdfWriter

from cobro.channel.base import Message, PermanentFailure, PostalAddress, Receipt, TransientFailure
from cobro.channel.checks import safe_name
from cobro.channel.files import write_atomic
from cobro.errors import CobroError, Invalid

PANGO_HINT = "PDF letters need Pango: apt-get install libpango-1.0-0 libpangoft2-1.0-0 (see README)"

# Used when a message comes without HTML: a plain A4 letter with the address in the window.
_PLAIN_LETTER = """<!doctype html>
<html lang="{language}"><head><meta charset="utf-8"><title>{subject}</title>
<style>
@page {{ size: A4; margin: 20mm 20mm 25mm 25mm; }}
body {{ font: 11pt/1.4 sans-serif; }}
.address {{ margin: 25mm 0 20mm; white-space: pre-line; }}
pre {{ font: inherit; white-space: pre-wrap; }}
</style></head>
<body><div class="address">{address}</div><h1>{subject}</h1><pre>{text}</pre></body></html>
"""


class RendererUnavailable(CobroError):
    """WeasyPrint or the Pango library under it cannot be loaded."""

    status = 503

    def __init__(self, detail: str = "") -> None:
        super().__init__(f"{PANGO_HINT} ({detail})" if detail else PANGO_HINT)


def html_to_pdf(html: str, base_url: str | None = None) -> bytes:
    """Render `html` to PDF bytes. Relative links resolve against `base_url`.

    Only `file:` and `data:` resources are fetched: a letter must never reach the network, both
    so rendering cannot hang on a slow host and so that text in a letter cannot make us call out.
    """
    try:
        import weasyprint  # type: ignore[import-untyped]  # noqa: PLC0415  (lazy: needs Pango)
    except (OSError, ImportError) as error:
        raise RendererUnavailable(str(error)) from error
    fetcher = weasyprint.URLFetcher(allowed_protocols={"file", "data"})
    document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    return bytes(document.write_pdf())


def address_lines(address: PostalAddress) -> list[str]:
    """The address as printed in the envelope window, empty parts left out."""
    street = " ".join(part for part in (address.street, address.building_number) if part)
    town = " ".join(part for part in (address.postal_code, address.city) if part)
    lines = [address.name, street, town, address.region or "", address.country or ""]
    return [line for line in lines if line]


def plain_letter_html(message: Message, address: PostalAddress) -> str:
    return _PLAIN_LETTER.format(
        language=markup.escape(message.language),
        subject=markup.escape(message.subject),
        address=markup.escape("\n".join(address_lines(address))),
        text=markup.escape(message.text),
    )


def iso_day(on: str) -> str:
    """`on` as YYYY-MM-DD; also keeps anything but a date out of the folder path."""
    return date.fromisoformat(on).isoformat()


class LetterChannel:
    """The "letter" or "registered_letter" channel: renders and files the PDF."""

    def __init__(
        self, folder: Path | str, name: str = "letter", base_url: str | None = None
    ) -> None:
        self.name = name
        self.folder = Path(folder)
        self.base_url = base_url

    def path_for(self, on: str, key: str) -> Path:
        return self.folder / iso_day(on) / self.name / f"{safe_name(key)}.pdf"

    def send(self, message: Message) -> Receipt:
        if not message.on:
            raise PermanentFailure("a letter needs the cycle day (message.on) to be filed")
        try:
            path = self.path_for(message.on, message.key)
        except ValueError as error:
            raise PermanentFailure(f"invalid letter day {message.on!r}") from error
        if message.address is None:
            raise PermanentFailure("no postal address")
        html = message.html or plain_letter_html(message, message.address)
        try:
            pdf = html_to_pdf(html, self.base_url)
        except RendererUnavailable as error:
            # Transient: once Pango is installed the same letter renders fine.
            raise TransientFailure(error.message) from error
        write_atomic(path, pdf)
        return Receipt(
            provider_id=path.relative_to(self.folder).as_posix(),
            document=pdf,
            media_type="application/pdf",
        )


def gather_print_file(folder: Path | str, on: str, name: str) -> Path | None:
    """Bind the day's letters of channel `name`, sorted by file name, into one PDF.

    Gathering again replaces the file; with no letters any old print file is removed and None
    returned, so a print file always matches the letters on disk.
    """
    try:
        day = iso_day(on)
    except ValueError as error:
        raise Invalid(f"invalid day {on!r}: expected YYYY-MM-DD", field="on") from error
    if safe_name(name) != name:
        raise Invalid(f"invalid channel name {name!r}", field="name")
    base = Path(folder) / day
    target = base / f"{name}-print-{day}.pdf"
    letters = sorted((base / name).glob("*.pdf"))
    if not letters:
        target.unlink(missing_ok=True)
        return None
    writer = PdfWriter()
    for letter in letters:
        writer.append(letter)
    buffer = io.BytesIO()
    writer.write(buffer)
    write_atomic(target, buffer.getvalue())
    return target
