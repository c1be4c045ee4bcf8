"""Admissions ("tuyển sinh", Circular 37, Articles 8 and 9): a section
(``AdmissionsIndexPage``) listing the admission plans newest school year first, and each plan
(``AdmissionPage``) with its school year, who may apply, the quota, the schedule (dated
steps), the application dossier, the way candidates are admitted, an online registration link
and its documents (plan, forms, lists of admitted candidates).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page

from edugate.portal.models.attachments import Attachment, files_of
from edugate.portal.models.base import RICH_TEXT_FEATURES, PortalPage, plain
from edugate.portal.models.disclosure import current_school_year, validate_school_year

ADMISSION_PAGE_SIZE = 20


class AdmissionsIndexPage(RoutablePageMixin, PortalPage):
    intro = RichTextField(_("introduction"), blank=True, features=RICH_TEXT_FEATURES)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["portal.PortalHomePage"]
    subpage_types = ["portal.AdmissionPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("admissions section")
        verbose_name_plural = _("admissions sections")

    def search_parts(self) -> list[str]:
        return [*super().search_parts(), plain(self.intro)]

    def admissions(self) -> models.QuerySet[AdmissionPage]:
        return (AdmissionPage.objects.live().public().child_of(self)
                .order_by("-school_year", "-first_published_at", "-pk"))

    @path("")
    def listing(self, request: HttpRequest) -> HttpResponse:
        admissions = self.admissions()
        years = sorted(set(self.admissions().values_list("school_year", flat=True)),
                       reverse=True)
        year = request.GET.get("year", "")
        if year in years:
            admissions = admissions.filter(school_year=year)
        else:
            year = ""
        page_obj = Paginator(admissions, ADMISSION_PAGE_SIZE).get_page(request.GET.get("page"))
        return self.render(request, context_overrides={
            "page_obj": page_obj, "years": years, "current_year": year,
        })


class AdmissionPage(PortalPage):
    school_year = models.CharField(
        _("school year"), max_length=9, default=current_school_year,
        validators=[validate_school_year], help_text=_("E.g. 2026-2027"),
    )
    target = models.TextField(
        _("who may apply"), help_text=_("E.g. children born in 2020 living in the commune."),
    )
    quota = models.PositiveIntegerField(_("admission quota"), null=True, blank=True,
                                        help_text=_("The number of places (chỉ tiêu)."))
    quota_details = models.CharField(_("quota details"), max_length=255, blank=True,
                                     help_text=_("E.g. 8 classes of 35 pupils."))
    summary = models.TextField(_("summary"), max_length=1000, blank=True)
    method = RichTextField(_("how candidates are admitted"), blank=True,
                           features=RICH_TEXT_FEATURES)
    dossier = RichTextField(_("application dossier"), blank=True, features=RICH_TEXT_FEATURES)
    registration_url = models.URLField(_("online registration link"), blank=True)
    body = RichTextField(_("other information"), blank=True, features=RICH_TEXT_FEATURES)

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel([
            FieldPanel("school_year"),
            FieldPanel("target"),
            FieldRowPanel([FieldPanel("quota"), FieldPanel("quota_details")]),
        ], heading=_("Admission")),
        FieldPanel("summary"),
        InlinePanel("schedule", heading=_("Schedule"), label=_("step")),
        FieldPanel("method"),
        FieldPanel("dossier"),
        FieldPanel("registration_url"),
        InlinePanel("attachments", heading=pgettext_lazy("admission files", "Documents"),
                    label=_("file")),
        FieldPanel("body"),
    ]
    parent_page_types = ["portal.AdmissionsIndexPage"]
    subpage_types: list[str] = []
    og_type = "article"

    class Meta:
        verbose_name = _("admission plan")
        verbose_name_plural = _("admission plans")

    def search_parts(self) -> list[str]:
        return [*super().search_parts(), self.school_year, self.target, self.summary,
                plain(self.method), plain(self.dossier), plain(self.body)]

    def meta_description(self) -> str:
        return self.search_description or self.summary or self.target

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context["files"] = files_of(self)
        context["steps"] = list(self.schedule.all())
        return context


class AdmissionScheduleStep(Orderable):
    page = ParentalKey(AdmissionPage, on_delete=models.CASCADE, related_name="schedule")
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to"), null=True, blank=True,
                                help_text=_("Empty: a single day."))
    activity = models.CharField(_("what happens"), max_length=255)

    panels = [FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")]),
              FieldPanel("activity")]

    class Meta(Orderable.Meta):
        verbose_name = _("schedule step")
        verbose_name_plural = _("schedule steps")

    def clean(self) -> None:
        super().clean()
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end comes before the start.")})

    def is_single_day(self) -> bool:
        return self.end_date is None or self.end_date == self.start_date

    def dates(self) -> tuple[datetime.date, datetime.date]:
        return self.start_date, self.end_date or self.start_date


class AdmissionAttachment(Attachment):
    page = ParentalKey(AdmissionPage, on_delete=models.CASCADE, related_name="attachments")

    class Meta(Attachment.Meta):
        verbose_name = _("attached file")
        verbose_name_plural = _("attached files")
