"""News and events: a section (``NewsIndexPage``) with its own categories, and its items
(``NewsPage``) with a date, summary, body, categories, a featured flag and an opt-in to be
listed on the Department's portal among its member portals' news; listed 10 a page.

Categories belong to the news section they are defined on, so one portal's categories are
never offered to another's editors.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page

from edugate.portal.blocks import BodyBlock
from edugate.portal.models.base import RICH_TEXT_FEATURES, PortalPage, PortalPageForm, plain

NEWS_PAGE_SIZE = 10


class NewsCategory(Orderable):
    page = ParentalKey("portal.NewsIndexPage", on_delete=models.CASCADE,
                       related_name="categories")
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, allow_unicode=False)

    panels = [FieldPanel("name"), FieldPanel("slug")]

    class Meta(Orderable.Meta):
        verbose_name = _("news category")
        verbose_name_plural = _("news categories")
        constraints = [
            models.UniqueConstraint(fields=["page", "slug"], name="news_category_slug_once"),
        ]

    def __str__(self) -> str:
        return self.name


class NewsIndexPage(RoutablePageMixin, PortalPage):
    intro = RichTextField(_("introduction"), blank=True, features=RICH_TEXT_FEATURES)

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        InlinePanel("categories", heading=_("Categories"), label=_("category")),
    ]
    parent_page_types = ["portal.PortalHomePage"]
    subpage_types = ["portal.NewsPage"]

    class Meta:
        verbose_name = _("news section")
        verbose_name_plural = _("news sections")

    def search_parts(self) -> list[str]:
        return [*super().search_parts(), plain(self.intro)]

    def news(self) -> models.QuerySet[NewsPage]:
        return (NewsPage.objects.live().public().child_of(self)
                .select_related("image").order_by("-date", "-pk"))

    @path("")
    def listing(self, request: HttpRequest) -> HttpResponse:
        news = self.news()
        categories = list(self.categories.all())
        current = next((c for c in categories if c.slug == request.GET.get("category")), None)
        if current is not None:
            news = news.filter(categories=current)
        page_obj = Paginator(news, NEWS_PAGE_SIZE).get_page(request.GET.get("page"))
        return self.render(request, context_overrides={
            "page_obj": page_obj, "categories": categories, "current_category": current,
        })

    @path("feed/rss/", name="rss")
    def rss(self, request: HttpRequest) -> HttpResponse:
        from edugate.portal.feeds import news_feed

        return news_feed(request, home=self.portal_home(), section=self, atom=False)

    @path("feed/atom/", name="atom")
    def atom(self, request: HttpRequest) -> HttpResponse:
        from edugate.portal.feeds import news_feed

        return news_feed(request, home=self.portal_home(), section=self, atom=True)


class NewsPageForm(PortalPageForm):
    """Offers only the categories of the news section the item is in."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields.get("categories")
        if field is not None:
            parent = self.parent_page or (self.instance.get_parent() if self.instance.pk else None)
            field.queryset = NewsCategory.objects.filter(page_id=parent.pk if parent else None)


def _today() -> datetime.date:
    return timezone.localdate()


class NewsPage(PortalPage):
    date = models.DateField(_("date"), default=_today)
    summary = models.TextField(_("summary"), max_length=600,
                               help_text=_("One or two sentences, shown in lists and feeds."))
    image = models.ForeignKey(
        "wagtailimages.Image", verbose_name=_("image"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    image_alt = models.CharField(
        _("image: text alternative"), max_length=500, blank=True,
        help_text=_("What the image shows, for people who cannot see it."),
    )
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)
    categories = ParentalManyToManyField(NewsCategory, verbose_name=_("categories"),
                                         blank=True, related_name="news")
    featured = models.BooleanField(_("featured"), default=False,
                                   help_text=_("Shown first on the portal's home page."))
    show_on_department = models.BooleanField(
        _("show on the Department's portal"), default=False,
        help_text=_("Also list this item under the news of the member portals on the "
                    "portal of the Department above this unit."),
    )

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel([FieldPanel("date"), FieldPanel("featured"),
                         FieldPanel("show_on_department")], heading=_("Publication")),
        FieldPanel("summary"),
        MultiFieldPanel([FieldPanel("image"), FieldPanel("image_alt")], heading=_("Image")),
        FieldPanel("body"),
        FieldPanel("categories", widget=forms.CheckboxSelectMultiple),
    ]
    base_form_class = NewsPageForm
    parent_page_types = ["portal.NewsIndexPage"]
    subpage_types: list[str] = []
    og_type = "article"

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news items")
        indexes = [
            models.Index(fields=["date"], name="portal_news_date"),
            models.Index(fields=["show_on_department", "date"], name="portal_news_on_department"),
        ]

    def clean(self) -> None:
        super().clean()
        if self.image_id and not self.image_alt.strip():
            raise ValidationError({"image_alt": _("Describe the image.")})

    def body_text(self) -> str:
        parts = []
        for block in self.body:
            if block.block_type == "paragraph":
                parts.append(plain(block.value.source))
        return " ".join(parts)

    def search_parts(self) -> list[str]:
        return [*super().search_parts(), self.summary, self.body_text()]

    def meta_description(self) -> str:
        return self.search_description or self.summary

    def meta_date(self) -> datetime.date | None:
        return self.date

    def meta_image(self) -> Any:
        return self.image
