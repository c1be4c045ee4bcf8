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
