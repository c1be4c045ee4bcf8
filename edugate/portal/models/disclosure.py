"""Public disclosure ("công khai", Circular 09/2024/TT-BGDĐT): a section
(``DisclosureIndexPage``) listing its items with filters by school year and category, and
each item (``DisclosureItemPage``) with its school year, category, the date by which it must
be posted (``due_date``), the date it was posted (its first publication, never typed in) and
its files.

An item whose due date has passed while it is still unpublished is *overdue*: the unit's
administrators and editors see those on the admin dashboard
(``edugate.portal.disclosure_admin``); the public sees each item's posting and due dates, and
whether it was posted late.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page

from edugate.core.text import fold
from edugate.portal.models.attachments import Attachment, files_of
from edugate.portal.models.base import RICH_TEXT_FEATURES, PortalPage, plain

DISCLOSURE_PAGE_SIZE = 30
SCHOOL_YEAR_RE = re.compile(r"^(\d{4})-(\d{4})$")
#: a school year runs from September; from August the coming one is "current"
SCHOOL_YEAR_START_MONTH = 8


class DisclosureCategory(models.TextChoices):
    """What Circular 09/2024/TT-BGDĐT asks an institution to disclose."""

    GENERAL = "general", _("General information")
    STAFF = "staff", _("Quality conditions: teachers, managers and staff")
    FACILITIES = "facilities", _("Quality conditions: facilities")
    PLAN_RESULTS = "plan_results", _("Education plan and results")
    FINANCE = "finance", _("Revenue and expenditure")
    OTHER = "other", _("Other")


def school_year_of(day: datetime.date) -> str:
    """``2025-2026`` for any day from August 2025 to July 2026."""
    start = day.year if day.month >= SCHOOL_YEAR_START_MONTH else day.year - 1
    return f"{start}-{start + 1}"


def validate_school_year(value: str) -> None:
    match = SCHOOL_YEAR_RE.match(value or "")
    if match is None or int(match.group(2)) != int(match.group(1)) + 1:
        raise ValidationError(_("Write the school year as two consecutive years: 2025-2026."))


def current_school_year() -> str:
    return school_year_of(timezone.localdate())


class DisclosureIndexPage(RoutablePageMixin, PortalPage):
    intro = RichTextField(_("introduction"), blank=True, features=RICH_TEXT_FEATURES)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["portal.PortalHomePage"]
    subpage_types = ["portal.DisclosureItemPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("public disclosure section")
        verbose_name_plural = _("public disclosure sections")

    def search_parts(self) -> list[str]:
        return [*super().search_parts(), plain(self.intro)]

    def items(self) -> models.QuerySet[DisclosureItemPage]:
        return (DisclosureItemPage.objects.live().public().child_of(self)
                .order_by("-school_year", "category", "-first_published_at", "-pk"))

    @path("")
    def listing(self, request: HttpRequest) -> HttpResponse:
        items = self.items()
        years = sorted(set(self.items().values_list("school_year", flat=True)), reverse=True)
        year = request.GET.get("year", "")
        if year in years:
            items = items.filter(school_year=year)
        else:
            year = ""
        category = request.GET.get("category", "")
        if category in DisclosureCategory.values:
            items = items.filter(category=category)
        else:
            category = ""
        query = request.GET.get("q", "").strip()[:200]
        for word in fold(query).split():
            items = items.filter(search_folded__contains=word)
        page_obj = Paginator(items, DISCLOSURE_PAGE_SIZE).get_page(request.GET.get("page"))
        return self.render(request, context_overrides={
            "page_obj": page_obj, "years": years, "categories": DisclosureCategory.choices,
            "current_year": year, "current_category": category, "query": query,
        })


class DisclosureItemPage(PortalPage):
    school_year = models.CharField(
        _("school year"), max_length=9, default=current_school_year,
        validators=[validate_school_year], help_text=_("E.g. 2025-2026"),
    )
    category = models.CharField(_("category"), max_length=20,
                                choices=DisclosureCategory.choices)
    due_date = models.DateField(
        _("due date"), help_text=_("The date by which this item must be posted "
                                   "(Circular 09/2024/TT-BGDĐT)."),
    )
    summary = models.TextField(_("summary"), max_length=1000, blank=True)
    body = RichTextField(_("content"), blank=True, features=RICH_TEXT_FEATURES)

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel([
            FieldRowPanel([FieldPanel("school_year"), FieldPanel("category")]),
            FieldPanel("due_date"),
        ], heading=_("Disclosure")),
        FieldPanel("summary"),
        FieldPanel("body"),
        InlinePanel("attachments", heading=_("Files"), label=_("file")),
    ]
    parent_page_types = ["portal.DisclosureIndexPage"]
    subpage_types: list[str] = []
    og_type = "article"

    class Meta:
        verbose_name = _("public disclosure item")
        verbose_name_plural = _("public disclosure items")
        indexes = [models.Index(fields=["due_date"], name="portal_disclosure_due")]

    def search_parts(self) -> list[str]:
        return [*super().search_parts(), self.school_year, self.summary, plain(self.body)]

    def posted_on(self) -> datetime.date | None:
        """The day the item was first published: the posting date the law looks at."""
        if self.first_published_at is None:
            return None
        return timezone.localdate(self.first_published_at)

    def posted_late(self) -> bool:
        posted = self.posted_on()
        return posted is not None and posted > self.due_date

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        """Its due date has passed and it is not published."""
        return not self.live and self.due_date < (today or timezone.localdate())

    def meta_description(self) -> str:
        return self.search_description or self.summary or self.title

    def meta_date(self) -> datetime.date | None:
        return self.posted_on()

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context["files"] = files_of(self)
        return context


class DisclosureAttachment(Attachment):
    page = ParentalKey(DisclosureItemPage, on_delete=models.CASCADE, related_name="attachments")

    class Meta(Attachment.Meta):
        verbose_name = _("attached file")
        verbose_name_plural = _("attached files")
