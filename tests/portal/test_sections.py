"""The sections each kind of portal gets, and existing portals catching up on sections added
since they were provisioned (``edugate portals provision --missing``)."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from wagtail.models import Page

from edugate.directory.models import UnitKind
from edugate.portal import provisioning, sections
from edugate.portal.models import (
    AdmissionsIndexPage,
    DepartmentDocumentsPage,
    DisclosureIndexPage,
    MemberPortalsPage,
    ServiceIndexPage,
)
from tests.portal.conftest import home_of


def _models(kind: str) -> list[str]:
    return [section.model for section in sections.sections_for(kind)]


def test_each_kind_gets_its_sections() -> None:
    department = _models(UnitKind.DEPARTMENT)
    office = _models(UnitKind.OFFICE)
    institution = _models(UnitKind.INSTITUTION)
    assert {"ServiceIndexPage", "AdmissionsIndexPage", "MemberNewsPage",
            "MemberPortalsPage"} <= set(department)
    assert "DepartmentDocumentsPage" not in department
    assert "DisclosureIndexPage" not in department + office
    assert {"ServiceIndexPage", "AdmissionsIndexPage", "DepartmentDocumentsPage"} <= set(office)
    assert {"DisclosureIndexPage", "AdmissionsIndexPage",
            "DepartmentDocumentsPage"} <= set(institution)
    assert "ServiceIndexPage" not in institution
    for kind in (UnitKind.DEPARTMENT, UnitKind.OFFICE, UnitKind.INSTITUTION):
        slugs = [section.slug for section in sections.sections_for(kind)]
        assert len(slugs) == len(set(slugs)), kind
        assert _models(kind)[-1] == "ContactPage"
    assert sections.sections_for(UnitKind.DIVISION) == ()


def test_existing_portals_get_new_sections_with_provision_missing(tree) -> None:
    assert not set(provisioning.units_missing_portals().values_list("code", flat=True))
    # Portals provisioned before these sections existed.
    school, dept = home_of(tree.school_a), home_of(tree.department)
    DisclosureIndexPage.objects.child_of(school).get().delete()
    DepartmentDocumentsPage.objects.child_of(school).get().delete()
    ServiceIndexPage.objects.child_of(dept).get().delete()
    MemberPortalsPage.objects.child_of(dept).get().delete()
    assert set(provisioning.units_missing_portals().values_list("code", flat=True)) == {
        "TH-A", "SGD"}
    before = Page.objects.count()
    out = StringIO()
    call_command("portals", "provision", "--missing", stdout=out)
    assert Page.objects.count() == before + 4
    assert DisclosureIndexPage.objects.child_of(school).get().slug == "cong-khai"
    assert DepartmentDocumentsPage.objects.child_of(school).get().live
    assert ServiceIndexPage.objects.child_of(dept).count() == 1
    assert MemberPortalsPage.objects.child_of(dept).get().show_in_menus
    assert AdmissionsIndexPage.objects.child_of(school).count() == 1  # untouched
    assert not provisioning.units_missing_portals().exists()
