"""The one permission policy of the back office, inherited down the unit tree.

Every directory screen, export and command asks these policies; none checks permissions
inline. A policy maps an object to the unit(s) it belongs to and asks the user's
:class:`~edugate.directory.scope.Scope` whether those units are inside it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db import models
from django.db.models import Exists, OuterRef, QuerySet
from wagtail.permission_policies.base import BasePermissionPolicy

from edugate.directory.models import (
    Domain,
    Membership,
    Person,
    PersonStatus,
    RoleAssignment,
    Unit,
    UnitStatus,
)
from edugate.directory.scope import Scope, scope_for

READ = "view"
# Roles count while their holder works (or is on leave) and their unit exists.
ACTIVE_STATUSES = (PersonStatus.ACTIVE, PersonStatus.ON_LEAVE)
WRITE_ACTIONS = frozenset({"add", "change", "delete"})


class DirectoryRoleBackend(ModelBackend):
    """Logins by email; anyone holding a directory role may enter the back office."""

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        if not user_obj.is_active:
            return False
        if perm == "wagtailadmin.access_admin" and self._has_any_role(user_obj):
            return True
        return super().has_perm(user_obj, perm, obj)

    @staticmethod
    def _has_any_role(user: Any) -> bool:
        if user.is_superuser:
            return True
        if "_edugate_has_role" not in user.__dict__:
            user.__dict__["_edugate_has_role"] = (
                user.person_id is not None
                and RoleAssignment.objects.filter(
                    person_id=user.person_id, person__status__in=ACTIVE_STATUSES,
                    unit__status=UnitStatus.ACTIVE,
                ).exists()
            )
        return bool(user.__dict__["_edugate_has_role"])


class ScopedPolicy(BasePermissionPolicy):
    """Base for the directory's policies: permission follows the user's scope."""

    #: actions this model offers at all (units are dissolved, never deleted)
    actions: frozenset[str] = frozenset({"add", "change", "delete", "view"})
    #: how the model reaches its unit, for filters
    unit_prefix = "unit__"
    select_related: tuple[str, ...] = ("unit",)

    def scope(self, user: Any) -> Scope:
        return scope_for(user)

    def scoped_queryset(self, scope: Scope) -> QuerySet[Any]:
        queryset = self.model._default_manager.filter(scope.units_q(self.unit_prefix))
        return queryset.select_related(*self.select_related) if self.select_related else queryset

    def user_has_permission(self, user: Any, action: str) -> bool:
        return action in self.actions and not self.scope(user).is_empty

    def user_has_any_permission(self, user: Any, actions: Iterable[str]) -> bool:
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions: Iterable[str]) -> QuerySet[Any]:
        from edugate.accounts.models import User

        return User.objects.filter(is_active=True, person__roles__isnull=False).distinct()

    def instances_user_has_any_permission_for(
        self, user: Any, actions: Iterable[str]
    ) -> QuerySet[Any]:
        if not self.user_has_any_permission(user, actions):
            return self.model._default_manager.none()
        return self.scoped_queryset(self.scope(user))

    def user_has_permission_for_instance(self, user: Any, action: str, instance: Any) -> bool:
        if not self.user_has_permission(user, action):
            return False
        return self.instance_in_scope(self.scope(user), instance, action)

    def user_has_any_permission_for_instance(
        self, user: Any, actions: Iterable[str], instance: Any
    ) -> bool:
        return any(self.user_has_permission_for_instance(user, a, instance) for a in actions)

    def instance_in_scope(self, scope: Scope, instance: Any, action: str) -> bool:
        return scope.contains(instance.unit)


class UnitPolicy(ScopedPolicy):
    actions = frozenset({"add", "change", "view"})
    unit_prefix = ""
    select_related = ()

    def user_has_permission(self, user: Any, action: str) -> bool:
        if action == "add":
            scope = self.scope(user)
            return scope.everything or any(g.subtree for g in scope.grants)
        return super().user_has_permission(user, action)

    def instance_in_scope(self, scope: Scope, instance: Any, action: str) -> bool:
        return scope.contains(instance)


class DomainPolicy(ScopedPolicy):
    select_related = ("unit", "alias_of")


class RolePolicy(ScopedPolicy):
    select_related = ("unit", "person")

    def instance_in_scope(self, scope: Scope, instance: Any, action: str) -> bool:
        if action == READ:
            return scope.contains(instance.unit)
        # Changing a role needs the whole of what it grants to lie in one's own scope.
        return scope.covers(instance.unit, subtree=instance.include_subtree)


class MembershipPolicy(ScopedPolicy):
    select_related = ("unit", "person")


def people_in_scope(scope: Scope) -> QuerySet[Person]:
    """People with at least one membership inside ``scope``."""
    if scope.everything:
        return Person.objects.all()
    return Person.objects.filter(
        Exists(Membership.objects.filter(scope.units_q("unit__"), person=OuterRef("pk")))
    )


class PersonPolicy(ScopedPolicy):
    def scoped_queryset(self, scope: Scope) -> QuerySet[Any]:
        return people_in_scope(scope)

    def instance_in_scope(self, scope: Scope, instance: Any, action: str) -> bool:
        if scope.everything:
            return True
        units = [m.unit for m in instance.memberships.select_related("unit")]
        if action == READ:
            return any(scope.contains(unit) for unit in units)
        # A person record is shared by all their workplaces: changing or deleting it (name,
        # status...) takes whoever administers every one of them and every unit where the
        # person holds a role, or a school could switch off its sibling's administrator.
        units += [r.unit for r in instance.roles.select_related("unit")]
        return bool(units) and all(scope.contains(unit) for unit in units)


unit_policy = UnitPolicy(Unit)
domain_policy = DomainPolicy(Domain)
role_policy = RolePolicy(RoleAssignment)
membership_policy = MembershipPolicy(Membership)
person_policy = PersonPolicy(Person)


def policy_for(model: type[models.Model]) -> ScopedPolicy:
    return {
        Unit: unit_policy,
        Domain: domain_policy,
        RoleAssignment: role_policy,
        Membership: membership_policy,
        Person: person_policy,
    }[model]
