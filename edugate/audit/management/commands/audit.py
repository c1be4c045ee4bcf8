"""``edugate audit list``: the audit log, newest first, within the actor's scope."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.dateparse import parse_date

from edugate.audit.models import AuditEvent
from edugate.core.console import actor_from_email, add_actor_argument, dumps, unit_by_code
from edugate.directory.actions import actor_scope
from edugate.directory.models.units import subtree_q


class Command(BaseCommand):
    help = "Show the audit log."

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(dest="subcommand", required=True, metavar="{list}")
        lister = subparsers.add_parser("list", help="List audit events, newest first.")
        lister.add_argument("--unit", metavar="CODE", help="events about this unit and below")
        lister.add_argument("--action", help="e.g. unit.update, or a prefix such as role.")
        lister.add_argument("--since", metavar="YYYY-MM-DD")
        lister.add_argument("--limit", type=int, default=100)
        lister.add_argument("--json", action="store_true", help="print JSON")
        add_actor_argument(lister)

    def handle(self, *args: Any, **options: Any) -> None:
        scope = actor_scope(actor_from_email(options["as_email"]))
        events = AuditEvent.objects.select_related("unit")
        if not scope.everything:
            events = events.filter(scope.units_q("unit__"), unit__isnull=False)
        if options["unit"]:
            unit = unit_by_code(options["unit"], within=scope)
            events = events.filter(subtree_q(unit.path, prefix="unit__"))
        if options["action"]:
            events = events.filter(action__startswith=options["action"])
        if options["since"] and (since := parse_date(options["since"])):
            events = events.filter(at__date__gte=since)
        rows = [
            {"at": e.at, "actor": e.actor_label, "source": e.source, "ip": e.ip,
             "action": e.action, "object": e.object_repr, "object_type": e.object_type,
             "object_id": e.object_id, "unit": e.unit.code if e.unit else None,
             "changes": e.changes}
            for e in events[: options["limit"]]
        ]
        if options["json"]:
            self.stdout.write(dumps(rows))
            return
        for row in rows:
            self.stdout.write(f"{row['at']:%Y-%m-%d %H:%M:%S}  {row['actor']:<28} "
                              f"{row['action']:<18} {row['object']}")
