"""Portal pages: the shape of each tree, every page type rendering with its metadata, and
leaders and addresses read live from the directory."""

from __future__ import annotations

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from wagtail.models import Page
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from edugate.directory import actions
from edugate.directory.models import Domain, RoleKind
from edugate.mail.models import Mailbox, MailboxKind
from edugate.portal.models import (
    AdmissionsIndexPage,
    ContactPage,
    DepartmentDocumentsPage,
    DisclosureIndexPage,
    DocumentIndexPage,
    DocumentPage,
    EmailDirectoryPage,
    IntroductionPage,
    MemberNewsPage,
    MemberPortalsPage,
    NewsIndexPage,
    NewsPage,
    PortalHomePage,
    ServiceIndexPage,
)
from edugate.portal.models.base import relative_url
from tests.portal.conftest import get, home_of, publish_document, publish_news


class MetaParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.tags.append((tag, values))
        if tag == "meta":
            key = values.get("name") or values.get("property")
            if key:
                self.meta[key] = values.get("content") or ""


def parse(html: str) -> MetaParser:
    parser = MetaParser()
    parser.feed(html)
    return parser


def _mailbox(unit, local: str, kind: str, person=None, domain: str = "th-a.minhhai.edu.vn"):
    dom = Domain.objects.filter(name=domain).first() or Domain.objects.create(name=domain,
                                                                             unit=unit)
    return Mailbox.objects.create(local_part=local, domain=dom, address=f"{local}@{domain}",
                                  kind=kind, unit=unit, person=person)


# -- the shape of the tree --

def test_page_types_keep_the_tree_in_shape() -> None:
    root = Page
    assert PortalHomePage.parent_page_types == ["wagtailcore.Page"]
    assert not PortalHomePage.is_creatable
    assert set(PortalHomePage.allowed_subpage_models()) == {
        IntroductionPage, NewsIndexPage, DocumentIndexPage, EmailDirectoryPage, ContactPage,
        DisclosureIndexPage, AdmissionsIndexPage, ServiceIndexPage, DepartmentDocumentsPage,
        MemberNewsPage, MemberPortalsPage}
    assert NewsIndexPage.allowed_subpage_models() == [NewsPage]
    assert DocumentIndexPage.allowed_subpage_models() == [DocumentPage]
    assert NewsPage.allowed_parent_page_models() == [NewsIndexPage]
    assert DocumentPage.allowed_parent_page_models() == [DocumentIndexPage]
    for leaf in (NewsPage, DocumentPage, IntroductionPage, EmailDirectoryPage, ContactPage):
        assert leaf.allowed_subpage_models() == []
    assert root not in NewsPage.allowed_parent_page_models()


def test_a_home_takes_no_second_introduction_and_news_cannot_sit_on_the_home(tree) -> None:
    home = home_of(tree.school_a)
    assert not IntroductionPage.can_create_at(home)
    assert not EmailDirectoryPage.can_create_at(home)
    assert not NewsPage.can_create_at(home)
    assert NewsIndexPage.can_create_at(home)
    assert not PortalHomePage.can_create_at(Page.get_first_root_node())


def test_news_images_need_a_text_alternative(tree) -> None:
    from django.core.exceptions import ValidationError

    page = NewsPage(title="Ảnh", summary="x", image_id=1, image_alt=" ")
    with pytest.raises(ValidationError) as error:
        page.clean()
    assert "image_alt" in error.value.message_dict


# -- every page type renders, with its metadata --

def test_every_page_type_renders_with_dublin_core_and_open_graph(tree, client) -> None:
    news = publish_news(tree.school_a, "Lễ khai giảng năm học mới", summary="Khai giảng.")
    document = publish_document(tree.school_a, "Kế hoạch năm học")
    home = home_of(tree.school_a)
    pages = [home, *[p.specific for p in home.get_children()], news, document]
    assert {type(p) for p in pages} == {
        PortalHomePage, IntroductionPage, NewsIndexPage, DocumentIndexPage,
        EmailDirectoryPage, ContactPage, NewsPage, DocumentPage,
        DisclosureIndexPage, AdmissionsIndexPage, DepartmentDocumentsPage}
    for page in pages:
        path = relative_url(page, home)
        response = get(client, tree.school_a, path)
        assert response.status_code == 200, path
        html = response.content.decode()
        parsed = parse(html)
        assert html.startswith("<!DOCTYPE html>")
        assert '<html lang="vi">' in html
        for key in ("DC.title", "DC.creator", "DC.publisher", "DC.identifier", "DC.language",
                    "DC.type", "og:title", "og:type", "og:url", "og:site_name", "og:locale",
                    "description"):
            assert parsed.meta.get(key), (path, key)
        assert parsed.meta["DC.title"] == page.title
        assert parsed.meta["og:url"] == f"http://th-a.localhost:8000{path}"
        assert parsed.meta["DC.creator"] == tree.school_a.name
        assert ('link', {"rel": "canonical", "href": f"http://th-a.localhost:8000{path}"}) \
            in parsed.tags
        # Landmarks, skip link and a labelled navigation.
        assert 'href="#main"' in html and '<main id="main"' in html
        assert re.search(r'<nav class="site-nav" aria-label="[^"]+"', html)
        assert html.count("<h1") == 1
    assert parse(get(client, tree.school_a, relative_url(news, home)).content.decode()
                 ).meta["og:type"] == "article"


def test_the_header_names_the_unit_and_its_parent_and_lists_the_sections(tree, client) -> None:
    html = get(client, tree.school_a).content.decode()
    assert tree.school_a.name in html and tree.office.name in html
    for title in ("Giới thiệu", "Tin tức - Sự kiện", "Văn bản", "Danh bạ thư điện tử",
                  "Liên hệ"):
        assert f">{title}</a>" in html


def test_each_host_serves_its_own_portal(tree, client) -> None:
    publish_news(tree.school_b, "Tin riêng của trường Kim Đồng")
    assert "Kim Đồng" not in get(client, tree.school_a).content.decode()
    assert "Tin riêng của trường Kim Đồng" in get(client, tree.school_b).content.decode()


def test_news_are_listed_ten_a_page_newest_first_and_by_category(tree, client) -> None:
    for number in range(12):
        publish_news(tree.school_a, f"Tin số {number:02d}", days_ago=number)
    first = get(client, tree.school_a, "/tin-tuc/").content.decode()
    assert first.count('class="news-title"') == 10
    assert first.index("Tin số 00") < first.index("Tin số 01")
    assert "Tin số 11" not in first
    second = get(client, tree.school_a, "/tin-tuc/?page=2").content.decode()
    assert second.count('class="news-title"') == 2 and "Tin số 11" in second
    item = NewsPage.objects.get(title="Tin số 03")
    category = NewsIndexPage.objects.child_of(home_of(tree.school_a)).get().categories.first()
    item.categories = [category]
    item.save_revision().publish()
    filtered = get(client, tree.school_a, f"/tin-tuc/?category={category.slug}").content.decode()
    assert filtered.count('class="news-title"') == 1 and "Tin số 03" in filtered


def test_drafts_do_not_show(tree, client) -> None:
    publish_news(tree.school_a, "Bản nháp chưa duyệt", live=False)
    assert "Bản nháp chưa duyệt" not in get(client, tree.school_a, "/tin-tuc/").content.decode()


def test_documents_filter_by_type_year_and_words(tree, client) -> None:
    import datetime

    publish_document(tree.school_a, "Kế hoạch năm học", number="12/KH-NT", doc_type="plan",
                     issued=datetime.date(2025, 9, 1), summary="Kế hoạch thực hiện nhiệm vụ")
    publish_document(tree.school_a, "Quy chế chi tiêu", number="05/QĐ-NT",
                     doc_type="regulation", issued=datetime.date(2026, 1, 2),
                     summary="Quy chế chi tiêu nội bộ")
    listing = get(client, tree.school_a, "/van-ban/").content.decode()
    assert "12/KH-NT" in listing and "05/QĐ-NT" in listing
    by_type = get(client, tree.school_a, "/van-ban/?type=regulation").content.decode()
    assert "05/QĐ-NT" in by_type and "12/KH-NT" not in by_type
    by_year = get(client, tree.school_a, "/van-ban/?year=2025").content.decode()
    assert "12/KH-NT" in by_year and "05/QĐ-NT" not in by_year
    by_words = get(client, tree.school_a, "/van-ban/?q=chi+tieu+noi+bo").content.decode()
    assert "05/QĐ-NT" in by_words and "12/KH-NT" not in by_words


# -- live from the directory --

def test_leaders_come_live_from_the_directory(tree, client) -> None:
    principal = actions.create_person(actor=None, unit=tree.school_a,
                                      full_name="Trần Văn Minh", position="Hiệu trưởng",
                                      phone="0912 345 678")
    actions.grant_role(actor=None, person=principal, unit=tree.school_a, kind=RoleKind.HEAD)
    deputy = actions.create_person(actor=None, unit=tree.school_a, full_name="Lê Thị Hoa",
                                   position="Phó Hiệu trưởng")
    _mailbox(tree.school_a, "hoalt", MailboxKind.PERSONAL, deputy)
    html = get(client, tree.school_a, "/gioi-thieu/").content.decode()
    assert "Trần Văn Minh" in html and "0912 345 678" in html
    assert "Lê Thị Hoa" in html and "hoalt@th-a.minhhai.edu.vn" in html
    assert html.index("Trần Văn Minh") < html.index("Lê Thị Hoa")
    assert "Nguyễn Văn An" not in html  # a teacher is not a leader

    # A new principal: the page shows her without anyone editing it.
    role = principal.roles.get(kind=RoleKind.HEAD)
    actions.revoke_role(actor=None, role=role)
    actions.update_person(actor=None, person=principal, position="Giáo viên")
    successor = actions.create_person(actor=None, unit=tree.school_a,
                                      full_name="Phạm Thu Trang", position="Hiệu trưởng")
    actions.grant_role(actor=None, person=successor, unit=tree.school_a, kind=RoleKind.HEAD)
    _mailbox(tree.school_a, "hieutruong", MailboxKind.POSITION, successor)
    html = get(client, tree.school_a, "/gioi-thieu/").content.decode()
    assert "Phạm Thu Trang" in html and "hieutruong@th-a.minhhai.edu.vn" in html
    assert "Trần Văn Minh" not in html


def test_the_email_directory_is_generated_from_the_directory(tree, client) -> None:
    _mailbox(tree.office, "vanthu", MailboxKind.UNIT, domain="anbinh.minhhai.edu.vn")
    _mailbox(tree.school_a, "truong", MailboxKind.UNIT)
    html = get(client, tree.office, "/danh-ba-thu-dien-tu/").content.decode()
    assert "vanthu@anbinh.minhhai.edu.vn" in html
    assert "truong@th-a.minhhai.edu.vn" in html
    assert tree.school_b.name in html  # every sub-unit is listed
    assert 'href="http://th-a.localhost:8000/"' in html  # with a link to its portal
    # A new address shows at once; a closed one goes.
    box = _mailbox(tree.school_b, "truong", MailboxKind.UNIT, domain="th-b.minhhai.edu.vn")
    assert "truong@th-b.minhhai.edu.vn" in get(
        client, tree.office, "/danh-ba-thu-dien-tu/").content.decode()
    box.state = "closed"
    box.save()
    assert "truong@th-b.minhhai.edu.vn" not in get(
        client, tree.office, "/danh-ba-thu-dien-tu/").content.decode()
    # The unit's address is in every page's footer.
    assert "mailto:vanthu@anbinh.minhhai.edu.vn" in get(client, tree.office).content.decode()


def test_a_slug_typed_with_vietnamese_letters_is_folded_and_still_unique(tree) -> None:
    """The page editor fills the slug from the title as typed, letters and all; the address
    drops only the diacritics ("đọc" is "doc", not Wagtail's "djc")."""
    index = NewsIndexPage.objects.child_of(home_of(tree.school_a)).get()
    page = NewsPage(title="Ngày hội đọc sách", slug="ngày-hội-đọc-sách", summary="Tóm tắt.",
                    date=datetime.date(2026, 4, 21))
    index.add_child(instance=page)
    assert page.slug == "ngay-hoi-doc-sach"
    assert relative_url(page, home_of(tree.school_a)) == "/tin-tuc/ngay-hoi-doc-sach/"
    twin = NewsPage(title="Ngày hội đọc sách", slug="ngày-hội-đọc-sách", summary="Tóm tắt.",
                    date=datetime.date(2026, 4, 22))
    with pytest.raises(ValidationError) as refused:
        index.add_child(instance=twin)
    assert "slug" in refused.value.message_dict


def test_the_editor_s_form_refuses_a_slug_that_folds_onto_a_sibling_s(tree) -> None:
    """Refused next to the field, not a server error when the page is saved."""
    home = home_of(tree.school_a)
    assert ContactPage.objects.child_of(home).get().slug == "lien-he"
    form_class = ContactPage.get_edit_handler().get_form_class()
    data = nested_form_data({"title": "Liên hệ", "slug": "liên-hệ", "body": rich_text(""),
                             "map_url": "", "comments": inline_formset([])})
    form = form_class(data, instance=ContactPage(), parent_page=home, for_user=tree.superuser)
    assert not form.is_valid()
    assert "slug" in form.errors
    data["slug"] = "lien-he-cu"
    form = form_class(data, instance=ContactPage(), parent_page=home, for_user=tree.superuser)
    assert form.is_valid(), form.errors
