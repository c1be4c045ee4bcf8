"""Scopes: the part of the tree a user may administer, derived from their roles.

A scope is plain data (the paths a user's roles cover), so deciding whether a unit is inside
it needs no query; turning it into a filter gives one indexed range per grant.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from edugate.directory.models.roles import DIRECTORY_ADMIN_ROLES, RoleAssignment
from edugate.directory.models.units import Unit, subtree_q


@dataclass(frozen=True)
class Grant:
    path: str
    subtree: bool

    def contains(self, path: str) -> bool:
        return path == self.path or (self.subtree and path.startswith(self.path))


@dataclass(frozen=True)
class Scope:
    """The units a user may act on. ``everything`` is the platform operator's scope."""

    everything: bool = False
    grants: tuple[Grant, ...] = ()

    @classmethod
    def full(cls) -> Scope:
        return cls(everything=True)

    @property
    def is_empty(self) -> bool:
        return not self.everything and not self.grants

    def contains(self, unit: Unit) -> bool:
        return self.everything or any(grant.contains(unit.path) for grant in self.grants)

    def covers(self, unit: Unit, *, subtree: bool) -> bool:
        """Whether ``unit`` (and, with ``subtree``, everything below it) lies in the scope."""
        if self.everything:
            return True
        if not subtree:
            return self.contains(unit)
        return any(g.subtree and unit.path.startswith(g.path) for g in self.grants)

    def may_add_child(self, parent: Unit | None) -> bool:
        """A new unit under ``parent`` would lie in the scope (roots: operators only)."""
        if parent is None:
            return self.everything
        return self.covers(parent, subtree=True)

    def units_q(self, prefix: str = "") -> Q:
        """A filter on units (through ``prefix``, e.g. ``"unit__"``) for this scope."""
        if self.everything:
            return Q()
        query = Q(pk__in=[])
        for grant in self.grants:
            if grant.subtree:
                query |= subtree_q(grant.path, prefix=prefix)
            else:
                query |= Q(**{f"{prefix}path": grant.path})
        return query

    @property
    def roots(self) -> list[str]:
        return [grant.path for grant in self.grants]


def scope_from_grants(grants: Iterable[tuple[str, bool]]) -> Scope:
    unique = sorted(set(grants))
    # A grant already inside a subtree grant adds nothing.
    kept = tuple(
        Grant(path, subtree)
        for path, subtree in unique
        if not any(
            other_sub and path.startswith(other) and (path, subtree) != (other, other_sub)
            for other, other_sub in unique
        )
    )
    return Scope(grants=kept)


def scope_for(user: Any, kinds: frozenset[str] = DIRECTORY_ADMIN_ROLES) -> Scope:
    """The scope that ``user``'s roles of ``kinds`` give, cached on the user for the request."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope()
    if user.is_superuser:
        return Scope.full()
    cache: dict[frozenset[str], Scope] = user.__dict__.setdefault("_edugate_scopes", {})
    if kinds not in cache:
        person_id = getattr(user, "person_id", None)
        if person_id is None:
            cache[kinds] = Scope()
        else:
            rows = RoleAssignment.objects.filter(
                person_id=person_id, kind__in=kinds, person__status__in=["active", "on_leave"],
                unit__status="active",
            ).values_list("unit__path", "include_subtree")
            cache[kinds] = scope_from_grants(rows)
    return cache[kinds]


def forget_scopes(user: Any) -> None:
    """Drop the cached scopes after the user's roles changed."""
    if user is not None:
        user.__dict__.pop("_edugate_scopes", None)
