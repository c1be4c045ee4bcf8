"""What a Department's portal and its member portals show of each other, read live and never
copied (Circular 37, Article 3.1c: the managing agency gives its institutions member portals):

- ``DepartmentDocumentsPage`` ("Văn bản của Sở") on each member portal (offices and
  institutions): the published documents of the nearest Department's portal above it, with the
  same filters as a documents section, linking to the Department's portal;
- ``MemberNewsPage`` ("Tin từ các đơn vị") on the Department's portal: the news items of its
  member portals whose editors ticked "show on the Department's portal";
- ``MemberPortalsPage`` ("Cổng thông tin thành viên") on the Department's portal: a searchable
  directory of the member portals (name, kind, hostname), diacritics ignored.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page

from edugate.portal.models.base import RICH_TEXT_FEATURES, PortalPage, plain
from edugate.portal.models.documents import DocumentType, filter_documents

MEMBER_NEWS_PAGE_SIZE = 10
MEMBER_PORTALS_PAGE_SIZE = 50
DEPARTMENT_DOCUMENTS_PAGE_SIZE = 20


def _home_unit_kind(parent: Page) -> str | None:
    unit = getattr(parent.specific, "unit", None)
    return unit.kind if unit is not None else None


class _SectionPage(RoutablePageMixin, PortalPage):
    intro = RichTextField(_("introduction"), blank=True, features=RICH_TEXT_FEATURES)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["portal.PortalHomePage"]
    subpage_types: list[str] = []
    max_count_per_parent = 1
    #: the unit kinds whose portals may hold this section (``None``: any)
    unit_kinds: frozenset[str] | None = None

    class Meta:
        abstract = True

    @classmethod
    def can_create_at(cls, parent: Page) -> bool:
        if cls.unit_kinds is not None and _home_unit_kind(parent) not in cls.unit_kinds:
            return False
        return bool(super().can_create_at(parent))

    def search_parts(self) -> list[str]:
        return [*super().search_parts(), plain(self.intro)]


class DepartmentDocumentsPage(_SectionPage):
    unit_kinds = frozenset({"office", "institution"})

    class Meta:
        verbose_name = _("Department's documents section")
        verbose_name_plural = _("Department's documents sections")

    @path("")
    def listing(self, request: HttpRequest) -> HttpResponse:
        from edugate.portal.selectors import department_documents, department_portal

        department = department_portal(self.portal_home().unit)
        context: dict[str, Any] = {"department": department, "types": DocumentType.choices}
        if department is None:
            return self.render(request, context_overrides=context)
        documents, chosen = filter_documents(department_documents(department), request.GET)
        page_obj = Paginator(documents, DEPARTMENT_DOCUMENTS_PAGE_SIZE).get_page(
            request.GET.get("page"))
        context.update({
            "page_obj": page_obj, "years": chosen.years, "current_type": chosen.doc_type,
            "current_year": chosen.year, "query": chosen.query,
            "rows": [(doc, department.url_of(doc)) for doc in page_obj],
        })
        return self.render(request, context_overrides=context)


class MemberNewsPage(_SectionPage):
    unit_kinds = frozenset({"department"})

    class Meta:
        verbose_name = _("member portals' news section")
        verbose_name_plural = _("member portals' news sections")

    @path("")
    def listing(self, request: HttpRequest) -> HttpResponse:
        from edugate.portal.selectors import member_news, member_news_items

        page_obj = Paginator(member_news(self.portal_home().unit),
                             MEMBER_NEWS_PAGE_SIZE).get_page(request.GET.get("page"))
        return self.render(request, context_overrides={
            "page_obj": page_obj, "items": member_news_items(page_obj),
        })


class MemberPortalsPage(_SectionPage):
    unit_kinds = frozenset({"department"})

    class Meta:
        verbose_name = _("member portals directory")
        verbose_name_plural = _("member portals directories")

    @path("")
    def listing(self, request: HttpRequest) -> HttpResponse:
        from edugate.directory.models import UnitKind
        from edugate.portal.selectors import member_portal_rows, member_portals

        kinds = [(UnitKind.OFFICE.value, UnitKind.OFFICE.label),
                 (UnitKind.INSTITUTION.value, UnitKind.INSTITUTION.label)]
        kind = request.GET.get("kind", "")
        if kind not in {value for value, _label in kinds}:
            kind = ""
        query = request.GET.get("q", "").strip()[:200]
        portals = member_portals(self.portal_home().unit, query=query, kind=kind)
        page_obj = Paginator(portals, MEMBER_PORTALS_PAGE_SIZE).get_page(
            request.GET.get("page"))
        return self.render(request, context_overrides={
            "page_obj": page_obj, "rows": member_portal_rows(page_obj), "kinds": kinds,
            "current_kind": kind, "query": query,
        })
