"""Documents ("văn bản"): a section (``DocumentIndexPage``) listing its documents with filters
by type and year and a diacritic-insensitive search, and each document (``DocumentPage``) with
its number and symbol, type, issuing body, signer, dates, summary and attached files.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

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
from edugate.portal.models.attachments import Attachment
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


@dataclass(frozen=True)
class DocumentFilters:
    """A document listing's filters as the visitor set them ("" when unset or not valid), and
    the years there are documents of."""

    doc_type: str
    year: str
    query: str
    years: list[int]


def filter_documents(documents: models.QuerySet[Any],
                     params: Mapping[str, str]) -> tuple[models.QuerySet[Any], DocumentFilters]:
    """``documents`` narrowed by the listing's ``type``, ``year`` and ``q`` (every word, without
    diacritics) parameters."""
    years = [d.year for d in documents.dates("issue_date", "year", order="DESC")]
    doc_type = params.get("type", "")
    if doc_type in DocumentType.values:
        documents = documents.filter(doc_type=doc_type)
    else:
        doc_type = ""
    year = params.get("year", "")
    if year.isdigit() and int(year) in years:
        documents = documents.filter(issue_date__year=int(year))
    else:
        year = ""
    query = params.get("q", "").strip()[:200]
    for word in fold(query).split():
        documents = documents.filter(search_folded__contains=word)
    return documents, DocumentFilters(doc_type, year, query, years)


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
        documents, chosen = filter_documents(self.documents(), request.GET)
        page_obj = Paginator(documents, DOCUMENT_PAGE_SIZE).get_page(request.GET.get("page"))
        filters = [(key, value) for key, value in
                   (("type", chosen.doc_type), ("year", chosen.year), ("q", chosen.query))
                   if value]
        return self.render(request, context_overrides={
            "page_obj": page_obj, "types": DocumentType.choices, "years": chosen.years,
            "current_type": chosen.doc_type, "current_year": chosen.year,
            "query": chosen.query, "filter_query": "&".join(f"{k}={v}" for k, v in filters),
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


class DocumentAttachment(Attachment):
    page = ParentalKey(DocumentPage, on_delete=models.CASCADE, related_name="attachments")

    class Meta(Attachment.Meta):
        verbose_name = _("attached file")
        verbose_name_plural = _("attached files")

    def label(self) -> str:
        return self.title or (self.document.title if self.document else "")
