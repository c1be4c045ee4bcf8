"""Files attached to portal pages: the abstract base of the ``*Attachment`` orderables that
disclosures, admissions and online services carry (each a Wagtail document of the portal's
collection, with an optional label)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import Orderable


class Attachment(Orderable):
    document = models.ForeignKey(
        "wagtaildocs.Document", verbose_name=_("file"), on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("label"), max_length=255, blank=True,
                             help_text=_("Empty: the file's title."))

    panels = [FieldPanel("document"), FieldPanel("title")]

    class Meta(Orderable.Meta):
        abstract = True

    def label(self) -> str:
        return self.title or (self.document.title if self.document else "")


def files_of(page: models.Model) -> list[Attachment]:
    """The attachments of ``page`` whose file still exists, in order (one query)."""
    manager = page.attachments  # type: ignore[attr-defined]
    return [a for a in manager.select_related("document") if a.document is not None]
