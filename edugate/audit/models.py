"""The audit log: one immutable row per change, attached to the unit it concerns."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from edugate.audit.labels import action_label

SOURCE_LABELS = {"web": _("back office"), "cli": _("console"), "system": _("system")}


class AuditEvent(models.Model):
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    actor_label = models.CharField(_("actor"), max_length=254, blank=True)
    source = models.CharField(_("source"), max_length=10, default="system")
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=40, db_index=True)
    object_type = models.CharField(_("object type"), max_length=40)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=255)
    unit = models.ForeignKey(
        "directory.Unit", verbose_name=_("unit"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
        help_text=_("The unit the change concerns; scopes who may read the entry."),
    )
    changes: models.JSONField[dict[str, Any], dict[str, Any]] = models.JSONField(
        _("changes"), default=dict, blank=True
    )

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"

    @property
    def action_label(self) -> str:
        return action_label(self.action)

    # Readable values for the inspect page (Wagtail looks for get_<field>_display).
    def get_action_display(self) -> str:
        return self.action_label

    def get_changes_display(self) -> str:
        return self.summary()

    def get_source_display(self) -> str:
        return str(SOURCE_LABELS.get(self.source, self.source))

    def get_object_type_display(self) -> str:
        for app_label in ("directory", "accounts", "audit"):
            try:
                return str(apps.get_model(app_label, self.object_type)._meta.verbose_name)
            except LookupError:
                continue
        return self.object_type

    def summary(self) -> str:
        """The changes as one readable line: ``name: old → new; phone: → 0912…``."""
        parts = []
        for field, value in self.changes.items():
            if isinstance(value, list) and len(value) == 2:
                old, new = ("" if v is None else v for v in value)
                parts.append(f"{field}: {old} → {new}")
            elif isinstance(value, dict):
                shown = ", ".join(f"{k}={v}" for k, v in value.items() if v not in ("", None))
                parts.append(f"{field}: {shown}")
            else:
                parts.append(f"{field}: {value}")
        return "; ".join(parts)
