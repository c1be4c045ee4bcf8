"""``edugate units import|export|list``: the unit tree from and to spreadsheets, on the console.

``--as EMAIL`` acts on behalf of that user: their scope limits what is listed and exported, and
every change is checked against their roles and audited under their name. Without it the
platform itself acts (everything is allowed).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from edugate.accounts.models import User
from edugate.audit.context import Origin, acting_from
from edugate.core.console import actor_from_email, add_actor_argument, command_error, unit_by_code
from edugate.core.tabular import TabularError
from edugate.directory import actions
from edugate.directory.actions import actor_scope
from edugate.directory.models import Unit
from edugate.directory.unit_io import ImportReport, export_units, import_units, unit_listing


class Command(BaseCommand):
    help = "Import, export or list the unit tree (.xlsx or .csv)."

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(
            dest="subcommand", required=True, title="subcommands",
            metavar="{import,export,list,move,merge,dissolve}",
        )
        importer = subparsers.add_parser(
            "import", help="Create, change and move units from a spreadsheet."
        )
        importer.add_argument("file", help="an .xlsx or .csv file")
        importer.add_argument(
            "--dry-run", action="store_true",
            help="check everything and report, but write nothing",
        )
        importer.add_argument("--json", action="store_true", help="print the report as JSON")
        exporter = subparsers.add_parser("export", help="Write the unit tree to a spreadsheet.")
        exporter.add_argument("file", help="where to write: a .xlsx or .csv file")
        exporter.add_argument("--under", metavar="CODE", help="only this unit and those below")
        lister = subparsers.add_parser("list", help="Print the unit tree.")
        lister.add_argument("--under", metavar="CODE", help="only this unit and those below")
        lister.add_argument("--json", action="store_true", help="print JSON")
        mover = subparsers.add_parser("move", help="Move a unit (and its subtree) elsewhere.")
        mover.add_argument("code")
        mover.add_argument("--to", metavar="PARENT_CODE", required=True)
        merger = subparsers.add_parser(
            "merge", help="Merge units into another; they stay in the tree as history."
        )
        merger.add_argument("codes", nargs="+", metavar="CODE")
        merger.add_argument("--into", metavar="CODE", required=True)
        merger.add_argument("--on", metavar="YYYY-MM-DD", help="default: today")
        dissolver = subparsers.add_parser("dissolve", help="Dissolve a unit (kept as history).")
        dissolver.add_argument("code")
        dissolver.add_argument("--on", metavar="YYYY-MM-DD", help="default: today")
        for sub in (importer, exporter, lister, mover, merger, dissolver):
            add_actor_argument(sub)

    def handle(self, *args: Any, **options: Any) -> None:
        actor = actor_from_email(options.get("as_email"))
        with acting_from(Origin("cli")):
            if options["subcommand"] == "import":
                self._import(options, actor)
            elif options["subcommand"] == "export":
                self._export(options, actor)
            elif options["subcommand"] == "list":
                self._list(options, actor)
            else:
                try:
                    self._change(options, actor)
                except (ValidationError, PermissionDenied) as error:
                    raise command_error(error) from None

    def _change(self, options: dict[str, Any], actor: User | None) -> None:
        scope = actor_scope(actor)
        day = parse_date(options.get("on") or "") or timezone.localdate()
        if options["subcommand"] == "move":
            unit = actions.move_unit(
                actor=actor, unit=unit_by_code(options["code"], within=scope),
                new_parent=unit_by_code(options["to"], within=scope),
            )
            path = " / ".join(u.code for u in [*unit.ancestors(), unit])
            self.stdout.write(_("Moved: %(path)s") % {"path": path})
        elif options["subcommand"] == "merge":
            target = actions.merge_units(
                actor=actor, sources=[unit_by_code(c, within=scope) for c in options["codes"]],
                target=unit_by_code(options["into"], within=scope), on=day,
            )
            self.stdout.write(_("Merged into %(name)s.") % {"name": target.name})
        else:
            unit = actions.dissolve_unit(
                actor=actor, unit=unit_by_code(options["code"], within=scope), on=day
            )
            self.stdout.write(_("Dissolved %(name)s.") % {"name": unit.name})

    @staticmethod
    def _under(code: str | None) -> Unit | None:
        if not code:
            return None
        try:
            unit: Unit = Unit.objects.get(code=code)
        except Unit.DoesNotExist:
            raise CommandError(_("No unit has the code %(code)s.") % {"code": code}) from None
        return unit

    def _import(self, options: dict[str, Any], actor: User | None) -> None:
        try:
            report = import_units(options["file"], actor=actor, dry_run=options["dry_run"])
        except (OSError, TabularError) as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        else:
            for row_error in report.errors:
                self.stderr.write(str(row_error))
            self.stdout.write(self._summary(report))
        if report.errors:
            raise CommandError(
                _("%(count)d row(s) rejected.") % {"count": len(report.rejected_rows)},
                returncode=1,
            )

    @staticmethod
    def _summary(report: ImportReport) -> str:
        summary = _(
            "%(rows)d rows: %(created)d created, %(updated)d updated, %(moved)d moved, "
            "%(unchanged)d unchanged, %(rejected)d rejected."
        ) % {
            "rows": report.rows, "created": report.created, "updated": report.updated,
            "moved": report.moved, "unchanged": report.unchanged,
            "rejected": len(report.rejected_rows),
        }
        if report.dry_run:
            summary += " " + _("Dry run: nothing was written.")
        return summary

    def _export(self, options: dict[str, Any], actor: User | None) -> None:
        try:
            count = export_units(
                actor_scope(actor), options["file"], under=self._under(options["under"])
            )
        except (OSError, TabularError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(_("%(count)d units written to %(file)s.")
                          % {"count": count, "file": options["file"]})

    def _list(self, options: dict[str, Any], actor: User | None) -> None:
        listing = unit_listing(actor_scope(actor), under=self._under(options["under"]))
        if options["json"]:
            data = [entry.as_dict() for entry in listing]
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        for entry in listing:
            unit = entry.unit
            line = f"{'    ' * entry.indent}{unit.code}  {unit.name}  [{unit.display_kind}]"
            if not unit.is_active:
                line += f" ({unit.get_status_display()})"
            self.stdout.write(line)
