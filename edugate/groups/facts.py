"""The database side of a posting decision: which group an address is, and the facts about a
sender that ``posting.decide`` weighs (hosted? under the posting unit? a member?)."""

from __future__ import annotations

import re
from email.message import Message
from email.utils import getaddresses

from edugate.directory.models import Domain
from edugate.groups import membership
from edugate.groups.models import EmailGroup
from edugate.groups.posting import Policy, Post
from edugate.mail.models import Alias, Mailbox
from edugate.mail.plane.sql import GROUPS_DOMAIN

_PROCESSOR_LOCAL = re.compile(r"^group-(\d+)(?:\+(.*))?$")


def split(address: str) -> tuple[str, str]:
    local, _, domain = address.strip().lower().rpartition("@")
    return local, domain


def primary_domain(name: str) -> Domain | None:
    domain = Domain.objects.select_related("alias_of").filter(name=name).first()
    if domain is None:
        return None
    return domain.alias_of or domain


def group_for_address(address: str) -> EmailGroup | None:
    """The active group ``address`` (or an alias-domain twin, or ``+extension``) belongs to."""
    local, domain_name = split(address)
    local = local.split("+", 1)[0]
    domain = primary_domain(domain_name)
    if domain is None:
        return None
    return (EmailGroup.objects.select_related("domain", "posting_unit", "posting_group__domain")
            .filter(domain=domain, local_part=local, is_active=True).first())


def group_for_processor_address(address: str) -> tuple[EmailGroup | None, str]:
    """``group-<id>[+ext]@groups.edugate.invalid`` → (the active group, the extension)."""
    local, domain = split(address)
    match = _PROCESSOR_LOCAL.match(local)
    if domain != GROUPS_DOMAIN or not match:
        return None, ""
    group = (EmailGroup.objects.select_related("domain", "posting_unit", "posting_group__domain")
             .filter(pk=int(match.group(1)), is_active=True).first())
    return group, match.group(2) or ""


def is_hosted(address: str) -> bool:
    _local, domain = split(address)
    return bool(domain) and Domain.objects.filter(name=domain).exists()


def sender_mailbox(address: str) -> Mailbox | None:
    """The mailbox behind a hosted sender address (its own, an alias, an alias-domain twin)."""
    local, domain_name = split(address)
    domain = primary_domain(domain_name)
    if domain is None:
        return None
    mailbox = (Mailbox.objects.select_related("unit")
               .filter(domain=domain, local_part=local).first())
    if mailbox is None:
        alias = (Alias.objects.select_related("mailbox__unit")
                 .filter(domain=domain, local_part=local).first())
        mailbox = alias.mailbox if alias else None
    return mailbox


def sender_identities(sender: str, hosted: bool) -> set[str]:
    """The addresses that count as ``sender`` for membership: a hosted sender who is a person
    is a member through any of their personal or position mailboxes (a principal writing from
    ``hieutruong@`` is the principal whose personal mailbox the rule found)."""
    identities = {sender}
    if not hosted:
        return identities
    mailbox = sender_mailbox(sender)
    if mailbox is not None:
        identities.add(mailbox.address)
        if mailbox.person_id is not None and mailbox.kind in ("personal", "position"):
            identities |= set(Mailbox.objects.filter(
                person_id=mailbox.person_id, kind__in=("personal", "position"))
                .exclude(state="closed").values_list("address", flat=True))
    return identities


def policy_of(group: EmailGroup) -> Policy:
    return Policy(kind=group.posting_policy, others=group.others_action,
                  allowed=frozenset(group.allowed_sender_list()))


def header_from(message: Message) -> str:
    """The single address of the From header ("" when there is none or several)."""
    found = [address for _name, address in getaddresses(message.get_all("From", []))
             if address]
    return found[0].lower() if len(found) == 1 else ""


def dmarc_pass(message: Message, authserv_id: str) -> bool:
    """Whether our own Rspamd recorded ``dmarc=pass``: only the topmost Authentication-Results
    header, and only if it carries our host name (a sender cannot forge what sits above the
    headers they wrote)."""
    results = message.get_all("Authentication-Results", [])
    if not results:
        return False
    top = str(results[0]).strip()
    if top.split(";", 1)[0].strip().lower() != authserv_id.lower():
        return False
    return re.search(r"(^|[;\s])dmarc=pass\b", top, re.IGNORECASE) is not None


def post_for(group: EmailGroup, sender: str, *, authenticated: bool,
             message: Message | None = None, authserv_id: str = "",
             members: membership.Resolution | None = None) -> Post:
    """The facts about ``sender`` posting to ``group`` (``message``: its headers, once known;
    ``members``: the group's members if the caller has resolved them already)."""
    sender = sender.strip().lower()
    hosted = is_hosted(sender) if sender else False
    in_unit = False
    if group.posting_policy == "subtree" and hosted and group.posting_unit is not None:
        mailbox = sender_mailbox(sender)
        in_unit = mailbox is not None and mailbox.unit.path.startswith(group.posting_unit.path)
    is_member = in_group = False
    if sender and group.posting_policy in ("members", "group"):
        identities = sender_identities(sender, hosted)
        if group.posting_policy == "members":
            is_member = not identities.isdisjoint(
                (members or membership.resolve(group)).members)
        elif group.posting_group is not None:
            in_group = not identities.isdisjoint(
                membership.resolve(group.posting_group).members)
    from_address, from_hosted, dmarc, looped = "", False, False, False
    if message is not None:
        from_address = header_from(message)
        from_hosted = bool(from_address) and from_address != sender and is_hosted(from_address)
        dmarc = dmarc_pass(message, authserv_id) if from_hosted else False
        loops = {value.strip().lower() for value in message.get_all("X-Loop", [])}
        looped = group.address in loops
    return Post(sender=sender, sender_hosted=hosted, authenticated=authenticated,
                in_posting_unit=in_unit, is_member=is_member,
                in_posting_group=in_group, header_from=from_address,
                header_from_hosted=from_hosted, dmarc_pass=dmarc, looped=looped)

