"""Units: the education tree (ministry → department → offices → institutions → divisions).

The tree is a materialised path (django-treebeard's ``MP_Node``, the structure Wagtail's pages
use): a unit's subtree is one range scan on ``path`` and its ancestors are one ``IN`` query on
paths computed from its own, on SQLite and PostgreSQL alike. Units are never deleted: they are
dissolved or merged into a successor, keeping their rows, validity dates and audit history.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from edugate.core.text import fold

# Treebeard's path alphabet is 0-9A-Z; "~" sorts after all of it, so every path that starts
# with P lies in the half-open range [P, P + "~"). A range uses the path index on both
# backends, where a LIKE 'P%' cannot on SQLite.
_PATH_END = "~"


def subtree_q(path: str, *, prefix: str = "", include_self: bool = True) -> Q:
    """A filter for the units at or below ``path`` (``prefix`` for lookups through a relation)."""
    lower = {f"{prefix}path__gte": path} if include_self else {f"{prefix}path__gt": path}
    return Q(**lower, **{f"{prefix}path__lt": path + _PATH_END})


class UnitKind(models.TextChoices):
    MINISTRY = "ministry", _("Ministry")
    DEPARTMENT = "department", _("Department of Education and Training")
    OFFICE = "office", _("Education office")
    INSTITUTION = "institution", _("Educational institution")
    DIVISION = "division", _("Internal division")


class InstitutionLevel(models.TextChoices):
    PRESCHOOL = "preschool", _("Preschool")
    PRIMARY = "primary", _("Primary")
    LOWER_SECONDARY = "lower_secondary", _("Lower secondary")
    UPPER_SECONDARY = "upper_secondary", _("Upper secondary")
    MULTI_LEVEL = "multi_level", _("Multi-level")
    CONTINUING = "continuing", _("Continuing education")


class UnitStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    MERGED = "merged", _("Merged")
    DISSOLVED = "dissolved", _("Dissolved")


class UnitQuerySet(MP_NodeQuerySet):
    def subtree_of(self, unit: Unit, *, include_self: bool = True) -> UnitQuerySet:
        return self.filter(subtree_q(unit.path, include_self=include_self))

    def active(self) -> UnitQuerySet:
        return self.filter(status=UnitStatus.ACTIVE)


class UnitManager(MP_NodeManager):
    def get_queryset(self) -> UnitQuerySet:
        return UnitQuerySet(self.model, using=self._db).order_by("path")

    def active(self) -> UnitQuerySet:
        return self.get_queryset().active()


class Unit(MP_Node):
    """A unit of the education administration, at any depth of the tree."""

    uid = models.UUIDField(
        _("identifier"), default=uuid.uuid4, unique=True, editable=False,
        help_text=_("Stable identifier that survives renames, moves and code changes."),
    )
    code = models.CharField(
        _("official code"), max_length=32, unique=True,
        help_text=_("Code used by the Ministry and the Department (e.g. the EMIS code)."),
    )
    name = models.CharField(_("full name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    # Folded "name short name code" for diacritic-insensitive search (see core.text.fold).
    search_name = models.CharField(max_length=400, editable=False, db_index=True, default="")
    kind = models.CharField(_("kind"), max_length=16, choices=UnitKind.choices)
    level = models.CharField(
        _("education level"), max_length=16, choices=InstitutionLevel.choices, blank=True,
        help_text=_("Institutions only."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=UnitStatus.choices, default=UnitStatus.ACTIVE
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    successor = models.ForeignKey(
        "self", verbose_name=_("successor"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="predecessors",
        help_text=_("The unit this one was merged into."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects: ClassVar[Any] = UnitManager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]
        indexes = [models.Index(fields=["kind", "path"], name="unit_kind_path")]
        constraints = [
            models.CheckConstraint(
                condition=Q(level="") | Q(kind=UnitKind.INSTITUTION),
                name="unit_level_only_for_institutions",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="unit_validity_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(successor=models.F("id")), name="unit_not_own_successor"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def search_text(name: str, short_name: str, code: str) -> str:
        return fold(f"{name} {short_name} {code}")

    @property
    def display_kind(self) -> str:
        if self.kind == UnitKind.INSTITUTION and self.level:
            return f"{self.get_kind_display()} ({self.get_level_display()})"
        return str(self.get_kind_display())

    @property
    def is_active(self) -> bool:
        return self.status == UnitStatus.ACTIVE

    def ancestor_paths(self) -> list[str]:
        """Paths of every ancestor, root first: computed, no query."""
        return [self.path[:i] for i in range(self.steplen, len(self.path), self.steplen)]

    def subtree(self, *, include_self: bool = True) -> UnitQuerySet:
        qs: UnitQuerySet = Unit.objects.all()
        return qs.subtree_of(self, include_self=include_self)

    def ancestors(self) -> UnitQuerySet:
        """Every ancestor, root first, in one query."""
        qs: UnitQuerySet = Unit.objects.filter(path__in=self.ancestor_paths())
        return qs.order_by("path")

    def parent_unit(self) -> Unit | None:
        if self.depth <= 1:
            return None
        parent: Unit = self.get_parent()
        return parent
