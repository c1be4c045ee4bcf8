"""``edugate dns records|check DOMAIN``: what a hosted domain must publish, and whether it does.

``records`` prints zone-file lines (``--json`` for programs); ``check`` asks DNS (the resolver in
``EDUGATE_DNS_RESOLVER``, else the system's) and says, record by record, what is missing or
different and why it matters. Both look the domain up within the ``--as`` user's units.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from edugate.core.console import actor_from_email, add_actor_argument, dumps
from edugate.mail import dns_check
from edugate.mail.dns_records import OK, zone_text
from edugate.mail.management.commands.dkim import find_domain

STATUS_LABELS = {"ok": "OK", "missing": "MISSING", "different": "DIFFERENT", "error": "ERROR"}


class Command(BaseCommand):
    help = "Show the DNS records a domain needs, or check them against DNS."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{records,check}")
        records = sub.add_parser("records", help="Print the records to publish.")
        check = sub.add_parser("check", help="Compare the records with what DNS answers.")
        for p in (records, check):
            p.add_argument("domain")
            p.add_argument("--json", action="store_true", help="print JSON")
            add_actor_argument(p)

    def handle(self, *args: Any, **options: Any) -> None:
        actor = actor_from_email(options.get("as_email"))
        domain = find_domain(options["domain"], actor)
        if options["subcommand"] == "records":
            records = dns_check.records_for_domain(domain)
            if options["json"]:
                self.stdout.write(dumps([r.as_dict() for r in records]))
            else:
                self.stdout.write(zone_text(domain.name, records), ending="")
            return
        findings = dns_check.check_domain(domain)
        if options["json"]:
            self.stdout.write(dumps([f.as_dict() for f in findings]))
        else:
            for finding in findings:
                record = finding.record
                self.stdout.write(f"{STATUS_LABELS[finding.status]:<9} {record.rtype:<5} "
                                  f"{record.name}")
                if finding.status != OK:
                    self.stdout.write(f"          {finding.explanation}")
        bad = sum(f.status != OK for f in findings)
        if bad:
            raise CommandError(_("%(count)d of %(total)d records need attention.")
                               % {"count": bad, "total": len(findings)})
