"""What the Department's portal and its member portals show of each other, read live: the
Department's documents on every member portal, the member portals' opted-in news and their
searchable directory on the Department's portal."""

from __future__ import annotations

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from edugate.directory import actions
from edugate.portal.models import (
    DepartmentDocumentsPage,
    MemberNewsPage,
    MemberPortalsPage,
    NewsPage,
)
from edugate.portal.models.base import relative_url
from tests.portal.conftest import get, home_of, publish_document, publish_news


def _opt_in(page: NewsPage) -> NewsPage:
    page.show_on_department = True
    page.save_revision().publish()
    return page


def test_sections_go_to_the_right_portals(tree) -> None:
    dept, office, school = (home_of(u) for u in (tree.department, tree.office, tree.school_a))
    assert DepartmentDocumentsPage.objects.child_of(office).count() == 1
    assert DepartmentDocumentsPage.objects.child_of(school).count() == 1
    assert not DepartmentDocumentsPage.objects.child_of(dept).exists()
    assert not DepartmentDocumentsPage.can_create_at(dept)
    for model in (MemberNewsPage, MemberPortalsPage):
        assert model.objects.child_of(dept).count() == 1
        assert not model.objects.child_of(school).exists()
        assert not model.can_create_at(school) and not model.can_create_at(office)


def test_member_portals_show_the_departments_documents_live(tree, client) -> None:
    doc = publish_document(tree.department, "Hướng dẫn nhiệm vụ năm học",
                           number="1250/SGDĐT-GDTrH", doc_type="official_letter",
                           issued=datetime.date(2025, 9, 1),
                           summary="Hướng dẫn thực hiện nhiệm vụ giáo dục trung học.")
    publish_document(tree.department, "Kế hoạch tuyển sinh", number="88/KH-SGDĐT",
                     issued=datetime.date(2026, 3, 1), summary="Kế hoạch tuyển sinh lớp 10.")
    publish_document(tree.office, "Văn bản của phòng", number="5/PGD", summary="Của phòng.")
    link = "http://sgd.localhost:8000" + relative_url(doc, home_of(tree.department))
    for unit in (tree.school_a, tree.office):
        html = get(client, unit, "/van-ban-cua-so/").content.decode()
        assert "1250/SGDĐT-GDTrH" in html and "88/KH-SGDĐT" in html, unit
        assert "5/PGD" not in html  # only the Department's own
        assert f'href="{link}"' in html
    html = get(client, tree.school_a, "/van-ban-cua-so/?q=giao duc trung hoc").content.decode()
    assert "1250/SGDĐT-GDTrH" in html and "88/KH-SGDĐT" not in html
    html = get(client, tree.school_a, "/van-ban-cua-so/?year=2026&type=plan").content.decode()
    assert "88/KH-SGDĐT" in html and "1250/SGDĐT-GDTrH" not in html
    # Not a copy: unpublishing at the Department removes it from every member portal.
    doc.unpublish()
    html = get(client, tree.school_b, "/van-ban-cua-so/").content.decode()
    assert "1250/SGDĐT-GDTrH" not in html and "88/KH-SGDĐT" in html


def test_only_opted_in_member_news_reach_the_department(tree, client) -> None:
    shared = _opt_in(publish_news(tree.school_a, "Học sinh An Bình đạt giải nhất",
                                  summary="Giải nhất cấp tỉnh.", days_ago=1))
    _opt_in(publish_news(tree.upper_school, "Ngày hội đọc sách", days_ago=3))
    publish_news(tree.school_b, "Tin nội bộ của Kim Đồng")
    _opt_in(publish_news(tree.department, "Tin của chính Sở"))
    draft = publish_news(tree.school_b, "Bản nháp Kim Đồng", live=False)
    draft.show_on_department = True
    draft.save_revision()

    html = get(client, tree.department, "/tin-tu-cac-don-vi/").content.decode()
    assert "Học sinh An Bình đạt giải nhất" in html and "Ngày hội đọc sách" in html
    assert "Tin nội bộ" not in html and "Bản nháp" not in html
    assert "Tin của chính Sở</a>" not in html
    assert html.index("đạt giải nhất") < html.index("Ngày hội đọc sách")  # newest first
    link = "http://th-a.localhost:8000" + relative_url(shared, home_of(tree.school_a))
    assert f'href="{link}"' in html and tree.school_a.name in html
    home = get(client, tree.department, "/").content.decode()
    assert "Học sinh An Bình đạt giải nhất" in home and 'href="/tin-tu-cac-don-vi/"' in home
    # A member portal's own home does not show the block.
    assert "Ngày hội đọc sách" not in get(client, tree.school_a, "/").content.decode()


def test_member_news_of_merged_units_drop_out(tree, client) -> None:
    _opt_in(publish_news(tree.school_b, "Tin của Kim Đồng"))
    assert "Tin của Kim Đồng" in get(client, tree.department, "/tin-tu-cac-don-vi/"
                                     ).content.decode()
    actions.merge_units(actor=None, sources=[tree.school_b], target=tree.school_a,
                        on=datetime.date(2025, 7, 1))
    assert "Tin của Kim Đồng" not in get(client, tree.department, "/tin-tu-cac-don-vi/"
                                         ).content.decode()


def test_the_member_directory_searches_without_diacritics(tree, client) -> None:
    html = get(client, tree.department, "/cong-thanh-vien/").content.decode()
    for unit in (tree.office, tree.school_a, tree.school_b, tree.upper_school):
        assert unit.name in html
    assert tree.division.name not in html  # no portal of its own
    assert 'href="http://th-a.localhost:8000/">th-a.localhost</a>' in html
    html = get(client, tree.department, "/cong-thanh-vien/?q=kim dong").content.decode()
    assert tree.school_b.name in html and tree.school_a.name not in html
    html = get(client, tree.department, "/cong-thanh-vien/?q=THPT-1").content.decode()
    assert tree.upper_school.name in html and tree.school_b.name not in html
    html = get(client, tree.department, "/cong-thanh-vien/?kind=office").content.decode()
    assert tree.office.name in html and tree.school_a.name not in html


def test_the_directory_and_member_news_take_a_fixed_number_of_queries(tree, client) -> None:
    for index, unit in enumerate((tree.school_a, tree.school_b, tree.upper_school)):
        _opt_in(publish_news(unit, f"Tin số {index}"))

    def count(path: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert get(client, tree.department, path).status_code == 200
        return len(queries)

    few = {path: count(path) for path in ("/cong-thanh-vien/", "/tin-tu-cac-don-vi/")}
    for number in range(4):
        school = actions.create_unit(actor=None, parent=tree.office, code=f"TH-X{number}",
                                     name=f"Trường Tiểu học Số {number}", kind="institution",
                                     level="primary")
        _opt_in(publish_news(school, f"Tin trường số {number}"))
    many = {path: count(path) for path in few}
    assert many == few
