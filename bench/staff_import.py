"""Bulk provisioning benchmark: the province's 60,000 staff, exported as one sheet, imported
into a copy of the province with its units and domains but no staff yet.

Goal: at most 60 s. Prints `bench staff_import_60k [backend]: X s for N rows (...)`.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import django

django.setup()

from django.db import transaction  # noqa: E402

from edugate.core.tabular import write_table  # noqa: E402
from edugate.directory.models import Membership, Person, RoleAssignment  # noqa: E402
from edugate.mail.models import Mailbox  # noqa: E402
from edugate.mail.provisioning import import_staff  # noqa: E402

HEADERS = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Chức vụ", "Số điện thoại",
           "Mã đơn vị"]
GENDERS = {"male": "Nam", "female": "Nữ"}


def export_sheet(path: Path) -> int:
    rows = [
        [n, m.person.full_name, m.person.date_of_birth, GENDERS.get(m.person.gender, ""),
         m.position, m.person.phone, m.unit.code]
        for n, m in enumerate(Membership.objects.select_related("person", "unit")
                              .order_by("unit__path", "id"), start=1)
    ]
    return write_table(path, HEADERS, rows)


def main(backend: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        sheet = Path(folder) / "can-bo-toan-tinh.xlsx"
        count = export_sheet(sheet)
        with transaction.atomic():
            # Start from the tree and its domains only (this database is the bench's copy).
            RoleAssignment.objects.all().delete()
            Mailbox.objects.all().delete()
            Membership.objects.all().delete()
            Person.objects.all().delete()
        started = time.perf_counter()
        report = import_staff(sheet, actor=None, unit=None)
        seconds = time.perf_counter() - started
    verdict = "ok" if seconds <= 60 else "OVER the 60 s goal"
    print(f"bench staff_import_60k [{backend}]: {seconds:.1f} s for {count} rows "
          f"({report.created} people and {report.mailboxes} mailboxes created, "
          f"{len(report.rejected_rows)} rejected) {verdict}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
