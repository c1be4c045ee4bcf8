"""``edugate staff import``: a school's staff list becomes people and pending mailboxes."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from edugate.audit.context import Origin, acting_from
from edugate.core.console import actor_from_email, add_actor_argument, dumps, unit_by_code
from edugate.core.tabular import TabularError
from edugate.directory.actions import actor_scope
from edugate.mail.addressing import AddressPolicy
from edugate.mail.provisioning import (
    REPORT_HEADERS,
    REPORT_STATUS_LABELS,
    ProgressCallback,
    StaffImportReport,
    import_staff,
    write_report,
)

STATUS_LABELS = REPORT_STATUS_LABELS  # the names this module used to define
__all__ = ["REPORT_HEADERS", "STATUS_LABELS", "Command", "summary", "write_report"]


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
                              help="how addresses are made from names (default: each "
                                   "domain's own policy)")
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
                                      policy=(AddressPolicy(options["policy"])
                                              if options["policy"] else None),
                                      progress=self._progress(options))
        except (OSError, TabularError) as error:
            raise CommandError(str(error)) from error
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        finally:
            self._end_progress()
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

    _progress_shown = False

    def _progress(self, options: dict[str, Any]) -> ProgressCallback | None:
        """A one-line counter on a terminal (not with --json, not in a pipe or a log)."""
        if options["json"] or not self.stderr.isatty():
            return None

        def show(done: int, total: int) -> None:
            percent = done * 100 // total if total else 100
            self.stderr.write("\r" + _("%(done)d of %(total)d rows (%(percent)d%%)") % {
                "done": done, "total": total, "percent": percent}, ending="")
            self.stderr.flush()
            self._progress_shown = True

        return show

    def _end_progress(self) -> None:
        if self._progress_shown:
            self.stderr.write("")  # end the counter's line
            self._progress_shown = False


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
