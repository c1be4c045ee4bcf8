"""The back office's staff import: upload, the background worker, progress, result, scoping.

The worker is the real one (``db_worker --batch``), so these tests commit (``transaction=True``):
the job is queued after the upload's transaction and the worker checks connections as it runs.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from edugate.audit.models import AuditEvent
from edugate.core.tabular import read_table
from edugate.directory import actions as directory
from edugate.directory.models import Person
from edugate.mail.imports import progress_of, publish_progress
from edugate.mail.models import Mailbox, StaffImport, StaffImportState
from edugate.mail.provisioning import import_staff, progress_step
from tests.conftest import Tree, build_tree

pytestmark = pytest.mark.django_db(transaction=True)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "staff"
XLSX = FIXTURES / "danh-sach-can-bo-thcs-hoa-khanh.xlsx"
CSV = FIXTURES / "danh-sach-can-bo-th-kim-dong.csv"
INDEX = "/admin/staff-imports/"


@pytest.fixture(autouse=True)
def _private_files(settings: Any, tmp_path: Path) -> Iterator[Path]:
    settings.EDUGATE_PRIVATE_ROOT = tmp_path / "private"
    yield tmp_path / "private"


@pytest.fixture
def school() -> Tree:
    tree = build_tree()
    directory.add_domain(actor=None, unit=tree.school_a, name="th-a.minhhai.edu.vn")
    directory.add_domain(actor=None, unit=tree.school_b, name="th-b.minhhai.edu.vn")
    return tree


def client_for(user: Any, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def upload(client: Client, path: Path, unit: Any, **data: Any) -> Any:
    with path.open("rb") as handle:
        return client.post(INDEX, {"file": handle, "unit": unit.pk, **data})


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0",
                 stdout=io.StringIO(), stderr=io.StringIO())


def text(response: Any) -> str:
    return response.content.decode()


# --- The whole way ----------------------------------------------------------------------------

def test_an_upload_is_queued_run_by_the_worker_and_shows_its_result(school: Tree) -> None:
    admin = client_for(school.school_a_admin)
    form = admin.get(INDEX)
    assert form.status_code == 200
    assert 'enctype="multipart/form-data"' in text(form)
    assert school.school_a.name in text(form)  # their only unit, chosen already

    response = upload(admin, XLSX, school.school_a)
    job = StaffImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{INDEX}{job.pk}/"
    assert (job.state, job.created_by, job.unit, job.dry_run) == (
        StaffImportState.QUEUED, school.school_a_admin, school.school_a, False)
    assert job.file_name == XLSX.name and XLSX.name not in job.file.name
    waiting = admin.get(response["Location"])
    assert "<progress" in text(waiting)
    assert 'http-equiv="refresh"' in text(waiting)  # without JavaScript the page reloads
    assert "mail/imports/progress.js" in text(waiting)
    assert admin.get(f"{INDEX}{job.pk}/status/").json()["state"] == "queued"

    run_worker()
    job.refresh_from_db()
    assert job.state == StaffImportState.DONE, job.error
    assert job.rows_processed == job.total_rows == job.summary["rows"] > 40
    assert job.summary["created"] > 20 and job.summary["rejected"] == 2
    assert job.finished_at and job.started_at
    status = admin.get(f"{INDEX}{job.pk}/status/").json()
    assert status | {"summary": None} == {
        "state": "done", "state_label": status["state_label"], "processed": job.total_rows,
        "total": job.total_rows, "percent": 100, "finished": True, "summary": None}

    result = text(admin.get(f"{INDEX}{job.pk}/"))
    assert 'http-equiv="refresh"' not in result
    assert f'<td data-count="created">{job.summary["created"]}</td>' in result
    assert '<td data-count="rejected">2</td>' in result
    assert "<td>20</td>" in result and "0912 345 67" in result  # the short phone, its row
    assert "<td>33</td>" in result  # the duplicate
    assert f"/admin/mailboxes/slips/?unit={school.school_a.pk}" in result
    # The people and mailboxes exist, created by the administrator, audited as such.
    assert Mailbox.objects.filter(unit=school.school_a).count() == job.summary["mailboxes"]
    actions = set(AuditEvent.objects.filter(object_type="staffimport", object_id=str(job.pk))
                  .values_list("action", flat=True))
    assert actions == {"staff_import.start", "staff_import.done"}
    assert AuditEvent.objects.filter(action="person.create",
                                     actor=school.school_a_admin).count() == job.summary["created"]

    # The list of recent imports, and the report the console's --report writes.
    assert XLSX.name in text(admin.get(INDEX))
    report = admin.get(f"{INDEX}{job.pk}/report/")
    assert report["Content-Disposition"].startswith("attachment")
    assert "no-cache" in report["Cache-Control"]
    table = read_table(io.BytesIO(report.content), {"row": ["Dòng"], "result": ["Kết quả"]})
    assert {row.text("result") for row in table.rows} >= {"Tạo mới", "Bị từ chối"}
    original = admin.get(f"{INDEX}{job.pk}/file/")
    assert b"".join(original.streaming_content) == XLSX.read_bytes()
    assert AuditEvent.objects.filter(action__in=["staff_import.report",
                                                 "staff_import.download"]).count() == 2


def test_a_dry_run_writes_nothing_and_can_then_be_run_for_real(school: Tree) -> None:
    admin = client_for(school.school_b_admin)
    people, mailboxes = Person.objects.count(), Mailbox.objects.count()
    upload(admin, CSV, school.school_b, dry_run="on")
    run_worker()
    dry = StaffImport.objects.get()
    assert dry.dry_run and dry.state == StaffImportState.DONE
    assert dry.summary["created"] == 30
    assert (Person.objects.count(), Mailbox.objects.count()) == (people, mailboxes)
    assert not AuditEvent.objects.filter(action="person.create",
                                         actor=school.school_b_admin).exists()
    page = text(admin.get(f"{INDEX}{dry.pk}/"))
    assert "/rerun/" in page and "/admin/mailboxes/slips/" not in page

    assert admin.get(f"{INDEX}{dry.pk}/rerun/").status_code == 405  # a POST only
    response = admin.post(f"{INDEX}{dry.pk}/rerun/")
    real = StaffImport.objects.exclude(pk=dry.pk).get()
    assert response["Location"] == f"{INDEX}{real.pk}/"
    assert (real.dry_run, real.rerun_of, real.file.name) == (False, dry, dry.file.name)
    run_worker()
    real.refresh_from_db()
    assert real.summary["created"] == 30
    assert Person.objects.count() == people + 30
    # A real run is not run "for real" again.
    assert admin.post(f"{INDEX}{real.pk}/rerun/")["Location"] == f"{INDEX}{real.pk}/"
    assert StaffImport.objects.count() == 2


def test_a_file_the_worker_cannot_read_fails_with_its_reason(school: Tree) -> None:
    admin = client_for(school.school_a_admin)
    no_names = SimpleUploadedFile("ds.csv", "STT,Ngày sinh,Chức vụ\n1,01/01/1980,GV\n"
                                  .encode("utf-8-sig"), content_type="text/csv")
    admin.post(INDEX, {"file": no_names, "unit": school.school_a.pk})
    run_worker()
    job = StaffImport.objects.get()
    assert job.state == StaffImportState.FAILED and job.error
    page = text(admin.get(f"{INDEX}{job.pk}/"))
    assert job.error.replace("“", "&ldquo;")[:10] in page or "role=\"alert\"" in page
    assert admin.get(f"{INDEX}{job.pk}/report/").status_code == 404
    assert AuditEvent.objects.filter(action="staff_import.failed").count() == 1


# --- Scope ------------------------------------------------------------------------------------

def test_another_school_s_admin_gets_nothing_of_the_job(school: Tree) -> None:
    upload(client_for(school.school_a_admin), XLSX, school.school_a, dry_run="on")
    run_worker()
    job = StaffImport.objects.get()
    sibling = client_for(school.school_b_admin)
    for suffix in ("", "status/", "report/", "file/"):
        assert sibling.get(f"{INDEX}{job.pk}/{suffix}").status_code == 404, suffix
    assert sibling.post(f"{INDEX}{job.pk}/rerun/").status_code == 404
    listing = text(sibling.get(INDEX))
    assert XLSX.name not in listing and school.school_a.name not in listing
    # Nor may they import into school A, by posting its unit.
    response = upload(sibling, CSV, school.school_a)
    assert response.status_code == 200 and response.context["form"].errors["unit"]
    assert StaffImport.objects.count() == 1
    # Their Department's administrator sees the job; a teacher without a role, nothing.
    assert client_for(school.dept_admin).get(f"{INDEX}{job.pk}/").status_code == 200


def test_the_screen_is_for_administrators_only(school: Tree) -> None:
    from edugate.accounts.models import User

    teacher = User.objects.create_user("annv@th-a.minhhai.edu.vn", "x", person=school.teacher_a)
    assert client_for(teacher).get(INDEX).status_code in (302, 403)


# --- The form ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "content", "message"), [
    ("ds.txt", b"Ho ten\nAn\n", ".xlsx or .csv"),
    ("ds.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 64, "97-2003"),
    ("ds.xlsx", b"Ho ten,Ngay sinh\n", "not a valid .xlsx"),
    ("ds.csv", b"PK\x03\x04" + b"\x00" * 64, "not a text"),
    ("ds.csv", b"", "empty"),
])
def test_a_bad_file_is_refused_next_to_the_field(
    school: Tree, name: str, content: bytes, message: str
) -> None:
    admin = client_for(school.school_a_admin)
    with translation.override("en"):
        response = admin.post(INDEX, {"file": SimpleUploadedFile(name, content),
                                      "unit": school.school_a.pk},
                              HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["file"], errors
    assert message in errors["file"][0] or (message == "empty" and errors["file"])
    assert 'id="id_file"' in text(response) and "error-message" in text(response)
    assert not StaffImport.objects.exists()


def test_a_file_over_the_size_limit_is_refused(school: Tree, settings: Any) -> None:
    settings.EDUGATE_STAFF_IMPORT_MAX_BYTES = 1000
    response = upload(client_for(school.school_a_admin), XLSX, school.school_a)
    assert response.status_code == 200 and "file" in response.context["form"].errors
    assert not StaffImport.objects.exists()


def test_the_upload_needs_the_csrf_token(school: Tree) -> None:
    admin = client_for(school.school_a_admin, enforce_csrf_checks=True)
    assert upload(admin, CSV, school.school_a).status_code == 403
    job = StaffImport.objects.create(unit=school.school_a, file_name="x.csv", dry_run=True,
                                     state=StaffImportState.DONE)
    assert admin.post(f"{INDEX}{job.pk}/rerun/").status_code == 403
    assert StaffImport.objects.count() == 1


# --- Progress ---------------------------------------------------------------------------------

def test_progress_is_reported_about_every_percent_not_every_row(school: Tree, tmp_path: Path
                                                                 ) -> None:
    def given(n: int) -> str:
        return "".join(chr(0x61 + n // 26 ** i % 26) for i in range(3)).capitalize()

    rows = ["STT,Họ và tên,Ngày sinh,Số điện thoại"] + [
        f"{n},Nguyễn Văn {given(n)},01/01/{1960 + n % 40},09{n:08d}" for n in range(1, 1201)]
    sheet = tmp_path / "big.csv"
    sheet.write_text("\n".join(rows), encoding="utf-8")
    calls: list[tuple[int, int]] = []
    report = import_staff(sheet, actor=None, unit=school.school_a, dry_run=True,
                          progress=lambda done, total: calls.append((done, total)))
    assert report.rows == 1200 and not report.errors
    assert calls[0] == (0, 1200) and calls[-1] == (1200, 1200)
    assert len(calls) <= 1200 // progress_step(1200) + 2
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_a_running_job_shows_the_count_the_worker_publishes(school: Tree) -> None:
    job = StaffImport.objects.create(unit=school.school_a, file_name="x.csv",
                                     state=StaffImportState.RUNNING, total_rows=600)
    publish_progress(job.pk, 300, 600)
    assert progress_of(job) == (300, 600)
    status = client_for(school.school_a_admin).get(f"{INDEX}{job.pk}/status/").json()
    assert (status["processed"], status["total"], status["percent"]) == (300, 600, 50)
    page = text(client_for(school.school_a_admin).get(f"{INDEX}{job.pk}/"))
    assert 'max="600" value="300"' in page


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_console_command_shows_progress_on_a_terminal_only(school: Tree) -> None:
    from django.core.management import CommandError

    terminal, pipe = _Terminal(), io.StringIO()
    for stderr in (terminal, pipe):
        with pytest.raises(CommandError):  # the sample has rejected rows: exit status 1
            call_command("staff", "import", str(XLSX), "--unit", "TH-A", "--dry-run",
                         stdout=io.StringIO(), stderr=stderr)
    assert "\r" in terminal.getvalue() and "(100%)" in terminal.getvalue()
    assert "\r" not in pipe.getvalue()
