"""Importing staff lists: people, workplaces and pending mailboxes from the sheets schools send.

The sample sheets are the ones in shared/data/samples, copied unchanged into tests/fixtures.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from edugate.audit.models import AuditEvent
from edugate.core.tabular import read_table
from edugate.directory.models import Person
from edugate.mail.addressing import is_valid_local_part
from edugate.mail.models import Mailbox, MailboxState
from edugate.mail.provisioning import import_staff
from tests.mail.conftest import MailTree

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "staff"
XLSX = FIXTURES / "danh-sach-can-bo-thcs-hoa-khanh.xlsx"
CSV = FIXTURES / "danh-sach-can-bo-th-kim-dong.csv"


def test_the_xlsx_sample_imports_its_good_rows_and_reports_the_bad(mail: MailTree) -> None:
    school = mail.tree.school_a
    before = Person.objects.count()
    report = import_staff(XLSX, actor=mail.tree.school_a_admin, unit=school)
    assert report.created > 20
    assert report.errors, "the sample has a short phone number and a duplicate"
    assert all(error.row_number > 7 for error in report.errors)  # below the two header rows
    assert Person.objects.count() == before + report.created
    new = Mailbox.objects.filter(unit=school, person__isnull=False).exclude(pk=mail.teacher_a.pk)
    assert new.count() == report.created == report.mailboxes
    assert not new.exclude(state=MailboxState.PENDING).exists()
    assert all(is_valid_local_part(m.local_part) and m.domain == mail.school_a for m in new)
    assert Person.objects.filter(full_name="Phạm Thu Hà").exists()  # stray spaces cleaned
    assert AuditEvent.objects.filter(action="person.create", source="system").count() >= \
        report.created


def test_reimporting_the_same_sheet_changes_nothing(mail: MailTree) -> None:
    first = import_staff(XLSX, actor=None, unit=mail.tree.school_a)
    audit_rows = AuditEvent.objects.count()
    again = import_staff(XLSX, actor=None, unit=mail.tree.school_a)
    assert (again.created, again.updated, again.mailboxes) == (0, 0, 0)
    assert again.unchanged == first.created
    assert AuditEvent.objects.count() == audit_rows


def test_an_edited_sheet_updates_the_people_it_matches(mail: MailTree, tmp_path: Path) -> None:
    import_staff(CSV, actor=None, unit=mail.tree.school_b)
    text = CSV.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    rows[1][5] = "0912345678"  # a new phone for the first teacher
    rows[2][4] = "Tổ trưởng chuyên môn"  # a new position for the second
    edited = tmp_path / "edited.csv"
    with edited.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    report = import_staff(edited, actor=None, unit=mail.tree.school_b)
    assert (report.created, report.updated) == (0, 2)
    assert Person.objects.get(full_name=rows[1][1]).phone == "0912345678"


def test_a_dry_run_writes_nothing_but_reports_the_same(mail: MailTree) -> None:
    people, audit = Person.objects.count(), AuditEvent.objects.count()
    dry = import_staff(XLSX, actor=None, unit=mail.tree.school_a, dry_run=True)
    assert (Person.objects.count(), AuditEvent.objects.count()) == (people, audit)
    real = import_staff(XLSX, actor=None, unit=mail.tree.school_a)
    assert (dry.created, dry.rejected_rows, len(dry.errors)) == (
        real.created, real.rejected_rows, len(real.errors))


def test_a_sibling_school_cannot_import_into_another(mail: MailTree) -> None:
    with pytest.raises(PermissionDenied):
        import_staff(CSV, actor=mail.tree.school_b_admin, unit=mail.tree.school_a)


def test_the_command_prints_row_errors_writes_a_report_and_exits_1(
    mail: MailTree, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "bao-cao.xlsx"
    with pytest.raises(CommandError) as failure:
        call_command("staff", "import", str(XLSX), "--unit", "TH-A", "--report", str(report),
                     "--as", mail.tree.school_a_admin.email)
    assert failure.value.returncode == 1
    assert "Dòng " in capsys.readouterr().err
    table = read_table(report, {"row": ["Dòng"], "result": ["Kết quả"], "address": ["Địa chỉ thư"]})
    results = {row.text("result") for row in table.rows}
    assert {"Tạo mới", "Bị từ chối"} <= results
    created = [row for row in table.rows if row.text("result") == "Tạo mới"]
    assert all(row.text("address").endswith("@th-a.minhhai.edu.vn") for row in created)


def test_the_csv_sample_imports_cleanly(mail: MailTree) -> None:
    out = io.StringIO()
    call_command("staff", "import", str(CSV), "--unit", "TH-B", stdout=out)
    names = [row[1] for row in csv.reader(io.StringIO(CSV.read_text(encoding="utf-8-sig")))][1:]
    for name in names:
        person = Person.objects.get(full_name=name, memberships__unit=mail.tree.school_b)
        assert person.mailboxes.get().address.endswith("@th-b.minhhai.edu.vn")
