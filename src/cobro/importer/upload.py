"""A ledger file uploaded over HTTP: size-limited while it streams in, its type checked by
its content, kept in a temporary folder for the importer (which reads it twice) and removed
afterwards.

The limit is enforced on the request body as it arrives: a declared Content-Length over it is
refused before a byte is read, and a body that grows past it (chunked, or lying about its
length) is refused at the chunk that crosses it. Parts are spooled to disk past 1 MiB
(Starlette's parser), so even an accepted file never sits whole in memory.

The type is what the bytes say, not the name: an .xlsx workbook is a zip holding
`xl/workbook.xml`; a CSV is text (no NUL or other control bytes). A name that claims the other
type, an old binary .xls, a PDF or an image is refused with 415 and says what it is."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request

from cobro.errors import CobroError, Invalid

LIMIT_VARIABLE = "COBRO_UPLOAD_MAX_MB"
DEFAULT_LIMIT = 20 * 1024 * 1024
ENVELOPE = 64 * 1024  # multipart headers, the form's other fields and a mapping file
MAPPING_LIMIT = 64 * 1024
_SAMPLE = 64 * 1024
_COPY = 1024 * 1024
_ZIP = b"PK\x03\x04"
_EMPTY_ZIP = b"PK\x05\x06"
_OLE = b"\xd0\xcf\x11\xe0"
_TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
_EXCEL_SUFFIXES = (".xlsx", ".xlsm")
_SIGNATURES = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "a gzip archive",
    b"MZ": "a Windows program",
    b"\x7fELF": "a program",
}
# bytes no text file holds: C0 controls other than tab, line feed, form feed, carriage return
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f]")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]+")

FileType = Literal["csv", "xlsx"]


class TooLarge(CobroError):
    status = 413


class UnsupportedType(CobroError):
    status = 415


def upload_limit(env: Mapping[str, str] | None = None) -> int:
    """The largest file accepted, in bytes: COBRO_UPLOAD_MAX_MB megabytes, else 20 MB."""
    value = (os.environ if env is None else env).get(LIMIT_VARIABLE, "").strip()
    if not value:
        return DEFAULT_LIMIT
    try:
        megabytes = float(value)
    except ValueError:
        raise Invalid(f"{LIMIT_VARIABLE}={value!r}: give a number of megabytes") from None
    if megabytes <= 0:
        raise Invalid(f"{LIMIT_VARIABLE}={value!r}: give a positive number of megabytes")
    return int(megabytes * 1024 * 1024)


def describe(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB" if size >= 1024 * 1024 else f"{size // 1024} KB"


@dataclass
class Upload:
    """The uploaded file in a temporary folder of its own, under the user's file name."""

    path: Path
    name: str  # as the user named it, for messages
    type: FileType
    fields: dict[str, str] = field(default_factory=dict)  # the form's other fields
    mapping: Path | None = None  # an uploaded TOML mapping profile

    def close(self) -> None:
        shutil.rmtree(self.path.parent, ignore_errors=True)

    def told(self, message: str) -> str:
        """A message about the file with its temporary path replaced by the user's name."""
        text = message.replace(str(self.path), self.name)
        if self.mapping is not None:
            text = text.replace(str(self.mapping), "the mapping profile")
        return text


async def receive_upload(request: Request, limit: int) -> Upload:
    """Read a multipart/form-data request holding `file` (and optionally `mapping`, a TOML
    profile, and text fields). Raises TooLarge (413), UnsupportedType (415) or Invalid (422),
    each naming the field."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        # a request that is no upload at all is invalid input (the file's own type is a 415)
        raise Invalid("send the file as multipart/form-data, in the field file", "file")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + ENVELOPE:
        raise _too_large(limit)
    parser = MultiPartParser(
        request.headers, _limited(request.stream(), limit + ENVELOPE, limit), max_files=2
    )
    try:
        form = await parser.parse()
    except MultiPartException as error:
        raise Invalid(f"the upload is malformed: {error.message}", "file") from None
    folder = Path(tempfile.mkdtemp(prefix="cobro-upload-"))
    try:
        return await _keep(form.multi_items(), folder, limit)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    finally:
        await form.close()


async def _limited(
    stream: AsyncIterator[bytes], most: int, limit: int
) -> AsyncGenerator[bytes, None]:
    size = 0
    async for chunk in stream:
        size += len(chunk)
        if size > most:
            raise _too_large(limit)
        yield chunk


def _too_large(limit: int) -> TooLarge:
    return TooLarge(
        f"the file is larger than the {describe(limit)} allowed: split it, or import it with "
        "the command line (cobro import)",
        "file",
    )


async def _keep(items: list[tuple[str, str | UploadFile]], folder: Path, limit: int) -> Upload:
    fields = {name: value for name, value in items if isinstance(value, str)}
    files = {name: value for name, value in items if not isinstance(value, str)}
    upload = files.get("file")
    if upload is None or not upload.filename:
        raise Invalid("choose a CSV or Excel (.xlsx) file to import", "file")
    if (upload.size or 0) > limit:
        raise _too_large(limit)
    head = await upload.read(_SAMPLE)
    kind = check_type(head, upload.filename)
    path = folder / safe_name(upload.filename, kind)
    await _copy(upload, head, path)
    mapping = files.get("mapping")
    profile = None
    if mapping is not None and mapping.filename:
        if (mapping.size or 0) > MAPPING_LIMIT:
            raise TooLarge(f"a mapping profile is at most {describe(MAPPING_LIMIT)}", "mapping")
        profile = folder / "mapping.toml"
        await _copy(mapping, b"", profile)
    return Upload(path, upload.filename, kind, fields, profile)


async def _copy(source: UploadFile, head: bytes, path: Path) -> None:
    with path.open("wb") as target:
        target.write(head)
        while chunk := await source.read(_COPY):
            target.write(chunk)


def safe_name(name: str, kind: FileType) -> str:
    """The user's file name, reduced to harmless characters, with the suffix of its type."""
    stem = _SAFE_NAME.sub("_", Path(name.replace("\\", "/")).stem).strip("._ ")[:80] or "upload"
    return f"{stem}.{kind}"


def check_type(head: bytes, name: str) -> FileType:
    """What the first bytes say the file is; raises UnsupportedType for anything else, or
    when the name's suffix claims the other type."""
    suffix = Path(name).suffix.lower()
    if head.startswith(_OLE) or suffix == ".xls":
        raise UnsupportedType(
            "the old Excel format (.xls) is not supported: save the sheet as .xlsx or CSV", "file"
        )
    if head.startswith((_ZIP, _EMPTY_ZIP)):
        if suffix and suffix not in _EXCEL_SUFFIXES:
            raise UnsupportedType(
                f"{name} is named {suffix} but holds a zip archive or workbook; name an Excel "
                "file .xlsx",
                "file",
            )
        if not _is_workbook(head):
            raise UnsupportedType(f"{name} is a zip archive, not an Excel workbook", "file")
        return "xlsx"
    for signature, what in _SIGNATURES.items():
        if head.startswith(signature):
            raise UnsupportedType(f"{name} is {what}, not a CSV or Excel file", "file")
    if _CONTROL.search(_without_utf16(head)):
        raise UnsupportedType(f"{name} is not a text (CSV) file: it holds binary data", "file")
    if suffix in _EXCEL_SUFFIXES:
        raise UnsupportedType(
            f"{name} is named {suffix} but is not an Excel workbook (it is text: a CSV?)", "file"
        )
    if suffix and suffix not in _TEXT_SUFFIXES:
        raise UnsupportedType(
            f"{name}: only CSV (.csv, .txt, .tsv) and Excel (.xlsx) files can be imported", "file"
        )
    return "csv"


def _without_utf16(head: bytes) -> bytes:
    """UTF-16 text (with its byte-order mark) is text though half its bytes are NUL."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return head.decode("utf-16", errors="strict").encode("utf-8")
        except UnicodeDecodeError:
            return head[len(head) // 2 * 2 :]  # a cut at the sample's end: judge the rest
    return head


def _is_workbook(head: bytes) -> bool:
    """Whether the zip's first entries (the sample holds them) name an Excel part: a workbook
    starts with small XML parts, `xl/` among them. The importer reads the whole archive later
    and says clearly when it is damaged."""
    return b"xl/" in head or (b"[Content_Types].xml" in head and len(head) == _SAMPLE)
