"""The unit tree as a spreadsheet: export to .xlsx/.csv and import it back.

The file format is Vietnamese and fixed: its headers and value labels are the literals below,
not the UI's translations, so a file reads the same whatever language the UI speaks. Import
reads the labels (or the raw values, e.g. ``institution``) ignoring case and diacritics.

Import matches each row to a unit by "Mã định danh" (the unit's ``uid``) when the file gives
one that exists, else by "Mã đơn vị" (the code); otherwise the row creates a unit. Rows may
come in any order: a row is applied after the row of its parent unit. Every change goes through
:mod:`edugate.directory.actions`, so it is permission-checked and audited; each row is applied
in its own savepoint, so a rejected row leaves nothing behind while the good rows are kept.

What an empty cell means: an empty "Tên viết tắt", "Cấp học", "Hiệu lực từ/đến" clears the
value; an empty "Trạng thái" keeps the unit's status (a new unit is active); an empty
"Mã đơn vị cấp trên" puts the unit at the top of the tree. A column missing from the file
altogether leaves that field of existing units as it is.
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict, deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError, IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from edugate.core.tabular import Row, RowError, RowErrors, Table, read_table, write_table
from edugate.core.text import fold
from edugate.directory import actions
from edugate.directory.models import InstitutionLevel, Unit, UnitKind, UnitStatus
from edugate.directory.models.units import subtree_q
from edugate.directory.scope import Scope

# --- The file format ------------------------------------------------------------------------

#: Column key → header, in the order export writes them.
HEADERS: dict[str, str] = {
    "uid": "Mã định danh",
    "code": "Mã đơn vị",
    "name": "Tên đơn vị",
    "short_name": "Tên viết tắt",
    "kind": "Loại đơn vị",
    "level": "Cấp học",
    "parent": "Mã đơn vị cấp trên",
    "status": "Trạng thái",
    "valid_from": "Hiệu lực từ",
    "valid_to": "Hiệu lực đến",
}

#: Other headers accepted on import (matched ignoring case and diacritics).
HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "uid": ("Định danh", "UID"),
    "code": ("Mã", "Mã ĐV", "Code"),
    "name": ("Tên", "Tên đầy đủ", "Name"),
    "short_name": ("Tên ngắn", "Tên gọi tắt", "Short name"),
    "kind": ("Loại", "Kind"),
    "level": ("Cấp", "Level"),
    "parent": ("Mã cấp trên", "Mã đơn vị quản lý", "Parent", "Parent code"),
    "status": ("Tình trạng", "Status"),
    "valid_from": ("Từ ngày", "Ngày hiệu lực", "Valid from"),
    "valid_to": ("Đến ngày", "Ngày hết hiệu lực", "Valid to"),
}

KNOWN_HEADERS: dict[str, tuple[str, ...]] = {
    key: (header, *HEADER_SYNONYMS.get(key, ())) for key, header in HEADERS.items()
}
REQUIRED = ("code", "name")

KIND_LABELS: dict[str, str] = {
    UnitKind.MINISTRY: "Bộ Giáo dục và Đào tạo",
    UnitKind.DEPARTMENT: "Sở Giáo dục và Đào tạo",
    UnitKind.OFFICE: "Phòng quản lý giáo dục",
    UnitKind.INSTITUTION: "Cơ sở giáo dục",
    UnitKind.DIVISION: "Bộ phận trực thuộc",
}
KIND_SYNONYMS: dict[str, tuple[str, ...]] = {
    UnitKind.MINISTRY: ("Bộ", "Bộ GD&ĐT"),
    UnitKind.DEPARTMENT: ("Sở", "Sở GD&ĐT"),
    UnitKind.OFFICE: ("Phòng", "Phòng GD&ĐT", "Phòng Giáo dục và Đào tạo",
                      "Phòng Văn hóa - Xã hội", "Phòng VH-XH"),
    UnitKind.INSTITUTION: ("Trường", "Cơ sở"),
    UnitKind.DIVISION: ("Bộ phận", "Phòng ban", "Đơn vị trực thuộc"),
}
LEVEL_LABELS: dict[str, str] = {
    InstitutionLevel.PRESCHOOL: "Mầm non",
    InstitutionLevel.PRIMARY: "Tiểu học",
    InstitutionLevel.LOWER_SECONDARY: "Trung học cơ sở",
    InstitutionLevel.UPPER_SECONDARY: "Trung học phổ thông",
    InstitutionLevel.MULTI_LEVEL: "Nhiều cấp học",
    InstitutionLevel.CONTINUING: "Giáo dục thường xuyên",
}
LEVEL_SYNONYMS: dict[str, tuple[str, ...]] = {
    InstitutionLevel.PRESCHOOL: ("MN", "Mẫu giáo"),
    InstitutionLevel.PRIMARY: ("TH",),
    InstitutionLevel.LOWER_SECONDARY: ("THCS",),
    InstitutionLevel.UPPER_SECONDARY: ("THPT",),
    InstitutionLevel.MULTI_LEVEL: ("Liên cấp", "Nhiều cấp"),
    InstitutionLevel.CONTINUING: ("GDTX", "GDNN-GDTX"),
}
STATUS_LABELS: dict[str, str] = {
    UnitStatus.ACTIVE: "Đang hoạt động",
    UnitStatus.MERGED: "Đã sáp nhập",
    UnitStatus.DISSOLVED: "Đã giải thể",
}
STATUS_SYNONYMS: dict[str, tuple[str, ...]] = {
    UnitStatus.ACTIVE: ("Hoạt động",),
    UnitStatus.MERGED: ("Sáp nhập",),
    UnitStatus.DISSOLVED: ("Giải thể",),
}


def _lookup_table(
    labels: Mapping[str, str], synonyms: Mapping[str, Sequence[str]]
) -> dict[str, str]:
    table: dict[str, str] = {}
    for value, label in labels.items():
        for text in (label, *synonyms.get(value, ()), str(value), str(value).replace("_", " ")):
            table.setdefault(fold(text), str(value))
    return table


_KINDS = _lookup_table(KIND_LABELS, KIND_SYNONYMS)
_LEVELS = _lookup_table(LEVEL_LABELS, LEVEL_SYNONYMS)
_STATUSES = _lookup_table(STATUS_LABELS, STATUS_SYNONYMS)
_MAX_LENGTHS = {"code": 32, "name": 255, "short_name": 100}
# ValidationError keys of the actions → the column they concern.
_FIELD_COLUMNS = {**HEADERS, "__all__": ""}


# --- Reports --------------------------------------------------------------------------------

@dataclass
class ImportReport(RowErrors):
    """What an import did (or, in a dry run, would do). A row that is both changed and moved
    counts in ``updated`` and in ``moved``."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    moved: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "moved": self.moved,
            "unchanged": self.unchanged,
            "rejected": len(self.rejected_rows),
            "errors": [error.as_dict() for error in self.errors],
        }


# --- Export ---------------------------------------------------------------------------------

def units_in_scope(scope: Scope, *, under: Unit | None = None) -> QuerySet[Unit]:
    """The units of ``scope`` (below and including ``under``, if given) in tree order."""
    queryset: QuerySet[Unit] = Unit.objects.filter(scope.units_q())
    if under is not None:
        queryset = queryset.filter(subtree_q(under.path))
    return queryset.order_by("path")


def parent_codes(units: Sequence[Unit]) -> dict[int, str]:
    """Unit pk → code of its parent, for units that have one (parents outside the list too)."""
    code_by_path = {unit.path: unit.code for unit in units}
    parent_path = {unit.pk: unit.path[: -Unit.steplen] for unit in units if unit.depth > 1}
    missing = set(parent_path.values()) - set(code_by_path)
    if missing:
        code_by_path.update(Unit.objects.filter(path__in=missing).values_list("path", "code"))
    return {pk: code_by_path[path] for pk, path in parent_path.items() if path in code_by_path}


def unit_row(unit: Unit, parent_code: str) -> list[Any]:
    return [
        str(unit.uid), unit.code, unit.name, unit.short_name, KIND_LABELS.get(unit.kind, unit.kind),
        LEVEL_LABELS.get(unit.level, unit.level), parent_code,
        STATUS_LABELS.get(unit.status, unit.status), unit.valid_from, unit.valid_to,
    ]


def export_units(scope: Scope, path: str | Path, *, under: Unit | None = None) -> int:
    """Write every unit in ``scope`` to ``path`` (.xlsx or .csv), parents before children.

    Returns the number of units written."""
    units = list(units_in_scope(scope, under=under))
    parents = parent_codes(units)
    rows = [unit_row(unit, parents.get(unit.pk, "")) for unit in units]
    return write_table(path, list(HEADERS.values()), rows)


# --- Import ---------------------------------------------------------------------------------

@dataclass(eq=False)
class _Item:
    """One data row on its way into the database."""

    number: int
    uid: uuid.UUID | None = None
    code: str = ""
    #: model fields given by the file (only the columns the file has)
    values: dict[str, Any] = field(default_factory=dict)
    #: None: no parent column; "": the top of the tree
    parent_code: str | None = None
    errors: list[tuple[str, str]] = field(default_factory=list)
    unit_pk: int | None = None
    parent_item: _Item | None = None
    parent_pk: int | None = None
    result_pk: int | None = None

    def error(self, key: str, message: str) -> None:
        self.errors.append((_FIELD_COLUMNS.get(key, key), message))

    @property
    def rejected(self) -> bool:
        return bool(self.errors)


class _RowRejected(Exception):
    """A control-flow signal: the row's errors are already recorded on it."""


def _choice(
    item: _Item, row: Row, key: str, table: Mapping[str, str], labels: Mapping[str, str]
) -> str | None:
    """The value of a choice column, or None (with an error recorded) if it is unknown."""
    text = row.text(key)
    value = table.get(fold(text))
    if value is None:
        item.error(key, _("“%(value)s” is not one of: %(choices)s.")
                   % {"value": text, "choices": ", ".join(labels.values())})
    return value


def _parse(row: Row, table: Table) -> _Item:
    item = _Item(number=row.number)
    if table.has("uid") and row.text("uid"):
        try:
            item.uid = uuid.UUID(row.text("uid"))
        except ValueError:
            item.error("uid", _("“%(value)s” is not a valid identifier.")
                       % {"value": row.text("uid")})
    item.code = row.text("code")
    if not item.code:
        item.error("code", _("Enter the unit's code."))
    name = row.text("name")
    if not name:
        item.error("name", _("Enter the unit's name."))
    item.values.update(code=item.code, name=name)
    if table.has("short_name"):
        item.values["short_name"] = row.text("short_name")
    for key, maximum in _MAX_LENGTHS.items():
        if len(item.values.get(key, "")) > maximum:
            item.error(key, _("At most %(max)d characters.") % {"max": maximum})
    if table.has("kind"):
        if not row.text("kind"):
            item.error("kind", _("Choose the kind of unit."))
        else:
            kind = _choice(item, row, "kind", _KINDS, KIND_LABELS)
            if kind is not None:
                item.values["kind"] = kind
    if table.has("level"):
        level = _choice(item, row, "level", _LEVELS, LEVEL_LABELS) if row.text("level") else ""
        if level is not None:
            item.values["level"] = level
    if table.has("status") and row.text("status"):
        status = _choice(item, row, "status", _STATUSES, STATUS_LABELS)
        if status is not None:
            item.values["status"] = status
    for key in ("valid_from", "valid_to"):
        if table.has(key):
            try:
                item.values[key] = row.date(key)
            except (ValueError, OverflowError):
                item.error(key, _("“%(value)s” is not a date: write it as dd/mm/yyyy.")
                           % {"value": row.text(key)})
    valid_from, valid_to = item.values.get("valid_from"), item.values.get("valid_to")
    if (isinstance(valid_from, datetime.date) and isinstance(valid_to, datetime.date)
            and valid_to < valid_from):
        item.error("valid_to", _("The end of validity is before its start."))
    if table.has("parent"):
        item.parent_code = row.text("parent")
    return item


def _rows_text(numbers: Sequence[int]) -> str:
    return ", ".join(str(number) for number in numbers)


def _flag_duplicates(items: Sequence[_Item]) -> None:
    by_code: dict[str, list[_Item]] = defaultdict(list)
    by_uid: dict[uuid.UUID, list[_Item]] = defaultdict(list)
    for item in items:
        if item.code:
            by_code[item.code].append(item)
        if item.uid is not None:
            by_uid[item.uid].append(item)
    for code, group in by_code.items():
        for item in group if len(group) > 1 else ():
            others = [other.number for other in group if other is not item]
            item.error("code", _("The code %(code)s is also in row %(rows)s.")
                       % {"code": code, "rows": _rows_text(others)})
    for uid, group in by_uid.items():
        for item in group if len(group) > 1 else ():
            others = [other.number for other in group if other is not item]
            item.error("uid", _("The identifier %(uid)s is also in row %(rows)s.")
                       % {"uid": uid, "rows": _rows_text(others)})


def _match(items: Sequence[_Item]) -> None:
    """Find each row's unit (by uid, else code) and its parent (a row of the file, else a
    unit in the database)."""
    uids = {item.uid for item in items if item.uid is not None}
    codes = {item.code for item in items if item.code}
    codes |= {item.parent_code for item in items if item.parent_code}
    by_uid = dict(Unit.objects.filter(uid__in=uids).values_list("uid", "pk"))
    by_code = dict(Unit.objects.filter(code__in=codes).values_list("code", "pk"))
    same_unit: dict[int, list[_Item]] = defaultdict(list)
    for item in items:
        if item.uid is not None and item.uid in by_uid:
            item.unit_pk = by_uid[item.uid]
        elif item.code in by_code:
            item.unit_pk = by_code[item.code]
        if item.unit_pk is not None:
            same_unit[item.unit_pk].append(item)
    for group in same_unit.values():
        if len(group) > 1:
            for item in group:
                others = [other.number for other in group if other is not item]
                item.error("code", _("Row %(rows)s is about the same unit.")
                           % {"rows": _rows_text(others)})

    file_items: dict[str, _Item] = {}
    for item in items:
        if item.code:
            file_items.setdefault(item.code, item)
    for item in items:
        code = item.parent_code
        if not code:
            continue
        if code == item.code:
            item.error("parent", _("A unit cannot be placed under itself."))
        elif code in file_items:
            item.parent_item = file_items[code]
        elif code in by_code:
            item.parent_pk = by_code[code]
        else:
            item.error("parent", _("No unit has the code %(code)s.") % {"code": code})


def _tree_order(items: Sequence[_Item]) -> list[_Item]:
    """Rows ordered parents first. Rows in a cycle are rejected, as are rows below them."""
    children: dict[int, list[_Item]] = defaultdict(list)
    for item in items:
        if item.parent_item is not None:
            children[id(item.parent_item)].append(item)
    queue = deque(item for item in items if item.parent_item is None)
    order: list[_Item] = []
    while queue:
        item = queue.popleft()
        order.append(item)
        queue.extend(children[id(item)])
    placed = {id(item) for item in order}
    left = [item for item in items if id(item) not in placed]
    for item in left:
        cycle, current = [item], item.parent_item
        while current is not None and current is not item and current not in cycle:
            cycle.append(current)
            current = current.parent_item
        if current is item:
            item.error("parent", _("Rows %(rows)s are placed under each other in a cycle.")
                       % {"rows": _rows_text(sorted(other.number for other in cycle))})
    # The rest hang below a cycle: they are rejected as rows whose parent row has errors.
    return order + [item for item in left if not item.rejected] + [
        item for item in left if item.rejected
    ]


class _Importer:
    def __init__(self, actor: Any, report: ImportReport) -> None:
        self.actor = actor
        self.report = report

    def run(self, items: list[_Item]) -> None:
        for item in _tree_order(items):
            if not item.rejected:
                self.apply(item)
            for column, message in item.errors:
                self.report.errors.append(RowError(item.number, column, message))
        self.report.errors.sort(key=lambda error: error.row_number)

    def apply(self, item: _Item) -> None:
        parent_item = item.parent_item
        if parent_item is not None and (parent_item.rejected or parent_item.result_pk is None):
            item.error("parent", _("The parent unit in row %(row)s has errors.")
                       % {"row": parent_item.number})
            return
        try:
            with transaction.atomic():
                outcome = self.create(item) if item.unit_pk is None else self.update(item)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for key, messages in error.message_dict.items():
                    for message in messages:
                        item.error(key, message)
            else:
                for message in error.messages:
                    item.error("__all__", message)
            return
        except PermissionDenied as error:
            item.error("__all__", str(error) or _("This is outside the units you administer."))
            return
        except _RowRejected:
            return
        except (IntegrityError, DataError) as error:
            item.error("__all__", _("The database refused this row: %(error)s")
                       % {"error": error})
            return
        for name in outcome:
            setattr(self.report, name, getattr(self.report, name) + 1)

    def parent(self, item: _Item) -> Unit | None:
        if item.parent_item is not None:
            return Unit.objects.get(pk=item.parent_item.result_pk)
        if item.parent_pk is not None:
            return Unit.objects.get(pk=item.parent_pk)
        return None

    def create(self, item: _Item) -> list[str]:
        if "kind" not in item.values:
            item.error("kind", _("Choose the kind of unit."))
        if item.parent_code is None:
            item.error("parent", _("Enter the code of the unit above it."))
        if item.rejected:
            raise _RowRejected
        values = dict(item.values)
        unit = actions.create_unit(
            actor=self.actor, parent=self.parent(item), uid=item.uid,
            status=values.pop("status", UnitStatus.ACTIVE), **values,
        )
        item.result_pk = unit.pk
        return ["created"]

    def update(self, item: _Item) -> list[str]:
        unit = Unit.objects.get(pk=item.unit_pk)
        changes = {
            key: value for key, value in item.values.items() if getattr(unit, key) != value
        }
        valid_from = changes.get("valid_from", unit.valid_from)
        valid_to = changes.get("valid_to", unit.valid_to)
        if valid_from is not None and valid_to is not None and valid_to < valid_from:
            raise ValidationError({"valid_to": _("The end of validity is before its start.")})
        new_parent: Unit | None = None
        if item.parent_code is not None:
            new_parent = self.parent(item)
            current = unit.parent_unit()
            if new_parent is None and current is not None:
                raise ValidationError({"parent": _("A unit cannot be moved to the top of the "
                                                   "tree: enter the code of the unit above it.")})
            if new_parent is not None and current is not None and new_parent.pk == current.pk:
                new_parent = None
        item.result_pk = unit.pk
        if not changes and new_parent is None:
            return ["unchanged"]

        def change() -> None:
            if changes:
                actions.update_unit(actor=self.actor, unit=unit, **changes)

        def move() -> None:
            if new_parent is not None:
                actions.move_unit(actor=self.actor, unit=unit, new_parent=new_parent)

        if changes and new_parent is not None:
            _in_either_order(change, move)
        else:
            change()
            move()
        return (["updated"] if changes else []) + (["moved"] if new_parent is not None else [])


def _in_either_order(first: Callable[[], None], second: Callable[[], None]) -> None:
    """Run both steps; if that fails validation, try the other order (a new kind may only be
    allowed under the new parent, or the other way round) before giving up."""
    try:
        with transaction.atomic():
            first()
            second()
    except ValidationError as error:
        try:
            with transaction.atomic():
                second()
                first()
        except (ValidationError, PermissionDenied):
            raise error from None


def import_units(
    path_or_file: str | Path | IO[bytes], *, actor: Any, dry_run: bool = False
) -> ImportReport:
    """Create, change and move units from a spreadsheet, acting as ``actor``.

    Good rows are written and bad rows reported (:class:`RowError`) and skipped. With
    ``dry_run`` everything runs and is rolled back, so the report is exactly what a real run
    would do. A file that cannot be read at all raises
    :class:`~edugate.core.tabular.TabularError`.
    """
    table = read_table(path_or_file, KNOWN_HEADERS, required=REQUIRED)
    report = ImportReport(rows=len(table.rows), dry_run=dry_run)
    items = [_parse(row, table) for row in table.rows]
    with transaction.atomic():
        _flag_duplicates(items)
        _match(items)
        _Importer(actor, report).run(items)
        if dry_run:
            transaction.set_rollback(True)
    return report


# --- Listing --------------------------------------------------------------------------------

@dataclass(frozen=True)
class ListedUnit:
    unit: Unit
    parent_code: str | None
    #: how many of the listed units are above this one
    indent: int

    def as_dict(self) -> dict[str, Any]:
        unit = self.unit
        return {
            "uid": str(unit.uid), "code": unit.code, "name": unit.name, "kind": unit.kind,
            "level": unit.level, "status": unit.status, "parent_code": self.parent_code,
            "depth": unit.depth,
        }


def unit_listing(scope: Scope, *, under: Unit | None = None) -> list[ListedUnit]:
    """The units of ``scope`` (below and including ``under``) in tree order."""
    units = list(units_in_scope(scope, under=under))
    parents = parent_codes(units)
    listing: list[ListedUnit] = []
    shown: list[str] = []
    for unit in units:
        while shown and not unit.path.startswith(shown[-1]):
            shown.pop()
        listing.append(ListedUnit(unit, parents.get(unit.pk), len(shown)))
        shown.append(unit.path)
    return listing
