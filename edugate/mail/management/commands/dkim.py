"""``edugate dkim keygen|rotate|remove|list``: the DKIM signing keys of hosted domains.

Acting commands take ``--as EMAIL`` (that administrator's scope, audited in their name). Only
public records are printed; private keys stay in their files (see :mod:`edugate.mail.dkim`).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from edugate.audit.context import Origin, acting_from
from edugate.core.console import actor_from_email, add_actor_argument, command_error, dumps
from edugate.directory.actions import actor_scope
from edugate.directory.domain_names import normalize_domain
from edugate.directory.models import Domain
from edugate.mail import dkim
from edugate.mail.dns_records import DnsRecord, zone_line


def domains_in_scope(actor: Any) -> QuerySet[Domain]:
    scope = actor_scope(actor)
    return Domain.objects.filter(scope.units_q("unit__")).select_related("unit", "alias_of")


def find_domain(name: str, actor: Any) -> Domain:
    try:
        ascii_name = normalize_domain(name)
    except ValidationError:
        ascii_name = name.strip().lower()
    domain = domains_in_scope(actor).filter(name=ascii_name).first()
    if domain is None:
        raise CommandError(_("No domain %(name)s within your units.") % {"name": name})
    return domain


class Command(BaseCommand):
    help = "Make, rotate, remove and list the DKIM keys that sign outgoing mail."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True,
                                    metavar="{keygen,rotate,remove,list}")
        keygen = sub.add_parser("keygen", help="Make the first key of a domain.")
        keygen.add_argument("domain", nargs="?")
        keygen.add_argument("--missing", action="store_true",
                            help="every primary domain within your units that has no key")
        rotate = sub.add_parser("rotate", help="Sign with a new key; the old one stays "
                                               "published until removed.")
        rotate.add_argument("domain")
        remove = sub.add_parser("remove", help="Delete a retired key.")
        remove.add_argument("domain")
        remove.add_argument("selector")
        lister = sub.add_parser("list", help="List the keys and their public records.")
        lister.add_argument("domain", nargs="?")
        lister.add_argument("--json", action="store_true", help="print JSON")
        for p in (keygen, rotate, remove, lister):
            add_actor_argument(p)

    def handle(self, *args: Any, **options: Any) -> None:
        actor = actor_from_email(options.get("as_email"))
        try:
            with acting_from(Origin("cli")):
                getattr(self, f"_{options['subcommand']}")(options, actor)
        except (ValidationError, PermissionDenied) as error:
            raise command_error(error) from None
        except dkim.DkimError as error:
            raise CommandError(str(error)) from None

    def _print(self, key: dkim.DkimKey) -> None:
        self.stdout.write(zone_line(DnsRecord("dkim", key.record_name, "TXT", key.txt_value,
                                              key.domain)))

    def _keygen(self, options: dict[str, Any], actor: Any) -> None:
        if options["missing"] == bool(options["domain"]):
            raise CommandError(_("Name a domain, or use --missing."))
        if options["domain"]:
            domain = find_domain(options["domain"], actor)
            key = dkim.create_key(actor=actor, domain=domain)
            self.stdout.write(_("New DKIM key for %(name)s, selector %(selector)s. Publish:")
                              % {"name": domain.display_name, "selector": key.selector})
            self._print(key)
            return
        made = 0
        for domain in domains_in_scope(actor).filter(alias_of__isnull=True):
            if dkim.create_initial_key(actor=actor, domain=domain) is not None:
                made += 1
                self.stdout.write(domain.name)
        self.stdout.write(_("%(count)d new DKIM keys.") % {"count": made})

    def _rotate(self, options: dict[str, Any], actor: Any) -> None:
        domain = find_domain(options["domain"], actor)
        key = dkim.rotate_key(actor=actor, domain=domain)
        self.stdout.write(_("%(name)s is now signed with the selector %(selector)s. Publish this "
                            "record, and keep the old ones until mail signed with them has "
                            "been delivered (a week):")
                          % {"name": domain.display_name, "selector": key.selector})
        self._print(key)

    def _remove(self, options: dict[str, Any], actor: Any) -> None:
        domain = find_domain(options["domain"], actor)
        dkim.remove_key(actor=actor, domain=domain, selector=options["selector"])
        self.stdout.write(_("Removed the key %(selector)s of %(name)s: its record may now be "
                            "deleted from DNS.")
                          % {"selector": options["selector"], "name": domain.display_name})

    def _list(self, options: dict[str, Any], actor: Any) -> None:
        domains = domains_in_scope(actor).filter(alias_of__isnull=True)
        if options["domain"]:
            domains = domains.filter(pk=find_domain(options["domain"], actor).pk)
        names = list(domains.values_list("name", flat=True))
        keys = dkim.list_keys(names)
        if options["json"]:
            by_domain: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
            for key in keys:
                by_domain[key.domain].append(key.as_dict())
            self.stdout.write(dumps([{"domain": name, "keys": by_domain[name]}
                                     for name in names]))
            return
        with_keys = {key.domain for key in keys}
        for key in keys:
            state = _("active") if key.active else _("old, still published")
            self.stdout.write(f"{key.domain}\t{key.selector}\t{key.created:%Y-%m-%d}\t{state}")
            self.stdout.write(f"\t{key.record_name}\tTXT\t\"{key.txt_value}\"")
        for name in names:
            if name not in with_keys:
                self.stdout.write(f"{name}\t-\t\t" + _("no key: run `edugate dkim keygen %(name)s`")
                                  % {"name": name})
