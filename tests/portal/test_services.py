"""Online public services: only agencies' portals have the catalogue; each service shows what
the law asks (process, dossier, where to submit, officer, time limit, fee, level) and links to
the National Public Service Portal; the catalogue searches without diacritics and filters."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from edugate.portal.models import ServiceIndexPage, ServicePage
from edugate.portal.models.base import relative_url
from tests.portal.conftest import get, home_of
from tests.portal.content import service


def test_agencies_have_the_catalogue_and_institutions_may_not_add_one(tree) -> None:
    assert ServiceIndexPage.objects.child_of(home_of(tree.department)).count() == 1
    assert ServiceIndexPage.objects.child_of(home_of(tree.office)).count() == 1
    assert not ServiceIndexPage.objects.child_of(home_of(tree.school_a)).exists()
    assert not ServiceIndexPage.can_create_at(home_of(tree.school_a))
    # One catalogue per portal.
    assert not ServiceIndexPage.can_create_at(home_of(tree.office))


def test_a_service_shows_every_required_field_and_its_national_portal_link(tree, client) -> None:
    page = service(tree.department, "Cấp bản sao văn bằng, chứng chỉ từ sổ gốc",
                   code="1.005088")
    html = get(client, tree.department, relative_url(page, home_of(tree.department))
               ).content.decode()
    for text in ("1.005088", "Nộp hồ sơ trực tuyến", "Đơn đề nghị",
                 "Bộ phận Một cửa, Trung tâm Phục vụ hành chính công tỉnh",
                 "Phòng Giáo dục Trung học", "5 ngày làm việc", "Không"):
        assert text in html, text
    assert ('href="https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html'
            '?ma_thu_tuc=1.005088"') in html
    assert html.count("<h1") == 1


def test_the_link_given_wins_and_must_be_a_gov_vn_address(tree) -> None:
    page = ServicePage(title="x", code="1.1", national_portal_url="https://dichvucong.gov.vn/p/1")
    assert page.portal_link() == "https://dichvucong.gov.vn/p/1"
    page = ServicePage(title="Thông tin", level="information")
    assert page.portal_link() == "https://dichvucong.gov.vn"
    bad = ServicePage(title="x", code="1.1", national_portal_url="https://example.com/dvc")
    with pytest.raises(ValidationError) as error:
        bad.clean()
    assert "national_portal_url" in error.value.message_dict
    provincial = ServicePage(title="x", national_portal_url="https://dichvucong.minhhai.gov.vn/a",
                             level="full")
    provincial.clean_fields(exclude=["process", "dossier", "where_to_submit",
                                     "handling_officer", "time_limit", "fee", "path", "depth",
                                     "slug", "content_type", "locale", "translation_key"])
    with pytest.raises(ValidationError) as error:
        ServicePage(title="x", level="partial").clean()
    assert "code" in error.value.message_dict


def test_the_catalogue_searches_without_diacritics_and_filters(tree, client) -> None:
    service(tree.department, "Cấp bản sao văn bằng, chứng chỉ từ sổ gốc", code="1.005088",
            area="Văn bằng, chứng chỉ")
    service(tree.department, "Chuyển trường đối với học sinh trung học phổ thông",
            code="1.001639", area="Giáo dục trung học", level="partial")
    service(tree.department, "Thủ tục chưa đăng", code="9.9", live=False)
    service(tree.office, "Dịch vụ của phòng", code="2.000")

    def titles(query: str) -> set[str]:
        html = get(client, tree.department, f"/dich-vu-cong/{query}").content.decode()
        return {t for t in ("Cấp bản sao văn bằng", "Chuyển trường", "chưa đăng",
                            "của phòng") if t in html}

    assert titles("") == {"Cấp bản sao văn bằng", "Chuyển trường"}
    assert titles("?q=chuyen truong") == {"Chuyển trường"}
    assert titles("?q=CHỨNG CHỈ TỪ SỔ") == {"Cấp bản sao văn bằng"}
    assert titles("?q=1.005088") == {"Cấp bản sao văn bằng"}
    assert titles("?level=partial") == {"Chuyển trường"}
    assert titles("?area=Giáo dục trung học") == {"Chuyển trường"}
    assert titles("?level=bogus&area=bogus") == {"Cấp bản sao văn bằng", "Chuyển trường"}
    html = get(client, tree.department, "/dich-vu-cong/?q=khong+co+gi").content.decode()
    assert 'role="status"' in html
