"""The tree: subtree and ancestor queries are one query each; units change over time."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from edugate.audit.models import AuditEvent
from edugate.directory import actions
from edugate.directory.models import InstitutionLevel, Membership, Unit, UnitKind, UnitStatus
from tests.conftest import Tree, refreshed


def test_subtree_is_one_query(tree: Tree, django_assert_num_queries) -> None:
    with django_assert_num_queries(1):
        codes = set(tree.office.subtree().values_list("code", flat=True))
    assert codes == {"PX1", "TH-A", "TH-B"}


def test_ancestors_are_one_query_root_first(tree: Tree, django_assert_num_queries) -> None:
    with django_assert_num_queries(1):
        names = [u.code for u in tree.school_a.ancestors()]
    assert names == ["SGD", "PX1"]


def test_create_unit_rejects_a_school_at_the_top_and_a_missing_level(tree: Tree) -> None:
    with pytest.raises(ValidationError) as error:
        actions.create_unit(actor=None, parent=None, code="X", name="Trường X",
                            kind=UnitKind.INSTITUTION, level=InstitutionLevel.PRIMARY)
    assert "parent" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        actions.create_unit(actor=None, parent=tree.office, code="X", name="Trường X",
                            kind=UnitKind.INSTITUTION)
    assert "level" in error.value.error_dict


def test_codes_are_unique(tree: Tree) -> None:
    with pytest.raises(ValidationError) as error:
        actions.create_unit(actor=None, parent=tree.office, code="TH-A", name="Trường khác",
                            kind=UnitKind.INSTITUTION, level=InstitutionLevel.PRIMARY)
    assert "code" in error.value.error_dict


def test_rename_is_audited_with_before_and_after(tree: Tree) -> None:
    actions.update_unit(actor=tree.dept_admin, unit=tree.school_a,
                        name="Trường Tiểu học An Bình 2")
    event = AuditEvent.objects.filter(action="unit.update").get()
    assert event.changes["name"] == ["Trường Tiểu học An Bình", "Trường Tiểu học An Bình 2"]
    assert event.actor == tree.dept_admin
    assert event.unit == tree.school_a
    assert refreshed(tree.school_a).search_name.startswith("truong tieu hoc an binh 2")


def test_move_school_to_another_parent_keeps_its_identity(tree: Tree) -> None:
    uid = tree.school_a.uid
    moved = actions.move_unit(actor=tree.dept_admin, unit=tree.school_a,
                              new_parent=tree.department)
    assert moved.uid == uid
    assert [u.code for u in moved.ancestors()] == ["SGD"]
    assert not refreshed(tree.office).subtree().filter(pk=moved.pk).exists()
    assert Unit.find_problems() == ([], [], [], [], [])


def test_cannot_move_a_unit_under_itself(tree: Tree) -> None:
    with pytest.raises(ValidationError):
        actions.move_unit(actor=None, unit=tree.office, new_parent=tree.school_a)


def test_school_admin_cannot_move_their_school(tree: Tree) -> None:
    with pytest.raises(PermissionDenied):
        actions.move_unit(actor=tree.school_a_admin, unit=tree.school_a,
                          new_parent=tree.department)


def test_merge_moves_staff_and_keeps_the_merged_unit_as_history(tree: Tree) -> None:
    on = datetime.date(2025, 7, 1)
    actions.merge_units(actor=tree.dept_admin, sources=[tree.school_b], target=tree.school_a,
                        on=on)
    merged = refreshed(tree.school_b)
    assert merged.status == UnitStatus.MERGED
    assert merged.valid_to == on
    assert merged.successor_id == tree.school_a.pk
    assert Membership.objects.filter(person=tree.teacher_b, unit=tree.school_a).exists()
    assert AuditEvent.objects.filter(action="unit.merge", unit=merged).exists()


def test_dissolve_refuses_while_staff_remain(tree: Tree) -> None:
    with pytest.raises(ValidationError):
        actions.dissolve_unit(actor=None, unit=tree.school_a, on=datetime.date(2026, 1, 1))
    for person in tree.school_a.people.all():
        actions.update_person(actor=None, person=person, status="left")
    unit = actions.dissolve_unit(actor=None, unit=tree.school_a, on=datetime.date(2026, 1, 1))
    assert unit.status == UnitStatus.DISSOLVED
