"""Import and export of the unit tree, and the ``units`` command."""

from __future__ import annotations

import datetime
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from edugate.audit.models import AuditEvent
from edugate.core.tabular import MissingColumnsError, read_table, write_table
from edugate.directory import actions
from edugate.directory.models import InstitutionLevel, Unit, UnitKind, UnitStatus
from edugate.directory.scope import Scope, scope_for
from edugate.directory.unit_io import (
    HEADERS,
    KNOWN_HEADERS,
    RowError,
    export_units,
    import_units,
)
from tests.conftest import refreshed

pytestmark = pytest.mark.django_db

HEADER_ROW = list(HEADERS.values())


def exported(tmp_path, scope=None, name="units.csv"):
    """Export ``scope`` and return (path, rows as dicts keyed by column key)."""
    path = tmp_path / name
    export_units(scope or Scope.full(), path)
    table = read_table(path, KNOWN_HEADERS)
    return path, table


def row(code, name, kind, parent, *, level="", uid="", short_name="", status="", since="",
        until=""):
    return [uid, code, name, short_name, kind, level, parent, status, since, until]


def write_rows(path, rows, *, header=None, title_rows=()):
    if path.suffix == ".xlsx":
        workbook = Workbook()
        sheet = workbook.active
        assert isinstance(sheet, Worksheet)
        for title in title_rows:
            sheet.append(title)
        sheet.append(header or HEADER_ROW)
        for values in rows:
            sheet.append(values)
        workbook.save(path)
    else:
        assert not title_rows
        write_table(path, header or HEADER_ROW, rows)
    return path


def counts():
    return Unit.objects.count(), AuditEvent.objects.count()


# --- Export ---------------------------------------------------------------------------------

def test_export_writes_the_tree_parents_first_with_vietnamese_labels(tree, tmp_path):
    actions.update_unit(actor=None, unit=tree.school_b, valid_from=datetime.date(2024, 9, 5))
    path, table = exported(tmp_path)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == ",".join(HEADER_ROW)
    codes = [r.text("code") for r in table]
    assert codes == ["SGD", "SGD-VP", "PX1", "TH-A", "TH-B", "THPT-1"]
    by_code = {r.text("code"): r for r in table}
    assert by_code["SGD"].text("parent") == ""
    assert by_code["SGD"].text("short_name") == "Sở GD&ĐT"
    assert by_code["TH-A"].text("parent") == "PX1"
    assert by_code["TH-A"].text("kind") == "Cơ sở giáo dục"
    assert by_code["TH-A"].text("level") == "Tiểu học"
    assert by_code["TH-A"].text("status") == "Đang hoạt động"
    assert by_code["TH-A"].text("uid") == str(tree.school_a.uid)
    assert "TH-B" in lines[5] and "05/09/2024" in lines[5]


def test_export_is_limited_to_the_scope(tree, tmp_path):
    _, table = exported(tmp_path, scope_for(tree.school_a_admin))
    assert [(r.text("code"), r.text("parent")) for r in table] == [("TH-A", "PX1")]
    _, table = exported(tmp_path, scope_for(tree.office_admin), name="office.xlsx")
    assert [r.text("code") for r in table] == ["PX1", "TH-A", "TH-B"]


# --- Round trip -----------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["units.xlsx", "units.csv"])
def test_round_trip_changes_nothing(tree, tmp_path, name):
    actions.update_unit(actor=None, unit=tree.school_b, valid_from=datetime.date(2024, 9, 5),
                        valid_to=datetime.date(2030, 5, 31), short_name="=TH Kim Đồng")
    actions.dissolve_unit(actor=None, unit=tree.division, on=datetime.date(2025, 7, 1))
    path = tmp_path / name
    assert export_units(Scope.full(), path) == 6
    before = counts()
    report = import_units(path, actor=tree.dept_admin, dry_run=False)
    assert report.errors == []
    assert (report.created, report.updated, report.moved, report.unchanged) == (0, 0, 0, 6)
    assert counts() == before


def test_round_trip_of_a_scoped_export(tree, tmp_path):
    path, _ = exported(tmp_path, scope_for(tree.office_admin))
    report = import_units(path, actor=tree.office_admin)
    assert report.ok and report.unchanged == 3


# --- Changes by re-import -------------------------------------------------------------------

def test_rename_and_move_by_reimport(tree, tmp_path):
    path, table = exported(tmp_path)
    rows = []
    for r in table:
        values = [r.text(key) for key in HEADERS]
        if r.text("code") == "TH-A":
            values[2] = "Trường Tiểu học An Bình mới"  # name
            values[6] = "SGD"  # parent: straight under the department
        if r.text("code") == "TH-B":
            values[1] = "TH-KD"  # new code, found by its uid
        rows.append(values)
    write_rows(path, rows)
    report = import_units(path, actor=tree.dept_admin, dry_run=False)
    assert report.errors == []
    assert (report.created, report.updated, report.moved, report.unchanged) == (0, 2, 1, 4)
    school_a = refreshed(tree.school_a)
    assert school_a.name == "Trường Tiểu học An Bình mới"
    assert school_a.parent_unit() == tree.department
    assert refreshed(tree.school_b).code == "TH-KD"
    moved = AuditEvent.objects.get(action="unit.move")
    assert moved.changes == {"parent": ["PX1", "SGD"]}
    assert moved.actor == tree.dept_admin
    assert AuditEvent.objects.filter(action="unit.update").count() == 2


def test_new_units_with_parent_later_in_the_file(tree, tmp_path):
    path = write_rows(tmp_path / "new.xlsx", [
        row("TH-C-PHU", "Điểm trường Phú Hòa", "Bộ phận trực thuộc", "TH-C"),
        row("TH-C", "Trường Tiểu học Phú Hòa", "co so giao duc", "PX2", level="TIEU HOC"),
        row("PX2", "Phòng Văn hóa - Xã hội phường Phú Hòa", "office", "SGD",
            since="01/07/2025"),
    ])
    report = import_units(path, actor=tree.dept_admin)
    assert report.errors == []
    assert report.created == 3
    school = Unit.objects.get(code="TH-C")
    assert (school.kind, school.level) == (UnitKind.INSTITUTION, InstitutionLevel.PRIMARY)
    assert school.parent_unit().code == "PX2"
    assert Unit.objects.get(code="TH-C-PHU").parent_unit() == school
    assert Unit.objects.get(code="PX2").valid_from == datetime.date(2025, 7, 1)
    assert AuditEvent.objects.filter(action="unit.create", actor=tree.dept_admin).count() == 3


def test_uid_from_the_file_is_kept_for_new_units(tree, tmp_path):
    uid = "6f1c1a43-7c55-4a2e-9d8e-0b3c3c7f0a11"
    path = write_rows(tmp_path / "new.csv", [
        row("MN-1", "Trường Mầm non Hoa Sen", "Cơ sở giáo dục", "PX1", level="Mầm non", uid=uid)
    ])
    assert import_units(path, actor=None).created == 1
    assert str(Unit.objects.get(code="MN-1").uid) == uid


def test_headers_and_labels_without_diacritics(tree, tmp_path):
    header = ["MA DON VI", "TEN DON VI", "LOAI DON VI", "cap hoc", "ma don vi cap tren",
              "trang thai"]
    path = write_rows(tmp_path / "plain.csv", [
        ["THCS-1", "Truong THCS Binh Minh", "CO SO GIAO DUC", "trung hoc co so", "PX1",
         "dang hoat dong"],
        ["TH-A", "Trường Tiểu học An Bình", "institution", "primary", "PX1", ""],
    ], header=header)
    report = import_units(path, actor=tree.office_admin)
    assert report.errors == []
    assert (report.created, report.unchanged) == (1, 1)
    assert Unit.objects.get(code="THCS-1").level == InstitutionLevel.LOWER_SECONDARY


def test_missing_required_column(tree, tmp_path):
    path = write_rows(tmp_path / "bad.csv", [["A", "x"]], header=["Mã đơn vị", "Loại đơn vị"])
    with pytest.raises(MissingColumnsError, match="Tên đơn vị"):
        import_units(path, actor=None)


# --- Row errors -----------------------------------------------------------------------------

BAD_ROWS = [                                                        # spreadsheet row
    row("MN-1", "Trường Mầm non Hoa Sen", "Cơ sở giáo dục", "PX1", level="Mầm non"),  # 4
    row("MN-2", "", "Cơ sở giáo dục", "PX1", level="Mầm non"),                  # 5 no name
    row("MN-3", "Trường Mầm non 3", "Trường đại học", "PX1"),                   # 6 bad kind
    row("MN-4", "Trường Mầm non 4", "Cơ sở giáo dục", "PX1", level="Mầm non",
        since="31/02/2025"),                                                   # 7 bad date
    row("DUP", "Một", "Bộ phận trực thuộc", "SGD"),                              # 8 dup code
    row("DUP", "Hai", "Bộ phận trực thuộc", "SGD"),                              # 9 dup code
    row("MN-5", "Trường Mầm non 5", "Cơ sở giáo dục", "KHONG-CO", level="MN"),  # 10 no parent
    row("MN-2-A", "Lớp của MN-2", "Bộ phận trực thuộc", "MN-2"),                 # 11 parent bad
    row("PX9", "Phòng dưới trường", "Phòng quản lý giáo dục", "TH-A"),           # 12 kind rule
    row("TH-9", "Trường Tiểu học thiếu cấp", "Cơ sở giáo dục", "PX1"),            # 13 no level
    [],                                                                       # 14 blank
    row("TH-A", "Trường Tiểu học An Bình (đổi tên)", "Cơ sở giáo dục", "PX1",
        level="Tiểu học"),                                                     # 15 fine
]


def expected_errors(report):
    return {(e.row_number, e.column) for e in report.errors}


def test_row_errors_have_row_numbers_and_good_rows_are_kept(tree, tmp_path):
    path = write_rows(tmp_path / "bad.xlsx", BAD_ROWS,
                      title_rows=[["DANH SÁCH ĐƠN VỊ"], ["(kèm theo công văn số 12)"]])
    report = import_units(path, actor=tree.dept_admin)
    assert expected_errors(report) == {
        (5, "Tên đơn vị"),
        (6, "Loại đơn vị"),
        (7, "Hiệu lực từ"),
        (8, "Mã đơn vị"),
        (9, "Mã đơn vị"),
        (10, "Mã đơn vị cấp trên"),
        (11, "Mã đơn vị cấp trên"),
        (12, "Mã đơn vị cấp trên"),
        (13, "Cấp học"),
    }
    assert report.rejected_rows == [5, 6, 7, 8, 9, 10, 11, 12, 13]
    messages = {e.row_number: e.message for e in report.errors}
    assert "5" in messages[11]  # the parent row
    assert "9" in messages[8] and "8" in messages[9]
    assert (report.rows, report.created, report.updated) == (11, 1, 1)
    assert Unit.objects.filter(code="MN-1").exists()
    assert refreshed(tree.school_a).name == "Trường Tiểu học An Bình (đổi tên)"
    for code in ("MN-2", "MN-3", "MN-4", "DUP", "MN-5", "MN-2-A", "PX9", "TH-9"):
        assert not Unit.objects.filter(code=code).exists(), code
    assert str(RowError(5, "Tên đơn vị", "x")) == "Dòng 5: Tên đơn vị: x"


def test_dry_run_writes_nothing_and_reports_the_same(tree, tmp_path):
    path = write_rows(tmp_path / "bad.csv", [r for r in BAD_ROWS if r])
    before = counts()
    dry = import_units(path, actor=tree.dept_admin, dry_run=True)
    assert counts() == before
    assert refreshed(tree.school_a).name == "Trường Tiểu học An Bình"
    assert dry.dry_run and dry.created == 1 and dry.updated == 1
    real = import_units(path, actor=tree.dept_admin, dry_run=False)
    assert counts() != before
    assert (dry.created, dry.updated, dry.moved, dry.unchanged, dry.errors) == (
        real.created, real.updated, real.moved, real.unchanged, real.errors
    )


def test_a_rejected_row_leaves_nothing_half_written(tree, tmp_path):
    # The rename is valid, the move is not (an institution cannot go under a school): the row
    # is rejected as a whole.
    path = write_rows(tmp_path / "x.csv", [
        row("TH-B", "Tên mới", "Cơ sở giáo dục", "TH-A", level="Tiểu học",
            uid=str(tree.school_b.uid)),
    ])
    before = counts()
    report = import_units(path, actor=None)
    assert expected_errors(report) == {(2, "Mã đơn vị cấp trên")}
    assert refreshed(tree.school_b).name == "Trường Tiểu học Kim Đồng"
    assert counts() == before


def test_kind_change_that_needs_the_move_first(tree, tmp_path):
    # A satellite site (a division under school A) becomes a school of its own under the
    # office: an institution may not sit under school A, so the move has to come first.
    site = actions.create_unit(actor=None, parent=tree.school_a, code="TH-A-PH",
                               name="Điểm trường Phú Hòa", kind=UnitKind.DIVISION)
    path = write_rows(tmp_path / "x.csv", [
        row("TH-A-PH", "Trường Tiểu học Phú Hòa", "Cơ sở giáo dục", "PX1", level="Tiểu học"),
    ])
    report = import_units(path, actor=None)
    assert report.errors == []
    assert (report.updated, report.moved) == (1, 1)
    site = refreshed(site)
    assert (site.kind, site.level, site.name) == (
        UnitKind.INSTITUTION, InstitutionLevel.PRIMARY, "Trường Tiểu học Phú Hòa")
    assert site.parent_unit() == tree.office


def test_cycle_is_reported_for_the_rows_in_it(tree, tmp_path):
    path = write_rows(tmp_path / "cycle.csv", [
        row("A", "Đơn vị A", "Phòng quản lý giáo dục", "B"),                 # 2
        row("B", "Đơn vị B", "Phòng quản lý giáo dục", "A"),                 # 3
        row("C", "Trường C", "Cơ sở giáo dục", "A", level="Tiểu học"),        # 4
        row("D", "Phòng D", "Phòng quản lý giáo dục", "SGD"),                 # 5
        row("E", "Đơn vị E", "Phòng quản lý giáo dục", "E"),                  # 6
    ])
    report = import_units(path, actor=None)
    assert expected_errors(report) == {
        (2, "Mã đơn vị cấp trên"), (3, "Mã đơn vị cấp trên"), (4, "Mã đơn vị cấp trên"),
        (6, "Mã đơn vị cấp trên"),
    }
    messages = {e.row_number: e.message for e in report.errors}
    assert "2, 3" in messages[2] and "2, 3" in messages[3]
    assert "2" in messages[4]
    assert report.created == 1
    assert set(Unit.objects.filter(code__in="ABCDE").values_list("code", flat=True)) == {"D"}


def test_moving_a_unit_under_its_own_subtree_is_refused(tree, tmp_path):
    path = write_rows(tmp_path / "x.csv", [
        row("PX1", "Phòng Văn hóa - Xã hội xã An Bình", "Phòng quản lý giáo dục", "TH-A"),
    ])
    report = import_units(path, actor=None)
    assert expected_errors(report) == {(2, "Mã đơn vị cấp trên")}
    assert refreshed(tree.office).parent_unit() == tree.department


def test_same_unit_twice_by_uid_and_by_code(tree, tmp_path):
    path = write_rows(tmp_path / "x.csv", [
        row("TH-A2", "Trường A", "Cơ sở giáo dục", "PX1", level="Tiểu học",
            uid=str(tree.school_a.uid)),
        row("TH-A", "Trường A", "Cơ sở giáo dục", "PX1", level="Tiểu học"),
    ])
    report = import_units(path, actor=None)
    assert report.rejected_rows == [2, 3]
    assert refreshed(tree.school_a).code == "TH-A"


# --- Scope ----------------------------------------------------------------------------------

def test_school_admin_cannot_change_the_sibling_school(tree, tmp_path):
    path = write_rows(tmp_path / "x.csv", [
        row("TH-A", "Trường Tiểu học An Bình 2", "Cơ sở giáo dục", "PX1", level="Tiểu học"),
        row("TH-B", "Trường Tiểu học Kim Đồng 2", "Cơ sở giáo dục", "PX1", level="Tiểu học"),
        row("TH-NEW", "Trường mới", "Cơ sở giáo dục", "PX1", level="Tiểu học"),
    ])
    before = AuditEvent.objects.count()
    report = import_units(path, actor=tree.school_a_admin)
    assert report.rejected_rows == [3, 4]
    assert {e.column for e in report.errors} == {""}
    assert report.updated == 1
    assert refreshed(tree.school_a).name == "Trường Tiểu học An Bình 2"
    assert refreshed(tree.school_b).name == "Trường Tiểu học Kim Đồng"
    assert not Unit.objects.filter(code="TH-NEW").exists()
    assert AuditEvent.objects.count() == before + 1


def test_office_admin_can_add_schools_under_the_office(tree, tmp_path):
    path = write_rows(tmp_path / "x.csv", [
        row("MN-1", "Trường Mầm non Hoa Sen", "Cơ sở giáo dục", "PX1", level="Mầm non"),
        row("MN-2", "Trường Mầm non Sở", "Cơ sở giáo dục", "SGD", level="Mầm non"),
    ])
    report = import_units(path, actor=tree.office_admin)
    assert report.created == 1 and report.rejected_rows == [3]


# --- The command ----------------------------------------------------------------------------

def run(*args):
    out, err = StringIO(), StringIO()
    call_command("units", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_list_json(tree):
    out, _ = run("list", "--json")
    data = json.loads(out)
    assert [d["code"] for d in data] == ["SGD", "SGD-VP", "PX1", "TH-A", "TH-B", "THPT-1"]
    school = data[3]
    assert school == {
        "uid": str(tree.school_a.uid), "code": "TH-A", "name": "Trường Tiểu học An Bình",
        "kind": "institution", "level": "primary", "status": "active", "parent_code": "PX1",
        "depth": 3,
    }
    assert data[0]["parent_code"] is None


def test_command_list_under_and_as(tree):
    out, _ = run("list", "--under", "PX1", "--json")
    assert [d["code"] for d in json.loads(out)] == ["PX1", "TH-A", "TH-B"]
    out, _ = run("list", "--json", "--as", "QuanTri@TH-A.minhhai.edu.vn")
    assert [d["code"] for d in json.loads(out)] == ["TH-A"]


def test_command_list_text_is_an_indented_tree(tree):
    out, _ = run("list", "--as", "vhxh@anbinh.minhhai.edu.vn")
    lines = out.splitlines()
    assert lines[0].startswith("PX1  Phòng Văn hóa")
    assert lines[1].startswith("    TH-A  Trường Tiểu học An Bình")
    assert len(lines) == 3


def test_command_unknown_user_or_unit(tree):
    with pytest.raises(CommandError, match=r"nobody@example\.com"):
        run("list", "--as", "nobody@example.com")
    with pytest.raises(CommandError, match="KHONG-CO"):
        run("list", "--under", "KHONG-CO")
    with pytest.raises(CommandError):
        run("frobnicate")


def test_command_export_and_import(tree, tmp_path):
    path = tmp_path / "units.xlsx"
    out, _ = run("export", str(path), "--as", "quantri@th-a.minhhai.edu.vn")
    assert "1" in out
    assert [r.text("code") for r in read_table(path, KNOWN_HEADERS)] == ["TH-A"]
    out, err = run("import", str(path), "--as", "quantri@th-a.minhhai.edu.vn")
    assert err == ""
    assert "1 không đổi" in out


def test_command_export_refuses_unknown_format(tree, tmp_path):
    with pytest.raises(CommandError, match=r"\.ods"):
        run("export", str(tmp_path / "units.ods"))


def test_command_import_errors_exit_status_and_audit_origin(tree, tmp_path):
    path = write_rows(tmp_path / "x.csv", [
        row("MN-1", "Trường Mầm non Hoa Sen", "Cơ sở giáo dục", "PX1", level="Mầm non"),
        row("MN-2", "", "Cơ sở giáo dục", "PX1", level="Mầm non"),
    ])
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("units", "import", str(path), "--dry-run", stdout=out, stderr=err)
    assert caught.value.returncode == 1
    assert err.getvalue().splitlines()[0].startswith("Dòng 3: Tên đơn vị: ")
    assert "1 tạo mới" in out.getvalue()
    assert not Unit.objects.filter(code="MN-1").exists()

    out = StringIO()
    with pytest.raises(CommandError):
        call_command("units", "import", str(path), "--json", "--as", "cntt@minhhai.edu.vn",
                     stdout=out, stderr=StringIO())
    report = json.loads(out.getvalue())
    assert report["created"] == 1 and report["rejected"] == 1
    assert report["errors"] == [{"row": 3, "column": "Tên đơn vị", "message": report[
        "errors"][0]["message"]}]
    event = AuditEvent.objects.get(action="unit.create", object_repr="Trường Mầm non Hoa Sen")
    assert (event.source, event.actor) == ("cli", tree.dept_admin)


def test_command_import_clean_file_exits_zero(tree, tmp_path):
    path = tmp_path / "units.csv"
    export_units(Scope.full(), path)
    out, err = run("import", str(path), "--json")
    assert json.loads(out)["unchanged"] == 6
    assert err == ""


def test_status_labels_round_trip(tree, tmp_path):
    actions.merge_units(actor=None, sources=[tree.school_b], target=tree.school_a,
                        on=datetime.date(2025, 7, 1))
    path, table = exported(tmp_path)
    assert {r.text("code"): r.text("status") for r in table}["TH-B"] == "Đã sáp nhập"
    report = import_units(path, actor=None)
    assert report.unchanged == 6 and report.ok
    assert refreshed(tree.school_b).status == UnitStatus.MERGED


def test_columns_missing_from_the_file_keep_their_values(tree, tmp_path):
    actions.update_unit(actor=None, unit=tree.school_a, valid_from=datetime.date(2024, 9, 5),
                        short_name="TH An Bình")
    path = write_rows(tmp_path / "names.csv", [
        ["TH-A", "Trường Tiểu học An Bình (mới)", ""],
        ["TH-B", "Trường Tiểu học Kim Đồng", "01/01/2020"],
    ], header=["Mã đơn vị", "Tên đơn vị", "Hiệu lực đến"])
    report = import_units(path, actor=None)
    assert report.ok
    assert (report.updated, report.moved, report.created) == (2, 0, 0)
    school_a = refreshed(tree.school_a)
    assert school_a.name == "Trường Tiểu học An Bình (mới)"
    assert (school_a.short_name, school_a.valid_from) == ("TH An Bình", datetime.date(2024, 9, 5))
    assert school_a.parent_unit() == tree.office
    assert refreshed(tree.school_b).valid_to == datetime.date(2020, 1, 1)


def test_end_of_validity_before_the_start_kept_in_the_database(tree, tmp_path):
    actions.update_unit(actor=None, unit=tree.school_a, valid_from=datetime.date(2024, 9, 5))
    path = write_rows(tmp_path / "dates.csv", [["TH-A", "Trường Tiểu học An Bình", "01/01/2020"]],
                      header=["Mã đơn vị", "Tên đơn vị", "Hiệu lực đến"])
    report = import_units(path, actor=None)
    assert expected_errors(report) == {(2, "Hiệu lực đến")}
    assert refreshed(tree.school_a).valid_to is None


def test_a_new_unit_needs_kind_and_parent_columns(tree, tmp_path):
    path = write_rows(tmp_path / "new.csv", [["MN-1", "Trường Mầm non Hoa Sen"]],
                      header=["Mã đơn vị", "Tên đơn vị"])
    report = import_units(path, actor=None)
    assert expected_errors(report) == {(2, "Loại đơn vị"), (2, "Mã đơn vị cấp trên")}


def test_unchanged_rows_outside_the_scope_are_not_errors(tree, tmp_path):
    # An administrator may import the province's file: rows they would not change pass.
    path, _ = exported(tmp_path)
    report = import_units(path, actor=tree.school_a_admin)
    assert report.ok and report.unchanged == 6
