"""``edugate portals list|provision|demo``: the units' portals on the console.

``--as EMAIL`` acts on behalf of that user: ``list`` shows the portals of the units their roles
cover (administrator, contact officer, head, editor), ``provision`` only units they administer.
Without it the platform itself acts.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from edugate.audit.context import Origin, acting_from
from edugate.core.console import actor_from_email, add_actor_argument, dumps, unit_by_code
from edugate.directory.actions import actor_scope
from edugate.directory.models import Unit
from edugate.portal import provisioning
from edugate.portal.sections import PORTAL_KINDS
from edugate.portal.selectors import portal_scope


class Command(BaseCommand):
    help = "List and provision the units' portals."

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(dest="subcommand", required=True,
                                           metavar="{list,provision,demo}")
        lister = subparsers.add_parser("list", help="Each unit's portal hostname and URL.")
        lister.add_argument("--json", action="store_true", help="print JSON")
        provisioner = subparsers.add_parser(
            "provision", help="Create (or repair) the portals of departments, offices and "
                              "institutions.")
        provisioner.add_argument("--missing", action="store_true",
                                 help="only units that have no portal yet")
        provisioner.add_argument("--unit", metavar="CODE", help="only this unit")
        demo = subparsers.add_parser(
            "demo", help="Provision the demo province's portals and add sample content.")
        demo.add_argument("--json", action="store_true", help="print the report as JSON")
        for sub in (lister, provisioner, demo):
            add_actor_argument(sub)

    def handle(self, *args: Any, **options: Any) -> None:
        actor = actor_from_email(options.get("as_email"))
        with acting_from(Origin("cli")):
            if options["subcommand"] == "list":
                self._list(actor, as_json=options["json"])
            elif options["subcommand"] == "provision":
                self._provision(actor, missing=options["missing"], code=options["unit"])
            else:
                self._demo(actor, as_json=options["json"])

    def _list(self, actor: Any, *, as_json: bool) -> None:
        scope = portal_scope(actor)
        units = (Unit.objects.filter(scope.units_q(), kind__in=PORTAL_KINDS)
                 .select_related("portal__site").order_by("path"))
        rows = []
        for unit in units:
            portal = getattr(unit, "portal", None)
            site = portal.site if portal is not None else None
            rows.append({
                "code": unit.code, "name": unit.name, "kind": unit.kind,
                "status": unit.status,
                "hostname": site.hostname if site else None,
                "port": site.port if site else None,
                "url": f"{site.root_url}/" if site else None,
            })
        if as_json:
            self.stdout.write(dumps(rows))
            return
        if not rows:
            self.stdout.write(_("No portals within your units."))
        for row in rows:
            self.stdout.write(f"{row['code']:<20} {row['url'] or '-':<50} {row['name']}")

    def _provision(self, actor: Any, *, missing: bool, code: str | None) -> None:
        scope = actor_scope(actor)
        if actor is not None and scope.is_empty:
            raise CommandError(str(PermissionDenied(_("You administer no units."))))
        if code:
            units = [unit_by_code(code, within=scope)]
        elif missing:
            units = list(provisioning.units_missing_portals(scope.units_q()))
        else:
            units = list(Unit.objects.filter(scope.units_q(), kind__in=PORTAL_KINDS,
                                             status="active"))
        started = time.perf_counter()
        done = 0
        for number, unit in enumerate(units, 1):
            if provisioning.provision_portal(unit) is not None:
                done += 1
            if number % 100 == 0:
                self.stdout.write(_("%(done)d of %(total)d units…")
                                  % {"done": number, "total": len(units)})
        self.stdout.write(_("Provisioned %(count)d portal(s) in %(seconds).1f s.")
                          % {"count": done, "seconds": time.perf_counter() - started})

    def _demo(self, actor: Any, *, as_json: bool) -> None:
        from edugate.portal.demo import load_portal_demo

        if actor is not None and not actor.is_superuser:
            raise CommandError(_("Only the platform loads the demo."))
        report = load_portal_demo()
        if as_json:
            self.stdout.write(dumps(report))
        else:
            self.stdout.write(_("Portals: %(portals)d; news items: %(news)d; documents: "
                                "%(documents)d.") % report)
            for url in report["urls"]:
                self.stdout.write(f"  {url}")
