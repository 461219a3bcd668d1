from pathlib import Path

import pytest

from cobro.errors import Invalid
from cobro.importer.readers import ReadOptions, open_table
from tests.importer.helpers import write_csv

ROWS = [["Invoice", "Customer", "Amount"], ["F-1", "C1", "10,50"], ["F-2", "Peña", "3"]]


def read(path: Path, **options: str) -> tuple[list[str], list[tuple[int, list[object]]]]:
    table = open_table(path, ReadOptions(**options))
    return table.header, [(number, list(cells)) for number, cells in table.records()]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_the_delimiter_is_detected(tmp_path: Path, delimiter: str) -> None:
    header, rows = read(write_csv(tmp_path / "f.csv", ROWS, delimiter=delimiter))
    assert header == ["Invoice", "Customer", "Amount"]
    assert rows == [(2, ["F-1", "C1", "10,50"]), (3, ["F-2", "Peña", "3"])]


def test_a_given_delimiter_wins_and_tab_can_be_named(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "f.tsv", ROWS, delimiter="\t")
    assert read(path, delimiter="tab")[0] == ["Invoice", "Customer", "Amount"]
    with pytest.raises(Invalid, match="delimiter ':' not supported"):
        read(path, delimiter=":")


def test_a_header_without_any_known_delimiter_asks_for_one(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("Invoice:Customer:Amount\nF-1:C1:3\n", encoding="utf-8")
    with pytest.raises(Invalid, match="cannot tell how the columns are separated"):
        read(path)


def test_excels_utf8_byte_order_mark_is_not_part_of_the_first_header(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "f.csv", ROWS, encoding="utf-8-sig")
    assert read(path)[0][0] == "Invoice"


def test_a_utf16_file_with_its_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "f.csv", ROWS, encoding="utf-16")
    assert read(path)[1][1] == (3, ["F-2", "Peña", "3"])


def test_a_windows_encoded_file_names_row_and_column_and_suggests_an_encoding(
    tmp_path: Path,
) -> None:
    path = write_csv(tmp_path / "f.csv", ROWS, encoding="cp1252")
    with pytest.raises(Invalid) as caught:
        read(path)
    assert caught.value.message == (
        f"{path}: row 3, column 'Customer': byte 0xf1 is not UTF-8: the file is in another "
        "encoding; try --encoding cp1252 (Windows, Excel) or --encoding latin-1"
    )
    assert read(path, encoding="cp1252")[1][1] == (3, ["F-2", "Peña", "3"])


def test_an_unknown_encoding_name_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(Invalid, match="unknown encoding 'klingon'"):
        read(write_csv(tmp_path / "f.csv", ROWS), encoding="klingon")


def test_blank_rows_are_skipped_but_keep_their_numbers(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("\n\nInvoice,Customer\nF-1,C1\n,\n\nF-2,C2\n", encoding="utf-8")
    table = open_table(path, ReadOptions())
    assert table.header_row == 3
    assert [number for number, _ in table.records()] == [4, 7]


def test_short_rows_are_padded_to_the_header(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("Invoice,Customer,Amount\nF-1\n", encoding="utf-8")
    assert read(path)[1] == [(2, ["F-1", "", ""])]


@pytest.mark.parametrize("content", [b"", b"   \n\r\n", b"\xef\xbb\xbf\n"])
def test_an_empty_file_says_so(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    with pytest.raises(Invalid, match=r"f.csv is empty"):
        read(path)


def test_binary_content_is_refused_with_its_row(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(b"Invoice,Customer\nF-1,C\x00\x01\x02\n")
    with pytest.raises(Invalid, match=r"row 2, column 'Customer': binary content"):
        read(path)


def test_an_old_excel_file_is_refused_with_advice(tmp_path: Path) -> None:
    path = tmp_path / "f.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    with pytest.raises(Invalid, match=r"old Excel format \(.xls\) is not supported"):
        read(path)


def test_a_broken_xlsx_file_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "f.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a zip file")
    with pytest.raises(Invalid, match=r"f.xlsx: not a readable Excel \(.xlsx\) file"):
        read(path)


def test_a_missing_file_or_a_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(Invalid, match="no such file"):
        read(tmp_path / "nope.csv")
    with pytest.raises(Invalid, match="is a folder"):
        read(tmp_path)


def test_a_cell_beyond_the_csv_field_limit_is_an_error_with_its_row(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("Invoice,Customer\nF-1,C1\nF-2," + "x" * 200_000 + "\n", encoding="utf-8")
    with pytest.raises(Invalid, match=r"f.csv: row 3: field larger than field limit"):
        read(path)


def test_sheet_is_only_for_excel_files(tmp_path: Path) -> None:
    with pytest.raises(Invalid, match="--sheet applies to Excel files only"):
        read(write_csv(tmp_path / "f.csv", ROWS), sheet="2")
