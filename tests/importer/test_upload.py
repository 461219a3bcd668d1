"""Uploaded files: the type by content, not by name; the size limit while the body streams."""

from __future__ import annotations

import asyncio
import io
import zipfile
from typing import Any

import pytest
from starlette.datastructures import Headers
from starlette.requests import Request

from cobro.errors import Invalid
from cobro.importer.upload import (
    TooLarge,
    UnsupportedType,
    check_type,
    receive_upload,
    safe_name,
    upload_limit,
)


def workbook_head() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


def test_text_is_a_csv_whatever_its_encoding() -> None:
    assert check_type(b"number,customer\nF-1,C1\n", "invoices.csv") == "csv"
    assert check_type("nº;país\n1;España\n".encode("cp1252"), "facturas.txt") == "csv"
    assert check_type("a,b\n1,2\n".encode("utf-16"), "utf16.csv") == "csv"
    assert check_type(b"a,b\n", "no-suffix") == "csv"


def test_a_workbook_is_known_by_its_zip_content() -> None:
    assert check_type(workbook_head(), "book.xlsx") == "xlsx"


@pytest.mark.parametrize(
    ("head", "name", "says"),
    [
        (b"%PDF-1.7 ...", "invoices.csv", "PDF"),
        (b"\x89PNG\r\n\x1a\n...", "invoices.csv", "PNG"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old.xls", r"\.xls"),
        (b"a,b\n1,2\n", "fake.xlsx", "not an Excel workbook"),
        (b"a,b\x00\x01\x02\n", "binary.csv", "binary"),
        (b"a,b\n1,2\n", "script.exe", "only CSV"),
    ],
)
def test_what_is_not_csv_or_xlsx_is_refused_saying_what_it_is(
    head: bytes, name: str, says: str
) -> None:
    with pytest.raises(UnsupportedType, match=says) as refused:
        check_type(head, name)
    assert refused.value.status == 415
    assert refused.value.field == "file"


def test_a_zip_that_is_no_workbook_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("photo.jpg", "x")
    with pytest.raises(UnsupportedType, match="zip archive"):
        check_type(buffer.getvalue(), "data.xlsx")
    with pytest.raises(UnsupportedType, match=r"named \.csv"):
        check_type(workbook_head(), "data.csv")


def test_file_names_are_made_harmless() -> None:
    assert safe_name("../../etc/passwd", "csv") == "passwd.csv"
    assert safe_name("C:\\Users\\me\\Facturas 2026.xlsx", "xlsx") == "Facturas 2026.xlsx"
    assert safe_name("<script>.csv", "csv") == "script.csv"


def test_the_limit_comes_from_the_environment() -> None:
    assert upload_limit({}) == 20 * 1024 * 1024
    assert upload_limit({"COBRO_UPLOAD_MAX_MB": "0.5"}) == 512 * 1024


PART = (
    b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
    b"Content-Type: text/csv\r\n\r\n"
)


class Body:
    """A request body sent in chunks, counting how many were asked for."""

    def __init__(self, chunks: int, size: int = 64 * 1024) -> None:
        self.chunks, self.size, self.sent = chunks, size, 0

    async def receive(self) -> dict[str, Any]:
        self.sent += 1
        more = self.sent < self.chunks
        head = PART if self.sent == 1 else b""
        return {"type": "http.request", "body": head + b"x" * self.size, "more_body": more}


def request(body: Body, headers: dict[str, str]) -> Request:
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/api/imports/invoices",
        "headers": Headers(headers).raw,
    }
    return Request(scope, body.receive)


MULTIPART = {"content-type": "multipart/form-data; boundary=xyz"}


def test_a_body_past_the_limit_is_refused_at_the_chunk_that_crosses_it() -> None:
    body = Body(chunks=1000)  # 64 MB on offer
    with pytest.raises(TooLarge, match="larger than"):
        asyncio.run(receive_upload(request(body, MULTIPART), limit=256 * 1024))
    assert body.sent <= 6  # 256 KB + the envelope, in 64 KB chunks: not the 1000 offered


def test_a_declared_length_past_the_limit_is_refused_before_a_byte_is_read() -> None:
    body = Body(chunks=1000)
    headers = {**MULTIPART, "content-length": str(64 * 1024 * 1024)}
    with pytest.raises(TooLarge):
        asyncio.run(receive_upload(request(body, headers), limit=1024 * 1024))
    assert body.sent == 0


def test_only_multipart_is_accepted() -> None:
    with pytest.raises(Invalid, match="multipart"):
        asyncio.run(receive_upload(request(Body(1), {"content-type": "text/csv"}), 1024))
