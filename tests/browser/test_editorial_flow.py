"""The editorial flow of a school's portal, end to end in a real Chromium.

A school's editor writes a news item in the Wagtail admin, through its pages (dashboard →
the school's pages → its news section → add), asks for it to be shown on the Department's
portal too, and submits it to the school's workflow: the editor is offered no way to publish,
and until the head of the school approves, no visitor sees the item. The head finds it
awaiting review on the dashboard and approves it there; then it is on the school's news list,
on its own page, in the school's RSS feed and among the member units' news on the
Department's portal. A citizen finds the school's email address on the portal's email
directory, and the item's history names the head as its approver.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from playwright.sync_api import expect

from edugate.accounts.models import User
from edugate.directory import actions
from edugate.directory.models import Domain, RoleKind, Unit
from edugate.mail.models import Mailbox, MailboxKind
from edugate.portal.models import NewsIndexPage, NewsPage, Portal, PortalHomePage
from tests.browser.conftest import log_in
from tests.conftest import build_tree

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery"
TITLE = "Ngày hội đọc sách 2025"
SUMMARY = "Học sinh đổi sách cũ lấy sách mới tại thư viện trường."
BODY = "Thư viện mở cửa cả ngày thứ Bảy cho học sinh và phụ huynh."


@pytest.fixture
def visitor(browser: Any) -> Iterator[Any]:
    """An anonymous citizen's page, in a browser context of its own."""
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def principal_page(browser: Any) -> Iterator[Any]:
    """The head of the school's page, in a browser context of its own."""
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def appoint(unit: Unit, email: str, full_name: str, kind: str, position: str) -> User:
    """A person at ``unit`` holding role ``kind`` there, with a login."""
    person = actions.create_person(actor=None, unit=unit, full_name=full_name,
                                   position=position)
    actions.grant_role(actor=None, person=person, unit=unit, kind=kind)
    return User.objects.create_user(email, PASSWORD, person=person)


def portal_root(unit: Unit, port: int) -> str:
    site = Portal.objects.select_related("site").get(unit=unit).site
    assert site is not None
    return f"http://{site.hostname}:{port}"


def fetch(page: Any, url: str) -> str:
    """The body of ``url``, fetched by the browser from the page it shows (Chromium resolves
    ``*.localhost``; Playwright's own request client does not)."""
    body: str = page.evaluate(
        """async (url) => {
            const response = await fetch(url);
            if (!response.ok) throw new Error(`${url}: ${response.status}`);
            return await response.text();
        }""", url)
    return body


def test_an_editors_news_goes_live_only_once_the_head_approves_it(
    live_server: Any, page: Any, visitor: Any, principal_page: Any, settings: Any
) -> None:
    port = urlsplit(live_server.url).port
    assert port is not None
    settings.PORTAL_HOST_SUFFIX = "localhost"
    settings.PORTAL_PORT = port
    tree = build_tree()
    school = tree.school_a
    appoint(school, "hoa@th-a.minhhai.edu.vn", "Lê Thị Hoa", RoleKind.EDITOR, "Giáo viên")
    appoint(school, "minh@th-a.minhhai.edu.vn", "Trần Văn Minh", RoleKind.HEAD, "Hiệu trưởng")
    domain = Domain.objects.create(name="th-a.minhhai.edu.vn", unit=school)
    Mailbox.objects.create(local_part="truong", domain=domain,
                           address="truong@th-a.minhhai.edu.vn", kind=MailboxKind.UNIT,
                           unit=school)
    admin = live_server.url
    school_site = portal_root(school, port)
    department_site = portal_root(tree.department, port)
    news_index = NewsIndexPage.objects.child_of(PortalHomePage.objects.get(unit=school)).get()

    # -- The editor writes the item through the admin's pages and submits it. --
    log_in(page, admin, "hoa@th-a.minhhai.edu.vn")
    page.get_by_role("link", name=re.compile(f"trang trong {re.escape(school.name)}")).click()
    page.wait_for_url(f"{admin}/admin/pages/*/")
    page.get_by_role("link", name=f"Thêm trang con vào “{news_index.title}”").click()
    # The news section takes news items only: the form opens at once.
    page.wait_for_url(f"{admin}/admin/pages/add/portal/newspage/{news_index.pk}/")
    page.get_by_role("textbox", name="Tiêu đề*").fill(TITLE)
    page.get_by_role("textbox", name="Tóm tắt*").fill(SUMMARY)
    page.get_by_role("checkbox", name="Đưa lên cổng thông tin của Sở").check()
    body = page.locator("#panel-child-content-body-section")
    body.get_by_title("Insert a block").click()
    page.get_by_role("option", name="nội dung", exact=True).click()
    body.get_by_role("textbox").click()
    page.keyboard.type(BODY)
    # Draftail writes the text to the form a moment after the last keystroke.
    expect(body.locator("input[name=body-0-value]")).to_have_value(re.compile(BODY))

    footer = page.locator("footer")
    footer.get_by_role("button", name="Thao tác khác").click()
    submit = footer.get_by_role(
        "button", name=re.compile(r"^Gửi phê duyệt \(.*phê duyệt · " + re.escape(school.name)))
    expect(submit).to_be_visible()
    # Only saving a draft and submitting to the workflow: no way to publish.
    expect(page.locator("[name=action-publish]")).to_have_count(0)
    assert not re.search("Xuất bản|Publish", footer.inner_text(), re.IGNORECASE)
    submit.click()
    page.wait_for_url(f"{admin}/admin/pages/{news_index.pk}/")
    expect(page.get_by_role("row").filter(has_text=TITLE)).to_contain_text(
        re.compile("chờ phê duyệt", re.IGNORECASE))

    news = NewsPage.objects.get(title=TITLE)
    assert news.show_on_department and not news.live
    assert news.current_workflow_task_state is not None
    item_path = urlsplit(news.full_url or "").path
    # Its address is its title without diacritics, every letter kept ("đọc" is "doc").
    assert item_path == "/tin-tuc/ngay-hoi-doc-sach-2025/"

    # -- Until it is approved, no visitor sees it. --
    visitor.goto(f"{school_site}/tin-tuc/")
    expect(visitor.get_by_role("heading", level=1)).to_have_text(news_index.title)
    expect(visitor.locator("main")).not_to_contain_text(TITLE)
    response = visitor.goto(f"{school_site}{item_path}")
    assert response is not None and response.status == 404
    assert TITLE not in fetch(visitor, f"{school_site}/tin-tuc/feed/rss/")
    visitor.goto(f"{department_site}/tin-tu-cac-don-vi/")
    expect(visitor.locator("main")).not_to_contain_text(TITLE)

    # -- The head finds it awaiting review on the dashboard and approves it there. --
    log_in(principal_page, admin, "minh@th-a.minhhai.edu.vn")
    review = principal_page.get_by_role("region", name="Chờ bạn phê duyệt")
    row = review.get_by_role("row").filter(has_text=TITLE)
    expect(row).to_contain_text("Lê Thị Hoa")
    row.get_by_role("button", name="Thao tác").click()
    row.get_by_role("button", name="Phê duyệt", exact=True).click()
    expect(principal_page.get_by_role("region", name="Chờ bạn phê duyệt")
           .get_by_role("row").filter(has_text=TITLE)).to_have_count(0)
    news.refresh_from_db()
    assert news.live and news.current_workflow_state is None
    assert news.live_revision_id == news.latest_revision_id

    # -- Now it is on the school's portal: its news list, its page and its RSS feed. --
    visitor.goto(f"{school_site}/")
    visitor.get_by_role("navigation", name="Các mục chính").get_by_role(
        "link", name=news_index.title).click()
    visitor.wait_for_url(f"{school_site}/tin-tuc/")
    rss = visitor.locator("main").get_by_role("link", name="RSS", exact=True).get_attribute(
        "href") or ""
    visitor.get_by_role("link", name=TITLE).click()
    visitor.wait_for_url(f"{school_site}{item_path}")
    expect(visitor.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(visitor.locator("main")).to_contain_text(BODY)
    feed = fetch(visitor, urljoin(f"{school_site}/tin-tuc/", rss))
    assert feed.startswith("<?xml") and "<rss" in feed
    assert TITLE in feed and f"{school_site}{item_path}" in feed

    # -- ... and among the member units' news on the Department's portal. --
    visitor.goto(f"{department_site}/")
    member_news = visitor.locator("section.member-news")
    expect(member_news).to_contain_text(school.name)
    member_news.get_by_role("link", name=TITLE).click()
    visitor.wait_for_url(f"{school_site}{item_path}")
    visitor.goto(f"{department_site}/tin-tu-cac-don-vi/")
    expect(visitor.locator("main").get_by_role("link", name=TITLE)).to_be_visible()

    # -- A citizen finds the school's email address on its email directory. --
    visitor.goto(f"{school_site}/")
    visitor.get_by_role("link", name="Danh bạ thư điện tử").click()
    visitor.wait_for_url(f"{school_site}/danh-ba-thu-dien-tu/")
    expect(visitor.locator("main")).to_contain_text("truong@th-a.minhhai.edu.vn")

    # -- The item's history names the head as the one who approved and published it. --
    principal_page.goto(f"{admin}/admin/pages/{news.pk}/history/")
    rows = principal_page.locator("main").get_by_role("row")
    expect(rows.filter(has_text="Đã phê duyệt")).to_contain_text("Trần Văn Minh")
    expect(rows.filter(has_text="Đã xuất bản")).to_contain_text("Trần Văn Minh")
    expect(rows.filter(has_text="Tạo mới")).to_contain_text("Lê Thị Hoa")
