"""``edugate portals demo``: disclosures, admissions, online services and shared news on top
of the news and documents, each section filled once, every page rendering."""

from __future__ import annotations

import json
from io import StringIO

from django.core.management import call_command
from django.utils import timezone
from wagtail.models import Page

from edugate.directory.scope import Scope
from edugate.portal.models import (
    AdmissionPage,
    DisclosureItemPage,
    NewsPage,
    Portal,
    ServicePage,
)
from edugate.portal.selectors import overdue_disclosures


def _demo() -> dict:
    out = StringIO()
    call_command("portals", "demo", "--json", stdout=out)
    return json.loads(out.getvalue())


def test_the_demo_fills_the_new_sections_once_and_every_page_renders(tree, settings, tmp_path,
                                                                    client) -> None:
    settings.MEDIA_ROOT = tmp_path
    report = _demo()
    assert report["services"] == ServicePage.objects.live().count() == 3
    assert report["admissions"] == AdmissionPage.objects.live().count() == 3
    assert report["disclosures"] == DisclosureItemPage.objects.count() == 14
    assert report["shared_news"] == 0  # the schools' opening-day news is shared from the start
    assert NewsPage.objects.filter(show_on_department=True, live=True).count() == 2
    overdue = overdue_disclosures(Scope.full(), today=timezone.localdate())
    assert overdue.count() == 2
    assert DisclosureItemPage.objects.live().filter(
        pk__in=[p.pk for p in DisclosureItemPage.objects.live() if p.posted_late()]).count() == 2

    department = Portal.objects.select_related("site", "home_page").get(unit=tree.department)
    host = f"{department.site.hostname}:{department.site.port}"
    home_html = client.get("/", HTTP_HOST=host).content.decode()
    assert "Lễ khai giảng năm học mới 2025-2026" in home_html  # a member's shared news
    for url in report["urls"]:
        portal = Portal.objects.select_related("site", "home_page").get(
            site__hostname=url.split("//", 1)[1].split(":", 1)[0])
        host = f"{portal.site.hostname}:{portal.site.port}"
        home = portal.home_page
        for page in Page.objects.descendant_of(home, inclusive=True).live().specific():
            path = "/" + page.url_path[len(home.url_path):]
            assert client.get(path, HTTP_HOST=host).status_code == 200, (url, path)

    again = _demo()
    assert (again["services"], again["admissions"], again["disclosures"],
            again["shared_news"]) == (0, 0, 0, 0)
    assert DisclosureItemPage.objects.count() == 14


def test_portals_filled_before_the_opt_in_share_their_featured_news(tree, settings,
                                                                    tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    _demo()
    for page in NewsPage.objects.filter(show_on_department=True):
        page.show_on_department = False
        page.save_revision().publish()
    report = _demo()
    assert report["shared_news"] == 2
    assert NewsPage.objects.filter(show_on_department=True, live=True).count() == 2


def test_every_new_page_type_carries_dublin_core_and_open_graph(tree, settings, tmp_path,
                                                                client) -> None:
    from edugate.portal.models import (
        AdmissionsIndexPage,
        DepartmentDocumentsPage,
        DisclosureIndexPage,
        MemberNewsPage,
        MemberPortalsPage,
        ServiceIndexPage,
    )
    from tests.portal.test_pages import parse

    settings.MEDIA_ROOT = tmp_path
    report = _demo()
    wanted = {DisclosureIndexPage, DisclosureItemPage, AdmissionsIndexPage, AdmissionPage,
              ServiceIndexPage, ServicePage, DepartmentDocumentsPage, MemberNewsPage,
              MemberPortalsPage}
    seen = set()
    for url in report["urls"]:
        portal = Portal.objects.select_related("site", "home_page").get(
            site__hostname=url.split("//", 1)[1].split(":", 1)[0])
        host = f"{portal.site.hostname}:{portal.site.port}"
        home = portal.home_page
        for page in Page.objects.descendant_of(home).live().specific():
            if type(page) not in wanted:
                continue
            seen.add(type(page))
            path = "/" + page.url_path[len(home.url_path):]
            html = client.get(path, HTTP_HOST=host).content.decode()
            meta = parse(html).meta
            for key in ("DC.title", "DC.creator", "DC.identifier", "DC.language", "DC.type",
                        "og:title", "og:type", "og:url", "og:site_name", "description"):
                assert meta.get(key), (path, key)
            assert meta["DC.title"] == page.title and meta["og:url"] == f"http://{host}{path}"
            assert html.count("<h1") == 1, path
            if isinstance(page, DisclosureItemPage) and page.live:
                assert meta["DC.date"] == page.posted_on().isoformat()
                assert meta["og:type"] == "article"
    assert seen == wanted
