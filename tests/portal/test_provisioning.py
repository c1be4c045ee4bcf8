"""Provisioning: a unit's Site, home page, sections, collection and groups, kept in step
with the directory (new units, renames, merges)."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import Group
from wagtail.models import (
    Collection,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Site,
)

from edugate.accounts.models import User
from edugate.directory import actions
from edugate.directory.models import InstitutionLevel, RoleKind, UnitKind
from edugate.portal import provisioning
from edugate.portal.models import (
    AdmissionsIndexPage,
    ContactPage,
    DepartmentDocumentsPage,
    DisclosureIndexPage,
    DocumentIndexPage,
    EmailDirectoryPage,
    IntroductionPage,
    NewsCategory,
    NewsIndexPage,
    Portal,
    PortalHomePage,
)
from edugate.portal.models.base import relative_url
from tests.portal.conftest import get, home_of, publish_news

SECTION_TYPES = {IntroductionPage, NewsIndexPage, DocumentIndexPage, EmailDirectoryPage,
                 ContactPage, DisclosureIndexPage, AdmissionsIndexPage, DepartmentDocumentsPage}


def _counts() -> tuple[int, ...]:
    return (Site.objects.count(), Page.objects.count(), Collection.objects.count(),
            Group.objects.count(), GroupPagePermission.objects.count(),
            GroupCollectionPermission.objects.count(), NewsCategory.objects.count())


def test_a_new_institution_gets_its_whole_portal(tree) -> None:
    school = actions.create_unit(actor=None, parent=tree.office, code="TH-C",
                                 name="Trường Tiểu học Võ Thị Sáu", kind=UnitKind.INSTITUTION,
                                 level=InstitutionLevel.PRIMARY)
    portal = Portal.objects.get(unit=school)
    assert portal.site is not None
    assert (portal.site.hostname, portal.site.port) == ("th-c.localhost", 8000)
    assert portal.url == "http://th-c.localhost:8000/"
    home = home_of(school)
    assert portal.site.root_page_id == home.pk == portal.home_page_id
    assert home.title == school.name and home.live
    children = [page.specific for page in home.get_children()]
    assert {type(page) for page in children} == SECTION_TYPES
    assert all(page.live and page.show_in_menus for page in children)
    news = next(page for page in children if isinstance(page, NewsIndexPage))
    assert news.categories.count() == 3
    assert portal.collection is not None and portal.collection.name == school.name
    assert portal.collection.get_parent().depth == 1
    editor_perms = set(GroupPagePermission.objects.filter(group=portal.editors)
                       .values_list("page_id", "permission__codename"))
    assert editor_perms == {(home.pk, "add_page"), (home.pk, "change_page")}
    approver_perms = set(GroupPagePermission.objects.filter(group=portal.approvers)
                         .values_list("permission__codename", flat=True))
    assert "publish_page" in approver_perms
    assert set(GroupCollectionPermission.objects.filter(group=portal.editors)
               .values_list("collection_id", flat=True)) == {portal.collection.pk}


def test_every_portal_kind_of_the_tree_is_provisioned_and_divisions_are_not(tree) -> None:
    codes = set(Portal.objects.values_list("unit__code", flat=True))
    assert codes == {"SGD", "PX1", "TH-A", "TH-B", "THPT-1"}
    assert not PortalHomePage.objects.filter(unit=tree.division).exists()
    assert provisioning.provision_portal(tree.division) is None


def test_the_department_becomes_the_default_site(tree) -> None:
    default = Site.objects.get(is_default_site=True)
    assert default.root_page.specific.unit == tree.department


def test_provisioning_is_idempotent_and_repairs(tree) -> None:
    before = _counts()
    provisioning.provision_portal(tree.school_a)
    provisioning.provision_portal(tree.school_a)
    assert _counts() == before
    portal = Portal.objects.get(unit=tree.school_a)
    home = home_of(tree.school_a)
    EmailDirectoryPage.objects.child_of(home).get().delete()
    assert portal.site is not None
    portal.site.delete()
    provisioning.provision_portal(tree.school_a)
    portal.refresh_from_db()
    assert portal.site is not None and portal.site.hostname == "th-a.localhost"
    assert EmailDirectoryPage.objects.child_of(home).count() == 1
    assert _counts() == before


def test_rename_carries_to_titles_site_collection_and_groups(tree) -> None:
    actions.update_unit(actor=None, unit=tree.school_a, name="Trường Tiểu học An Bình Mới")
    portal = Portal.objects.select_related("site", "collection", "editors").get(
        unit=tree.school_a)
    assert home_of(tree.school_a).title == "Trường Tiểu học An Bình Mới"
    assert portal.site is not None and portal.site.site_name == "Trường Tiểu học An Bình Mới"
    assert portal.collection is not None
    assert portal.collection.name == "Trường Tiểu học An Bình Mới"
    assert portal.editors is not None and "An Bình Mới" in portal.editors.name
    assert portal.site.hostname == "th-a.localhost"  # links keep working


def test_the_home_title_stays_the_units_name(tree) -> None:
    home = home_of(tree.school_a)
    home.title = "Something else"
    home.save_revision().publish()
    assert home_of(tree.school_a).title == tree.school_a.name


def test_a_merged_units_portal_redirects_to_its_successor(tree, client) -> None:
    item = publish_news(tree.school_b, "Tin cũ của trường Kim Đồng")
    actions.merge_units(actor=None, sources=[tree.school_b], target=tree.school_a,
                        on=datetime.date(2025, 7, 1))
    response = get(client, tree.school_b, "/")
    assert response.status_code == 301
    assert response["Location"] == "http://th-a.localhost:8000/"
    # Old links keep working, with a notice pointing at the successor.
    old = get(client, tree.school_b, relative_url(item, home_of(tree.school_b)))
    assert old.status_code == 200
    html = old.content.decode()
    assert "Tin cũ của trường Kim Đồng" in html
    assert 'href="http://th-a.localhost:8000/"' in html


def test_a_dissolved_units_portal_stays_with_a_notice(tree, client) -> None:
    school = actions.create_unit(actor=None, parent=tree.office, code="MN-X",
                                 name="Trường Mầm non Sao Mai", kind=UnitKind.INSTITUTION,
                                 level=InstitutionLevel.PRESCHOOL)
    actions.dissolve_unit(actor=None, unit=school, on=datetime.date(2025, 7, 1))
    response = get(client, school, "/")
    assert response.status_code == 200
    assert 'role="note"' in response.content.decode()


def test_groups_follow_the_directorys_roles(tree) -> None:
    editor = actions.create_person(actor=None, unit=tree.school_a, full_name="Lê Thị Hoa",
                                   position="Phó Hiệu trưởng")
    actions.grant_role(actor=None, person=editor, unit=tree.school_a, kind=RoleKind.EDITOR)
    principal = actions.create_person(actor=None, unit=tree.school_a, full_name="Trần Văn Minh",
                                      position="Hiệu trưởng")
    actions.grant_role(actor=None, person=principal, unit=tree.school_a, kind=RoleKind.HEAD)
    editor_user = User.objects.create_user("hoa@th-a.minhhai.edu.vn", "x" * 12, person=editor)
    head_user = User.objects.create_user("minh@th-a.minhhai.edu.vn", "x" * 12,
                                         person=principal)
    portal = provisioning.provision_portal(tree.school_a)
    assert portal is not None and portal.editors is not None and portal.approvers is not None
    assert list(portal.editors.user_set.all()) == [editor_user]
    assert list(portal.approvers.user_set.all()) == [head_user]
    # Nothing of another school's portal.
    other = Portal.objects.get(unit=tree.school_b)
    assert other.editors is not None and not other.editors.user_set.exists()


def test_a_school_moved_to_another_office_is_edited_by_the_new_office(tree) -> None:
    """The 2025 reorganisation moves schools between offices: an office's editor over its
    whole subtree edits its schools' portals, and stops with the schools that leave."""
    old_editor = actions.create_person(actor=None, unit=tree.office, full_name="Phạm Văn Bình")
    actions.grant_role(actor=None, person=old_editor, unit=tree.office, kind=RoleKind.EDITOR,
                       include_subtree=True)
    old_user = User.objects.create_user("binh@anbinh.minhhai.edu.vn", "x" * 12,
                                        person=old_editor)
    new_office = actions.create_unit(actor=None, parent=tree.department, code="PX2",
                                     name="Phòng Văn hóa - Xã hội xã Tân Phú",
                                     kind=UnitKind.OFFICE)
    new_editor = actions.create_person(actor=None, unit=new_office, full_name="Võ Thị Cúc")
    actions.grant_role(actor=None, person=new_editor, unit=new_office, kind=RoleKind.EDITOR,
                       include_subtree=True)
    new_user = User.objects.create_user("cuc@tanphu.minhhai.edu.vn", "x" * 12,
                                        person=new_editor)
    editors = Portal.objects.get(unit=tree.school_a).editors
    assert editors is not None and list(editors.user_set.all()) == [old_user]

    actions.move_unit(actor=None, unit=tree.school_a, new_parent=new_office)

    assert list(editors.user_set.all()) == [new_user]
    # The school left behind keeps its office's editor.
    staying = Portal.objects.get(unit=tree.school_b).editors
    assert staying is not None and list(staying.user_set.all()) == [old_user]


def test_schools_of_a_merged_office_are_edited_by_the_office_they_join(tree) -> None:
    old_editor = actions.create_person(actor=None, unit=tree.office, full_name="Phạm Văn Bình")
    actions.grant_role(actor=None, person=old_editor, unit=tree.office, kind=RoleKind.EDITOR,
                       include_subtree=True)
    User.objects.create_user("binh@anbinh.minhhai.edu.vn", "x" * 12, person=old_editor)
    joined = actions.create_unit(actor=None, parent=tree.department, code="PX2",
                                 name="Phòng Văn hóa - Xã hội xã Tân Phú", kind=UnitKind.OFFICE)
    new_editor = actions.create_person(actor=None, unit=joined, full_name="Võ Thị Cúc")
    actions.grant_role(actor=None, person=new_editor, unit=joined, kind=RoleKind.EDITOR,
                       include_subtree=True)
    new_user = User.objects.create_user("cuc@tanphu.minhhai.edu.vn", "x" * 12,
                                        person=new_editor)

    actions.merge_units(actor=None, sources=[tree.office], target=joined,
                        on=datetime.date(2025, 7, 1))

    for school in (tree.school_a, tree.school_b):
        editors = Portal.objects.get(unit=school).editors
        assert editors is not None and list(editors.user_set.all()) == [new_user]
