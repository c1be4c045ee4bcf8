"""Scopes: which units a user's roles cover, decided without queries."""

from __future__ import annotations

from edugate.directory.scope import Grant, Scope, scope_for, scope_from_grants
from tests.conftest import Tree


def test_department_admin_covers_the_whole_province(tree: Tree) -> None:
    scope = scope_for(tree.dept_admin)
    for unit in (tree.department, tree.office, tree.school_a, tree.school_b, tree.upper_school):
        assert scope.contains(unit)


def test_school_admin_covers_only_their_school(tree: Tree) -> None:
    scope = scope_for(tree.school_a_admin)
    assert scope.contains(tree.school_a)
    for unit in (tree.school_b, tree.office, tree.department, tree.upper_school, tree.division):
        assert not scope.contains(unit)


def test_a_unit_only_role_cannot_create_children_or_grant_subtree_roles(tree: Tree) -> None:
    scope = scope_for(tree.school_a_admin)
    assert not scope.may_add_child(tree.school_a)
    assert scope.covers(tree.school_a, subtree=False)
    assert not scope.covers(tree.school_a, subtree=True)


def test_office_contact_officer_covers_its_schools_but_not_the_department(tree: Tree) -> None:
    scope = scope_for(tree.office_admin)
    assert scope.contains(tree.school_a) and scope.contains(tree.school_b)
    assert not scope.contains(tree.department)
    assert not scope.contains(tree.upper_school)
    assert scope.may_add_child(tree.office)


def test_only_the_platform_operator_may_add_a_root(tree: Tree) -> None:
    assert scope_for(tree.superuser).may_add_child(None)
    assert not scope_for(tree.dept_admin).may_add_child(None)


def test_users_without_roles_have_an_empty_scope(tree: Tree, django_user_model) -> None:
    user = django_user_model.objects.create_user("giaovien@th-a.minhhai.edu.vn", "x" * 12)
    assert scope_for(user).is_empty


def test_nested_grants_collapse_into_the_enclosing_subtree() -> None:
    scope = scope_from_grants([("0001", True), ("00010002", False), ("00010002", True)])
    assert scope.grants == (Grant("0001", True),)
    assert scope_from_grants([("0001", False), ("00010002", False)]).grants == (
        Grant("0001", False), Grant("00010002", False),
    )


def test_empty_scope_filter_matches_nothing(tree: Tree) -> None:
    from edugate.directory.models import Unit

    assert not Unit.objects.filter(Scope().units_q()).exists()
    assert Unit.objects.filter(Scope.full().units_q()).count() == Unit.objects.count()
