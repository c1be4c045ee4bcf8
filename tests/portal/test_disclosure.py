"""Public disclosure (Circular 09/2024/TT-BGDĐT): the section's filters by school year and
category, posting and due dates, overdue items, and the dashboard panel that shows overdue
items to the unit's administrators and editors only."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from edugate.directory.models import RoleKind
from edugate.directory.scope import Scope
from edugate.portal.models import DisclosureIndexPage, DisclosureItemPage
from edugate.portal.models.base import relative_url
from edugate.portal.models.disclosure import school_year_of, validate_school_year
from edugate.portal.selectors import overdue_disclosures, portal_scope
from tests.conftest import make_admin
from tests.portal.conftest import get, home_of
from tests.portal.content import disclosure

TODAY = datetime.date(2026, 3, 10)



def test_school_years_are_two_consecutive_years() -> None:
    assert school_year_of(datetime.date(2025, 9, 5)) == "2025-2026"
    assert school_year_of(datetime.date(2026, 7, 31)) == "2025-2026"
    assert school_year_of(datetime.date(2026, 8, 1)) == "2026-2027"
    validate_school_year("2025-2026")
    for bad in ("2025-2027", "2025", "25-26", "2026-2025"):
        with pytest.raises(ValidationError):
            validate_school_year(bad)


def test_institutions_get_a_disclosure_section_and_agencies_do_not(tree) -> None:
    assert DisclosureIndexPage.objects.child_of(home_of(tree.school_a)).count() == 1
    assert not DisclosureIndexPage.objects.child_of(home_of(tree.department)).exists()
    assert not DisclosureIndexPage.objects.child_of(home_of(tree.office)).exists()


def test_the_section_filters_by_school_year_and_category(tree, client) -> None:
    disclosure(tree.school_a, "Thông tin chung về nhà trường", category="general")
    disclosure(tree.school_a, "Báo cáo thu chi năm học 2024-2025", category="finance",
               school_year="2024-2025")
    disclosure(tree.school_a, "Cơ sở vật chất năm học 2025-2026", category="facilities")
    disclosure(tree.school_a, "Dự toán thu chi (bản nháp)", category="finance", live=False)
    disclosure(tree.school_b, "Thông tin của trường khác", category="general")

    html = get(client, tree.school_a, "/cong-khai/").content.decode()
    assert "Thông tin chung về nhà trường" in html
    assert "Báo cáo thu chi năm học 2024-2025" in html
    assert "bản nháp" not in html  # drafts are not shown
    assert "trường khác" not in html  # another portal's items are not
    assert '<option value="2025-2026"' in html and '<option value="2024-2025"' in html

    html = get(client, tree.school_a, "/cong-khai/?year=2024-2025").content.decode()
    assert "Báo cáo thu chi" in html and "Cơ sở vật chất năm" not in html
    html = get(client, tree.school_a, "/cong-khai/?category=facilities").content.decode()
    assert "Cơ sở vật chất năm" in html and "Thông tin chung về nhà trường" not in html
    html = get(client, tree.school_a, "/cong-khai/?category=finance&year=2025-2026"
               ).content.decode()
    assert "Báo cáo thu chi" not in html
    # Unknown values are ignored rather than failing.
    response = get(client, tree.school_a, "/cong-khai/?year=1999-2000&category=nope")
    assert response.status_code == 200
    assert "Thông tin chung về nhà trường" in response.content.decode()
    html = get(client, tree.school_a, "/cong-khai/?q=co so vat chat").content.decode()
    assert "Cơ sở vật chất năm" in html and "Thông tin chung về nhà trường" not in html


def test_an_item_shows_its_posting_and_due_dates_and_whether_it_was_late(tree, client) -> None:
    on_time = disclosure(tree.school_a, "Kế hoạch giáo dục năm học", category="plan_results",
                         due=datetime.date(2025, 9, 30), posted=datetime.date(2025, 9, 20))
    late = disclosure(tree.school_a, "Báo cáo tài chính", category="finance",
                      due=datetime.date(2025, 9, 30), posted=datetime.date(2025, 10, 15))
    assert on_time.posted_on() == datetime.date(2025, 9, 20) and not on_time.posted_late()
    assert late.posted_late()
    home = home_of(tree.school_a)
    html = get(client, tree.school_a, relative_url(on_time, home)).content.decode()
    assert '<time datetime="2025-09-20">20/09/2025</time>' in html
    assert '<time datetime="2025-09-30">30/09/2025</time>' in html
    assert "status-late" not in html
    html = get(client, tree.school_a, relative_url(late, home)).content.decode()
    assert '<time datetime="2025-10-15">15/10/2025</time>' in html
    assert "status-late" in html
    listing = get(client, tree.school_a, "/cong-khai/").content.decode()
    assert listing.count("status-late") == 1


def _overdue_titles(scope: Scope) -> set[str]:
    return set(overdue_disclosures(scope, today=TODAY).values_list("title", flat=True))


def test_overdue_means_due_date_passed_and_not_published(tree) -> None:
    disclosure(tree.school_a, "Quá hạn A", due=TODAY - datetime.timedelta(1), live=False)
    disclosure(tree.school_a, "Chưa đến hạn", due=TODAY, live=False)
    disclosure(tree.school_a, "Đã đăng", due=TODAY - datetime.timedelta(30))
    disclosure(tree.school_b, "Quá hạn B", due=TODAY - datetime.timedelta(5), live=False)
    assert _overdue_titles(Scope.full()) == {"Quá hạn A", "Quá hạn B"}
    assert list(overdue_disclosures(Scope.full(), today=TODAY)
                .values_list("title", flat=True)) == ["Quá hạn B", "Quá hạn A"]
    assert _overdue_titles(portal_scope(tree.school_a_admin)) == {"Quá hạn A"}
    assert _overdue_titles(portal_scope(tree.school_b_admin)) == {"Quá hạn B"}
    assert _overdue_titles(portal_scope(tree.office_admin)) == {"Quá hạn A", "Quá hạn B"}
    assert _overdue_titles(Scope()) == set()
    item = DisclosureItemPage.objects.get(title="Quá hạn A")
    assert item.is_overdue(TODAY) and not item.is_overdue(TODAY - datetime.timedelta(1))


def test_the_dashboard_lists_overdue_items_to_their_units_editors_only(tree, client) -> None:
    today = timezone.localdate()
    disclosure(tree.school_a, "Công khai đội ngũ giáo viên", category="staff",
               due=today - datetime.timedelta(3), live=False)
    disclosure(tree.school_b, "Công khai thu chi của Kim Đồng", category="finance",
               due=today - datetime.timedelta(3), live=False)
    editor = make_admin("bientap@th-a.minhhai.edu.vn", tree.school_a, subtree=False,
                        kind=RoleKind.EDITOR)
    for user, sees, hidden in (
        (tree.school_a_admin, "Công khai đội ngũ giáo viên", "Kim Đồng"),
        (editor, "Công khai đội ngũ giáo viên", "Kim Đồng"),
        (tree.school_b_admin, "Công khai thu chi của Kim Đồng", "đội ngũ giáo viên"),
    ):
        client.force_login(user)
        response = client.get("/admin/")
        assert response.status_code == 200, user
        html = response.content.decode()
        assert 'id="overdue-disclosures' in html or "overdue-disclosures" in html, user
        assert sees in html and hidden not in html, user
        client.logout()
    client.force_login(tree.dept_admin)
    html = client.get("/admin/").content.decode()
    assert "đội ngũ giáo viên" in html and "Kim Đồng" in html
