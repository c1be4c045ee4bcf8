"""``edugate demo``: load the fictional province of Minh Hải into an empty database.

``--if-empty`` makes it safe to run on every start (``make run``): a database that already has
units is left alone and the demo logins written at the first load are shown again.
"""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from edugate.audit.context import Origin, acting_from
from edugate.directory.demo import (
    SIZES,
    DemoError,
    LoadReport,
    build_province,
    credentials_path,
    format_credentials,
    load_province,
)
from edugate.directory.models import Unit


class Command(BaseCommand):
    # Marked here, translated when the parser is made (argparse cannot take lazy strings).
    help = gettext_noop(
        "Load the demo province (Sở GD&ĐT tỉnh Minh Hải) with its units, staff, roles, "
        "domains and demo logins into an empty database."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.description = _(self.help)
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--size", choices=SIZES, default="small",
            help=_("small: 3 communes, about 15 institutions (default); "
                              "province: about 2,000 institutions and 60,000 staff"),
        )
        parser.add_argument(
            "--seed", type=int, default=1,
            help=_("the same seed always gives the same province (default 1)"),
        )
        parser.add_argument(
            "--if-empty", action="store_true",
            help=_("do nothing if the database already has units"),
        )
        parser.add_argument(
            "--json", action="store_true", help=_("print the report as JSON")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if Unit.objects.exists():
            if not options["if_empty"]:
                raise CommandError(_(
                    "The database already has units; the demo only loads into an empty "
                    "database. Use --if-empty to skip loading instead."
                ))
            self._already_loaded(as_json=options["json"])
            return
        started = time.perf_counter()
        province = build_province(options["size"], options["seed"])
        built = time.perf_counter() - started
        try:
            with acting_from(Origin("cli")):
                report = load_province(province)
        except DemoError as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            data = {"loaded": True, "build_seconds": round(built, 3), **report.as_dict()}
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            self._print_report(report, built)

    def _already_loaded(self, *, as_json: bool) -> None:
        path = credentials_path()
        contents = path.read_text(encoding="utf-8") if path.exists() else None
        if as_json:
            self.stdout.write(json.dumps(
                {"loaded": False, "credentials_path": str(path), "credentials_file": contents},
                ensure_ascii=False, indent=2,
            ))
            return
        self.stdout.write(_("The database already has data; the demo was not loaded."))
        if contents is None:
            self.stdout.write(_("No demo credentials file at %(path)s.") % {"path": path})
            return
        self.stdout.write(_("Demo logins (from %(path)s):") % {"path": path})
        self.stdout.write(contents)

    def _print_report(self, report: LoadReport, built: float) -> None:
        rows = (
            (_("Units"), report.units),
            (_("Institutions"), report.institutions),
            (_("People"), report.people),
            (_("Roles"), report.roles),
            (_("Domains"), report.domains),
            (_("Mailboxes"), report.mailboxes),
        )
        self.stdout.write(self.style.SUCCESS(
            _("Loaded the demo province (size %(size)s, seed %(seed)s).")
            % {"size": report.size, "seed": report.seed}
        ))
        width = max(len(label) for label, _count in rows)
        for label, count in rows:
            self.stdout.write(f"  {label.ljust(width)}  {count:>7,}")
        self.stdout.write(
            _("Built in %(built).2f s, loaded in %(loaded).2f s.")
            % {"built": built, "loaded": report.seconds}
        )
        self.stdout.write("")
        self.stdout.write(_("Demo logins (also in %(path)s, readable by you only):")
                          % {"path": report.credentials_path})
        self.stdout.write(format_credentials(report.credentials))
