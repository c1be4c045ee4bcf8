"""Staff lists as schools send them: read a spreadsheet of people and check every row.

This is the reading half of the bulk import of staff: it turns an .xlsx or .csv file into
:class:`StaffRow` objects for the rows that are good, a :class:`RowError` for every problem
of the rows that are not, and warnings for rows accepted with a remark. It writes nothing and
touches no database; a later step creates the people and their mailboxes.

What it copes with, besides what :mod:`edugate.core.tabular` already does (title rows, headers
without diacritics, blank rows, CSV in Windows-1258 or UTF-8):

* a header on two rows, the date of birth under "Nam" or "Nữ" as in the Ministry's
  templates (the column it is in gives the gender); or the gender in a "Giới tính" column
  ("Nam"/"Nữ"), or as marks ("x") in "Nam" and "Nữ" columns, or in a "Nữ" column alone
  (marked for women; an unmarked row is then a man, as those templates mean it);
* "Họ và tên" in one column, or split into "Họ (và tên đệm)" and "Tên";
* sheets typed in the legacy TCVN3 (.VnTime) or VNI fonts, headers included, and CSV files
  saved from them (see :mod:`edugate.core.legacy_encodings`); a name that looks mistyped in
  such a font but cannot be converted is rejected;
* the signature block under the table ("…, ngày … tháng … năm …", "Người lập biểu",
  "HIỆU TRƯỞNG", "(Ký, ghi rõ họ tên)" and the signers' names): reading stops there;
  section rows ("I. CÁN BỘ QUẢN LÝ") are skipped.

Decisions about each row:

* Errors (the row is rejected; every faulty field is reported, not only the first): no name;
  a name with characters other than letters; a name in a legacy encoding that cannot be
  converted; a date of birth that is not a date or not plausible (before 1900, in the future,
  under 15 or over 100 years old) or that is both under "Nam" and under "Nữ"; a gender that
  is neither; a phone number that is not 10 digits starting with 0 (11 for a landline 02x);
  an email address that is not valid; the same person as an earlier accepted row (same name
  and date of birth, or same phone number), reported as "trùng với dòng N".
* Warnings (the row is accepted): no date of birth (it is optional); a name converted from a
  legacy encoding only because the rest of the sheet is in it; a personal email address also
  given on an earlier row. A personal address (Gmail…) is what "Email cá nhân" is for: no
  remark.

Phone numbers are kept as digits only: "+84 912 345 678" and "84912345678" become
"0912345678", and a mobile number that lost its leading 0 (Excel stores "0912345678" typed
in a number cell as 912345678) gets it back. Emails are lower-cased. Names are kept as typed
apart from Unicode NFC and spaces, except that a name converted from a legacy encoding gets a
capital on every word (the ABC fonts have no capitals with tones, "Ánh" comes out as "ánh")
and "Ð" (Icelandic eth, a common slip) becomes "Đ".

Row numbers are the spreadsheet's own, 1-based. Column names in messages are the headers as
the file writes them (converted, for a legacy-encoded header).
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from edugate.core.legacy_encodings import LEGACY_ENCODINGS, UNICODE, repair, vietnamese_score
from edugate.core.tabular import (
    SUBHEADER_SEPARATOR,
    MissingColumnsError,
    Row,
    RowError,
    RowErrors,
    Table,
    TabularError,
    cell_text,
    parse_date,
    read_table,
)
from edugate.core.text import clean_text, fold

MALE = "male"
FEMALE = "female"

# --- The file format ------------------------------------------------------------------------

#: Column key → the header used in messages when the file has no such column.
HEADERS: dict[str, str] = {
    "number": "STT",
    "full_name": "Họ và tên",
    "family_name": "Họ và tên đệm",
    "given_name": "Tên",
    "date_of_birth": "Ngày sinh",
    "date_of_birth_male": "Ngày sinh / Nam",
    "date_of_birth_female": "Ngày sinh / Nữ",
    "gender": "Giới tính",
    "male": "Nam",
    "female": "Nữ",
    "position": "Chức vụ",
    "division": "Tổ chuyên môn",
    "phone": "Số điện thoại",
    "personal_email": "Email cá nhân",
    "unit_code": "Mã đơn vị",
    "note": "Ghi chú",
}

_BIRTH_HEADERS = ("Ngày sinh", "Ngày tháng năm sinh", "Ngày, tháng, năm sinh", "Năm sinh")
_GENDER_HEADERS = ("Giới tính", "Phái")


def _under(parents: Sequence[str], sub: str) -> tuple[str, ...]:
    return tuple(parent + SUBHEADER_SEPARATOR + sub for parent in parents)


#: Column key → the headers (matched ignoring case and diacritics) that name it.
KNOWN_HEADERS: dict[str, tuple[str, ...]] = {
    "number": ("STT", "TT", "Số TT", "Số thứ tự"),
    "full_name": ("Họ và tên", "Họ tên", "Họ, tên", "Họ và tên cán bộ", "Họ tên cán bộ"),
    "family_name": ("Họ và tên đệm", "Họ và đệm", "Họ đệm", "Họ và chữ lót", "Họ"),
    "given_name": ("Tên",),
    "date_of_birth": _BIRTH_HEADERS,
    "date_of_birth_male": _under(_BIRTH_HEADERS, "Nam"),
    "date_of_birth_female": _under(_BIRTH_HEADERS, "Nữ"),
    "gender": _GENDER_HEADERS,
    "male": ("Nam", *_under(_GENDER_HEADERS, "Nam")),
    "female": ("Nữ", *_under(_GENDER_HEADERS, "Nữ")),
    "position": ("Chức vụ", "Chức danh", "Vị trí việc làm", "Chức vụ, chức danh"),
    "division": ("Tổ chuyên môn", "Tổ", "Bộ phận", "Tổ chuyên môn, bộ phận", "Tổ/Bộ phận"),
    "phone": ("Số điện thoại", "Điện thoại", "SĐT", "ĐT", "Di động", "Số di động", "ĐTDĐ"),
    "personal_email": ("Email cá nhân", "Email", "E-mail", "Thư điện tử", "Địa chỉ email"),
    "unit_code": ("Mã đơn vị", "Đơn vị"),
    "note": ("Ghi chú",),
}

_GENDER_VALUES = {
    **dict.fromkeys(("nam", "m", "male", "trai"), MALE),
    **dict.fromkeys(("nu", "f", "female", "gai"), FEMALE),
}
_UNMARKED = frozenset({"", "0", "-", "khong", "no"})
_NAME_CHARACTERS = re.compile(r"^[^\W\d_]+(?:[ .'’\-][^\W\d_]*)*$")
_ETH = str.maketrans({"Ð": "Đ", "ð": "đ"})
_PHONE_CHARACTERS = re.compile(r"^[\d\s.()\-+/]*$")
_YEAR = re.compile(r"^\d{4}$")
_ROMAN = re.compile(r"^(?=[ivxlc]+$)m{0,3}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$")
_SECTION_NAME = re.compile(r"^(?:[IVXL]+|[A-Z])\s*[.)/\-:]\s*\S")
# Lines of a signature block, folded (lower case, no diacritics).
_SIGNATURE_LINES = (
    re.compile(r"\bngay\b.*\bthang\b.*\bnam\b"),
    re.compile(r"^\(?\s*ky\b"),
    re.compile(r"^[.…\s]+$"),
    re.compile(
        r"^(?:(?:tm|kt|q|tl|ktl)\s*[./]?\s*)?(?:nguoi lap(?: bieu| bang| danh sach)?|"
        r"nguoi duyet|duyet|xac nhan\b.*|(?:pho )?hieu truong|thu truong(?: don vi)?|"
        r"ke toan(?: truong)?|giam doc|truong phong|chu tich|ban giam hieu|lanh dao)$"
    ),
)
_OLDEST, _YOUNGEST = 100, 15
_EARLIEST_BIRTH = datetime.date(1900, 1, 1)


@dataclass(frozen=True)
class StaffRow:
    """One good row of a staff list."""

    row_number: int
    #: NFC, single spaces
    full_name: str
    #: only when the sheet has separate columns for them
    family_name: str = ""
    given_name: str = ""
    date_of_birth: datetime.date | None = None
    #: also set when the sheet gives only the year of birth
    birth_year: int | None = None
    #: "male", "female" or "" (unknown)
    gender: str = ""
    position: str = ""
    division: str = ""
    #: digits only, e.g. "0912345678"
    phone: str = ""
    #: lower case
    personal_email: str = ""
    unit_code: str = ""
    #: "unicode", or the legacy encoding ("tcvn3", "vni") the name was converted from
    source_encoding: str = UNICODE


@dataclass
class StaffSheet(RowErrors):
    """What :func:`read_staff_sheet` found."""

    rows: list[StaffRow] = field(default_factory=list)
    #: one per problem of a rejected row
    errors: list[RowError] = field(default_factory=list)
    #: remarks about accepted rows
    warnings: list[RowError] = field(default_factory=list)
    #: column key → header as the file writes it
    headers: dict[str, str] = field(default_factory=dict)
    header_row: int = 0
    #: "xlsx" or "csv"
    format: str = ""
    #: for CSV: the encoding of the file ("utf-8-sig", "cp1258", or "tcvn3"/"vni" for a file
    #: saved from a sheet typed with legacy fonts)
    encoding: str = ""
    #: "tcvn3" or "vni" when most of the sheet is typed in that legacy encoding, else "unicode"
    source_encoding: str = UNICODE



# --- Reading the file -----------------------------------------------------------------------

def _read_bytes(path_or_file: str | Path | IO[bytes]) -> bytes:
    if isinstance(path_or_file, str | Path):
        return Path(path_or_file).read_bytes()
    if hasattr(path_or_file, "seek"):
        path_or_file.seek(0)
    data = path_or_file.read()
    return data.encode("utf-8") if isinstance(data, str) else data


def _is_utf8(data: bytes) -> bool:
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _header_text(text: str) -> str:
    result = repair(text)
    return result.text if result.converted else text


def _legacy_csv(data: bytes) -> str | None:
    """The legacy encoding a CSV file not in UTF-8 is typed in, if it reads better so than
    as Windows-1258."""
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")) or _is_utf8(data):
        return None
    as_bytes = data.decode("latin-1")
    as_windows = vietnamese_score(data.decode("cp1258", errors="replace"), UNICODE)
    scores = {enc: vietnamese_score(as_bytes, enc) for enc in LEGACY_ENCODINGS}
    best = max(scores, key=lambda enc: scores[enc])
    return best if scores[best] > max(as_windows, 0) else None


def _read(path_or_file: str | Path | IO[bytes]) -> tuple[Table, str]:
    """The table, and the encoding of a CSV file (a legacy one for a file saved from a sheet
    typed with legacy fonts)."""
    data = _read_bytes(path_or_file)
    legacy = _legacy_csv(data)
    if legacy is not None:
        # Each byte as the Latin-1 character of that value, as a legacy-typed cell holds it.
        utf8 = io.BytesIO(data.decode("latin-1").encode("utf-8"))
        return read_table(utf8, KNOWN_HEADERS, header_text=_header_text), legacy
    table = read_table(path_or_file, KNOWN_HEADERS, header_text=_header_text)
    return table, table.encoding


# --- Rows -----------------------------------------------------------------------------------

def _folded_cells(row: Row) -> list[str]:
    return [fold(_header_text(cell_text(value))) for value in row.values.values()
            if cell_text(value)]


def _has_number(row: Row) -> bool:
    value = row.raw("number")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return True
    return bool(re.fullmatch(r"\d+\.?", row.text("number")))


def _has_name(row: Row) -> bool:
    return any(row.text(key) for key in ("full_name", "family_name", "given_name"))


def _is_signature(row: Row) -> bool:
    if _has_number(row):
        return False
    cells = _folded_cells(row)
    return bool(cells) and all(
        any(pattern.search(cell) for pattern in _SIGNATURE_LINES) for cell in cells
    )


def _is_person(row: Row) -> bool:
    """A row that is surely about a person: a name and a number, date, phone or email."""
    return _has_name(row) and (
        _has_number(row) or any(row.text(key) for key in (
            "date_of_birth", "date_of_birth_male", "date_of_birth_female", "phone",
            "personal_email",
        ))
    )


def _is_section(row: Row) -> bool:
    """A row heading a part of the list: "II. GIÁO VIÊN", or "II" | "GIÁO VIÊN"."""
    others = [key for key in row.values if key not in ("number", "full_name", "family_name")]
    if any(row.text(key) for key in others):
        return False
    number = row.text("number")
    name = row.text("full_name") or row.text("family_name")
    return bool(
        (number and not _has_number(row) and (_ROMAN.match(fold(number).rstrip(".")) or
                                              re.fullmatch(r"[A-Za-z]\.?", number)))
        or _SECTION_NAME.match(name)
    )


def _table_rows(table: Table) -> list[Row]:
    """The rows of the list: up to the signature block (a row of signature lines that no row
    about a person follows), without section rows and rows with only a number."""
    rows = list(table.rows)
    for index, row in enumerate(rows):
        if _is_signature(row) and not any(_is_person(later) for later in rows[index + 1 :]):
            rows = rows[:index]
            break
    named = [index for index, row in enumerate(rows) if _has_name(row)]
    last_named = named[-1] if named else -1
    kept: list[Row] = []
    for index, row in enumerate(rows):
        if _has_name(row):
            if not _is_section(row):
                kept.append(row)
            continue
        filled = [key for key in row.values if key != "number" and row.text(key)]
        if not filled or (index > last_named and not _has_number(row)):
            continue  # a numbered empty line, or what follows the list
        kept.append(row)
    return kept


# --- Fields ---------------------------------------------------------------------------------

class _Check:
    """The parsing of one row: its errors and warnings as (column, message)."""

    def __init__(self, row: Row, labels: dict[str, str]) -> None:
        self.row = row
        self.labels = labels
        self.errors: list[tuple[str, str]] = []
        self.warnings: list[tuple[str, str]] = []

    def error(self, column: str, message: str) -> None:
        self.errors.append((column, message))

    def warn(self, column: str, message: str) -> None:
        self.warnings.append((column, message))


def _repaired(text: str, hint: str | None) -> tuple[str, str, bool, bool]:
    """Text, its source encoding, whether it is suspicious, whether only ``hint`` converted
    it."""
    result = repair(text, hint=hint)
    by_hint = result.converted and hint is not None and not repair(text).converted
    return clean_text(result.text.translate(_ETH)), result.encoding, result.suspicious, by_hint


def _capitalised(name: str) -> str:
    words = name.split(" ")
    if not any(word[:1].isupper() for word in words):
        return name
    return " ".join(word[:1].upper() + word[1:] for word in words)


@dataclass
class _Name:
    full: str = ""
    family: str = ""
    given: str = ""
    encoding: str = UNICODE


def _name(check: _Check, table: Table, hint: str | None) -> _Name:
    row = check.row
    parts: dict[str, str] = {}
    encoding = UNICODE
    for key in ("full_name", "family_name", "given_name"):
        if not table.has(key):
            continue
        raw = row.text(key)
        text, source, suspicious, by_hint = _repaired(raw, hint)
        if suspicious:
            check.error(check.labels[key], _(
                "“%(value)s” seems to be typed in a legacy encoding (TCVN3, VNI) and cannot "
                "be converted: retype it in Unicode."
            ) % {"value": raw})
            continue
        if source != UNICODE:
            text = _capitalised(text)
            encoding = source
            if by_hint:
                check.warn(check.labels[key], _(
                    "Read as %(encoding)s like the rest of the sheet, as “%(value)s”: check "
                    "the name."
                ) % {"encoding": source.upper(), "value": text})
        if text and not _NAME_CHARACTERS.match(text):
            check.error(check.labels[key], _(
                "“%(value)s” is not a name: use only letters, spaces, hyphens and "
                "apostrophes."
            ) % {"value": text})
        parts[key] = text
    family, given = parts.get("family_name", ""), parts.get("given_name", "")
    full = parts.get("full_name") or " ".join(part for part in (family, given) if part)
    if not full and not check.errors:
        check.error(check.labels["name"], _("Enter the person's full name."))
    return _Name(full=full, family=family, given=given, encoding=encoding)


def _birth(
    check: _Check, table: Table, today: datetime.date
) -> tuple[datetime.date | None, int | None, str]:
    """Date of birth, year of birth, and the gender told by the column it is in."""
    row = check.row
    given = [
        key for key in ("date_of_birth", "date_of_birth_male", "date_of_birth_female")
        if table.has(key) and row.text(key)
    ]
    if not given:
        if any(table.has(key) for key in
               ("date_of_birth", "date_of_birth_male", "date_of_birth_female")):
            check.warn(check.labels["birth"], _("No date of birth."))
        return None, None, ""
    if len(given) > 1:
        check.error(check.labels["birth"], _(
            "The date of birth is in more than one column: %(columns)s."
        ) % {"columns": ", ".join(f"“{check.labels[key]}”" for key in given)})
        return None, None, ""
    key = given[0]
    gender = {"date_of_birth_male": MALE, "date_of_birth_female": FEMALE}.get(key, "")
    value, text = row.raw(key), row.text(key)
    date: datetime.date | None = None
    year: int | None = None
    try:
        if isinstance(value, int | float) and not isinstance(value, bool) and (
            float(value).is_integer() and _EARLIEST_BIRTH.year <= value <= today.year
        ):
            year = int(value)  # a year, not an Excel day number
        elif isinstance(value, str) and _YEAR.match(text):
            year = int(text)
        else:
            date = parse_date(value)
            year = date.year if date else None
    except (ValueError, OverflowError):
        check.error(check.labels[key], _(
            "“%(value)s” is not a date: write it as dd/mm/yyyy."
        ) % {"value": text})
        return None, None, gender
    if not _plausible_birth(date, year, today):
        check.error(check.labels[key], _(
            "“%(value)s” is not a plausible date of birth."
        ) % {"value": text})
        return None, None, gender
    return date, year, gender


def _plausible_birth(date: datetime.date | None, year: int | None, today: datetime.date) -> bool:
    if date is not None:
        age = today.year - date.year - ((today.month, today.day) < (date.month, date.day))
        return date >= _EARLIEST_BIRTH and _YOUNGEST <= age <= _OLDEST
    if year is not None:
        return year >= _EARLIEST_BIRTH.year and _YOUNGEST <= today.year - year <= _OLDEST + 1
    return True


def _gender(check: _Check, table: Table, from_birth: str) -> str:
    row = check.row
    gender = ""
    if table.has("gender") and row.text("gender"):
        text = row.text("gender")
        value = _GENDER_VALUES.get(fold(_repaired(text, None)[0]))
        if value is None:
            check.error(check.labels["gender"], _(
                "“%(value)s” is not a gender: write Nam or Nữ."
            ) % {"value": text})
            return ""
        gender = value
    marks = {
        key: fold(row.text(key)) not in _UNMARKED for key in ("male", "female") if table.has(key)
    }
    if marks.get("male") and marks.get("female"):
        check.error(check.labels["female"], _("Both “Nam” and “Nữ” are marked."))
        return ""
    marked = MALE if marks.get("male") else FEMALE if marks.get("female") else ""
    if not marked and "female" in marks and "male" not in marks:
        marked = MALE  # the Ministry's templates have only a "Nữ" column, marked for women
    for other in (marked, from_birth):
        if other and gender and other != gender:
            check.error(check.labels["gender"], _(
                "The gender given (%(gender)s) does not match the column the date of birth "
                "or the mark is in."
            ) % {"gender": row.text("gender") or row.text("female") or row.text("male")})
            return ""
        gender = gender or other
    return gender


def _phone(check: _Check) -> str:
    row = check.row
    value, text = row.raw("phone"), row.text("phone")
    if not text:
        return ""
    digits = re.sub(r"\D", "", text)
    if digits.startswith("84") and len(digits) in (11, 12) and (
        text.lstrip().startswith(("+", "(+", "84", "(84"))
    ):
        rest = digits[2:]
        digits = rest if rest.startswith("0") else "0" + rest
    elif len(digits) == 9 and digits[0] in "35789":
        digits = "0" + digits  # the leading 0 lost in a number cell
    elif len(digits) == 10 and digits[0] == "2" and isinstance(value, int | float):
        digits = "0" + digits
    valid = _PHONE_CHARACTERS.match(text) and (
        (len(digits) == 10 and digits.startswith("0"))
        or (len(digits) == 11 and digits.startswith("02"))
    )
    if not valid:
        check.error(check.labels["phone"], _(
            "“%(value)s” is not a valid phone number: a mobile number has 10 digits starting "
            "with 0, a landline 11 digits starting with 02."
        ) % {"value": text})
        return ""
    return digits


def _email(check: _Check) -> str:
    text = check.row.text("personal_email")
    if not text:
        return ""
    address = text.strip().removeprefix("mailto:").strip().lower()
    try:
        validate_email(address)
    except ValidationError:
        check.error(check.labels["personal_email"], _(
            "“%(value)s” is not a valid email address."
        ) % {"value": text})
        return ""
    return address


# --- The sheet ------------------------------------------------------------------------------

def _labels(table: Table) -> dict[str, str]:
    """Column key → its header in messages: as the file writes it, else the usual one."""
    labels = {key: table.headers.get(key, header) for key, header in HEADERS.items()}
    if table.has("full_name") or not (table.has("family_name") or table.has("given_name")):
        labels["name"] = labels["full_name"]
    else:
        labels["name"] = " + ".join(
            labels[key] for key in ("family_name", "given_name") if table.has(key)
        )
    birth_key = next((key for key in ("date_of_birth", "date_of_birth_male",
                                      "date_of_birth_female") if table.has(key)), "")
    birth = table.headers.get(birth_key, HEADERS["date_of_birth"])
    labels["birth"] = birth if birth_key == "date_of_birth" else birth.split(
        SUBHEADER_SEPARATOR)[0]
    return labels


def _sheet_encoding(rows: Sequence[Row]) -> str:
    """The legacy encoding most text of the sheet is typed in, or "unicode"."""
    votes = dict.fromkeys((UNICODE, *LEGACY_ENCODINGS), 0)
    for row in rows:
        for key in ("full_name", "family_name", "given_name", "position", "division"):
            text = row.text(key)
            if not text:
                continue
            result = repair(text)
            if result.converted:
                votes[result.encoding] += 1
            elif any(ord(char) > 0xFF for char in text):
                votes[UNICODE] += 1  # surely Unicode: a letter no legacy encoding has
    best = max(LEGACY_ENCODINGS, key=lambda encoding: votes[encoding])
    return best if votes[best] > votes[UNICODE] else UNICODE


def _duplicate_message(row: int, *, same_person: bool, same_phone: bool) -> str:
    if same_person and same_phone:
        return _("Same as row %(row)s (same name, date of birth and phone number).") % {
            "row": row}
    if same_person:
        return _("Same as row %(row)s (same name and date of birth).") % {"row": row}
    return _("Same as row %(row)s (same phone number).") % {"row": row}


def read_staff_sheet(
    path_or_file: str | Path | IO[bytes], *, today: datetime.date | None = None
) -> StaffSheet:
    """Read and check a staff list (.xlsx or .csv); see the module docstring.

    ``today`` is the day ages are counted on (default: today). A file that cannot be read at
    all, or has no name column, raises :class:`~edugate.core.tabular.TabularError`.
    """
    today = today or timezone.localdate()
    table, encoding = _read(path_or_file)
    if not (table.has("full_name") or table.has("family_name") or table.has("given_name")):
        raise MissingColumnsError(["full_name"], [HEADERS["full_name"]])
    rows = _table_rows(table)
    sheet_encoding = _sheet_encoding(rows)
    hint = sheet_encoding if sheet_encoding != UNICODE else None
    sheet = StaffSheet(
        headers=dict(table.headers), header_row=table.header_row, format=table.format,
        encoding=encoding, source_encoding=sheet_encoding,
    )
    labels = _labels(table)
    # Duplicates are looked for within a unit: a province-wide sheet may hold two different
    # people with the same name and birthday, or one teacher listed at two schools.
    people: dict[tuple[str, str, Any], int] = {}
    phones: dict[tuple[str, str], int] = {}
    emails: dict[str, int] = {}
    for row in rows:
        check = _Check(row, labels)
        name = _name(check, table, hint)
        date, year, gender_from_birth = _birth(check, table, today)
        gender = _gender(check, table, gender_from_birth)
        phone = _phone(check)
        email = _email(check)
        texts = {key: _repaired(row.text(key), hint)[0] if table.has(key) else ""
                 for key in ("position", "division", "unit_code")}
        if not check.errors:
            unit = texts["unit_code"].casefold()
            person = (unit, name.full.casefold(), date or year) if (date or year) else None
            same_person = people.get(person) if person else None
            same_phone = phones.get((unit, phone)) if phone else None
            if same_person is not None:
                check.error("", _duplicate_message(
                    same_person, same_person=True, same_phone=same_phone == same_person))
            elif same_phone is not None:
                check.error("", _duplicate_message(
                    same_phone, same_person=False, same_phone=True))
            elif email and email in emails:
                check.warn(labels["personal_email"], _(
                    "The same personal email address is on row %(row)s."
                ) % {"row": emails[email]})
        for column, message in check.errors:
            sheet.errors.append(RowError(row.number, column, message))
        if check.errors:
            continue
        for column, message in check.warnings:
            sheet.warnings.append(RowError(row.number, column, message))
        if person:
            people.setdefault(person, row.number)
        if phone:
            phones.setdefault((unit, phone), row.number)
        if email:
            emails.setdefault(email, row.number)
        sheet.rows.append(StaffRow(
            row_number=row.number, full_name=name.full, family_name=name.family,
            given_name=name.given, date_of_birth=date, birth_year=year, gender=gender,
            position=texts["position"], division=texts["division"], phone=phone,
            personal_email=email, unit_code=texts["unit_code"], source_encoding=name.encoding,
        ))
    return sheet


__all__ = [
    "FEMALE",
    "HEADERS",
    "KNOWN_HEADERS",
    "MALE",
    "RowError",
    "StaffRow",
    "StaffSheet",
    "TabularError",
    "read_staff_sheet",
]
