"""The portal's home page (one per unit, the root of its Site) and its fixed sections:
introduction, public email directory and contact.

Leaders and email addresses are never stored in pages: the templates read them live from
the directory and the mailboxes (``edugate.portal.selectors``), so a new principal or a new
unit mailbox shows on the portal without anyone editing a page.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, HelpPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page

from edugate.core.text import fold
from edugate.directory.models import UnitKind
from edugate.portal.models.base import RICH_TEXT_FEATURES, PortalPage, plain, relative_url

SEARCH_PAGE_SIZE = 10


class PortalHomePage(RoutablePageMixin, PortalPage):
    """A unit's portal: created by provisioning, its title always the unit's name."""

    unit = models.ForeignKey(
        "directory.Unit", verbose_name=_("unit"), on_delete=models.PROTECT,
        related_name="portal_homes", editable=False,
    )
    intro = RichTextField(_("welcome text"), blank=True, features=RICH_TEXT_FEATURES)
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    office_hours = models.CharField(_("office hours"), max_length=255, blank=True)

    content_panels = [
        HelpPanel(content=_("The portal's title is the unit's name in the directory.")),
        FieldPanel("intro"),
        MultiFieldPanel(
            [FieldPanel("address"), FieldPanel("phone"), FieldPanel("office_hours")],
            heading=_("Contact details (shown in every page's footer)"),
        ),
    ]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "portal.IntroductionPage", "portal.NewsIndexPage", "portal.DocumentIndexPage",
        "portal.EmailDirectoryPage", "portal.ContactPage",
        "portal.DisclosureIndexPage", "portal.AdmissionsIndexPage", "portal.ServiceIndexPage",
        "portal.DepartmentDocumentsPage", "portal.MemberNewsPage", "portal.MemberPortalsPage",
    ]
    # Only provisioning creates portals (one per unit, with its Site and groups).
    is_creatable = False

    class Meta:
        verbose_name = _("portal home page")
        verbose_name_plural = _("portal home pages")

    def save(self, *args: Any, **kwargs: Any) -> Any:
        if self.unit_id is not None:
            # The directory owns the name: an edit (or an old revision) cannot change it.
            self.title = self.draft_title = self.unit.name
        return super().save(*args, **kwargs)

    def search_parts(self) -> list[str]:
        return [*super().search_parts(), plain(self.intro)]

    def meta_description(self) -> str:
        return self.search_description or plain(self.intro)[:300] or self.title

    # -- routes --

    @path("")
    def home(self, request: HttpRequest) -> HttpResponse:
        from edugate.portal.selectors import successor_portal_url

        if not self.unit.is_active:
            target = successor_portal_url(self.unit)
            if target:
                return HttpResponsePermanentRedirect(target)
        from edugate.portal.models.documents import DocumentPage
        from edugate.portal.models.news import NewsPage

        news = NewsPage.objects.live().public().descendant_of(self).select_related("image")
        featured = list(news.filter(featured=True).order_by("-date", "-pk")[:3])
        context: dict[str, Any] = {
            "featured": featured,
            "latest_news": list(news.exclude(pk__in=[item.pk for item in featured])
                                .order_by("-date", "-pk")[:6]),
            "latest_documents": list(
                DocumentPage.objects.live().public().descendant_of(self)
                .order_by("-issue_date", "-pk")[:5]
            ),
        }
        if self.unit.kind == UnitKind.DEPARTMENT:
            from edugate.portal.models.members import MemberNewsPage
            from edugate.portal.selectors import member_news, member_news_items

            context["member_news"] = member_news_items(member_news(self.unit)[:5])
            section = MemberNewsPage.objects.live().child_of(self).first()
            context["member_news_url"] = relative_url(section, self) if section else ""
        return self.render(request, context_overrides=context)

    @path("feed/rss/", name="rss")
    def rss(self, request: HttpRequest) -> HttpResponse:
        from edugate.portal.feeds import news_feed

        return news_feed(request, home=self, section=None, atom=False)

    @path("feed/atom/", name="atom")
    def atom(self, request: HttpRequest) -> HttpResponse:
        from edugate.portal.feeds import news_feed

        return news_feed(request, home=self, section=None, atom=True)

    @path("tim-kiem/", name="search")
    def search(self, request: HttpRequest) -> HttpResponse:
        query = request.GET.get("q", "").strip()[:200]
        results: Any = []
        page_obj = None
        if fold(query):
            found = (
                Page.objects.live().public().filter(path__startswith=self.path)
                .specific().search(fold(query), operator="and")
            )
            page_obj = Paginator(found, SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
            results = page_obj.object_list
        return self.render(
            request, template="portal/search_results.html",
            context_overrides={"query": query, "results": results, "page_obj": page_obj},
        )


class IntroductionPage(PortalPage):
    """Organisation, functions, history; the leaders come live from the directory."""

    organisation = RichTextField(_("organisation"), blank=True, features=RICH_TEXT_FEATURES)
    functions = RichTextField(_("functions and duties"), blank=True,
                              features=RICH_TEXT_FEATURES)
    history = RichTextField(_("history"), blank=True, features=RICH_TEXT_FEATURES)
    org_chart = models.ForeignKey(
        "wagtailimages.Image", verbose_name=_("organisation chart"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    org_chart_alt = models.CharField(
        _("organisation chart: text alternative"), max_length=500, blank=True,
        help_text=_("Describe the chart for people who cannot see it."),
    )
    show_leaders = models.BooleanField(
        _("show the leaders from the directory"), default=True,
        help_text=_("Name, position, phone and email of the head and deputies, always current."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("organisation"),
        MultiFieldPanel([FieldPanel("org_chart"), FieldPanel("org_chart_alt")],
                        heading=_("Organisation chart")),
        FieldPanel("functions"),
        FieldPanel("history"),
        FieldPanel("show_leaders"),
    ]
    parent_page_types = ["portal.PortalHomePage"]
    subpage_types: list[str] = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("introduction page")
        verbose_name_plural = _("introduction pages")

    def clean(self) -> None:
        super().clean()
        if self.org_chart_id and not self.org_chart_alt.strip():
            raise ValidationError({"org_chart_alt": _("Describe the organisation chart.")})

    def search_parts(self) -> list[str]:
        return [*super().search_parts(), plain(self.organisation), plain(self.functions),
                plain(self.history)]

    def meta_description(self) -> str:
        return self.search_description or plain(self.organisation)[:300] or self.title

    def meta_image(self) -> Any:
        return self.org_chart

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from edugate.portal.selectors import unit_leaders

        context = super().get_context(request, *args, **kwargs)
        context["leaders"] = unit_leaders(context["unit"]) if self.show_leaders else []
        return context


class EmailDirectoryPage(PortalPage):
    """Article 4.2: the unit's official addresses, its leaders' and its sub-units', generated
    from the directory on every view and never stored."""

    intro = RichTextField(_("introduction"), blank=True, features=RICH_TEXT_FEATURES)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["portal.PortalHomePage"]
    subpage_types: list[str] = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("email directory page")
        verbose_name_plural = _("email directory pages")

    def search_parts(self) -> list[str]:
        return [*super().search_parts(), plain(self.intro)]

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from edugate.portal.selectors import email_directory

        context = super().get_context(request, *args, **kwargs)
        context["directory"] = email_directory(context["unit"])
        return context


class ContactPage(PortalPage):
    """How to reach the unit: the address and phone of the home page, the official email from
    the directory, and free text (directions, reception hours)."""

    body = RichTextField(_("text"), blank=True, features=RICH_TEXT_FEATURES)
    map_url = models.URLField(_("map link"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("body"), FieldPanel("map_url")]
    parent_page_types = ["portal.PortalHomePage"]
    subpage_types: list[str] = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("contact page")
        verbose_name_plural = _("contact pages")

    def search_parts(self) -> list[str]:
        return [*super().search_parts(), plain(self.body)]

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from edugate.portal.selectors import unit_leaders

        context = super().get_context(request, *args, **kwargs)
        context["leaders"] = unit_leaders(context["unit"])
        return context
