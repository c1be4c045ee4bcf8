"""The portal record: which Site, home page, collection and groups belong to which unit.

Provisioning (``edugate.portal.provisioning``) creates and repairs these; every link is
``SET_NULL`` so that an operator deleting a Site or a group in Wagtail's admin leaves a record
the next ``edugate portals provision`` can repair instead of an error.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Portal(models.Model):
    unit = models.OneToOneField(
        "directory.Unit", verbose_name=_("unit"), on_delete=models.PROTECT,
        related_name="portal",
    )
    site = models.OneToOneField(
        "wagtailcore.Site", verbose_name=_("site"), on_delete=models.SET_NULL, null=True,
        related_name="portal",
    )
    home_page = models.OneToOneField(
        "wagtailcore.Page", verbose_name=_("home page"), on_delete=models.SET_NULL, null=True,
        related_name="+",
    )
    collection = models.OneToOneField(
        "wagtailcore.Collection", verbose_name=_("collection"), on_delete=models.SET_NULL,
        null=True, related_name="+",
    )
    editors = models.OneToOneField(
        "auth.Group", verbose_name=_("editors' group"), on_delete=models.SET_NULL, null=True,
        related_name="+",
    )
    approvers = models.OneToOneField(
        "auth.Group", verbose_name=_("approvers' group"), on_delete=models.SET_NULL,
        null=True, related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("portal")
        verbose_name_plural = _("portals")

    def __str__(self) -> str:
        return str(self.unit)

    @property
    def url(self) -> str:
        return f"{self.site.root_url}/" if self.site else ""
