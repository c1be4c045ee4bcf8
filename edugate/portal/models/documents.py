"""Documents ("văn bản"): a section (``DocumentIndexPage``) listing its documents with filters
by type and year and a diacritic-insensitive search, and each document (``DocumentPage``) with
its number and symbol, type, issuing body, signer, dates, summary and attached files.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.paginator import Paginator
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page

from edugate.core.text import fold
from edugate.portal.models.base import RICH_TEXT_FEATURES, PortalPage, plain

DOCUMENT_PAGE_SIZE = 20


class DocumentType(models.TextChoices):
    LAW = "law", _("Law")
    DECREE = "decree", _("Decree")
    CIRCULAR = "circular", _("Circular")
    DECISION = "decision", _("Decision")
    DIRECTIVE = "directive", _("Directive")
    OFFICIAL_LETTER = "official_letter", _("Official letter")
    PLAN = "plan", _("Plan")
    NOTICE = "notice", _("Notice")
    GUIDANCE = "guidance", _("Guidance")
    REPORT = "report", _("Report")
    REGULATION = "regulation", _("Regulation")
    OTHER = "other", _("Other")


class DocumentIndexPage(RoutablePageMixin, PortalPage):
    intro = RichTextField(_("introduction"), blank=True, features=RICH_TEXT_FEATURES)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["portal.PortalHomePage"]
    subpage_types = ["portal.DocumentPage"]

    class Meta:
        verbose_name = _("documents section")
        verbose_name_plural = _("documents sections")

    def search_parts(self) -> list[str]:
        return [*super().search_parts(), plain(self.intro)]

    def documents(self) -> models.QuerySet[DocumentPage]:
        return (DocumentPage.objects.live().public().child_of(self)
                .order_by("-issue_date", "-pk"))

    @path("")
    def listing(self, request: HttpRequest) -> HttpResponse:
        documents = self.documents()
        all_years = self.documents().dates("issue_date", "year", order="DESC")
        years = [d.year for d in all_years]
        doc_type = request.GET.get("type", "")
        if doc_type in DocumentType.values:
            documents = documents.filter(doc_type=doc_type)
        else:
            doc_type = ""
        year = request.GET.get("year", "")
        if year.isdigit() and int(year) in years:
            documents = documents.filter(issue_date__year=int(year))
        else:
            year = ""
        query = request.GET.get("q", "").strip()[:200]
        for word in fold(query).split():
            documents = documents.filter(search_folded__contains=word)
        page_obj = Paginator(documents, DOCUMENT_PAGE_SIZE).get_page(request.GET.get("page"))
        filters = [(key, value) for key, value in
                   (("type", doc_type), ("year", year), ("q", query)) if value]
        return self.render(request, context_overrides={
            "page_obj": page_obj, "types": DocumentType.choices, "years": years,
            "current_type": doc_type, "current_year": year, "query": query,
            "filter_query": "&".join(f"{k}={v}" for k, v in filters),
        })

    @path("feed/rss/", name="rss")
    def rss(self, request: HttpRequest) -> HttpResponse:
        from edugate.portal.feeds import documents_feed

        return documents_feed(request, home=self.portal_home(), section=self, atom=False)

    @path("feed/atom/", name="atom")
    def atom(self, request: HttpRequest) -> HttpResponse:
        from edugate.portal.feeds import documents_feed

        return documents_feed(request, home=self.portal_home(), section=self, atom=True)


class DocumentPage(PortalPage):
    number = models.CharField(_("number and symbol"), max_length=100,
                              help_text=_("E.g. 125/SGDĐT-VP"))
    doc_type = models.CharField(_("type"), max_length=20, choices=DocumentType.choices)
    issuing_body = models.CharField(_("issuing body"), max_length=255)
    signer = models.CharField(_("signer"), max_length=200, blank=True)
    issue_date = models.DateField(_("issue date"))
    effective_date = models.DateField(_("effective date"), null=True, blank=True)
    summary = models.TextField(_("summary"), max_length=1000,
                               help_text=_("The document's abstract (trích yếu)."))
    body = RichTextField(_("notes"), blank=True, features=RICH_TEXT_FEATURES)

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel([
            FieldRowPanel([FieldPanel("number"), FieldPanel("doc_type")]),
            FieldPanel("issuing_body"),
            FieldPanel("signer"),
            FieldRowPanel([FieldPanel("issue_date"), FieldPanel("effective_date")]),
        ], heading=_("Document")),
        FieldPanel("summary"),
        InlinePanel("attachments", heading=_("Files"), label=_("file")),
        FieldPanel("body"),
    ]
    parent_page_types = ["portal.DocumentIndexPage"]
    subpage_types: list[str] = []
    og_type = "article"

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        indexes = [models.Index(fields=["issue_date"], name="portal_document_issued")]

    def search_parts(self) -> list[str]:
        return [*super().search_parts(), self.number, self.summary, self.issuing_body,
                self.signer, plain(self.body)]

    def meta_description(self) -> str:
        return self.search_description or self.summary

    def meta_date(self) -> datetime.date | None:
        return self.issue_date

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context["files"] = [a for a in self.attachments.select_related("document")
                            if a.document is not None]
        return context


class DocumentAttachment(Orderable):
    page = ParentalKey(DocumentPage, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey(
        "wagtaildocs.Document", verbose_name=_("file"), on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("label"), max_length=255, blank=True,
                             help_text=_("Empty: the file's title."))

    panels = [FieldPanel("document"), FieldPanel("title")]

    class Meta(Orderable.Meta):
        verbose_name = _("attached file")
        verbose_name_plural = _("attached files")

    def label(self) -> str:
        return self.title or (self.document.title if self.document else "")
