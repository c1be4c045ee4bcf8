"""Reads for portals: leaders and official addresses taken live from the directory and the
mailboxes, successors' portals, the portals a user may list, what a Department's portal shows
of its member portals (their directory, their opted-in news) and what member portals show of
their Department's (its documents), and overdue public disclosures within a user's scope.

These are the public side of the directory (Circular 37, Articles 4.2, 8 and 9: a portal
publishes its unit's addresses and its leaders' names, titles, phones and emails), so they take
the unit whose portal is shown rather than a reader's scope. Each is a fixed number of queries,
whatever the size of the province.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.db.models.functions import Substr
from wagtail.models import Page

from edugate.core.text import fold
from edugate.directory.models import (
    Membership,
    Person,
    PersonStatus,
    RoleAssignment,
    RoleKind,
    Unit,
    UnitKind,
    UnitStatus,
)
from edugate.directory.models.units import subtree_q
from edugate.directory.scope import Scope, scope_for
from edugate.mail.models import Mailbox, MailboxKind, MailboxState
from edugate.portal.leadership import HEAD, leader_rank
from edugate.portal.models import (
    DisclosureItemPage,
    DocumentPage,
    NewsPage,
    Portal,
    PortalHomePage,
)
from edugate.portal.models.base import HOME_DEPTH, relative_url

#: mailboxes that receive mail, so their addresses may be published
PUBLIC_STATES = (MailboxState.PENDING, MailboxState.ACTIVE)
WORKING = (PersonStatus.ACTIVE, PersonStatus.ON_LEAVE)
#: roles whose holders may list their units' portals
PORTAL_ROLES = frozenset({RoleKind.ADMINISTRATOR, RoleKind.CONTACT_OFFICER, RoleKind.HEAD,
                          RoleKind.EDITOR})
_SUCCESSION_LIMIT = 20


@dataclass(frozen=True)
class Leader:
    name: str
    position: str
    phone: str
    email: str
    rank: int


@dataclass(frozen=True)
class Address:
    address: str
    label: str


@dataclass
class SubUnitEntry:
    name: str
    portal_url: str
    addresses: list[Address] = field(default_factory=list)
    head: Leader | None = None


@dataclass
class EmailDirectory:
    unit_name: str
    addresses: list[Address]
    leaders: list[Leader]
    sub_units: list[SubUnitEntry]


def _person_emails(person_ids: Iterable[int], unit_ids: set[int]) -> dict[int, str]:
    """The address to publish for each person: a position mailbox at one of ``unit_ids``,
    else a personal one (at those units first)."""
    ranked: dict[int, tuple[int, str]] = {}
    rows = Mailbox.objects.filter(
        person_id__in=list(person_ids), state__in=PUBLIC_STATES,
        kind__in=[MailboxKind.POSITION, MailboxKind.PERSONAL],
    ).values_list("person_id", "address", "kind", "unit_id")
    for person_id, address, kind, unit_id in rows:
        here = unit_id in unit_ids
        rank = {(True, "position"): 0, (True, "personal"): 1,
                (False, "personal"): 2}.get((here, kind), 3)
        if person_id not in ranked or (rank, address) < ranked[person_id]:
            ranked[person_id] = (rank, address)
    return {person_id: address for person_id, (_rank, address) in ranked.items()}


def unit_leaders(unit: Unit) -> list[Leader]:
    """The head(s) of ``unit`` and its deputies: three queries.

    The head role decides who heads the unit (a head's title without the role counts only
    while nobody holds it); deputies are found by their titles (there is no deputy role)."""
    heads = set(RoleAssignment.objects.filter(
        unit=unit, kind=RoleKind.HEAD, person__status__in=WORKING,
    ).values_list("person_id", flat=True))
    people: dict[int, tuple[str, str, str, int]] = {}
    rows = (Membership.objects.filter(unit=unit, person__status__in=WORKING)
            .values_list("person_id", "position", "person__full_name", "person__position",
                         "person__phone")
            .order_by("person__family_name", "person__given_name", "person_id"))
    for person_id, position, name, main_position, phone in rows:
        title = position or main_position
        rank = HEAD if person_id in heads else leader_rank(title)
        if rank == HEAD and heads and person_id not in heads:
            continue  # the head role decides who heads the unit; a stale title does not
        if rank is not None:
            people[person_id] = (name, title, phone, rank)
    missing = heads - set(people)
    if missing:
        for person in Person.objects.filter(pk__in=missing):
            people[person.pk] = (person.full_name, person.position, person.phone, HEAD)
    emails = _person_emails(people, {unit.pk})
    leaders = [
        Leader(name=name, position=title, phone=phone, email=emails.get(pid, ""), rank=rank)
        for pid, (name, title, phone, rank) in people.items()
    ]
    leaders.sort(key=lambda leader: leader.rank)  # heads, then deputies; by name within
    return leaders


def _unit_addresses(unit_ids: list[int]) -> dict[int, list[Address]]:
    """The unit and position mailboxes of these units, unit mailboxes first."""
    result: dict[int, list[Address]] = {unit_id: [] for unit_id in unit_ids}
    rows = (Mailbox.objects.filter(unit_id__in=unit_ids, state__in=PUBLIC_STATES,
                                   kind__in=[MailboxKind.UNIT, MailboxKind.POSITION])
            .values_list("unit_id", "address", "kind", "display_name", "person__full_name"))
    for unit_id, address, kind, display_name, holder in sorted(
        rows, key=lambda row: (row[2] != MailboxKind.UNIT, row[1])
    ):
        label = display_name or (holder if kind == MailboxKind.POSITION else "") or ""
        result[unit_id].append(Address(address=address, label=label))
    return result


def official_email(unit: Unit) -> str:
    """The unit's address for the public (its unit mailbox, else a position one), or ``""``."""
    addresses = _unit_addresses([unit.pk])[unit.pk]
    return addresses[0].address if addresses else ""


def email_directory(unit: Unit) -> EmailDirectory:
    """Everything the public email directory shows, read live (six queries)."""
    children = list(Unit.objects.filter(
        subtree_q(unit.path, include_self=False), depth=unit.depth + 1,
        status=UnitStatus.ACTIVE,
    ).order_by("path").values_list("pk", "name"))
    child_ids = [pk for pk, _name in children]
    addresses = _unit_addresses([unit.pk, *child_ids])
    portals = {
        portal.unit_id: portal.url
        for portal in Portal.objects.filter(unit_id__in=child_ids, site__isnull=False)
        .select_related("site")
    }
    head_rows = list(RoleAssignment.objects.filter(
        unit_id__in=child_ids, kind=RoleKind.HEAD, person__status__in=WORKING,
    ).values_list("unit_id", "person_id", "person__full_name", "person__position",
                  "person__phone").order_by("unit_id", "person__full_name"))
    head_emails = _person_emails([row[1] for row in head_rows], set(child_ids))
    heads: dict[int, Leader] = {}
    for unit_id, person_id, name, position, phone in head_rows:
        heads.setdefault(unit_id, Leader(name=name, position=position, phone=phone,
                                         email=head_emails.get(person_id, ""), rank=HEAD))
    sub_units = [
        SubUnitEntry(name=name, portal_url=portals.get(pk, ""), addresses=addresses[pk],
                     head=heads.get(pk))
        for pk, name in children
    ]
    return EmailDirectory(unit_name=unit.name, addresses=addresses[unit.pk],
                          leaders=unit_leaders(unit), sub_units=sub_units)


def successor_portal_url(unit: Unit) -> str:
    """Where a merged unit's portal now lives: the portal of the first active unit along its
    chain of successors, or ``""``."""
    seen = {unit.pk}
    current = unit
    for _step in range(_SUCCESSION_LIMIT):
        if current.successor_id is None or current.successor_id in seen:
            return ""
        current = Unit.objects.get(pk=current.successor_id)
        seen.add(current.pk)
        if current.status == UnitStatus.ACTIVE:
            portal = Portal.objects.filter(unit=current, site__isnull=False).select_related(
                "site").first()
            return portal.url if portal else ""
    return ""


def portal_scope(actor: Any) -> Scope:
    """The units whose portals ``actor`` may see in listings (``None``: the platform)."""
    return Scope.full() if actor is None else scope_for(actor, PORTAL_ROLES)


# -- a Department and its member portals --

@dataclass(frozen=True)
class DepartmentPortal:
    unit: Unit
    home: PortalHomePage
    root_url: str  # ``http://sgd.localhost:8000``, no trailing slash

    def url_of(self, page: Any) -> str:
        return self.root_url + relative_url(page, self.home)


def department_portal(unit: Unit) -> DepartmentPortal | None:
    """The portal of the nearest Department above ``unit`` (two queries), or ``None``."""
    department = (Unit.objects.filter(path__in=unit.ancestor_paths(),
                                      kind=UnitKind.DEPARTMENT)
                  .order_by("-depth").first())
    if department is None:
        return None
    portal = (Portal.objects.filter(unit=department, site__isnull=False,
                                    home_page__isnull=False)
              .select_related("site").first())
    if portal is None or portal.site is None:
        return None
    home = PortalHomePage.objects.select_related("unit").get(pk=portal.home_page_id)
    return DepartmentPortal(unit=department, home=home, root_url=portal.site.root_url)


def department_documents(department: DepartmentPortal) -> QuerySet[DocumentPage]:
    """The Department's published documents, read live from its portal (never copied)."""
    return (DocumentPage.objects.live().public().descendant_of(department.home)
            .order_by("-issue_date", "-pk"))


def _member_homes(department: Unit) -> QuerySet[PortalHomePage]:
    return PortalHomePage.objects.filter(
        subtree_q(department.path, prefix="unit__", include_self=False),
        unit__status=UnitStatus.ACTIVE, depth=HOME_DEPTH,
    )


def member_news(department: Unit) -> QuerySet[NewsPage]:
    """Published news of the active member portals below ``department`` whose editors chose
    to show them on the Department's portal, newest first (one query)."""
    return (NewsPage.objects.live().public().filter(show_on_department=True)
            .annotate(home_path=Substr("path", 1, HOME_DEPTH * NewsPage.steplen))
            .filter(home_path__in=_member_homes(department).values("path"))
            .order_by("-date", "-pk"))


@dataclass(frozen=True)
class MemberNewsItem:
    title: str
    url: str
    date: datetime.date
    summary: str
    unit_name: str
    portal_url: str


def member_news_items(news: Iterable[NewsPage]) -> list[MemberNewsItem]:
    """Absolute links for a page of member news, with each item's unit (one query)."""
    items = list(news)
    paths = {item.path[: HOME_DEPTH * item.steplen] for item in items}
    portals = {
        portal.home_page.path: portal
        for portal in Portal.objects.filter(home_page__path__in=paths, site__isnull=False)
        .select_related("site", "unit", "home_page")
        if portal.home_page is not None
    }
    result = []
    for item in items:
        portal = portals.get(item.path[: HOME_DEPTH * item.steplen])
        if portal is None or portal.site is None or portal.home_page is None:
            continue
        root = portal.site.root_url
        result.append(MemberNewsItem(
            title=item.title, url=root + relative_url(item, portal.home_page), date=item.date,
            summary=item.summary, unit_name=portal.unit.name, portal_url=f"{root}/",
        ))
    return result


@dataclass(frozen=True)
class MemberPortal:
    name: str
    kind: str
    kind_label: str
    hostname: str
    url: str
    parent_name: str


def member_portals(department: Unit, *, query: str = "", kind: str = "") -> QuerySet[Portal]:
    """The portals of the active units below ``department``, in tree order; ``query`` matches
    name, short name and code without diacritics (the directory's folded ``search_name``)."""
    portals = (Portal.objects.filter(
        subtree_q(department.path, prefix="unit__", include_self=False),
        unit__status=UnitStatus.ACTIVE, site__isnull=False,
    ).select_related("unit", "site").order_by("unit__path"))
    if kind:
        portals = portals.filter(unit__kind=kind)
    for word in fold(query).split():
        portals = portals.filter(unit__search_name__contains=word)
    return portals


def member_portal_rows(portals: Iterable[Portal]) -> list[MemberPortal]:
    """Rows for a page of the member-portal directory, each with the unit above it (one
    query)."""
    items = [p for p in portals if p.site is not None]
    parent_paths = {p.unit.path[: -p.unit.steplen] for p in items if p.unit.depth > 1}
    parents = dict(Unit.objects.filter(path__in=parent_paths).values_list("path", "name"))
    rows = []
    for portal in items:
        unit = portal.unit
        assert portal.site is not None
        label = (unit.get_level_display() if unit.kind == UnitKind.INSTITUTION and unit.level
                 else unit.get_kind_display())
        rows.append(MemberPortal(
            name=unit.name, kind=unit.kind, kind_label=str(label),
            hostname=portal.site.hostname, url=portal.url,
            parent_name=parents.get(unit.path[: -unit.steplen], ""),
        ))
    return rows


# -- public disclosure --

def overdue_disclosures(scope: Scope, *, today: datetime.date) -> QuerySet[DisclosureItemPage]:
    """Disclosure items of the portals in ``scope`` whose due date has passed while they are
    still unpublished, the longest overdue first (one query)."""
    items = DisclosureItemPage.objects.filter(live=False, due_date__lt=today)
    if scope.is_empty:
        return items.none()
    if not scope.everything:
        homes = PortalHomePage.objects.filter(scope.units_q("unit__"), depth=HOME_DEPTH)
        items = (items.annotate(home_path=Substr("path", 1, HOME_DEPTH * Page.steplen))
                 .filter(home_path__in=homes.values("path")))
    return items.order_by("due_date", "pk")
