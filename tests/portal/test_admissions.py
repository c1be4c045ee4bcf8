"""Admissions: every portal has the section; a plan shows its school year, who may apply,
quota, dated schedule, dossier and documents; the section lists the newest school year first
and filters by it."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from edugate.portal.models import AdmissionScheduleStep, AdmissionsIndexPage
from edugate.portal.models.base import relative_url
from tests.portal.conftest import get, home_of
from tests.portal.content import admission


def test_every_portal_has_an_admissions_section(tree) -> None:
    for unit in (tree.department, tree.office, tree.school_a, tree.upper_school):
        assert AdmissionsIndexPage.objects.child_of(home_of(unit)).count() == 1


def test_a_plan_shows_its_quota_schedule_and_dossier(tree, client) -> None:
    page = admission(tree.school_a, "Tuyển sinh lớp 1 năm học 2026-2027", quota=140, steps=(
        (datetime.date(2026, 7, 1), datetime.date(2026, 7, 15), "Nhận hồ sơ trực tuyến"),
        (datetime.date(2026, 7, 20), None, "Công bố kết quả"),
    ))
    html = get(client, tree.school_a, relative_url(page, home_of(tree.school_a))
               ).content.decode()
    assert "2026-2027" in html and "Trẻ em sinh năm 2020" in html and "140" in html
    assert '<time datetime="2026-07-01">01/07/2026</time> – <time datetime="2026-07-15">' in html
    assert '<time datetime="2026-07-20">20/07/2026</time></td><td>Công bố kết quả' in html
    assert "bản sao giấy khai sinh" in html
    assert html.index("Nhận hồ sơ trực tuyến") < html.index("Công bố kết quả")


def test_the_section_lists_newest_year_first_and_filters(tree, client) -> None:
    admission(tree.school_a, "Tuyển sinh năm học 2025-2026", school_year="2025-2026")
    admission(tree.school_a, "Tuyển sinh năm học 2026-2027", school_year="2026-2027")
    html = get(client, tree.school_a, "/tuyen-sinh/").content.decode()
    assert html.index("năm học 2026-2027</a>") < html.index("năm học 2025-2026</a>")
    html = get(client, tree.school_a, "/tuyen-sinh/?year=2025-2026").content.decode()
    assert "năm học 2025-2026</a>" in html and "năm học 2026-2027</a>" not in html


def test_a_step_cannot_end_before_it_starts() -> None:
    step = AdmissionScheduleStep(start_date=datetime.date(2026, 7, 2),
                                 end_date=datetime.date(2026, 7, 1), activity="x")
    with pytest.raises(ValidationError):
        step.clean()
