"""Online public services ("dịch vụ công trực tuyến", Circular 37 Article 8; Decree
42/2022/NĐ-CP): a catalogue (``ServiceIndexPage``) for agency portals (a Department, an
education office) with a diacritic-insensitive search and filters by field and level, and each
service (``ServicePage``) with what the law asks every procedure to show: process, dossier,
where to submit, the handling officer, time limit, fee, level, and its link to the National
Public Service Portal (dichvucong.gov.vn), where it is submitted.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page

from edugate.core.text import fold
from edugate.portal.models.attachments import Attachment, files_of
from edugate.portal.models.base import RICH_TEXT_FEATURES, PortalPage, plain

SERVICE_PAGE_SIZE = 20
NATIONAL_PORTAL = "https://dichvucong.gov.vn"
#: the National Public Service Portal's page of one procedure, by its code
NATIONAL_PROCEDURE_URL = (f"{NATIONAL_PORTAL}/p/home/"
                          "dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html")


class ServiceLevel(models.TextChoices):
    """Decree 42/2022/NĐ-CP: a procedure is online end to end, or partly."""

    FULL = "full", _("Fully online")
    PARTIAL = "partial", _("Partly online")
    INFORMATION = "information", _("Information only")


def _is_gov_vn(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host == "gov.vn" or host.endswith(".gov.vn")


class ServiceIndexPage(RoutablePageMixin, PortalPage):
    intro = RichTextField(_("introduction"), blank=True, features=RICH_TEXT_FEATURES)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["portal.PortalHomePage"]
    subpage_types = ["portal.ServicePage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("online services section")
        verbose_name_plural = _("online services sections")

    @classmethod
    def can_create_at(cls, parent: Page) -> bool:
        # Agencies offer public services; institutions do not (Circular 37, Article 8).
        from edugate.directory.models import UnitKind

        unit = getattr(parent.specific, "unit", None)
        if unit is not None and unit.kind == UnitKind.INSTITUTION:
            return False
        return bool(super().can_create_at(parent))

    def search_parts(self) -> list[str]:
        return [*super().search_parts(), plain(self.intro)]

    def services(self) -> models.QuerySet[ServicePage]:
        return (ServicePage.objects.live().public().child_of(self)
                .order_by("area", "title", "pk"))

    @path("")
    def listing(self, request: HttpRequest) -> HttpResponse:
        services = self.services()
        areas = sorted({a for a in self.services().values_list("area", flat=True) if a},
                       key=fold)
        area = request.GET.get("area", "")
        if area in areas:
            services = services.filter(area=area)
        else:
            area = ""
        level = request.GET.get("level", "")
        if level in ServiceLevel.values:
            services = services.filter(level=level)
        else:
            level = ""
        query = request.GET.get("q", "").strip()[:200]
        for word in fold(query).split():
            services = services.filter(search_folded__contains=word)
        page_obj = Paginator(services, SERVICE_PAGE_SIZE).get_page(request.GET.get("page"))
        return self.render(request, context_overrides={
            "page_obj": page_obj, "areas": areas, "levels": ServiceLevel.choices,
            "current_area": area, "current_level": level, "query": query,
            "national_portal": NATIONAL_PORTAL,
        })


class ServicePage(PortalPage):
    code = models.CharField(
        _("procedure code"), max_length=50, blank=True,
        help_text=_("The code in the National Database of Administrative Procedures, "
                    "e.g. 1.005088."),
    )
    area = models.CharField(_("subject area"), max_length=200, blank=True,
                             help_text=_("E.g. Education and training."))
    level = models.CharField(_("level"), max_length=20, choices=ServiceLevel.choices,
                             default=ServiceLevel.FULL)
    summary = models.TextField(_("summary"), max_length=1000, blank=True)
    process = RichTextField(_("process"), features=RICH_TEXT_FEATURES)
    dossier = RichTextField(_("dossier"), features=RICH_TEXT_FEATURES)
    where_to_submit = models.TextField(_("where to submit"))
    handling_officer = models.CharField(_("handling officer or division"), max_length=255)
    time_limit = models.CharField(_("time limit"), max_length=255,
                                  help_text=_("E.g. 5 working days from a complete dossier."))
    fee = models.CharField(_("fee"), max_length=255, help_text=_("E.g. None."))
    result = models.CharField(_("result"), max_length=255, blank=True,
                              help_text=_("What the applicant receives."))
    legal_basis = RichTextField(_("legal basis"), blank=True, features=RICH_TEXT_FEATURES)
    national_portal_url = models.URLField(
        _("link on the National Public Service Portal"), blank=True, max_length=500,
        help_text=_("Empty: the procedure's page on dichvucong.gov.vn, found by its code."),
    )

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel([
            FieldRowPanel([FieldPanel("code"), FieldPanel("level")]),
            FieldPanel("area"),
            FieldPanel("national_portal_url"),
        ], heading=_("Procedure")),
        FieldPanel("summary"),
        FieldPanel("process"),
        FieldPanel("dossier"),
        MultiFieldPanel([
            FieldPanel("where_to_submit"),
            FieldPanel("handling_officer"),
            FieldRowPanel([FieldPanel("time_limit"), FieldPanel("fee")]),
            FieldPanel("result"),
        ], heading=_("Handling")),
        FieldPanel("legal_basis"),
        InlinePanel("attachments", heading=_("Forms"), label=_("file")),
    ]
    parent_page_types = ["portal.ServiceIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("online service")
        verbose_name_plural = _("online services")

    def clean(self) -> None:
        super().clean()
        if self.national_portal_url and not _is_gov_vn(self.national_portal_url):
            raise ValidationError({"national_portal_url": _(
                "Link to the National Public Service Portal or a provincial one (.gov.vn).")})
        if self.level != ServiceLevel.INFORMATION and not (self.code or
                                                          self.national_portal_url):
            raise ValidationError({"code": _(
                "Give the procedure's code or its link on the public service portal.")})

    def portal_link(self) -> str:
        """Where the service is submitted: the link given, else the procedure's page on the
        National Public Service Portal found by its code, else the portal itself."""
        if self.national_portal_url:
            return self.national_portal_url
        if self.code:
            return f"{NATIONAL_PROCEDURE_URL}?{urlencode({'ma_thu_tuc': self.code})}"
        return NATIONAL_PORTAL

    def search_parts(self) -> list[str]:
        return [*super().search_parts(), self.code, self.area, self.summary,
                plain(self.process), plain(self.dossier), self.handling_officer]

    def meta_description(self) -> str:
        return self.search_description or self.summary or self.title

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context["files"] = files_of(self)
        return context


class ServiceAttachment(Attachment):
    page = ParentalKey(ServicePage, on_delete=models.CASCADE, related_name="attachments")

    class Meta(Attachment.Meta):
        verbose_name = _("attached file")
        verbose_name_plural = _("attached files")
