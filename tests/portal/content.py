"""Helpers that publish the content types of disclosure, admissions and online services on a
unit's portal (for tests/portal and tests/browser)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from edugate.directory.models import Unit
from edugate.portal.models import (
    AdmissionPage,
    AdmissionScheduleStep,
    AdmissionsIndexPage,
    DisclosureIndexPage,
    DisclosureItemPage,
    ServiceIndexPage,
    ServicePage,
)
from tests.portal.conftest import home_of


def _add(parent: Any, page: Any, *, live: bool = True,
         published_at: datetime.datetime | None = None) -> Any:
    page.live = live
    parent.add_child(instance=page)
    revision = page.save_revision()
    if live:
        if published_at is not None:
            page.first_published_at = published_at
        revision.publish()
        page.refresh_from_db()
    return page


def disclosure(unit: Unit, title: str, *, category: str = "general",
               school_year: str = "2025-2026", due: datetime.date | None = None,
               live: bool = True, posted: datetime.date | None = None,
               summary: str = "") -> DisclosureItemPage:
    index = DisclosureIndexPage.objects.child_of(home_of(unit)).get()
    page = DisclosureItemPage(title=title, category=category, school_year=school_year,
                              due_date=due or timezone.localdate(), summary=summary)
    published_at = None
    if posted is not None:
        published_at = timezone.make_aware(datetime.datetime.combine(posted, datetime.time(9)))
    return _add(index, page, live=live, published_at=published_at)


def admission(unit: Unit, title: str, *, school_year: str = "2026-2027", quota: int = 140,
              steps: tuple[tuple[datetime.date, datetime.date | None, str], ...] = ()
              ) -> AdmissionPage:
    index = AdmissionsIndexPage.objects.child_of(home_of(unit)).get()
    page = AdmissionPage(title=title, school_year=school_year, quota=quota,
                         target="Trẻ em sinh năm 2020 cư trú trên địa bàn xã.",
                         dossier="<p>Đơn đăng ký nhập học; bản sao giấy khai sinh.</p>")
    page.schedule = [AdmissionScheduleStep(start_date=start, end_date=end, activity=what)
                     for start, end, what in steps]
    return _add(index, page)


def service(unit: Unit, title: str, *, code: str = "1.005088", area: str = "Giáo dục",
            level: str = "full", live: bool = True) -> ServicePage:
    index = ServiceIndexPage.objects.child_of(home_of(unit)).get()
    page = ServicePage(
        title=title, code=code, area=area, level=level,
        process="<p>Nộp hồ sơ trực tuyến; nhận kết quả qua bưu chính.</p>",
        dossier="<p>Đơn đề nghị; bản sao văn bằng.</p>",
        where_to_submit="Bộ phận Một cửa, Trung tâm Phục vụ hành chính công tỉnh",
        handling_officer="Phòng Giáo dục Trung học", time_limit="5 ngày làm việc",
        fee="Không",
    )
    return _add(index, page, live=live)
