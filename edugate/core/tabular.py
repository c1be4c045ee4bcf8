"""Reading and writing the office spreadsheets people actually send: .xlsx and .csv.

Reading is forgiving about what offices do to spreadsheets: title rows above the header,
headers typed without diacritics or in capitals, blank rows, stray spaces, CSV saved by Excel
in Windows-1258 or UTF-8 with ``;`` as the separator, dates typed as ``dd/mm/yyyy`` text or
stored as real Excel dates. Every data row keeps its spreadsheet row number so that an error
can point at "dòng 7".

Nothing here knows what the columns mean: callers pass ``known_headers``, a mapping from their
own column key to the header texts (synonyms) that name it, and interpret the values.

A header may take two rows, as in the Ministry's templates: a title merged over several
columns on the first row ("Ngày sinh") and the sub-titles under it on the second ("Nam",
"Nữ"). Such a sub-column is named ``"Ngày sinh / Nam"``; a caller may also name it by its
sub-title alone.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

from edugate.core.text import clean_text, fold

#: What a cell may hold once read: text (cleaned), a number, a date or a boolean.
CellValue = str | int | float | bool | datetime.date | datetime.datetime | datetime.time

XLSX_EXTENSIONS = frozenset({".xlsx", ".xlsm"})
CSV_EXTENSIONS = frozenset({".csv", ".txt"})
CSV_DELIMITERS = (",", ";", "\t")
DATE_FORMAT = "%d/%m/%Y"

# Spreadsheet programs run cells starting with these as formulas when they open a CSV file;
# such text is written with a leading apostrophe and read back without it.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the legacy binary .xls format
_DATE_TEXT = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})$")
_ISO_DATE_TEXT = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T][\d:.]+)?$")
_HEADER_NOISE = " *:.\t"
# Dates a number in an .xlsx date column may stand for (Excel serials 1..2958465).
_EXCEL_SERIAL_RANGE = (1, 2958465)
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
_MAX_COLUMN_WIDTH = 60
# How far down a CSV file to look for the header row when guessing its delimiter.
_HEADER_SEARCH_ROWS = 100
# A cell of a second header row is a title, not a number or a date.
_NOT_A_TITLE = re.compile(r"^[\d\s.,:/\-]*$")
#: How a two-row header names a sub-column: "Ngày sinh / Nam".
SUBHEADER_SEPARATOR = " / "


@dataclass(frozen=True)
class RowError:
    """A rejected row: its spreadsheet row number, the column at fault ("" for the whole row)."""

    row_number: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.column:
            return f"Dòng {self.row_number}: {self.column}: {self.message}"
        return f"Dòng {self.row_number}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row_number, "column": self.column, "message": self.message}


class RowErrors:
    """For reports of a sheet's rows: which rows were rejected, and whether any was."""

    errors: list[RowError]

    @property
    def rejected_rows(self) -> list[int]:
        return sorted({error.row_number for error in self.errors})

    @property
    def ok(self) -> bool:
        return not self.errors


class TabularError(ValueError):
    """The file as a whole cannot be read: wrong format, no header row, missing columns."""


class MissingColumnsError(TabularError):
    def __init__(self, missing: Sequence[str], headers: Sequence[str]) -> None:
        self.missing = list(missing)
        self.headers = list(headers)
        super().__init__(
            _("The file has no column %(columns)s.") % {"columns": ", ".join(
                f"“{header}”" for header in self.headers)}
        )


@dataclass(frozen=True)
class Row:
    """One data row: its 1-based spreadsheet row number and the values of the known columns.

    Empty cells read as ``""``; text is cleaned (NFC, single spaces, trimmed).
    """

    number: int
    values: Mapping[str, CellValue]

    def raw(self, key: str) -> CellValue:
        return self.values.get(key, "")

    def text(self, key: str) -> str:
        """The cell as text: ``7`` for the number 7.0, ``dd/mm/yyyy`` for a date."""
        return cell_text(self.raw(key))

    def date(self, key: str) -> datetime.date | None:
        """The cell as a date (``None`` when empty); :class:`ValueError` when it is not one."""
        return parse_date(self.raw(key))

    def is_blank(self) -> bool:
        return all(value == "" for value in self.values.values())


@dataclass
class Table:
    """What :func:`read_table` found."""

    #: column key → the header text as written in the file
    headers: dict[str, str]
    #: 1-based row number of the header row
    header_row: int
    rows: list[Row] = field(default_factory=list)
    #: "xlsx" or "csv"
    format: str = ""
    #: for CSV: the encoding and delimiter detected
    encoding: str = ""
    delimiter: str = ""

    def has(self, key: str) -> bool:
        return key in self.headers

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


# --- Values ---------------------------------------------------------------------------------

def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time():
            return value.strftime(DATE_FORMAT)
        return value.strftime(f"{DATE_FORMAT} %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime(DATE_FORMAT)
    return clean_text(str(value))


def parse_date(value: Any) -> datetime.date | None:
    """A date from a cell: a real spreadsheet date, ``dd/mm/yyyy`` (also ``-`` or ``.``),
    ``yyyy-mm-dd``, or an Excel day number from an .xlsx cell. Empty → ``None``."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        low, high = _EXCEL_SERIAL_RANGE
        if low <= value <= high and float(value).is_integer():
            return _EXCEL_EPOCH + datetime.timedelta(days=int(value))
        raise ValueError(value)
    text = clean_text(str(value))
    match = _DATE_TEXT.match(text)
    if match:
        day, month, year = (int(part) for part in match.groups())
        return datetime.date(year, month, day)
    match = _ISO_DATE_TEXT.match(text)
    if match:
        year, month, day = (int(part) for part in match.groups())
        return datetime.date(year, month, day)
    raise ValueError(text)


def _clean_cell(value: Any) -> CellValue:
    if value is None:
        return ""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, datetime.timedelta):
        return clean_text(str(value))
    result: CellValue = value
    return result


def _header_key(text: Any) -> str:
    return fold(cell_text(text)).strip(_HEADER_NOISE)


# --- Reading --------------------------------------------------------------------------------

def read_table(
    path_or_file: str | Path | IO[bytes],
    known_headers: Mapping[str, Sequence[str]],
    *,
    required: Collection[str] = (),
    header_text: Callable[[str], str] | None = None,
) -> Table:
    """Read the first sheet of an .xlsx file, or a .csv file, into a :class:`Table`.

    ``known_headers`` maps each column key to the header texts that name it; headers match
    ignoring case, diacritics, repeated spaces and a trailing ``*`` or ``:``. The header row is
    the first row naming at least two known columns (one, if only one is known); rows above it
    (titles) are skipped, as are columns no key names and fully blank rows. Keys in
    ``required`` must have a column, else :class:`MissingColumnsError`.

    A header of two rows (titles merged over sub-titles) is recognised when the row under the
    header row holds only titles, some of them under a title that spans several columns, and
    one of them names a known column: each sub-column is then named ``"Title / Sub-title"``
    (or, failing that, by its sub-title), and the data starts below the second row.

    ``header_text``, if given, is applied to the text of header cells before they are matched
    (and in :attr:`Table.headers`): e.g. to convert headers typed in a legacy encoding.

    ``path_or_file`` is a path or a binary file object (e.g. an upload); the format comes
    from the file's contents, so a misnamed file still reads.
    """
    data, name = _read_bytes(path_or_file)
    matcher = _HeaderMatcher(known_headers, header_text)
    if data.startswith(_ZIP_MAGIC):
        table = _read_xlsx(data, matcher)
    elif data.startswith(_OLE_MAGIC):
        raise TabularError(_("The old Excel 97-2003 format (.xls) cannot be read: save the file "
                             "as .xlsx or .csv and try again."))
    elif Path(name).suffix.lower() in XLSX_EXTENSIONS:
        raise TabularError(_("This is not a valid .xlsx file."))
    else:
        table = _read_csv(data, matcher)
    missing = [key for key in required if key not in table.headers]
    if missing:
        raise MissingColumnsError(missing, [known_headers[key][0] for key in missing])
    return table


def _read_bytes(path_or_file: str | Path | IO[bytes]) -> tuple[bytes, str]:
    if isinstance(path_or_file, str | Path):
        path = Path(path_or_file)
        return path.read_bytes(), path.name
    if hasattr(path_or_file, "seek"):
        path_or_file.seek(0)
    data = path_or_file.read()
    if isinstance(data, str):  # a text-mode file: the encoding is already decided
        data = data.encode("utf-8")
    return data, str(getattr(path_or_file, "name", "") or "")


class _HeaderMatcher:
    def __init__(
        self,
        known_headers: Mapping[str, Sequence[str]],
        header_text: Callable[[str], str] | None = None,
    ) -> None:
        self.keys: dict[str, str] = {}
        for key, synonyms in known_headers.items():
            for synonym in (*synonyms, key):
                self.keys.setdefault(_header_key(synonym), key)
        self.threshold = min(2, len(known_headers))
        self.header_text = header_text

    def text(self, cell: Any) -> str:
        """A header cell as text, through ``header_text``."""
        text = cell_text(cell)
        return cell_text(self.header_text(text)) if self.header_text and text else text

    def key(self, text: str) -> str | None:
        return self.keys.get(_header_key(text))

    def match(self, cells: Sequence[Any]) -> dict[str, int] | None:
        """Column key → index, if ``cells`` is a header row."""
        found = self.match_names([[self.text(cell)] for cell in cells])
        return found if len(found) >= self.threshold and found else None

    def match_names(self, names: Sequence[Sequence[str]]) -> dict[str, int]:
        """Column key → index, given for each column the names it may go by, best first."""
        found: dict[str, int] = {}
        for index, candidates in enumerate(names):
            for text in candidates:
                key = self.key(text)
                if key is None:
                    continue
                if key in found:
                    raise TabularError(
                        _("The column “%(header)s” appears twice in the header row.")
                        % {"header": text}
                    )
                found[key] = index
                break
        return found


def _second_header_row(
    top: Sequence[Any], below: Sequence[Any], matcher: _HeaderMatcher
) -> tuple[dict[str, int], dict[str, str]] | None:
    """If ``below`` completes the header row ``top`` as its second row: the columns and their
    header texts. See :func:`read_table`."""
    width = max(len(top), len(below))
    titles = [matcher.text(top[i]) if i < len(top) else "" for i in range(width)]
    subs = [below[i] if i < len(below) else None for i in range(width)]
    if all(cell_text(cell) == "" for cell in subs):
        return None
    if any(
        not isinstance(cell, str) or _NOT_A_TITLE.match(cell)
        for cell in subs if cell_text(cell) != ""
    ):
        return None
    sub_titles = [matcher.text(cell) for cell in subs]
    # A title spans the empty title cells to its right that have a sub-title (a merged cell).
    parents: list[int | None] = []
    for index in range(width):
        if titles[index]:
            parents.append(index)
        elif sub_titles[index] and index and parents[-1] is not None:
            parents.append(parents[-1])
        else:
            parents.append(None)
    spans: dict[int, int] = {}
    for index, parent in enumerate(parents):
        if sub_titles[index] and parent is not None:
            spans[parent] = spans.get(parent, 0) + 1
    if not spans or any(
        sub_titles[index] and (parent is None or spans[parent] < 2)
        for index, parent in enumerate(parents)
    ):
        return None
    names: list[list[str]] = []
    for index, parent in enumerate(parents):
        if sub_titles[index] and parent is not None:
            names.append([titles[parent] + SUBHEADER_SEPARATOR + sub_titles[index],
                          sub_titles[index]])
        else:
            names.append([titles[index]] if titles[index] else [])
    columns = matcher.match_names(names)
    if not any(sub_titles[index] for index in columns.values()):
        return None
    return columns, {key: names[index][0] for key, index in columns.items()}


def _build_table(
    numbered_rows: Iterable[tuple[int, Sequence[Any]]], matcher: _HeaderMatcher
) -> Table:
    columns: dict[str, int] | None = None
    table: Table | None = None
    header_cells: Sequence[Any] = ()
    for number, cells in numbered_rows:
        if table is None:
            columns = matcher.match(cells)
            if columns is not None:
                table = Table(
                    headers={key: matcher.text(cells[index]) for key, index in columns.items()},
                    header_row=number,
                )
                header_cells = cells
            continue
        assert columns is not None
        if number == table.header_row + 1:
            second = _second_header_row(header_cells, cells, matcher)
            if second is not None:
                columns, table.headers = second
                continue
        values = {
            key: _clean_cell(cells[index]) if index < len(cells) else ""
            for key, index in columns.items()
        }
        row = Row(number=number, values=values)
        if not row.is_blank():
            table.rows.append(row)
    if table is None:
        raise TabularError(_("No header row found: the file must have a row of column titles."))
    return table


def _read_xlsx(data: bytes, matcher: _HeaderMatcher) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise TabularError(_("This is not a valid .xlsx file.")) from error
    try:
        sheet = workbook.active if workbook.active is not None else workbook.worksheets[0]
        # Some programs write a wrong sheet size, which would cut rows off in read-only mode.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(values_only=True)
        table = _build_table(((i, row) for i, row in enumerate(rows, start=1)), matcher)
    finally:
        workbook.close()
    table.format = "xlsx"
    return table


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text"
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1258", errors="replace"), "cp1258"


def _csv_records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    for number, record in enumerate(reader, start=1):
        yield number, [_unescape(cell) for cell in record]


def _unescape(cell: str) -> str:
    if len(cell) > 1 and cell[0] == "'" and cell[1] in _FORMULA_START:
        return cell[1:]
    return cell


def _read_csv(data: bytes, matcher: _HeaderMatcher) -> Table:
    text, encoding = _decode(data)
    forced: str | None = None
    first_line, _newline, rest = text.partition("\n")
    if first_line.strip().lower().startswith("sep=") and len(first_line.strip()) == 5:
        # Excel's "sep=;" hint line: Excel does not show it, so rows count from the next one.
        forced, text = first_line.strip()[4], rest
    candidates = (forced,) if forced else CSV_DELIMITERS
    best: tuple[int, str] | None = None
    for delimiter in candidates:
        for number, record in _csv_records(text, delimiter):
            if number > _HEADER_SEARCH_ROWS:
                break
            try:
                columns = matcher.match(record)
            except TabularError:
                columns = None
            if columns is not None:
                if best is None or len(columns) > best[0]:
                    best = (len(columns), delimiter)
                break
    delimiter = best[1] if best else _count_delimiter(text)
    table = _build_table(_csv_records(text, delimiter), matcher)
    table.format, table.encoding, table.delimiter = "csv", encoding, delimiter
    return table


def _count_delimiter(text: str) -> str:
    sample = text[:8192]
    try:
        return csv.Sniffer().sniff(sample, delimiters="".join(CSV_DELIMITERS)).delimiter
    except csv.Error:
        return max(CSV_DELIMITERS, key=sample.count)


# --- Writing --------------------------------------------------------------------------------

def write_table(
    path: str | Path, headers: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Write ``headers`` and ``rows`` to ``path``, .xlsx or .csv by its extension.

    Dates are written as real dates shown ``dd/mm/yyyy`` in .xlsx and as ``dd/mm/yyyy`` text in
    .csv (UTF-8 with a byte-order mark, so that Excel shows Vietnamese correctly). Text is
    always written as text, never as a formula. Returns the number of data rows written.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in XLSX_EXTENSIONS:
        writer = _write_xlsx
    elif suffix == ".csv":
        writer = _write_csv
    else:
        raise TabularError(
            _("Cannot write a %(extension)s file: use .xlsx or .csv.")
            % {"extension": suffix or _("(no extension)")}
        )
    return writer(path, list(headers), [list(row) for row in rows])


def _write_csv(path: Path, headers: list[str], rows: list[list[Any]]) -> int:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(headers)
        for row in rows:
            writer.writerow([_csv_cell(value) for value in row])
    return len(rows)


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date | datetime.datetime):
        return cell_text(value)
    text = str(value)
    if isinstance(value, str) and text.startswith(_FORMULA_START):
        return "'" + text
    return text


def _write_xlsx(path: Path, headers: list[str], rows: list[list[Any]]) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    widths = [len(header) for header in headers]
    for row in rows:
        for index, value in enumerate(row[: len(widths)]):
            widths[index] = max(widths[index], len(cell_text(value)))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, _MAX_COLUMN_WIDTH)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    workbook.save(path)
    return len(rows)


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters .xlsx cannot hold
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, even when the text starts with "="
    elif isinstance(value, datetime.datetime):
        cell.number_format = "DD/MM/YYYY HH:MM"
    elif isinstance(value, datetime.date):
        cell.number_format = "DD/MM/YYYY"
    return cell
