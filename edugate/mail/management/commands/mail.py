"""``edugate mail``: the mail plane (Postfix, Dovecot, Rspamd) driven by edugate's database.

- ``up``: start the private instance under ``var/mail`` on loopback high ports (root needed).
- ``down``: stop it.
- ``status [--json]``: each listener's name, protocol, host, port and whether it answers.
- ``render --target DIR``: write the production configuration (standard ports) to install.
- ``db-role``: create or update the PostgreSQL role the daemons use (SELECT on the views).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from edugate.mail.plane import dbrole, instance, render
from edugate.mail.plane.config import Database, local_config, production_config


class Command(BaseCommand):
    help = "Run, inspect or render the mail plane (Postfix, Dovecot, Rspamd)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True,
                                    metavar="{up,down,status,render,db-role}")
        sub.add_parser("up", help=_("Start the private instance and wait until it answers."))
        sub.add_parser("down", help=_("Stop the private instance."))
        status = sub.add_parser("status", help=_("Show whether each listener answers."))
        status.add_argument("--json", action="store_true", help=_("Print JSON."))
        target = sub.add_parser("render", help=_("Write the production configuration."))
        target.add_argument("--target", required=True, type=Path,
                            help=_("Folder to write postfix/, dovecot/ and rspamd/ into."))
        target.add_argument("--hostname", default=settings.MAIL_HOSTNAME or "mail.example.vn",
                            help=_("The MX host name (EDUGATE_MAIL_HOSTNAME)."))
        target.add_argument("--cert", default="/etc/ssl/edugate/fullchain.pem",
                            help=_("TLS certificate chain (PEM)."))
        target.add_argument("--key", default="/etc/ssl/edugate/privkey.pem",
                            help=_("TLS private key (PEM)."))
        target.add_argument("--relayhost", default=settings.MAIL_PLANE["RELAYHOST"],
                            help=_("Outbound relay, e.g. [smtp.example.vn]:587; empty: direct."))
        target.add_argument("--vmail-uid", type=int, default=5000,
                            help=_("The uid of the vmail user on the server."))
        target.add_argument("--dkim-dir", default=str(settings.MAIL_DKIM_DIR),
                            help=_("Where the DKIM keys and selectors.map are."))
        sub.add_parser("db-role", help=_("Create or update the PostgreSQL role of the daemons."))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, "_" + options["subcommand"].replace("-", "_"))(options)
        except (instance.PlaneError, dbrole.RoleError) as error:
            raise CommandError(str(error)) from error

    def _up(self, options: dict[str, Any]) -> None:
        self._ensure_role_password()
        config = local_config()
        seconds = instance.up(config)
        self.stdout.write(_("The mail plane is up in %(seconds).1f s.") % {"seconds": seconds})
        self._print_status(config, as_json=False)

    def _down(self, options: dict[str, Any]) -> None:
        instance.down(local_config())
        self.stdout.write(_("The mail plane is stopped."))

    def _status(self, options: dict[str, Any]) -> None:
        self._print_status(local_config(), as_json=options["json"])

    def _print_status(self, config: Any, *, as_json: bool) -> None:
        rows = instance.status(config)
        if as_json:
            self.stdout.write(json.dumps([asdict(row) for row in rows], indent=2))
            return
        for row in rows:
            state = _("answers") if row.answers else _("does not answer")
            self.stdout.write(f"{row.name:<18} {row.protocol:<15} {row.host}:{row.port:<6} "
                              f"{state}")

    def _render(self, options: dict[str, Any]) -> None:
        plane = settings.MAIL_PLANE
        db = Database.from_connection(role=plane["DB_ROLE"],
                                      role_password=plane["DB_ROLE_PASSWORD"])
        config = production_config(
            hostname=options["hostname"], tls_cert=options["cert"], tls_key=options["key"],
            db=db, relayhost=options["relayhost"], vmail_uid=options["vmail_uid"],
            dkim_dir=options["dkim_dir"],
        )
        written = render.write_files(render.render_files(config), options["target"])
        for path in written:
            self.stdout.write(str(path))
        if db.vendor == "postgresql" and not db.password:
            self.stderr.write(_("No password for the role %(role)s: set "
                                "EDUGATE_MAIL_DB_ROLE_PASSWORD and render again.")
                              % {"role": db.user})

    def _db_role(self, options: dict[str, Any]) -> None:
        from django.db import connection

        if connection.vendor != "postgresql":
            self.stdout.write(_("SQLite: the daemons read the database file; no role needed."))
            return
        role = settings.MAIL_PLANE["DB_ROLE"]
        dbrole.ensure_role(role, self._ensure_role_password())
        self.stdout.write(_("The role %(role)s may read the mail plane's views.")
                          % {"role": role})

    def _ensure_role_password(self) -> str:
        from django.db import connection

        if connection.vendor != "postgresql":
            return ""
        root = Path(settings.MAIL_PLANE["ROOT"])
        return dbrole.role_password(root / "db-role-password",
                                    settings.MAIL_PLANE["DB_ROLE_PASSWORD"])
