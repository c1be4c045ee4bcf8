"""``edugate domains list|add|remove``: hosted domains and their aliases."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from edugate.audit.context import Origin, acting_from
from edugate.core.console import (
    actor_from_email,
    add_actor_argument,
    command_error,
    dumps,
    unit_by_code,
)
from edugate.directory import actions
from edugate.directory.actions import actor_scope
from edugate.directory.domain_names import normalize_domain
from edugate.directory.models import Domain


class Command(BaseCommand):
    help = "List, add or remove hosted domains."

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(dest="subcommand", required=True,
                                           metavar="{list,add,remove}")
        lister = subparsers.add_parser("list", help="List domains.")
        lister.add_argument("--json", action="store_true", help="print JSON")
        adder = subparsers.add_parser("add", help="Add a domain to a unit.")
        adder.add_argument("name")
        adder.add_argument("--unit", metavar="CODE", required=True)
        adder.add_argument("--alias-of", metavar="DOMAIN",
                           help="mail to this domain reaches the same address at DOMAIN")
        adder.add_argument("--policy", default="", metavar="POLICY",
                           help="how staff addresses are made from names: given_initials "
                                "(annv, the default), given.family_middle (an.nguyenvan), "
                                "full (nguyenvanan)")
        remover = subparsers.add_parser("remove", help="Remove a domain.")
        remover.add_argument("name")
        for sub in (lister, adder, remover):
            add_actor_argument(sub)

    def handle(self, *args: Any, **options: Any) -> None:
        actor = actor_from_email(options["as_email"])
        scope = actor_scope(actor)
        domains = Domain.objects.filter(scope.units_q("unit__")).select_related("unit", "alias_of")
        try:
            with acting_from(Origin("cli")):
                if options["subcommand"] == "list":
                    self._list(domains, json=options["json"])
                elif options["subcommand"] == "add":
                    alias_of = self._find(domains, options["alias_of"]) if options["alias_of"] \
                        else None
                    domain = actions.add_domain(
                        actor=actor, unit=unit_by_code(options["unit"], within=scope),
                        name=options["name"], alias_of=alias_of,
                        address_policy=options["policy"],
                    )
                    self.stdout.write(_("Added %(name)s.") % {"name": domain.display_name})
                else:
                    domain = self._find(domains, options["name"])
                    actions.delete_domain(actor=actor, domain=domain)
                    self.stdout.write(_("Removed %(name)s.") % {"name": domain.display_name})
        except (ValidationError, PermissionDenied) as error:
            raise command_error(error) from None

    @staticmethod
    def _find(domains: Any, name: str) -> Domain:
        domain: Domain | None = domains.filter(name=normalize_domain(name)).first()
        if domain is None:
            raise CommandError(_("No domain %(name)s within your units.") % {"name": name})
        return domain

    def _list(self, domains: Any, *, json: bool) -> None:
        rows = [
            {"name": d.name, "display_name": d.display_name, "unit": d.unit.code,
             "alias_of": d.alias_of.name if d.alias_of else None,
             "address_policy": d.address_policy or None}
            for d in domains
        ]
        if json:
            self.stdout.write(dumps(rows))
            return
        for row in rows:
            alias = f"  → {row['alias_of']}" if row["alias_of"] else ""
            self.stdout.write(f"{row['display_name']:<45} {row['unit']:<14}{alias}")
