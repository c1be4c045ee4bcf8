"""``edugate roles list|grant|revoke``: who may do what, where."""

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
from edugate.directory.models import RoleAssignment, RoleKind
from edugate.directory.permissions import people_in_scope


class Command(BaseCommand):
    help = "List, grant or revoke roles."

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(dest="subcommand", required=True,
                                           metavar="{list,grant,revoke}")
        lister = subparsers.add_parser("list", help="List roles.")
        lister.add_argument("--unit", metavar="CODE", help="only roles at this unit")
        lister.add_argument("--json", action="store_true", help="print JSON")
        granter = subparsers.add_parser("grant", help="Give a person a role at a unit.")
        granter.add_argument("--person", type=int, required=True, metavar="ID",
                             help="the person's id (see `edugate people list`)")
        granter.add_argument("--unit", metavar="CODE", required=True)
        granter.add_argument("--kind", choices=RoleKind.values, required=True)
        granter.add_argument("--subtree", action="store_true",
                             help="the role also covers every unit below")
        revoker = subparsers.add_parser("revoke", help="Take a role back.")
        revoker.add_argument("id", type=int, help="the role's id (see `edugate roles list`)")
        for sub in (lister, granter, revoker):
            add_actor_argument(sub)

    def handle(self, *args: Any, **options: Any) -> None:
        actor = actor_from_email(options["as_email"])
        scope = actor_scope(actor)
        roles = RoleAssignment.objects.filter(scope.units_q("unit__")).select_related(
            "unit", "person")
        try:
            with acting_from(Origin("cli")):
                if options["subcommand"] == "list":
                    if options["unit"]:
                        roles = roles.filter(unit=unit_by_code(options["unit"], within=scope))
                    self._list(roles, json=options["json"])
                elif options["subcommand"] == "grant":
                    person = people_in_scope(scope).filter(pk=options["person"]).first()
                    if person is None:
                        raise CommandError(_("No person %(id)s within your units.")
                                           % {"id": options["person"]})
                    role = actions.grant_role(
                        actor=actor, person=person,
                        unit=unit_by_code(options["unit"], within=scope),
                        kind=options["kind"], include_subtree=options["subtree"],
                    )
                    self.stdout.write(str(role))
                else:
                    found: RoleAssignment | None = roles.filter(pk=options["id"]).first()
                    if found is None:
                        raise CommandError(_("No role %(id)s within your units.")
                                           % {"id": options["id"]})
                    actions.revoke_role(actor=actor, role=found)
                    self.stdout.write(_("Revoked: %(role)s") % {"role": found})
        except (ValidationError, PermissionDenied) as error:
            raise command_error(error) from None

    def _list(self, roles: Any, *, json: bool) -> None:
        rows = [
            {"id": r.pk, "person_id": r.person_id, "person": r.person.full_name,
             "unit": r.unit.code, "kind": r.kind, "include_subtree": r.include_subtree}
            for r in roles
        ]
        if json:
            self.stdout.write(dumps(rows))
            return
        for row in rows:
            subtree = " +" if row["include_subtree"] else ""
            self.stdout.write(f"{row['id']:>6}  {row['kind']:<16} {row['unit']:<14}{subtree:<3}"
                              f"{row['person']}")
