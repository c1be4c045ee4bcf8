"""Selectors: the reads other parts of edugate build on, scoped and in one query."""

from __future__ import annotations

from edugate.directory import actions
from edugate.directory.models import RoleKind, UnitKind
from edugate.directory.scope import Scope, scope_for
from edugate.directory.selectors import role_holders
from tests.conftest import Tree


def test_heads_of_institutions_under_a_unit_in_one_query(tree: Tree, django_assert_num_queries) -> None:
    for school, person in ((tree.school_a, tree.teacher_a), (tree.school_b, tree.teacher_b)):
        actions.grant_role(actor=None, person=person, unit=school, kind=RoleKind.HEAD)
    with django_assert_num_queries(1):
        heads = role_holders(within=Scope.full(), under=tree.department, kind=RoleKind.HEAD,
                             unit_kind=UnitKind.INSTITUTION)
    assert [(h.unit_code, h.full_name) for h in heads] == [
        ("TH-A", "Nguyễn Văn An"), ("TH-B", "Đặng Thị Ngọc Ánh")]
    # A school administrator reading the same list sees their own school's head only.
    mine = role_holders(within=scope_for(tree.school_a_admin), under=tree.department,
                        kind=RoleKind.HEAD)
    assert [h.unit_code for h in mine] == ["TH-A"]


def test_people_who_left_hold_no_role(tree: Tree) -> None:
    actions.grant_role(actor=None, person=tree.teacher_a, unit=tree.school_a, kind=RoleKind.HEAD)
    actions.update_person(actor=None, person=tree.teacher_a, status="left")
    assert role_holders(within=Scope.full(), under=tree.department, kind=RoleKind.HEAD) == []
