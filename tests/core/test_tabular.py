"""Reading and writing office spreadsheets (edugate.core.tabular)."""

from __future__ import annotations

import datetime
import io
import unicodedata
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from edugate.core.tabular import (
    MissingColumnsError,
    TabularError,
    parse_date,
    read_table,
    write_table,
)

KNOWN = {
    "code": ("Mã đơn vị", "Mã"),
    "name": ("Tên đơn vị",),
    "since": ("Hiệu lực từ",),
}

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def cp1258(text: str) -> bytes:
    """Encode like Windows does: vowels with their shape marks precomposed, tones combining."""
    out = []
    for char in unicodedata.normalize("NFC", text):
        try:
            out.append(char.encode("cp1258"))
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            base = unicodedata.normalize("NFC", "".join(p for p in parts if p not in _TONES))
            tones = "".join(p for p in parts if p in _TONES)
            out.append((base + tones).encode("cp1258"))
    return b"".join(out)


def make_xlsx(path, rows):
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_xlsx_title_rows_blank_rows_and_row_numbers(tmp_path):
    path = make_xlsx(tmp_path / "u.xlsx", [
        ["DANH SÁCH ĐƠN VỊ"],
        ["Năm học 2025-2026", None, "Tên đơn vị"],  # one known header only: still a title
        [],
        ["STT", "  MA DON VI ", "tên  đơn vị", "Ghi chú", "Hiệu lực từ"],
        [1, "  TH-A ", "Trường   Tiểu học\u00a0An Bình", "x", datetime.datetime(2025, 7, 1)],
        [None, None, None, None, None],
        [2, 79000101, "Trường Kim Đồng", None, "01/09/2024"],
    ])
    table = read_table(path, KNOWN)
    assert table.format == "xlsx"
    assert table.header_row == 4
    assert table.headers == {"code": "MA DON VI", "name": "tên đơn vị", "since": "Hiệu lực từ"}
    assert [row.number for row in table.rows] == [5, 7]
    first, second = table.rows
    assert first.text("code") == "TH-A"
    assert first.text("name") == "Trường Tiểu học An Bình"
    assert first.date("since") == datetime.date(2025, 7, 1)
    assert second.text("code") == "79000101"
    assert second.date("since") == datetime.date(2024, 9, 1)
    assert set(first.values) == {"code", "name", "since"}  # unknown columns ignored


def test_missing_required_columns_are_named(tmp_path):
    path = make_xlsx(tmp_path / "u.xlsx", [["Mã đơn vị", "Hiệu lực từ"], ["A", None]])
    with pytest.raises(MissingColumnsError) as caught:
        read_table(path, KNOWN, required=("code", "name"))
    assert caught.value.missing == ["name"]
    assert "Tên đơn vị" in str(caught.value)


def test_no_header_row(tmp_path):
    path = make_xlsx(tmp_path / "u.xlsx", [["a", "b"], ["c", "d"]])
    with pytest.raises(TabularError):
        read_table(path, KNOWN)


def test_header_named_twice_is_an_error(tmp_path):
    path = make_xlsx(tmp_path / "u.xlsx", [["Mã đơn vị", "Tên đơn vị", "Mã"], ["A", "B", "C"]])
    with pytest.raises(TabularError, match="hai lần"):
        read_table(path, KNOWN)


@pytest.mark.parametrize("prefix", [b"", b"\xef\xbb\xbf"])
def test_csv_utf8_with_or_without_bom(tmp_path, prefix):
    path = tmp_path / "u.csv"
    path.write_bytes(prefix + "Mã đơn vị,Tên đơn vị\r\nTH-A,Trường Tiểu học Ánh Dương\r\n".encode())
    table = read_table(path, KNOWN)
    assert table.format == "csv"
    assert table.encoding == ("utf-8-sig" if prefix else "utf-8")
    assert table.rows[0].text("name") == "Trường Tiểu học Ánh Dương"
    assert table.rows[0].number == 2


def test_csv_windows_1258_semicolons_and_title_rows(tmp_path):
    text = (
        "Danh sách đơn vị, tỉnh Minh Hải;;\r\n"
        ";;\r\n"
        "MÃ ĐƠN VỊ;TÊN ĐƠN VỊ;Hiệu lực từ\r\n"
        "TH-A;Trường Tiểu học Nguyễn Thị Định;05/09/2024\r\n"
        ";;\r\n"
        "\"TH-B\";\"Trường Mầm non Hướng Dương; cơ sở 2\";\r\n"
    )
    data = cp1258(text)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    path = tmp_path / "u.csv"
    path.write_bytes(data)
    table = read_table(path, KNOWN)
    assert (table.encoding, table.delimiter, table.header_row) == ("cp1258", ";", 3)
    assert [row.number for row in table.rows] == [4, 6]
    assert table.rows[0].text("name") == "Trường Tiểu học Nguyễn Thị Định"
    assert table.rows[0].date("since") == datetime.date(2024, 9, 5)
    assert table.rows[1].text("name") == "Trường Mầm non Hướng Dương; cơ sở 2"
    assert table.rows[1].date("since") is None


def test_csv_tab_delimited_from_a_file_object():
    data = "Mã đơn vị\tTên đơn vị\nA\tMột, hai\n".encode()
    table = read_table(io.BytesIO(data), KNOWN)
    assert table.delimiter == "\t"
    assert table.rows[0].text("name") == "Một, hai"


def test_excel_sep_hint_line(tmp_path):
    path = tmp_path / "u.csv"
    path.write_text("sep=;\nMã đơn vị;Tên đơn vị\nA;B\n", encoding="utf-8")
    table = read_table(path, KNOWN)
    assert table.delimiter == ";"
    assert table.rows[0].number == 2  # the hint line is hidden by Excel


def test_legacy_xls_is_refused_clearly(tmp_path):
    path = tmp_path / "u.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    with pytest.raises(TabularError, match=r"\.xls"):
        read_table(path, KNOWN)


@pytest.mark.parametrize(("value", "expected"), [
    ("05/09/2024", datetime.date(2024, 9, 5)),
    ("5/9/2024", datetime.date(2024, 9, 5)),
    ("05-09-2024", datetime.date(2024, 9, 5)),
    ("2024-09-05", datetime.date(2024, 9, 5)),
    (datetime.datetime(2024, 9, 5, 0, 0), datetime.date(2024, 9, 5)),
    (45540, datetime.date(2024, 9, 5)),
    ("", None),
    (None, None),
])
def test_parse_date(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["31/02/2024", "09/2024", "hôm qua", "2024/13/01", 1.5])
def test_parse_date_rejects(value):
    with pytest.raises(ValueError):
        parse_date(value)


ROWS: list[list[Any]] = [
    ["TH-A", "Trường Tiểu học An Bình", datetime.date(2025, 7, 1)],
    ["=1+2", "+84 912 345 678", None],
    ["0123", "Trường có tên rất dài " * 5, None],
]


def test_write_xlsx_and_read_back(tmp_path):
    path = tmp_path / "out.xlsx"
    assert write_table(path, ["Mã đơn vị", "Tên đơn vị", "Hiệu lực từ"], ROWS) == 3
    workbook = load_workbook(path)
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.b
    assert sheet["A3"].data_type == "s"  # text, not a formula
    assert sheet["C2"].number_format == "DD/MM/YYYY"
    assert 8 <= sheet.column_dimensions["A"].width <= 60
    assert sheet.column_dimensions["B"].width == 60
    table = read_table(path, KNOWN)
    assert [row.text("code") for row in table] == ["TH-A", "=1+2", "0123"]
    assert table.rows[0].date("since") == datetime.date(2025, 7, 1)
    assert table.rows[1].text("name") == "+84 912 345 678"


def test_write_xlsx_drops_control_characters(tmp_path):
    path = tmp_path / "out.xlsx"
    write_table(path, ["Mã đơn vị", "Tên đơn vị"], [["A\x01", "Tên\x0b mới"]])
    row = read_table(path, KNOWN).rows[0]
    assert (row.text("code"), row.text("name")) == ("A", "Tên mới")


def test_write_csv_with_bom_and_read_back(tmp_path):
    path = tmp_path / "out.csv"
    write_table(path, ["Mã đơn vị", "Tên đơn vị", "Hiệu lực từ"], ROWS)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[1] == "TH-A,Trường Tiểu học An Bình,01/07/2025"
    assert lines[2].startswith("'=1+2,'+84")  # spreadsheet programs must not run it
    table = read_table(path, KNOWN)
    assert [row.text("code") for row in table] == ["TH-A", "=1+2", "0123"]
    assert table.rows[1].text("name") == "+84 912 345 678"
    assert table.rows[0].date("since") == datetime.date(2025, 7, 1)


@pytest.mark.parametrize("name", ["out.xls", "out.ods", "out"])
def test_write_refuses_other_formats(tmp_path, name):
    with pytest.raises(TabularError, match=r"\.xlsx hoặc \.csv"):
        write_table(tmp_path / name, ["a"], [])
    assert not (tmp_path / name).exists()
