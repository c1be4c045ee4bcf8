"""Directory actions: people, domains and roles, each scoped and audited."""

from __future__ import annotations

import unicodedata

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from edugate.audit.context import Origin, acting_from
from edugate.audit.models import AuditEvent
from edugate.directory import actions
from edugate.directory.models import Domain, RoleKind
from edugate.directory.scope import scope_for
from tests.conftest import Tree


def test_person_name_is_nfc_and_split_into_parts(tree: Tree) -> None:
    decomposed = unicodedata.normalize("NFD", "  ĐẶNG   Thị Ngọc Ánh ")
    person = actions.create_person(actor=tree.school_a_admin, unit=tree.school_a,
                                   full_name=decomposed)
    assert person.full_name == unicodedata.normalize("NFC", "ĐẶNG Thị Ngọc Ánh")
    assert (person.family_name, person.middle_name, person.given_name) == (
        "ĐẶNG", "Thị Ngọc", "Ánh")
    assert person.search_name == "dang thi ngoc anh"


def test_school_admin_cannot_create_people_in_a_sibling_school(tree: Tree) -> None:
    with pytest.raises(PermissionDenied):
        actions.create_person(actor=tree.school_a_admin, unit=tree.school_b,
                              full_name="Lê Văn Bình")


def test_a_teacher_may_work_at_two_schools(tree: Tree) -> None:
    actions.add_membership(actor=tree.school_b_admin, person=tree.teacher_a,
                           unit=tree.school_b, position="Giáo viên")
    assert set(tree.teacher_a.units.values_list("code", flat=True)) == {"TH-A", "TH-B"}


def test_nobody_grants_more_than_their_own_scope(tree: Tree) -> None:
    with pytest.raises(PermissionDenied):
        actions.grant_role(actor=tree.school_a_admin, person=tree.teacher_a,
                           unit=tree.school_a, kind=RoleKind.ADMINISTRATOR,
                           include_subtree=True)
    role = actions.grant_role(actor=tree.school_a_admin, person=tree.teacher_a,
                              unit=tree.school_a, kind=RoleKind.EDITOR)
    assert role.kind == RoleKind.EDITOR


def test_revoking_a_role_removes_the_scope_at_once(tree: Tree) -> None:
    admin = tree.school_a_admin
    assert scope_for(admin).contains(tree.school_a)
    role = admin.person.roles.get()
    actions.revoke_role(actor=tree.dept_admin, role=role)
    admin.refresh_from_db()
    assert scope_for(admin).is_empty


def test_domains_are_idna_normalised_and_unique(tree: Tree) -> None:
    domain = actions.add_domain(actor=tree.dept_admin, unit=tree.department,
                                name="  MinhHai.EDU.vn. ")
    assert domain.name == "minhhai.edu.vn"
    idn = actions.add_domain(actor=tree.dept_admin, unit=tree.school_a,
                             name="trường-an-bình.minhhai.edu.vn")
    assert idn.name.startswith("xn--")
    assert idn.display_name == "trường-an-bình.minhhai.edu.vn"
    with pytest.raises(ValidationError):
        actions.add_domain(actor=tree.dept_admin, unit=tree.school_b, name="minhhai.edu.vn")
    for bad in ("minhhai", "-bad.edu.vn", "a..b.vn", "10.0.0.1", "a b.edu.vn"):
        with pytest.raises(ValidationError):
            actions.add_domain(actor=tree.dept_admin, unit=tree.school_b, name=bad)


def test_alias_domains_point_at_a_primary_domain(tree: Tree) -> None:
    new = actions.add_domain(actor=None, unit=tree.department, name="daklak.edu.vn")
    old = actions.add_domain(actor=None, unit=tree.department, name="phuyen.edu.vn", alias_of=new)
    assert old.is_alias and not new.is_alias
    with pytest.raises(ValidationError):
        actions.add_domain(actor=None, unit=tree.department, name="x.edu.vn", alias_of=old)
    with pytest.raises(ValidationError):
        actions.delete_domain(actor=None, domain=new)
    assert Domain.objects.count() == 2


def test_every_change_records_who_when_and_from_where(tree: Tree) -> None:
    with acting_from(Origin("web", "203.0.113.7")):
        actions.update_person(actor=tree.school_a_admin, person=tree.teacher_a,
                              phone="0912345678")
    event = AuditEvent.objects.get(action="person.update")
    assert event.ip == "203.0.113.7"
    assert event.source == "web"
    assert event.actor_label == tree.school_a_admin.email
    assert event.changes == {"phone": ["", "0912345678"]}
    assert event.unit == tree.school_a


def test_audit_refuses_to_be_written_outside_a_transaction(transactional_db: None) -> None:
    from edugate.audit.actions import record
    from edugate.directory.models import UnitKind

    unit = actions.create_unit(actor=None, parent=None, code="SGD", name="Sở",
                               kind=UnitKind.DEPARTMENT)
    with pytest.raises(RuntimeError):
        record(actor=None, action="x", obj=unit, unit=unit)


def test_an_objects_history_page_shows_its_audit_trail(tree: Tree, client) -> None:
    from django.urls import reverse

    from edugate.directory.viewsets import person_viewset

    actions.update_person(actor=tree.school_a_admin, person=tree.teacher_a, phone="0912345678")
    client.force_login(tree.school_a_admin)
    response = client.get(reverse(person_viewset.get_url_name("history"), args=[tree.teacher_a.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "0912345678" in body and tree.school_a_admin.email in body
    from edugate.audit.labels import action_label

    assert action_label("person.create") in body and action_label("person.update") in body
