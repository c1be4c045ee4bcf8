"""Reading and checking staff lists (edugate.directory.staff_sheet).

Messages are checked in English (the msgids), so that the tests hold whatever the Vietnamese
catalogue says; the column names in them are the file's own Vietnamese headers.
"""

from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from edugate.core.legacy_encodings import TCVN3, VNI, encode
from edugate.core.tabular import MissingColumnsError, TabularError, read_table
from edugate.directory.staff_sheet import FEMALE, MALE, RowError, StaffSheet, read_staff_sheet
from tests.core.test_tabular import cp1258

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "staff"
THCS = FIXTURES / "danh-sach-can-bo-thcs-hoa-khanh.xlsx"
TH = FIXTURES / "danh-sach-can-bo-th-kim-dong.csv"
TODAY = datetime.date(2026, 9, 5)

PHONE = ("“%s” is not a valid phone number: a mobile number has 10 digits starting with 0, "
         "a landline 11 digits starting with 02.")
LEGACY = ("“%s” seems to be typed in a legacy encoding (TCVN3, VNI) and cannot be converted: "
          "retype it in Unicode.")
NOT_A_NAME = "“%s” is not a name: use only letters, spaces, hyphens and apostrophes."
NOT_A_DATE = "“%s” is not a date: write it as dd/mm/yyyy."
IMPLAUSIBLE = "“%s” is not a plausible date of birth."
NO_NAME = "Enter the person's full name."
NO_BIRTH = "No date of birth."


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def read(path: Any) -> StaffSheet:
    return read_staff_sheet(path, today=TODAY)


def make_xlsx(path: Path, rows: list[Any], merges: tuple[str, ...] = ()) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)
    for row in rows:
        sheet.append(row)
    for cells in merges:
        sheet.merge_cells(cells)
    workbook.save(path)
    return path


def make_csv(path: Path, rows: list[list[Any]], *, encoding: str = "utf-8-sig") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(
        ["" if cell is None else cell for cell in row] for row in rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def errors(sheet: StaffSheet) -> list[tuple[int, str, str]]:
    return [(e.row_number, e.column, e.message) for e in sheet.errors]


def warnings(sheet: StaffSheet) -> list[tuple[int, str, str]]:
    return [(w.row_number, w.column, w.message) for w in sheet.warnings]


def by_row(sheet: StaffSheet) -> dict[int, Any]:
    return {row.row_number: row for row in sheet.rows}


# --- The two sample files, as schools send them ---------------------------------------------

def test_lower_secondary_school_sample():
    sheet = read(THCS)
    assert (sheet.format, sheet.header_row, sheet.source_encoding) == ("xlsx", 6, "unicode")
    assert sheet.headers["date_of_birth_male"] == "Ngày sinh / Nam"
    assert sheet.headers["date_of_birth_female"] == "Ngày sinh / Nữ"
    # Rows 8-37 and 39-53 hold people (STT 1-30 and 32-46), row 38 is a blank separator,
    # rows 55-56 the signature block ("Hòa Khánh, ngày 05 tháng 9 năm 2026", "HIỆU TRƯỞNG").
    # Row 20 is rejected for its phone number, row 33 repeats row 32.
    people = [*range(8, 38), *range(39, 54)]
    assert [row.row_number for row in sheet.rows] == [n for n in people if n not in (20, 33)]
    assert errors(sheet) == [
        (20, "Số điện thoại", PHONE % "0912 345 67"),
        (33, "", "Same as row 32 (same name, date of birth and phone number)."),
    ]
    assert sheet.rejected_rows == [20, 33]
    assert warnings(sheet) == [(28, "Ngày sinh", NO_BIRTH)]
    assert str(sheet.errors[1]) == (
        "Dòng 33: Same as row 32 (same name, date of birth and phone number).")

    rows = by_row(sheet)
    assert rows[15].full_name == "Phạm Thu Hà"  # typed "  Phạm   Thu  Hà "
    first = rows[8]
    assert (first.full_name, first.date_of_birth, first.birth_year, first.gender) == (
        "Trần Thị Minh Hạnh", datetime.date(2000, 4, 4), 2000, FEMALE)
    assert (first.position, first.division, first.phone) == (
        "Hiệu trưởng", "Tổ Văn phòng", "0798797309")
    assert (first.family_name, first.given_name, first.unit_code) == ("", "", "")
    assert first.source_encoding == "unicode"
    # Gender from the sub-column holding the date: C ("Nam") or D ("Nữ").
    assert (rows[16].full_name, rows[16].gender, rows[16].date_of_birth) == (
        "Hoàng Đình Hiếu", MALE, datetime.date(1997, 10, 5))
    assert rows[32].full_name == "Đặng Thị Quyên"
    assert (rows[28].full_name, rows[28].date_of_birth, rows[28].gender) == (
        "Lý Kim Hoa", None, "")
    assert rows[40].personal_email == "hoa.nguyen@gmail.com"  # a personal address is fine
    assert [row.row_number for row in sheet.rows if row.gender == MALE] == [
        16, 23, 25, 29, 30, 31, 35, 47, 51]
    assert sum(row.gender == FEMALE for row in sheet.rows) == 33


def test_primary_school_sample():
    sheet = read(TH)
    assert (sheet.format, sheet.encoding, sheet.header_row) == ("csv", "utf-8-sig", 1)
    assert [row.row_number for row in sheet.rows] == list(range(2, 32))
    assert sheet.errors == sheet.warnings == []
    rows = by_row(sheet)
    assert (rows[2].full_name, rows[2].date_of_birth, rows[2].gender, rows[2].phone) == (
        "Lâm Xuân Việt", datetime.date(1985, 3, 1), MALE, "0801612840")
    assert (rows[4].full_name, rows[4].gender, rows[4].position) == (
        "Vũ Mỹ Hà", FEMALE, "Nhân viên kế toán")
    assert rows[31].full_name == "Ngô Minh Hùng"
    assert all(row.personal_email == "" and row.division == "" for row in sheet.rows)


def test_reads_an_upload_file_object():
    sheet = read(io.BytesIO(THCS.read_bytes()))
    assert len(sheet.rows) == 43


# --- Encodings ------------------------------------------------------------------------------



def test_csv_in_windows_1258(tmp_path):
    text = (
        "Danh sách cán bộ trường Mầm non Hướng Dương;;;;\r\n"
        "STT;Họ và tên;Ngày sinh;Giới tính;Số điện thoại\r\n"
        "1;Nguyễn Thị Hương;05/09/1990;Nữ;0912345678\r\n"
        "2;Trương Văn Đức;12/12/1982;Nam;0912 34\r\n"
        "3;Lê Hà;01/01/1979;nữ;+84 987 654 321\r\n"
    )
    path = tmp_path / "ds.csv"
    path.write_bytes(cp1258(text))
    sheet = read(path)
    assert (sheet.encoding, sheet.source_encoding, sheet.header_row) == ("cp1258", "unicode", 2)
    assert [(r.row_number, r.full_name, r.gender, r.phone) for r in sheet.rows] == [
        (3, "Nguyễn Thị Hương", FEMALE, "0912345678"),
        (5, "Lê Hà", FEMALE, "0987654321"),
    ]
    assert errors(sheet) == [(4, "Số điện thoại", PHONE % "0912 34")]


def legacy_sheet(encoding: str) -> list[list[Any]]:
    """A Ministry-style list typed with legacy fonts: titles, a two-row header, a signature."""
    def typed(text: str | None, *, capitals: bool = False) -> str | None:
        if text is None:
            return None
        return encode(text.upper() if capitals else text, encoding, h_font=capitals)

    rows: list[list[Any]] = [
        [typed("UBND XÃ HÒA KHÁNH", capitals=True)],
        [typed("TRƯỜNG TIỂU HỌC KIM ĐỒNG", capitals=True)],
        [],
        [typed(cell) for cell in ("STT", "Họ và tên", "Ngày sinh", None, "Chức vụ",
                                  "Tổ chuyên môn", "Số điện thoại")],
        [None, None, typed("Nam"), typed("Nữ")],
    ]
    people = [
        ("Nguyễn Văn Đặng", "12/03/1980", None, "Hiệu trưởng", "Tổ Văn phòng", "0912000001"),
        ("Đặng Thị Ngọc Ánh", None, "01/06/1990", "Giáo viên", "Tổ Toán - Tin", "0912000002"),
        ("Trương Thị Hương", None, "23/11/1975", "Nhân viên kế toán", "Tổ Văn phòng",
         "0912000003"),
        ("Lê Thị Ánh", None, "02/02/1992", "Giáo viên", "Tổ Ngữ văn", "0912000004"),
    ]
    for number, (name, male, female, position, division, phone) in enumerate(people, 1):
        rows.append([number, typed(name), male, female, typed(position), typed(division), phone])
    return rows


def add_tail(rows: list[list[Any]], encoding: str) -> None:
    rows.append([None, None, None, None, None, encode("Kim Đồng, ngày 05 tháng 9 năm 2026",
                                                      encoding)])
    rows.append([None, encode("Người lập biểu", encoding), None, None, None,
                 encode("HIỆU TRƯỞNG", encoding, h_font=True)])
    rows.append([None, encode("(Ký, ghi rõ họ tên)", encoding), None, None, None,
                 encode("(Ký tên, đóng dấu)", encoding)])
    rows.append([None, encode("Phạm Văn Lập", encoding), None, None, None,
                 encode("Nguyễn Văn Đặng", encoding)])


@pytest.mark.parametrize("encoding", [TCVN3, VNI])
def test_sheet_typed_with_legacy_fonts(tmp_path, encoding):
    rows = legacy_sheet(encoding)
    # "Ánh" typed with the lower-case code (.VnTime has no capital Á), a name in capitals
    # (.VnTimeH), a name that reads as Unicode too, and one that cannot be converted.
    rows[8][1] = encode("Lê Thị ánh", encoding)
    rows[7][1] = encode("TRƯƠNG THỊ HƯƠNG", encoding, h_font=True)
    ambiguous = {TCVN3: ("Mai Anh Lộc", "Mai Anh Léc"), VNI: ("Hồ Minh Hoa", "Hoà Minh Hoa")}
    name, typed = ambiguous[encoding]
    assert encode(name, encoding) == typed
    rows.append([5, typed, "01/01/1985", None, encode("Giáo viên", encoding), None, "0912000005"])
    rows.append([6, "NguyÔn Vaên An", "01/01/1986", None, None, None, "0912000006"])
    add_tail(rows, encoding)
    sheet = read(make_xlsx(tmp_path / "ds.xlsx", rows, merges=(
        "A4:A5", "B4:B5", "C4:D4", "E4:E5", "F4:F5", "G4:G5")))

    assert sheet.source_encoding == encoding
    assert sheet.header_row == 4
    assert sheet.headers["full_name"] == "Họ và tên"
    assert sheet.headers["date_of_birth_female"] == "Ngày sinh / Nữ"
    assert [(r.row_number, r.full_name, r.gender, r.source_encoding) for r in sheet.rows] == [
        (6, "Nguyễn Văn Đặng", MALE, encoding),
        (7, "Đặng Thị Ngọc Ánh", FEMALE, encoding),
        (8, "TRƯƠNG THỊ HƯƠNG", FEMALE, encoding),
        (9, "Lê Thị Ánh", FEMALE, encoding),
        (10, name, MALE, encoding),
    ]
    first = sheet.rows[0]
    assert (first.position, first.division) == ("Hiệu trưởng", "Tổ Văn phòng")
    assert sheet.rows[1].division == "Tổ Toán - Tin"
    assert errors(sheet) == [(11, "Họ và tên", LEGACY % "NguyÔn Vaên An")]
    assert warnings(sheet) == [(10, "Họ và tên", (
        f"Read as {encoding.upper()} like the rest of the sheet, as “{name}”: check the name."
    ))]


@pytest.mark.parametrize("encoding", [TCVN3, VNI])
def test_csv_saved_from_a_legacy_sheet(tmp_path, encoding):
    """Excel saves such a sheet as CSV in the bytes of the legacy encoding."""
    rows = legacy_sheet(encoding)
    add_tail(rows, encoding)
    path = make_csv(tmp_path / "ds.csv", rows, encoding="latin-1")
    sheet = read(path)
    assert (sheet.encoding, sheet.source_encoding) == (encoding, encoding)
    assert [(r.row_number, r.full_name, r.gender, r.position) for r in sheet.rows] == [
        (6, "Nguyễn Văn Đặng", MALE, "Hiệu trưởng"),
        (7, "Đặng Thị Ngọc Ánh", FEMALE, "Giáo viên"),
        (8, "Trương Thị Hương", FEMALE, "Nhân viên kế toán"),
        (9, "Lê Thị Ánh", FEMALE, "Giáo viên"),
    ]
    assert sheet.errors == sheet.warnings == []


def test_unicode_sheet_is_not_converted(tmp_path):
    rows = [
        ["STT", "Họ và tên", "Ngày sinh"],
        [1, "Lê Hà", "01/01/1980"],
        [2, "Hoàng Anh Tú", "01/01/1981"],
        [3, "Nguyễn Văn Đặng", "01/01/1982"],
        [4, "Jürgen Müller", "01/01/1983"],
    ]
    sheet = read(make_xlsx(tmp_path / "ds.xlsx", rows))
    assert [r.full_name for r in sheet.rows] == ["Lê Hà", "Hoàng Anh Tú", "Nguyễn Văn Đặng",
                                                 "Jürgen Müller"]
    assert {r.source_encoding for r in sheet.rows} == {"unicode"}
    assert sheet.errors == sheet.warnings == []


# --- Columns --------------------------------------------------------------------------------

def test_family_and_given_name_columns(tmp_path):
    rows = [
        ["STT", "Họ và tên đệm", "Tên", "Ngày sinh", "Giới tính", "SĐT"],
        [1, "Nguyễn Văn", "An", "01/02/1980", "Nam", "0912345678"],
        [2, " Đặng  Thị Ngọc", "Ánh", "03/04/1990", "Nữ", ""],
        [3, "Võ", "", "03/04/1991", "Nữ", ""],
    ]
    sheet = read(make_xlsx(tmp_path / "ds.xlsx", rows))
    assert [(r.full_name, r.family_name, r.given_name) for r in sheet.rows] == [
        ("Nguyễn Văn An", "Nguyễn Văn", "An"),
        ("Đặng Thị Ngọc Ánh", "Đặng Thị Ngọc", "Ánh"),
        ("Võ", "Võ", ""),
    ]


def test_name_split_under_a_merged_header(tmp_path):
    rows = [
        ["TT", "Họ và tên", None, "Năm sinh", "Điện thoại"],
        [None, "Họ đệm", "Tên", None, None],
        [1, "Trần Thị", "Mai", 1985, "0912345678"],
        [2, "Lê", "Na", "1990", "0912345679"],
    ]
    sheet = read(make_xlsx(tmp_path / "ds.xlsx", rows, merges=("B1:C1", "A1:A2", "D1:D2")))
    assert sheet.headers["family_name"] == "Họ và tên / Họ đệm"
    assert [(r.row_number, r.full_name, r.family_name, r.given_name, r.birth_year,
             r.date_of_birth) for r in sheet.rows] == [
        (3, "Trần Thị Mai", "Trần Thị", "Mai", 1985, None),
        (4, "Lê Na", "Lê", "Na", 1990, None),
    ]


def test_other_header_names(tmp_path):
    rows = [
        ["Danh sách"],
        ["TT", "HO TEN", "Ngay thang nam sinh", "Chức danh", "Bộ phận", "Di động",
         "Thư điện tử", "Mã đơn vị"],
        [1, "Phan Văn Hùng", "1/2/1970", "Kế toán", "Văn phòng", "0912345678",
         "Hung.Phan@Gmail.com", "TH-A"],
    ]
    sheet = read(make_xlsx(tmp_path / "ds.xlsx", rows))
    row = sheet.rows[0]
    assert (row.full_name, row.date_of_birth, row.position, row.division, row.phone,
            row.personal_email, row.unit_code) == (
        "Phan Văn Hùng", datetime.date(1970, 2, 1), "Kế toán", "Văn phòng", "0912345678",
        "hung.phan@gmail.com", "TH-A")


def test_a_sheet_without_names_is_refused(tmp_path):
    path = make_xlsx(tmp_path / "ds.xlsx", [["STT", "Chức vụ", "Điện thoại"], [1, "GV", "0"]])
    with pytest.raises(MissingColumnsError) as caught:
        read(path)
    assert "Họ và tên" in str(caught.value)


def test_a_file_that_is_not_a_table_is_refused(tmp_path):
    path = tmp_path / "ds.csv"
    path.write_text("nothing here\n", encoding="utf-8")
    with pytest.raises(TabularError):
        read(path)


# --- Every error, and the rows that are not errors ------------------------------------------

def test_every_kind_of_error(tmp_path):
    header = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Chức vụ", "Điện thoại",
              "Email cá nhân"]
    rows = [
        header,
        [1, "Nguyễn Văn An", "01/02/1980", "Nam", "Giáo viên", "0912345678", "An@Gmail.com"],
        [2, None, "01/02/1981", "Nữ", "Giáo viên", "0912345679", None],
        [3, "Nguyễn Văn 3", "01/02/1982", "Nam", None, "0912345670", None],
        [4, "NguyÔn Vaên Bình", "01/02/1983", "Nam", None, "0912345671", None],
        [5, "Trần Thị Bé", "32/13/1990", "Khác", "Giáo viên", "abc", "not-an-email"],
        [6, "Lê Văn Cường", "01/01/2020", "Nam", None, None, None],
        [7, "Lê Văn Dũng", "01/01/2090", "Nam", None, None, None],
        [8, "Nguyễn Văn An", "01/02/1980", "Nam", None, "0987654321", None],
        [9, "Phạm Văn Em", "01/02/1985", "Nam", None, "0912.345.678", None],
        [10, "Hồ Thị Giang", "01/02/1986", "Nữ", None, None, "an@gmail.com"],
        [11, "Võ Thị Hoa", None, "Nữ", None, None, None],
        [12, "Đỗ Văn Khoa", 1875, "Nam", None, None, None],
    ]
    sheet = read(make_xlsx(tmp_path / "ds.xlsx", rows))
    assert [r.row_number for r in sheet.rows] == [2, 11, 12]
    assert errors(sheet) == [
        (3, "Họ và tên", NO_NAME),
        (4, "Họ và tên", NOT_A_NAME % "Nguyễn Văn 3"),
        (5, "Họ và tên", LEGACY % "NguyÔn Vaên Bình"),
        # a name with garbage elsewhere: every field reported
        (6, "Ngày sinh", NOT_A_DATE % "32/13/1990"),
        (6, "Giới tính", "“Khác” is not a gender: write Nam or Nữ."),
        (6, "Điện thoại", PHONE % "abc"),
        (6, "Email cá nhân", "“not-an-email” is not a valid email address."),
        (7, "Ngày sinh", IMPLAUSIBLE % "01/01/2020"),
        (8, "Ngày sinh", IMPLAUSIBLE % "01/01/2090"),
        (9, "", "Same as row 2 (same name and date of birth)."),
        (10, "", "Same as row 2 (same phone number)."),
        (13, "Ngày sinh", IMPLAUSIBLE % "1875"),
    ]
    assert warnings(sheet) == [
        (11, "Email cá nhân", "The same personal email address is on row 2."),
        (12, "Ngày sinh", NO_BIRTH),
    ]
    assert by_row(sheet)[2].personal_email == "an@gmail.com"
    assert str(sheet.errors[0]) == f"Dòng 3: Họ và tên: {NO_NAME}"


def test_a_rejected_row_does_not_hide_its_duplicate(tmp_path):
    rows = [
        ["STT", "Họ và tên", "Ngày sinh", "Điện thoại"],
        [1, "Lê Văn Tám", "01/02/1980", "0912"],
        [2, "Lê Văn Tám", "01/02/1980", "0912345678"],
    ]
    sheet = read(make_xlsx(tmp_path / "ds.xlsx", rows))
    assert [r.row_number for r in sheet.rows] == [3]
    assert errors(sheet) == [(2, "Điện thoại", PHONE % "0912")]


def test_signature_block_sections_and_empty_lines(tmp_path):
    rows = [
        ["DANH SÁCH CÁN BỘ, GIÁO VIÊN"],
        ["STT", "Họ và tên", "Chức vụ", "Số điện thoại"],
        ["I", "CÁN BỘ QUẢN LÝ", None, None],
        [1, "Nguyễn Văn An", "Hiệu trưởng", "0912345678"],
        [None, "II. GIÁO VIÊN", None, None],
        [2, "Trần Thị Bình", "Giáo viên", "0912345679"],
        [3, None, None, None],  # a numbered line of the template, left empty
        [],
        [None, None, "Tổng số: 2 người", None],
        [None, None, "An Bình, ngày 05 tháng 9 năm 2026", None],
        [None, "Người lập biểu", "HIỆU TRƯỞNG", None],
        [None, "(Ký, ghi rõ họ tên)", "(Ký tên, đóng dấu)", None],
        [],
        [None, "Lê Văn Lập", "Nguyễn Văn An", None],
    ]
    sheet = read(make_xlsx(tmp_path / "ds.xlsx", rows))
    assert [(r.row_number, r.full_name) for r in sheet.rows] == [
        (4, "Nguyễn Văn An"), (6, "Trần Thị Bình")]
    assert sheet.errors == sheet.warnings == []


def test_a_signature_line_inside_the_list_does_not_end_it(tmp_path):
    rows = [
        ["STT", "Họ và tên", "Chức vụ", "Số điện thoại"],
        [1, "Nguyễn Văn An", "Giáo viên", "0912345678"],
        [None, None, "Hiệu trưởng", None],
        [2, "Trần Thị Bình", "Giáo viên", "0912345679"],
    ]
    sheet = read(make_xlsx(tmp_path / "ds.xlsx", rows))
    assert [r.row_number for r in sheet.rows] == [2, 4]
    assert errors(sheet) == [(3, "Họ và tên", NO_NAME)]


# --- Gender ---------------------------------------------------------------------------------

def test_gender_from_mark_columns(tmp_path):
    rows = [
        ["STT", "Họ và tên", "Nam", "Nữ"],
        [1, "Nguyễn Văn An", "x", None],
        [2, "Trần Thị Bình", None, "X"],
        [3, "Lê Cao", None, None],
        [4, "Lê Dung", "x", "x"],
    ]
    sheet = read(make_xlsx(tmp_path / "ds.xlsx", rows))
    assert [(r.row_number, r.gender) for r in sheet.rows] == [(2, MALE), (3, FEMALE), (4, "")]
    assert errors(sheet) == [(5, "Nữ", "Both “Nam” and “Nữ” are marked.")]


def test_gender_from_a_women_only_column(tmp_path):
    """The Ministry's templates have a "Nữ" column marked for women only."""
    rows = [["STT", "Họ và tên", "Nữ"], [1, "Nguyễn Văn An", None], [2, "Trần Thị Bình", "x"]]
    sheet = read(make_xlsx(tmp_path / "ds.xlsx", rows))
    assert [r.gender for r in sheet.rows] == [MALE, FEMALE]


def test_gender_marks_under_a_merged_header(tmp_path):
    rows = [
        ["STT", "Họ và tên", "Giới tính", None, "Ngày sinh"],
        [None, None, "Nam", "Nữ", None],
        [1, "Nguyễn Văn An", "x", None, "01/01/1980"],
        [2, "Trần Thị Bình", None, "x", "01/01/1981"],
    ]
    sheet = read(make_xlsx(tmp_path / "ds.xlsx", rows, merges=("C1:D1",)))
    assert sheet.headers["male"] == "Giới tính / Nam"
    assert [(r.row_number, r.gender) for r in sheet.rows] == [(3, MALE), (4, FEMALE)]


def test_birth_columns_by_gender_conflicts(tmp_path):
    rows = [
        ["STT", "Họ và tên", "Ngày sinh", None, "Giới tính"],
        [None, None, "Nam", "Nữ", None],
        [1, "Nguyễn Văn An", "01/01/1980", "01/01/1980", None],
        [2, "Trần Văn Bình", None, "01/01/1981", "Nam"],
        [3, "Lê Văn Cư", datetime.datetime(1982, 5, 6), None, "Nam"],
    ]
    sheet = read(make_xlsx(tmp_path / "ds.xlsx", rows, merges=("C1:D1",)))
    assert [(r.row_number, r.gender, r.date_of_birth) for r in sheet.rows] == [
        (5, MALE, datetime.date(1982, 5, 6))]
    assert errors(sheet) == [
        (3, "Ngày sinh", "The date of birth is in more than one column: “Ngày sinh / Nam”, "
                         "“Ngày sinh / Nữ”."),
        (4, "Giới tính", "The gender given (Nam) does not match the column the date of birth "
                         "or the mark is in."),
    ]


# --- Phones ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    ("0912345678", "0912345678"),
    ("0912 345 678", "0912345678"),
    ("0912.345.678", "0912345678"),
    ("091-234-5678", "0912345678"),
    ("+84 912 345 678", "0912345678"),
    ("(+84) 912345678", "0912345678"),
    ("84912345678", "0912345678"),
    ("+84 0912 345 678", "0912345678"),
    ("912345678", "0912345678"),  # the 0 Excel drops from a number
    (912345678, "0912345678"),
    ("(028) 3822 1234", "02838221234"),
    ("0236.3822.123", "02363822123"),
    (2838221234, "02838221234"),
    (None, ""),
])
def test_phone_numbers(tmp_path, value, expected):
    rows = [["Họ và tên", "Số điện thoại"], ["Nguyễn Văn An", value]]
    sheet = read(make_xlsx(tmp_path / "ds.xlsx", rows))
    assert sheet.errors == []
    assert sheet.rows[0].phone == expected


@pytest.mark.parametrize("value", [
    "0912 345 67", "091234567890", "1234567890", "abc", "0912345678 / 0987654321",
    "0912345678 (nhà)", "02838221234567", 12345,
])
def test_invalid_phone_numbers(tmp_path, value):
    rows = [["Họ và tên", "Số điện thoại"], ["Nguyễn Văn An", value]]
    sheet = read(make_xlsx(tmp_path / "ds.xlsx", rows))
    assert sheet.rows == []
    assert errors(sheet) == [(2, "Số điện thoại", PHONE % value)]


# --- The two-row header in edugate.core.tabular --------------------------------------------

KNOWN = {
    "name": ("Họ và tên",),
    "born_male": ("Ngày sinh / Nam",),
    "born_female": ("Ngày sinh / Nữ",),
    "phone": ("Điện thoại",),
}


def test_tabular_two_row_header(tmp_path):
    path = make_xlsx(tmp_path / "t.xlsx", [
        ["Tiêu đề"],
        ["Họ và tên", "Ngày sinh", None, "Điện thoại"],
        [None, "Nam", "Nữ", None],
        ["A", "01/01/1980", None, "1"],
    ], merges=("B2:C2", "A2:A3", "D2:D3"))
    table = read_table(path, KNOWN)
    assert table.header_row == 2
    assert table.headers == {"name": "Họ và tên", "born_male": "Ngày sinh / Nam",
                             "born_female": "Ngày sinh / Nữ", "phone": "Điện thoại"}
    assert [(row.number, row.text("born_male")) for row in table] == [(4, "01/01/1980")]


def test_tabular_a_first_data_row_is_not_a_second_header_row(tmp_path):
    known = {"name": ("Họ và tên",), "gender": ("Giới tính",), "male": ("Nam",)}
    path = tmp_path / "t.csv"
    path.write_text("Họ và tên,Giới tính\nNam,Nam\nLan,Nữ\n", encoding="utf-8")
    table = read_table(path, known)
    assert table.headers == {"name": "Họ và tên", "gender": "Giới tính"}
    assert [row.text("name") for row in table] == ["Nam", "Lan"]


def test_tabular_header_text_hook(tmp_path):
    path = make_xlsx(tmp_path / "t.xlsx", [
        [encode("Họ và tên", TCVN3), encode("Điện thoại", TCVN3)], ["A", "1"]])
    with pytest.raises(TabularError):
        read_table(path, KNOWN)
    table = read_table(path, KNOWN, header_text=lambda text: text.replace(
        encode("Họ và tên", TCVN3), "Họ và tên").replace(encode("Điện thoại", TCVN3),
                                                          "Điện thoại"))
    assert table.headers == {"name": "Họ và tên", "phone": "Điện thoại"}


def test_row_error_is_the_unit_import_one():
    assert RowError(3, "Tên", "x").as_dict() == {"row": 3, "column": "Tên", "message": "x"}


def test_namesakes_in_different_units_are_not_duplicates(tmp_path: Path) -> None:
    # A province-wide sheet: two different teachers share a name and a birthday.
    path = tmp_path / "tinh.csv"
    path.write_text(
        "Họ và tên,Ngày sinh,Mã đơn vị,Số điện thoại\n"
        "Nguyễn Thị Lan,01/02/1990,TH-A,0912000001\n"
        "Nguyễn Thị Lan,01/02/1990,TH-B,0912000002\n"
        "Nguyễn Thị Lan,01/02/1990,TH-B,0912000003\n",
        encoding="utf-8",
    )
    sheet = read_staff_sheet(path)
    assert [row.unit_code for row in sheet.rows] == ["TH-A", "TH-B"]
    assert [error.row_number for error in sheet.errors] == [4]
