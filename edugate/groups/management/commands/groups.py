"""``edugate groups``: list groups, resolve a group's members, create the Circular 37 presets,
moderate held messages, expire old ones, and run the group service (``serve``).

Acting commands take ``--as EMAIL`` (that administrator's scope, audited in their name).
"""

from __future__ import annotations

import logging
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
from edugate.directory.actions import actor_scope
from edugate.directory.models import Domain
from edugate.groups import endpoints, membership, moderation, presets
from edugate.groups.models import EmailGroup, HeldMessage, HeldState
from edugate.groups.service import GroupService


class Command(BaseCommand):
    help = "Manage email groups and run the group service."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(
            dest="subcommand", required=True,
            metavar="{list,members,preset,held,approve,reject,expire,serve}")
        lister = sub.add_parser("list", help="List groups.")
        lister.add_argument("--json", action="store_true")
        members = sub.add_parser("members", help="Resolve a group's members now.")
        members.add_argument("address")
        members.add_argument("--json", action="store_true")
        preset = sub.add_parser("preset", help="Create the Circular 37 groups.")
        preset.add_argument("kind", choices=["ministry", "department"])
        preset.add_argument("--unit", metavar="CODE",
                            help="the owner (default: the only ministry or department)")
        preset.add_argument("--domain", help="the groups' domain (default: the unit's own)")
        held = sub.add_parser("held", help="List held messages.")
        held.add_argument("--json", action="store_true")
        approve = sub.add_parser("approve", help="Send a held message to its group.")
        approve.add_argument("id", type=int)
        reject = sub.add_parser("reject", help="Refuse a held message, telling its sender.")
        reject.add_argument("id", type=int)
        reject.add_argument("--reason", required=True)
        sub.add_parser("expire", help="Expire held messages past their date.")
        sub.add_parser("serve", help="Run the group service (LMTP processor + policy) "
                                     "in the foreground.")
        for item in (lister, members, preset, held, approve, reject):
            add_actor_argument(item)

    def handle(self, *args: Any, **options: Any) -> None:
        command = options["subcommand"]
        if command == "serve":
            logging.basicConfig(level=logging.INFO,
                                format="%(asctime)s %(name)s %(levelname)s %(message)s")
            GroupService(endpoints.current()).serve_forever()
            return
        if command == "expire":
            count = moderation.expire_due(endpoints=endpoints.current())
            self.stdout.write(_("%(count)d held messages expired.") % {"count": count})
            return
        actor = actor_from_email(options.get("as_email"))
        try:
            with acting_from(Origin(source="console")):
                getattr(self, f"_{command}")(actor, options)
        except (ValidationError, PermissionDenied) as error:
            raise command_error(error) from error
        except moderation.ModerationError as error:
            raise CommandError(str(error)) from error

    def _visible(self, actor: Any) -> Any:
        scope = actor_scope(actor)
        groups = EmailGroup.objects.select_related("owner_unit", "domain")
        return groups if scope.everything else groups.filter(scope.units_q("owner_unit__"))

    def _group(self, actor: Any, address: str) -> EmailGroup:
        group = self._visible(actor).filter(address=address.strip().lower()).first()
        if group is None:
            raise CommandError(_("No group %(address)s.") % {"address": address})
        return group

    def _list(self, actor: Any, options: dict[str, Any]) -> None:
        rows = [{"address": group.address, "name": group.name,
                 "owner_unit": group.owner_unit.code, "posting_policy": group.posting_policy,
                 "others": group.others_action, "active": group.is_active,
                 "members": len(membership.resolve(group))}
                for group in self._visible(actor)]
        if options["json"]:
            self.stdout.write(dumps(rows))
            return
        for row in rows:
            self.stdout.write(f"{row['address']}\t{row['members']}\t{row['name']}")

    def _members(self, actor: Any, options: dict[str, Any]) -> None:
        group = self._group(actor, options["address"])
        resolution = membership.resolve(group)
        if options["json"]:
            self.stdout.write(dumps({
                "group": group.address, "count": len(resolution),
                "members": [{"address": address, "why": why}
                            for address, why in resolution.members.items()]}))
            return
        for address in resolution.addresses:
            self.stdout.write(address)

    def _preset(self, actor: Any, options: dict[str, Any]) -> None:
        kind = options["kind"]
        scope = actor_scope(actor)
        if options.get("unit"):
            owner = unit_by_code(options["unit"], within=scope)
        else:
            from edugate.directory.models import Unit

            candidates = list(Unit.objects.active().filter(kind=kind)[:2])
            if len(candidates) != 1:
                raise CommandError(_("Say which unit owns the groups: --unit CODE."))
            owner = candidates[0]
        domain = (Domain.objects.filter(name=options["domain"]).first() if options.get("domain")
                  else presets.primary_domain_of(owner))
        if domain is None:
            raise CommandError(_("%(unit)s has no mail domain: add one, or give --domain.") % {
                "unit": owner.name})
        chosen = presets.department_presets() if kind == "department" \
            else presets.ministry_presets()
        for group, created in presets.apply(actor=actor, owner=owner, domain=domain,
                                            presets=chosen):
            state = _("created") if created else _("already there")
            self.stdout.write(f"{group.address}\t{state}\t{group.name}")

    def _held(self, actor: Any, options: dict[str, Any]) -> None:
        groups = self._visible(actor)
        rows = [{"id": held.pk, "group": held.group.address, "sender": held.sender,
                 "subject": held.subject, "reason": held.reason,
                 "received_at": held.received_at.isoformat(),
                 "expires_at": held.expires_at.isoformat()}
                for held in HeldMessage.objects.filter(state=HeldState.HELD, group__in=groups)
                .select_related("group")]
        if options["json"]:
            self.stdout.write(dumps(rows))
            return
        for row in rows:
            self.stdout.write(f"{row['id']}\t{row['group']}\t{row['sender']}\t{row['subject']}")

    def _held_message(self, actor: Any, pk: int) -> HeldMessage:
        held = HeldMessage.objects.filter(pk=pk, group__in=self._visible(actor)).first()
        if held is None:
            raise CommandError(_("No held message %(id)s.") % {"id": pk})
        return held

    def _approve(self, actor: Any, options: dict[str, Any]) -> None:
        held = self._held_message(actor, options["id"])
        sent = moderation.approve(held=held, actor=actor, endpoints=endpoints.current())
        self.stdout.write(_("Sent to %(count)d members.") % {"count": sent.accepted})

    def _reject(self, actor: Any, options: dict[str, Any]) -> None:
        held = self._held_message(actor, options["id"])
        moderation.reject(held=held, actor=actor, reason=options["reason"],
                          endpoints=endpoints.current())
        self.stdout.write(_("Rejected; the sender has been told."))
