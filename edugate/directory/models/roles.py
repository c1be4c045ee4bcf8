"""Roles: what a person may do, always scoped to one unit and optionally its subtree."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RoleKind(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    CONTACT_OFFICER = "contact_officer", _("Contact officer")
    HEAD = "head", _("Head of unit")
    EDITOR = "editor", _("Editor")
    CLERK = "clerk", _("Clerk")


# Roles that administer the directory (units, people, roles, domains) within their scope.
DIRECTORY_ADMIN_ROLES = frozenset({RoleKind.ADMINISTRATOR, RoleKind.CONTACT_OFFICER})


class RoleAssignment(models.Model):
    person = models.ForeignKey(
        "directory.Person", verbose_name=_("person"), on_delete=models.CASCADE,
        related_name="roles",
    )
    unit = models.ForeignKey(
        "directory.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="roles"
    )
    kind = models.CharField(_("role"), max_length=20, choices=RoleKind.choices)
    include_subtree = models.BooleanField(
        _("whole subtree"), default=False,
        help_text=_("The role also applies to every unit below this one."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["unit__path", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["person", "unit", "kind"], name="role_once"),
        ]
        indexes = [models.Index(fields=["kind", "unit"], name="role_kind_unit")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.unit} – {self.person}"
