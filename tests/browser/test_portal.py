"""A school's portal in a real Chromium: home, a news item and the email directory, each
checked with axe-core (WCAG 2.0/2.1 A and AA rules) for no violations."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from edugate.directory import actions
from edugate.directory.models import Domain, RoleKind
from edugate.mail.models import Mailbox, MailboxKind
from edugate.portal.models import PortalHomePage
from edugate.portal.models.base import relative_url
from tests.conftest import build_tree
from tests.portal.conftest import publish_document, publish_news

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG_AA,
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["html"] for n in v["nodes"]][:3]}
        for v in result["violations"]
    ]


def test_a_school_portal_reads_well_and_passes_axe(live_server: Any, page: Any,
                                                    settings: Any) -> None:
    settings.PORTAL_HOST_SUFFIX = "localhost"
    settings.PORTAL_PORT = urlsplit(live_server.url).port
    tree = build_tree()
    school = tree.school_a
    principal = actions.create_person(actor=None, unit=school, full_name="Trần Văn Minh",
                                      position="Hiệu trưởng", phone="0912 345 678")
    actions.grant_role(actor=None, person=principal, unit=school, kind=RoleKind.HEAD)
    domain = Domain.objects.create(name="th-a.minhhai.edu.vn", unit=school)
    Mailbox.objects.create(local_part="truong", domain=domain,
                           address="truong@th-a.minhhai.edu.vn", kind=MailboxKind.UNIT,
                           unit=school)
    Mailbox.objects.create(local_part="hieutruong", domain=domain,
                           address="hieutruong@th-a.minhhai.edu.vn",
                           kind=MailboxKind.POSITION, unit=school, person=principal)
    news = publish_news(school, "Lễ khai giảng năm học mới 2025-2026",
                        summary="Nhà trường tổ chức lễ khai giảng.",
                        body="Học sinh dự lễ chào cờ đầu năm học.", featured=True)
    publish_document(school, "Kế hoạch năm học 2025-2026")
    home = PortalHomePage.objects.get(unit=school)
    base = f"http://th-a.localhost:{settings.PORTAL_PORT}"

    page.goto(f"{base}/")
    expect(page).to_have_title(school.name)
    expect(page.get_by_role("navigation", name="Các mục chính")).to_be_visible()
    expect(page.get_by_role("link", name="Lễ khai giảng năm học mới 2025-2026").first
           ).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_role("link", name="Lễ khai giảng năm học mới 2025-2026").first.click()
    page.wait_for_url(f"{base}{relative_url(news, home)}")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Lễ khai giảng năm học mới 2025-2026")
    assert axe_violations(page) == []

    page.get_by_role("link", name="Danh bạ thư điện tử").click()
    page.wait_for_url(f"{base}/danh-ba-thu-dien-tu/")
    main = page.locator("main")
    expect(main).to_contain_text("truong@th-a.minhhai.edu.vn")
    expect(main).to_contain_text("Trần Văn Minh")
    expect(main).to_contain_text("hieutruong@th-a.minhhai.edu.vn")
    assert axe_violations(page) == []

    for path in ("/tin-tuc/", "/van-ban/", "/gioi-thieu/", "/lien-he/", "/tim-kiem/?q=khai"):
        page.goto(f"{base}{path}")
        assert axe_violations(page) == [], path

    # The skip link is the first stop of the keyboard and lands on the main content.
    page.goto(f"{base}/")
    page.keyboard.press("Tab")
    expect(page.locator("a.skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    assert page.url.endswith("/#main")


def test_the_demos_new_page_types_pass_axe(live_server: Any, page: Any, settings: Any,
                                           tmp_path: Path) -> None:
    """Disclosure, admissions, online services, the Department's documents on a member
    portal, and the member portals' news and directory on the Department's: every page type
    the demo fills, at desktop and phone widths, with no axe violation."""
    from edugate.portal.demo import load_portal_demo
    from edugate.portal.models import (
        AdmissionPage,
        DisclosureItemPage,
        Portal,
        ServicePage,
    )

    settings.PORTAL_HOST_SUFFIX = "localhost"
    settings.PORTAL_PORT = urlsplit(live_server.url).port
    settings.MEDIA_ROOT = tmp_path
    tree = build_tree()
    report = load_portal_demo()
    assert report["disclosures"] and report["services"] and report["admissions"]
    port = settings.PORTAL_PORT

    def base(unit: Any) -> str:
        site = Portal.objects.select_related("site").get(unit=unit).site
        return f"http://{site.hostname}:{port}"

    def path_of(model: Any, unit: Any) -> str:
        home = PortalHomePage.objects.get(unit=unit)
        item = model.objects.live().descendant_of(home).order_by("pk").first()
        assert item is not None, (model, unit)
        return relative_url(item, home)

    school = next(u for u in (tree.upper_school, tree.school_a, tree.school_b)
                  if DisclosureItemPage.objects.descendant_of(
                      PortalHomePage.objects.get(unit=u)).exists())
    late = next(p for p in DisclosureItemPage.objects.live().descendant_of(
        PortalHomePage.objects.get(unit=school)) if p.posted_late())
    checks = [
        (tree.department, "/"),
        (tree.department, "/dich-vu-cong/"),
        (tree.department, "/dich-vu-cong/?q=chuyen+truong&level=partial"),
        (tree.department, path_of(ServicePage, tree.department)),
        (tree.department, "/tuyen-sinh/"),
        (tree.department, path_of(AdmissionPage, tree.department)),
        (tree.department, "/tin-tu-cac-don-vi/"),
        (tree.department, "/cong-thanh-vien/"),
        (tree.department, "/cong-thanh-vien/?q=truong&kind=institution"),
        (school, "/cong-khai/"),
        (school, "/cong-khai/?category=finance"),
        (school, relative_url(late, PortalHomePage.objects.get(unit=school))),
        (school, "/tuyen-sinh/"),
        (school, path_of(AdmissionPage, school)),
        (school, "/van-ban-cua-so/"),
        (tree.office, "/van-ban-cua-so/?type=plan"),
    ]
    for unit, path in checks:
        page.goto(f"{base(unit)}{path}")
        expect(page.get_by_role("heading", level=1)).to_have_count(1)
        assert axe_violations(page) == [], (unit.code, path)

    # The Department's documents link to the Department's own portal.
    page.goto(f"{base(school)}/van-ban-cua-so/")
    first = page.locator("table.documents tbody a").first
    assert (first.get_attribute("href") or "").startswith(base(tree.department))
    # A member's shared news on the Department's home leads to the member's portal.
    page.goto(f"{base(tree.department)}/")
    expect(page.locator("h2#member-news-heading")).to_be_visible()
    member_link = page.locator("section.member-news .news-title a").first
    href = member_link.get_attribute("href") or ""
    assert href.startswith("http://") and not href.startswith(base(tree.department))
    # The member directory finds a school without diacritics.
    page.goto(f"{base(tree.department)}/cong-thanh-vien/")
    page.locator("#member-q").fill("le quy don")
    page.locator("main form.filters button[type=submit]").click()
    expect(page.locator("table.member-portals tbody tr")).to_have_count(1)
    expect(page.locator("table.member-portals")).to_contain_text(tree.upper_school.name)

    # At a phone's width the disclosure table still passes, and printing drops the filters.
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{base(school)}/cong-khai/")
    assert axe_violations(page) == []
    page.emulate_media(media="print")
    expect(page.locator("form.filters")).to_be_hidden()
    expect(page.locator("nav.site-nav")).to_be_hidden()
