"""Domains: DNS names that belong to a unit, primary or an alias of another domain."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from edugate.directory.domain_names import to_unicode


class Domain(models.Model):
    """A hosted domain. ``name`` holds the ASCII (IDNA A-label) form, lower-case."""

    name = models.CharField(_("domain name"), max_length=253, unique=True)
    unit = models.ForeignKey(
        "directory.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="domains"
    )
    alias_of = models.ForeignKey(
        "self", verbose_name=_("alias of"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="aliases",
        help_text=_("Mail to an alias domain reaches the same local part at this domain."),
    )
    address_policy = models.CharField(
        _("address policy"), max_length=32, blank=True,
        help_text=_("How new staff addresses are built from names. Empty: the default "
                    "(given name + initials, annv)."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(alias_of=models.F("id")), name="domain_not_own_alias"
            ),
            models.CheckConstraint(condition=Q(name=Lower("name")),
                                   name="domain_name_lowercase"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return to_unicode(self.name)

    @property
    def is_alias(self) -> bool:
        return self.alias_of_id is not None
