"""Full-text search per site, ignoring Vietnamese diacritics."""

from __future__ import annotations

from wagtail.models import Page
from wagtail.search.index import insert_or_update_object

from edugate.portal.models import PortalHomePage
from tests.portal.conftest import get, publish_document, publish_news


def _index_all() -> None:
    # Wagtail queues index updates as background tasks; tests index at once.
    for page in Page.objects.live().specific():
        insert_or_update_object(page)


def test_search_ignores_diacritics_and_stays_on_its_site(tree, client) -> None:
    publish_news(tree.school_a, "Lễ khai giảng năm học mới",
                 body="Học sinh trường Tiểu học An Bình dự lễ chào cờ.")
    publish_news(tree.school_a, "Hội thi giáo viên dạy giỏi")
    publish_document(tree.school_a, "Quy chế chi tiêu nội bộ", summary="Quy chế đồng bộ")
    publish_news(tree.school_b, "Lễ khai giảng của trường Kim Đồng")
    _index_all()

    html = get(client, tree.school_a, "/tim-kiem/?q=khai+giang").content.decode()
    assert "Lễ khai giảng năm học mới" in html
    assert "Kim Đồng" not in html.split("<main", 1)[1]

    assert "Lễ khai giảng năm học mới" in get(
        client, tree.school_a, "/tim-kiem/?q=chao+co").content.decode()
    assert "Quy chế chi tiêu nội bộ" in get(
        client, tree.school_a, "/tim-kiem/?q=dong+bo").content.decode()
    # With diacritics too, and with other diacritics than the text's.
    assert "Hội thi giáo viên dạy giỏi" in get(
        client, tree.school_a, "/tim-kiem/?q=gi%C3%A1o+vi%C3%AAn").content.decode()
    assert "Hội thi giáo viên dạy giỏi" in get(
        client, tree.school_a, "/tim-kiem/?q=GIAO+VIEN").content.decode()
    nothing = get(client, tree.school_a, "/tim-kiem/?q=khong+co+gi+ca").content.decode()
    assert "Hội thi" not in nothing.split("<main", 1)[1]


def test_the_folded_copy_is_stored(tree) -> None:
    page = publish_news(tree.school_a, "Trường Đông Hà", summary="Đón tiếp")
    assert "truong dong ha" in page.search_folded and "don tiep" in page.search_folded
    home = PortalHomePage.objects.get(unit=tree.school_a)
    assert home.search_folded.startswith("truong tieu hoc an binh")


def test_an_empty_search_shows_the_form(tree, client) -> None:
    response = get(client, tree.school_a, "/tim-kiem/")
    assert response.status_code == 200
    assert 'role="search"' in response.content.decode()
