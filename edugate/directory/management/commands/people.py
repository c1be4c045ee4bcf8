"""``edugate people list``: the staff of a unit (and its subtree), within the actor's scope."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Prefetch

from edugate.core.console import actor_from_email, add_actor_argument, dumps, unit_by_code
from edugate.directory.actions import actor_scope
from edugate.directory.models import Membership
from edugate.directory.models.units import subtree_q
from edugate.directory.permissions import people_in_scope


class Command(BaseCommand):
    help = "List people, optionally of one unit (and the units below it)."

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(dest="subcommand", required=True, metavar="{list}")
        lister = subparsers.add_parser("list", help="List people.")
        lister.add_argument("--unit", metavar="CODE", help="only people working at this unit")
        lister.add_argument("--subtree", action="store_true",
                            help="with --unit: also the units below it")
        lister.add_argument("--json", action="store_true", help="print JSON")
        add_actor_argument(lister)

    def handle(self, *args: Any, **options: Any) -> None:
        scope = actor_scope(actor_from_email(options["as_email"]))
        people = people_in_scope(scope)
        if options["unit"]:
            unit = unit_by_code(options["unit"], within=scope)
            if options["subtree"]:
                people = people.filter(subtree_q(unit.path, prefix="memberships__unit__"))
            else:
                people = people.filter(memberships__unit=unit)
            people = people.distinct()
        visible = Membership.objects.filter(scope.units_q("unit__")).select_related("unit")
        people = people.prefetch_related(Prefetch("memberships", queryset=visible))
        rows: list[dict[str, Any]] = [
            {
                "id": person.pk, "full_name": person.full_name, "position": person.position,
                "date_of_birth": person.date_of_birth, "gender": person.gender,
                "phone": person.phone, "personal_email": person.personal_email,
                "status": person.status,
                "units": [{"code": m.unit.code, "position": m.position, "primary": m.is_primary}
                          for m in person.memberships.all()],
            }
            for person in people.order_by("given_name", "family_name", "id")
        ]
        if options["json"]:
            self.stdout.write(dumps(rows))
            return
        for row in rows:
            units = ", ".join(u["code"] for u in row["units"])
            self.stdout.write(f"{row['id']:>7}  {row['full_name']:<32} {row['position']:<24} "
                              f"{units}")
