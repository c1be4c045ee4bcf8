"""``edugate mailboxes``: list, export, create, issue codes, print activation slips, activate,
suspend, reactivate, close; aliases, delegates, handovers; ``close-due``, the daily closing of
leavers' mailboxes whose grace period has ended.

Acting commands take ``--as EMAIL`` (that administrator's scope, audited in their name);
``activate --password-stdin`` is for the server operator only and refuses ``--as``.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from edugate.audit.context import Origin, acting_from
from edugate.core.console import (
    actor_from_email,
    add_actor_argument,
    command_error,
    dumps,
    unit_by_code,
)
from edugate.core.tabular import write_table
from edugate.directory.actions import actor_scope
from edugate.directory.models import Domain
from edugate.directory.models.units import subtree_q
from edugate.mail import actions, slips
from edugate.mail.models import Alias, Delegate, Mailbox, MailboxKind

EXPORT_HEADERS = ["Địa chỉ thư", "Loại", "Trạng thái", "Họ và tên / Tên hộp thư", "Chức vụ",
                  "Đơn vị", "Mã đơn vị", "Dung lượng (MiB)", "Ngày kích hoạt"]


class Command(BaseCommand):
    help = "Manage mailboxes."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(
            dest="subcommand", required=True,
            metavar="{list,export,create,code,slips,activate,suspend,reactivate,close,alias,"
                    "unalias,delegate,undelegate,handover,close-due}",
        )
        lister = sub.add_parser("list", help="List mailboxes.")
        exporter = sub.add_parser("export", help="Write the account list to .xlsx or .csv.")
        exporter.add_argument("file")
        for p in (lister, exporter):
            p.add_argument("--unit", metavar="CODE", help="this unit (with --subtree: and below)")
            p.add_argument("--subtree", action="store_true")
        lister.add_argument("--json", action="store_true", help="print JSON")
        creator = sub.add_parser("create", help="Create a position or unit mailbox.")
        creator.add_argument("address", help="local@domain")
        creator.add_argument("--unit", metavar="CODE", required=True)
        creator.add_argument("--kind", choices=[MailboxKind.POSITION, MailboxKind.UNIT],
                             required=True)
        creator.add_argument("--name", default="", help="display name, e.g. Văn thư")
        code = sub.add_parser("code", help="Issue a new activation code (printed once).")
        slipper = sub.add_parser(
            "slips", help="Issue new codes and write printable activation slips (.pdf).")
        slipper.add_argument("file", help="the PDF to write")
        slipper.add_argument("--unit", metavar="CODE", required=True,
                             help="the pending mailboxes of this unit (with --subtree: and below)")
        slipper.add_argument("--subtree", action="store_true")
        slipper.add_argument("--address", action="append", default=[], metavar="ADDR",
                             help="only these mailboxes, in any state (a new slip is the reset); "
                                  "repeatable")
        slipper.add_argument("--force", action="store_true", help="overwrite an existing file")
        activate = sub.add_parser("activate", help="Set the password (server operator only).")
        activate.add_argument("--password-stdin", action="store_true", required=True,
                              help="read the password from standard input")
        suspend = sub.add_parser("suspend", help="Suspend: no login; mail is still received.")
        reactivate = sub.add_parser("reactivate", help="Undo a suspension or closure.")
        close = sub.add_parser("close", help="Close (mail is kept, nothing is deleted).")
        alias = sub.add_parser("alias", help="Give a mailbox another address.")
        unalias = sub.add_parser("unalias", help="Remove an alias.")
        for p in (alias, unalias):
            p.add_argument("alias", help="the alias, local@domain")
        delegate = sub.add_parser("delegate", help="Let a person work a unit mailbox.")
        undelegate = sub.add_parser("undelegate", help="End a person's delegation.")
        handover = sub.add_parser("handover", help="Give a position mailbox to its new holder.")
        for p in (delegate, undelegate, handover):
            p.add_argument("--person", required=True, metavar="ADDR",
                           help="the person, by their personal mailbox address")
        sub.add_parser("close-due", help="Close the mailboxes whose close date has come "
                                         "(run daily; server operator).")
        for p in (code, activate, suspend, reactivate, close, alias, delegate, undelegate,
                  handover):
            p.add_argument("address")
        for p in (lister, exporter, creator, code, slipper, suspend, reactivate, close, alias,
                  unalias, delegate, undelegate, handover):
            add_actor_argument(p)

    def handle(self, *args: Any, **options: Any) -> None:
        actor = actor_from_email(options.get("as_email"))
        try:
            with acting_from(Origin("cli")):
                getattr(self, f"_{options['subcommand'].replace('-', '_')}")(options, actor)
        except (ValidationError, PermissionDenied) as error:
            raise command_error(error) from None

    def _mailboxes(self, options: dict[str, Any], actor: Any) -> Any:
        scope = actor_scope(actor)
        mailboxes = Mailbox.objects.filter(scope.units_q("unit__")).select_related(
            "unit", "person")
        if options.get("unit"):
            unit = unit_by_code(options["unit"], within=scope)
            mailboxes = (mailboxes.filter(subtree_q(unit.path, prefix="unit__"))
                         if options.get("subtree") else mailboxes.filter(unit=unit))
        return mailboxes.order_by("unit__path", "address")

    def _find(self, address: str, actor: Any) -> Mailbox:
        scope = actor_scope(actor)
        mailbox: Mailbox | None = (Mailbox.objects.filter(scope.units_q("unit__"))
                                   .select_related("unit", "person")
                                   .filter(address=address.strip().lower()).first())
        if mailbox is None:
            raise CommandError(_("No mailbox %(address)s within your units.")
                               % {"address": address})
        return mailbox

    @staticmethod
    def _row(m: Mailbox) -> dict[str, Any]:
        return {
            "address": m.address, "kind": m.kind, "state": m.state,
            "name": m.display_name, "position": m.person.position if m.person else "",
            "unit": m.unit.name, "unit_code": m.unit.code, "quota_mb": m.effective_quota_mb,
            "activated_at": m.activated_at,
        }

    def _list(self, options: dict[str, Any], actor: Any) -> None:
        rows = [self._row(m) for m in self._mailboxes(options, actor)]
        if options["json"]:
            self.stdout.write(dumps(rows))
            return
        for row in rows:
            self.stdout.write(f"{row['address']:<45} {row['state']:<10} {row['name']}")

    def _export(self, options: dict[str, Any], actor: Any) -> None:
        mailboxes = list(self._mailboxes(options, actor))
        rows = [
            [m.address, m.get_kind_display(), m.get_state_display(), m.display_name,
             m.person.position if m.person else "", m.unit.name, m.unit.code,
             m.effective_quota_mb, m.activated_at.date() if m.activated_at else None]
            for m in mailboxes
        ]
        write_table(options["file"], EXPORT_HEADERS, rows)
        self.stdout.write(_("%(count)d mailboxes written to %(file)s.")
                          % {"count": len(rows), "file": options["file"]})

    def _create(self, options: dict[str, Any], actor: Any) -> None:
        local_part, _sep, domain_name = options["address"].strip().lower().partition("@")
        domain = Domain.objects.filter(name=domain_name).first()
        if domain is None:
            raise CommandError(_("No domain %(name)s.") % {"name": domain_name})
        unit = unit_by_code(options["unit"], within=actor_scope(actor))
        mailbox = actions.create_mailbox(actor=actor, unit=unit, domain=domain,
                                         local_part=local_part, kind=options["kind"],
                                         display_name=options["name"])
        self.stdout.write(_("Created %(address)s (pending activation).")
                          % {"address": mailbox.address})

    def _code(self, options: dict[str, Any], actor: Any) -> None:
        mailbox = self._find(options["address"], actor)
        code = actions.issue_activation_code(actor=actor, mailbox=mailbox)
        self.stdout.write(f"{mailbox.address}\t{code}")

    def _slips(self, options: dict[str, Any], actor: Any) -> None:
        """New codes and their slips, all or nothing: the codes change only if the file is
        written. The codes go into the file (readable by its owner only), never to the output."""
        target = Path(options["file"])
        if target.exists() and not options["force"]:
            raise CommandError(_("%(file)s already exists (use --force to overwrite it).")
                               % {"file": target})
        if not target.parent.is_dir():
            raise CommandError(_("No folder %(folder)s.") % {"folder": target.parent})
        scope = actor_scope(actor)
        unit = unit_by_code(options["unit"], within=scope)
        mailboxes = list(slips.mailboxes_for_slips(
            unit, within=scope, subtree=options["subtree"], addresses=options["address"]))
        wanted = {a.strip().lower() for a in options["address"]}
        unknown = sorted(wanted - {m.address for m in mailboxes})
        if unknown:
            raise CommandError(_("No mailbox %(address)s within your units.")
                               % {"address": ", ".join(unknown)})
        if not mailboxes:
            raise CommandError(_("No pending mailboxes in %(unit)s.") % {"unit": unit.name})
        try:
            slips.ensure_fonts()
        except slips.SlipFontMissing as error:
            raise CommandError(str(error)) from None
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".slips-", suffix=".pdf")
        try:
            with os.fdopen(fd, "wb") as handle, transaction.atomic():
                issued = slips.issue_slips(actor=actor, mailboxes=mailboxes,
                                           activation_url=slips.activation_url())
                handle.write(slips.render_slips(
                    issued, title=_("Activation slips: %(unit)s") % {"unit": unit.name}))
                handle.flush()
                os.fsync(handle.fileno())
                os.replace(temporary, target)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
        self.stdout.write(_("%(count)d activation slips written to %(file)s.")
                          % {"count": len(issued), "file": target})

    def _activate(self, options: dict[str, Any], actor: Any) -> None:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise CommandError(_("No password on standard input."))
        mailbox = actions.set_password_by_operator(mailbox=self._find(options["address"], None),
                                                   password=password)
        self.stdout.write(_("%(address)s is active.") % {"address": mailbox.address})

    def _suspend(self, options: dict[str, Any], actor: Any) -> None:
        mailbox = actions.suspend_mailbox(actor=actor, mailbox=self._find(options["address"],
                                                                            actor))
        self.stdout.write(f"{mailbox.address}: {mailbox.get_state_display()}")

    def _reactivate(self, options: dict[str, Any], actor: Any) -> None:
        mailbox = actions.reactivate_mailbox(actor=actor,
                                             mailbox=self._find(options["address"], actor))
        self.stdout.write(f"{mailbox.address}: {mailbox.get_state_display()}")

    def _close(self, options: dict[str, Any], actor: Any) -> None:
        mailbox = actions.close_mailbox(actor=actor, mailbox=self._find(options["address"],
                                                                          actor))
        self.stdout.write(f"{mailbox.address}: {mailbox.get_state_display()}")

    def _person(self, address: str, actor: Any) -> Any:
        mailbox = self._find(address, actor)
        if mailbox.kind != MailboxKind.PERSONAL or mailbox.person is None:
            raise CommandError(_("%(address)s is not a personal mailbox.") % {"address": address})
        return mailbox.person

    def _alias(self, options: dict[str, Any], actor: Any) -> None:
        mailbox = self._find(options["address"], actor)
        local_part, _at, domain_name = options["alias"].strip().lower().partition("@")
        domain = Domain.objects.filter(name=domain_name, alias_of__isnull=True).first()
        if domain is None:
            raise CommandError(_("%(domain)s is not a primary domain hosted here (aliases are "
                                 "made on primary domains).") % {"domain": domain_name})
        alias = actions.add_alias(actor=actor, mailbox=mailbox, local_part=local_part,
                                  domain=domain)
        self.stdout.write(f"{alias.address} → {mailbox.address}")

    def _unalias(self, options: dict[str, Any], actor: Any) -> None:
        scope = actor_scope(actor)
        alias = (Alias.objects.filter(scope.units_q("mailbox__unit__"))
                 .select_related("mailbox__unit")
                 .filter(address=options["alias"].strip().lower()).first())
        if alias is None:
            raise CommandError(_("No alias %(address)s within your units.")
                               % {"address": options["alias"]})
        actions.remove_alias(actor=actor, alias=alias)
        self.stdout.write(_("%(address)s removed.") % {"address": alias.address})

    def _delegate(self, options: dict[str, Any], actor: Any) -> None:
        mailbox = self._find(options["address"], actor)
        person = self._person(options["person"], actor)
        actions.add_delegate(actor=actor, mailbox=mailbox, person=person)
        self.stdout.write(f"{mailbox.address}: + {person.full_name}")

    def _undelegate(self, options: dict[str, Any], actor: Any) -> None:
        mailbox = self._find(options["address"], actor)
        person = self._person(options["person"], actor)
        delegate = Delegate.objects.filter(mailbox=mailbox, person=person).first()
        if delegate is None:
            raise CommandError(_("%(person)s is not a delegate of %(address)s.")
                               % {"person": person.full_name, "address": mailbox.address})
        actions.remove_delegate(actor=actor, delegate=delegate)
        self.stdout.write(f"{mailbox.address}: − {person.full_name}")

    def _handover(self, options: dict[str, Any], actor: Any) -> None:
        mailbox = actions.hand_over(actor=actor, mailbox=self._find(options["address"], actor),
                                    person=self._person(options["person"], actor))
        self.stdout.write(_("%(address)s now belongs to %(person)s; issue them an activation "
                            "code.") % {"address": mailbox.address,
                                        "person": mailbox.person.full_name if mailbox.person
                                        else ""})

    def _close_due(self, options: dict[str, Any], actor: Any) -> None:
        for mailbox in actions.close_due_mailboxes():
            self.stdout.write(f"{mailbox.address}: {mailbox.get_state_display()}")
