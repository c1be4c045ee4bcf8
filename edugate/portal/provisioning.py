"""Provisioning: every department, office and institution gets its portal.

For a unit of those kinds :func:`provision_portal` makes (or repairs) its Wagtail Site on its
hostname (see :mod:`edugate.portal.hosts`), its home page with the sections the law asks for
(:mod:`edugate.portal.sections`), its own image and document collection, and its editors' and
approvers' groups with page permissions on its own tree and collection permissions on its own
collection. It is idempotent: running it again creates only what is missing.

Each portal also gets its editorial workflow (:mod:`edugate.portal.workflow`): a Wagtail
workflow on its home page, approved by its approvers' group and a delegates' group kept by hand.
The groups' page and collection permissions are exactly those below, on the portal's own tree
and collection only; anything else found on them (added by hand) is taken away, so that
provisioning also repairs isolation. Editors may add and change pages but never publish: their
work goes to the approvers through the workflow.

Group membership is derived from the directory: holders of the unit's editor role (or of one
above it over the whole subtree) are its editors; holders of its head role its approvers.
Members added by hand to those two groups are removed at the next synchronisation, which runs
for one user whenever their roles, status or account change (:func:`sync_user_groups`, from
``receivers.py``) and for the whole portal at provisioning (:func:`sync_group_members`).

The directory's ``unit_saved`` signal calls :func:`on_unit_saved` (``receivers.py``): a new
unit gets its portal, a renamed one new titles, a moved one (with its subtree) the editors of
its new parents, and a merged unit's home redirects to its
successor's portal (decided live at each request, so a chain of merges is followed and no
link breaks: the merged portal's other pages stay online with a notice).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.text import slugify
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Locale,
    Page,
    Site,
)

from edugate.accounts.models import User
from edugate.directory.models import (
    Domain,
    PersonStatus,
    RoleAssignment,
    RoleKind,
    Unit,
    UnitKind,
    UnitStatus,
)
from edugate.portal import hosts, workflow
from edugate.portal.models import NewsCategory, NewsIndexPage, Portal, PortalHomePage
from edugate.portal.sections import (
    NEWS_CATEGORIES,
    Section,
    has_portal,
    sections_for,
    units_missing_sections,
)

logger = logging.getLogger(__name__)

EDITOR_PAGE_PERMISSIONS = ("add_page", "change_page")
APPROVER_PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page", "lock_page",
                             "unlock_page")
COLLECTION_PERMISSIONS = (
    ("wagtailimages", "add_image"), ("wagtailimages", "change_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"), ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"),
)


@dataclass(frozen=True)
class HostPlan:
    hostname: str
    port: int


def _page_model(section: Section) -> type[Page]:
    from edugate.portal import models as portal_models

    model: type[Page] = getattr(portal_models, section.model)
    return model


def ensure_wagtail_roots() -> tuple[Page, Collection]:
    """Wagtail's root page, locale and root collection (its migrations make them, but a
    flushed test database has none)."""
    if not Locale.objects.exists():
        Locale.objects.create(language_code=settings.LANGUAGE_CODE)
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(title="Root", slug="root", locale=Locale.get_default())
    collection = Collection.get_first_root_node()
    if collection is None:
        collection = Collection.add_root(name="Root")
    return root, collection


# -- hostnames --

def own_domain(unit: Unit) -> str | None:
    name: str | None = (Domain.objects.filter(unit=unit, alias_of__isnull=True)
                        .order_by("id").values_list("name", flat=True).first())
    return name


def department_domain(unit: Unit) -> str | None:
    """The domain of the nearest department at or above ``unit``."""
    paths = [*unit.ancestor_paths(), unit.path]
    rows = (Domain.objects.filter(unit__path__in=paths, unit__kind=UnitKind.DEPARTMENT,
                                  alias_of__isnull=True)
            .order_by("-unit__depth", "id").values_list("name", flat=True))
    name: str | None = rows.first()
    return name


def plan_host(unit: Unit) -> HostPlan:
    suffix = str(getattr(settings, "PORTAL_HOST_SUFFIX", "localhost"))
    port = int(getattr(settings, "PORTAL_PORT", 8000))
    domain = own_domain(unit)
    hostname = hosts.portal_hostname(
        code=unit.code, own_domain=domain,
        department_domain=None if (domain and not suffix) else department_domain(unit),
        suffix=suffix,
    )
    taken = Site.objects.filter(hostname=hostname, port=port).exclude(portal__unit=unit)
    if taken.exists():
        hostname = hosts.disambiguated(hostname, unit.code)
    return HostPlan(hostname, port)


# -- the parts of a portal --

def _home_slug(unit: Unit, root: Page) -> str:
    slug = slugify(hosts.dns_label(unit.code)) or "portal"
    if Page.objects.child_of(root).filter(slug=slug).exists():
        slug = f"{slug}-{unit.pk}"
    return slug


def _create_home(unit: Unit, root: Page) -> PortalHomePage:
    home = PortalHomePage(unit=unit, title=unit.name, slug=_home_slug(unit, root),
                          show_in_menus=False)
    root.add_child(instance=home)
    return home


def _ensure_sections(home: PortalHomePage, kind: str) -> int:
    """Add the sections ``kind`` asks for that the home page lacks (by type); return the
    number added."""
    home = PortalHomePage.objects.get(pk=home.pk)
    present = set(Page.objects.child_of(home).values_list("content_type_id", flat=True))
    taken_slugs = set(Page.objects.child_of(home).values_list("slug", flat=True))
    added = 0
    for section in sections_for(kind):
        model = _page_model(section)
        content_type = ContentType.objects.get_for_model(model)
        if content_type.pk in present:
            continue
        slug = section.slug if section.slug not in taken_slugs else f"{section.slug}-1"
        page = model(title=section.title, slug=slug, show_in_menus=True)
        home.add_child(instance=page)
        present.add(content_type.pk)
        taken_slugs.add(slug)
        added += 1
        if isinstance(page, NewsIndexPage):
            NewsCategory.objects.bulk_create(
                NewsCategory(page=page, slug=slug_, name=name, sort_order=order)
                for order, (slug_, name) in enumerate(NEWS_CATEGORIES)
            )
    return added


def _group_name(unit: Unit, role: str) -> str:
    return workflow.portal_object_name(unit, role)


def _ensure_group(group: Group | None, name: str) -> Group:
    if group is None:
        group = Group.objects.filter(name=name).first() or Group.objects.create(name=name)
    elif group.name != name:
        group.name = name
        group.save(update_fields=["name"])
    return group


def _permissions(pairs: tuple[tuple[str, str], ...]) -> list[Permission]:
    wanted = set(pairs)
    found = Permission.objects.filter(
        content_type__app_label__in={app for app, _c in pairs},
        codename__in={codename for _a, codename in pairs},
    ).select_related("content_type")
    return [p for p in found if (p.content_type.app_label, p.codename) in wanted]


def _grant(group: Group, home: Page, collection: Collection, page_codenames: tuple[str, ...]
           ) -> None:
    """Give ``group`` exactly these permissions on ``home``'s tree and ``collection``, and
    none elsewhere (a publish permission or another portal's page added by hand goes)."""
    page_permissions = _permissions(tuple(("wagtailcore", c) for c in page_codenames))
    collection_permissions = _permissions(COLLECTION_PERMISSIONS)
    GroupPagePermission.objects.filter(group=group).exclude(
        page=home, permission__in=page_permissions).delete()
    GroupCollectionPermission.objects.filter(group=group).exclude(
        collection=collection, permission__in=collection_permissions).delete()
    for permission in page_permissions:
        GroupPagePermission.objects.get_or_create(group=group, page=home, permission=permission)
    for permission in collection_permissions:
        GroupCollectionPermission.objects.get_or_create(
            group=group, collection=collection, permission=permission
        )


def _default_site_is_placeholder() -> bool:
    """Wagtail's own "Welcome" site, or none at all, is the default: a Department may take
    over (so that ``http://localhost:8000/`` shows the Department's portal)."""
    default = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if default is None:
        return True
    return not hasattr(default, "portal") and default.root_page.specific_class is Page


# -- the actions --

@transaction.atomic
def provision_portal(unit: Unit) -> Portal | None:
    """Create or repair ``unit``'s portal; ``None`` for units without one (divisions)."""
    if not has_portal(unit.kind):
        return None
    unit = Unit.objects.get(pk=unit.pk)
    portal = Portal.objects.select_for_update().filter(unit=unit).first() or Portal(unit=unit)
    root, root_collection = ensure_wagtail_roots()

    home = (PortalHomePage.objects.filter(pk=portal.home_page_id).first()
            if portal.home_page_id else None)
    if home is None:
        home = PortalHomePage.objects.filter(unit=unit).order_by("path").first()
    if home is None:
        home = _create_home(unit, root)
    _ensure_sections(home, unit.kind)
    portal.home_page = home

    site = Site.objects.filter(pk=portal.site_id).first() if portal.site_id else None
    if site is None:
        plan = plan_host(unit)
        make_default = unit.kind == UnitKind.DEPARTMENT and _default_site_is_placeholder()
        if make_default:
            Site.objects.filter(is_default_site=True).update(is_default_site=False)
        site = Site.objects.create(hostname=plan.hostname, port=plan.port, root_page=home,
                                   site_name=unit.name, is_default_site=make_default)
    elif site.root_page_id != home.pk or site.site_name != unit.name:
        site.root_page = home
        site.site_name = unit.name
        site.save()
    portal.site = site

    collection = (Collection.objects.filter(pk=portal.collection_id).first()
                  if portal.collection_id else None)
    if collection is None:
        collection = root_collection.add_child(name=unit.name)
    elif collection.name != unit.name:
        collection.name = unit.name
        collection.save(update_fields=["name"])
    portal.collection = collection

    portal.editors = _ensure_group(portal.editors, _group_name(unit, workflow.EDITORS))
    portal.approvers = _ensure_group(portal.approvers, _group_name(unit, workflow.APPROVERS))
    _workflow, delegates = workflow.ensure_workflow(unit=unit, home=home,
                                                    approvers=portal.approvers)
    _grant(portal.editors, home, collection, EDITOR_PAGE_PERMISSIONS)
    _grant(portal.approvers, home, collection, APPROVER_PAGE_PERMISSIONS)
    _grant(delegates, home, collection, APPROVER_PAGE_PERMISSIONS)
    portal.save()
    sync_group_members(portal)
    return portal


def _role_holders(unit: Unit, kind: str, *, inherited: bool) -> Any:
    roles = RoleAssignment.objects.filter(kind=kind, person__status__in=[
        PersonStatus.ACTIVE, PersonStatus.ON_LEAVE])
    if inherited:
        roles = roles.filter(Q(unit=unit) | Q(unit__path__in=unit.ancestor_paths(),
                                              include_subtree=True))
    else:
        roles = roles.filter(unit=unit)
    return User.objects.filter(is_active=True, person__in=roles.values("person_id"))


def sync_group_members(portal: Portal) -> None:
    """Make the portal's groups hold exactly the users the directory's roles name (and empty
    all three, delegates included, once the unit is merged or dissolved)."""
    unit = portal.unit
    active = unit.status == UnitStatus.ACTIVE
    if portal.editors is not None:
        editors = _role_holders(unit, RoleKind.EDITOR, inherited=True) if active else []
        portal.editors.user_set.set(editors)
    if portal.approvers is not None:
        approvers = _role_holders(unit, RoleKind.HEAD, inherited=False) if active else []
        portal.approvers.user_set.set(approvers)
        if not active and portal.home_page_id is not None:
            delegates = workflow.find_delegates(unit=unit, home_page_id=portal.home_page_id,
                                                approvers_id=portal.approvers.pk)
            if delegates is not None:
                delegates.user_set.clear()


def resync_subtree(unit: Unit) -> None:
    """After ``unit`` moved under another parent: the editors its portal and those below it
    inherit from above are now the new parents' (see :func:`sync_group_members`)."""
    portals = (Portal.objects.filter(unit__path__startswith=unit.path)
               .select_related("unit", "editors", "approvers"))
    for portal in portals:
        sync_group_members(portal)


def _portal_groups_for(user: User) -> set[int]:
    """The editors' and approvers' groups ``user`` belongs in, by the directory's roles."""
    if not user.is_active or user.person_id is None:
        return set()
    roles = list(RoleAssignment.objects.filter(
        person_id=user.person_id, kind__in=[RoleKind.EDITOR, RoleKind.HEAD],
        person__status__in=[PersonStatus.ACTIVE, PersonStatus.ON_LEAVE],
    ).values_list("kind", "unit_id", "unit__path", "include_subtree"))
    editing = Q(pk__in=[])
    heading = Q(pk__in=[])
    for kind, unit_id, path, subtree in roles:
        if kind == RoleKind.HEAD:
            heading |= Q(unit_id=unit_id)
        elif subtree:
            editing |= Q(unit__path__startswith=path)
        else:
            editing |= Q(unit_id=unit_id)
    portals = Portal.objects.filter(unit__status=UnitStatus.ACTIVE)
    wanted = set(portals.filter(editing, editors__isnull=False)
                 .values_list("editors_id", flat=True))
    wanted |= set(portals.filter(heading, approvers__isnull=False)
                  .values_list("approvers_id", flat=True))
    return wanted


def sync_user_groups(user: User, *, leaving: bool = False) -> None:
    """Put ``user`` in exactly the portal editors' and approvers' groups their roles name: a
    head appointed becomes an approver of the unit's portal, one replaced or gone stops being
    one (``leaving``: their person is being deleted, so none). A handful of queries whatever
    the number of portals."""
    wanted = set() if leaving else _portal_groups_for(user)
    managed = Group.objects.filter(
        Q(pk__in=Portal.objects.values("editors_id")) | Q(pk__in=Portal.objects.values(
            "approvers_id")))
    current = set(user.groups.filter(pk__in=managed.values("pk")).values_list("pk", flat=True))
    if current - wanted:
        user.groups.remove(*(current - wanted))
    if wanted - current:
        user.groups.add(*(wanted - current))


@transaction.atomic
def rename_portal(unit: Unit) -> None:
    """Carry a unit's new name to its home page, site, collection and groups."""
    portal = Portal.objects.filter(unit=unit).first()
    if portal is None:
        return
    if portal.home_page_id:
        home = PortalHomePage.objects.filter(pk=portal.home_page_id).first()
        if home is not None and home.title != unit.name:
            home.save(update_fields=["title", "draft_title"])
    provision_portal(unit)


def retire_portal(unit: Unit) -> None:
    """A merged or dissolved unit: its editors and approvers lose their groups' members; the
    portal stays online with a notice, its home redirecting to the successor's portal."""
    portal = Portal.objects.filter(unit=unit).first()
    if portal is not None:
        sync_group_members(portal)


def units_missing_portals(scope_q: Any = None) -> Any:
    """Active units that need provisioning: without a portal, or whose portal lacks a part
    added since (its site, home page, groups, or its editorial workflow)."""
    with_workflow = GroupApprovalTask.objects.filter(
        active=True, groups=OuterRef("portal__approvers_id"),
        workflow_tasks__workflow__active=True,
        workflow_tasks__workflow__workflow_pages__page_id=OuterRef("portal__home_page_id"),
    )
    incomplete = (Q(portal__isnull=True) | Q(portal__site__isnull=True)
                  | Q(portal__home_page__isnull=True) | Q(portal__collection__isnull=True)
                  | Q(portal__editors__isnull=True) | Q(portal__approvers__isnull=True)
                  | ~Exists(with_workflow)
                  | Q(pk__in=units_missing_sections()))  # sections added since (portal-content)
    units = Unit.objects.filter(incomplete, kind__in=[UnitKind.DEPARTMENT, UnitKind.OFFICE,
                                                      UnitKind.INSTITUTION],
                                status=UnitStatus.ACTIVE)
    return units.filter(scope_q) if scope_q is not None else units


def on_unit_saved(*, unit: Unit, changes: dict[str, Any] | None) -> None:
    """What the portals do when the directory creates or changes a unit (with
    ``PORTAL_AUTO_PROVISION`` off, only to the portals that exist)."""
    if changes is not None and "parent" in changes:
        resync_subtree(unit)  # a division (no portal of its own) moves its schools' too
    if not settings.PORTAL_AUTO_PROVISION and not Portal.objects.filter(unit=unit).exists():
        return
    if changes is None:
        if unit.status == UnitStatus.ACTIVE:
            provision_portal(unit)
        return
    status = changes.get("status")
    if status and status[1] in (UnitStatus.MERGED, UnitStatus.DISSOLVED):
        retire_portal(unit)
        return
    if "name" in changes:
        rename_portal(unit)
    elif "kind" in changes or status:
        if unit.status == UnitStatus.ACTIVE:
            provision_portal(unit)
        else:
            retire_portal(unit)
