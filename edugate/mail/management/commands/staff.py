"""``edugate staff import``: a school's staff list becomes people and pending mailboxes."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from edugate.audit.context import Origin, acting_from
from edugate.core.console import actor_from_email, add_actor_argument, dumps, unit_by_code
from edugate.core.tabular import TabularError, write_table
from edugate.directory.actions import actor_scope
from edugate.mail.addressing import AddressPolicy
from edugate.mail.provisioning import StaffImportReport, import_staff

STATUS_LABELS = {"created": "Tạo mới", "updated": "Cập nhật", "unchanged": "Không đổi",
                 "rejected": "Bị từ chối"}
REPORT_HEADERS = ["Dòng", "Họ và tên", "Kết quả", "Địa chỉ thư", "Ghi chú"]


class Command(BaseCommand):
    help = "Import staff lists (.xlsx or .csv): people, workplaces and pending mailboxes."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{import}")
        importer = sub.add_parser("import", help="Import a staff list.")
        importer.add_argument("file", help="an .xlsx or .csv file as schools keep them")
        importer.add_argument("--unit", metavar="CODE",
                              help="the unit the list belongs to (unless it has a unit column)")
        importer.add_argument("--dry-run", action="store_true",
                              help="check and report everything, write nothing")
        importer.add_argument("--report", metavar="OUT.xlsx",
                              help="write a row-by-row report (.xlsx or .csv)")
        importer.add_argument("--policy", choices=[p.value for p in AddressPolicy],
                              default=AddressPolicy.GIVEN_INITIALS.value,
                              help="how addresses are made from names")
        importer.add_argument("--json", action="store_true", help="print the report as JSON")
        add_actor_argument(importer)

    def handle(self, *args: Any, **options: Any) -> None:
        actor = actor_from_email(options["as_email"])
        unit = unit_by_code(options["unit"], within=actor_scope(actor)) if options["unit"] \
            else None
        try:
            with acting_from(Origin("cli")):
                report = import_staff(options["file"], actor=actor, unit=unit,
                                      dry_run=options["dry_run"],
                                      policy=AddressPolicy(options["policy"]))
        except (OSError, TabularError) as error:
            raise CommandError(str(error)) from error
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        if options["report"]:
            write_report(report, options["report"])
        if options["json"]:
            self.stdout.write(dumps(report.as_dict()))
        else:
            for rejected in report.errors:
                self.stderr.write(str(rejected))
            for warning in report.warnings:
                self.stderr.write(_("Note: %(warning)s") % {"warning": warning})
            self.stdout.write(summary(report))
        if report.errors:
            rejected_count = len(report.rejected_rows)
            raise CommandError(_("%(count)d rows were rejected.") % {"count": rejected_count},
                               returncode=1)


def summary(report: StaffImportReport) -> str:
    text = _("%(rows)d rows: %(created)d new people, %(updated)d updated, %(unchanged)d "
             "unchanged, %(rejected)d rejected; %(mailboxes)d mailboxes created.") % {
        "rows": report.rows, "created": report.created, "updated": report.updated,
        "unchanged": report.unchanged, "rejected": len(report.rejected_rows),
        "mailboxes": report.mailboxes,
    }
    if report.dry_run:
        text += " " + _("Dry run: nothing was written.")
    return text


def write_report(report: StaffImportReport, path: str) -> None:
    notes: dict[int, list[str]] = {}
    for warning in report.warnings:
        notes.setdefault(warning.row_number, []).append(warning.message)
    rows = [
        [o.row_number, o.full_name, STATUS_LABELS[o.status], o.address,
         "; ".join([o.reason, *notes.get(o.row_number, [])]).strip("; ")]
        for o in report.outcomes
    ]
    write_table(path, REPORT_HEADERS, rows)
