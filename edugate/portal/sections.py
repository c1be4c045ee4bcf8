"""The sections each kind of portal starts with: pure data, no I/O.

Agency portals (a Department, an education office) follow Circular 37, Article 8;
institution portals follow Article 9. Titles and slugs are the initial *content* of a portal,
in the portal's language (Vietnamese); editors may rename them afterwards.

A section added to these lists reaches existing portals too: :func:`units_missing_sections`
finds the units whose portal lacks a section its kind now asks for, and
``edugate portals provision --missing`` (through ``provisioning.units_missing_portals``) adds
them; provisioning never removes or moves a section.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from edugate.directory.models import UnitKind

#: kinds of unit that have a portal (internal divisions are part of their department's)
PORTAL_KINDS = frozenset({UnitKind.DEPARTMENT, UnitKind.OFFICE, UnitKind.INSTITUTION})


@dataclass(frozen=True)
class Section:
    model: str  # a page model of this app, by class name
    slug: str
    title: str


INTRODUCTION = Section("IntroductionPage", "gioi-thieu", "Giới thiệu")
NEWS = Section("NewsIndexPage", "tin-tuc", "Tin tức - Sự kiện")
EMAIL_DIRECTORY = Section("EmailDirectoryPage", "danh-ba-thu-dien-tu", "Danh bạ thư điện tử")
CONTACT = Section("ContactPage", "lien-he", "Liên hệ")
ADMISSIONS = Section("AdmissionsIndexPage", "tuyen-sinh", "Tuyển sinh")
#: Circular 09/2024/TT-BGDĐT: institutions' public disclosure
DISCLOSURE = Section("DisclosureIndexPage", "cong-khai", "Công khai")
#: Article 8: agencies' administrative procedures and online public services
SERVICES = Section("ServiceIndexPage", "dich-vu-cong", "Dịch vụ công trực tuyến")
#: on member portals: the documents of the Department above, read live
DEPARTMENT_DOCUMENTS = Section("DepartmentDocumentsPage", "van-ban-cua-so", "Văn bản của Sở")
#: on the Department's portal: its member portals' opted-in news, and their directory
MEMBER_NEWS = Section("MemberNewsPage", "tin-tu-cac-don-vi", "Tin từ các đơn vị")
MEMBER_PORTALS = Section("MemberPortalsPage", "cong-thanh-vien", "Cổng thông tin thành viên")

DEPARTMENT_SECTIONS = (
    INTRODUCTION,
    NEWS,
    Section("DocumentIndexPage", "van-ban", "Văn bản chỉ đạo, điều hành"),
    SERVICES,
    ADMISSIONS,
    MEMBER_NEWS,
    MEMBER_PORTALS,
    EMAIL_DIRECTORY,
    CONTACT,
)
OFFICE_SECTIONS = (
    INTRODUCTION,
    NEWS,
    Section("DocumentIndexPage", "van-ban", "Văn bản chỉ đạo, điều hành"),
    DEPARTMENT_DOCUMENTS,
    SERVICES,
    ADMISSIONS,
    EMAIL_DIRECTORY,
    CONTACT,
)
#: what a Department's and an office's portals have in common (Article 8)
AGENCY_SECTIONS = tuple(s for s in DEPARTMENT_SECTIONS if s in OFFICE_SECTIONS)
INSTITUTION_SECTIONS = (
    INTRODUCTION,
    NEWS,
    Section("DocumentIndexPage", "van-ban", "Văn bản"),
    DEPARTMENT_DOCUMENTS,
    DISCLOSURE,
    ADMISSIONS,
    EMAIL_DIRECTORY,
    CONTACT,
)

#: the news categories a new news section starts with
NEWS_CATEGORIES = (
    ("tin-hoat-dong", "Tin hoạt động"),
    ("thong-bao", "Thông báo"),
    ("su-kien", "Sự kiện"),
)


def has_portal(kind: str) -> bool:
    return kind in PORTAL_KINDS


def sections_for(kind: str) -> tuple[Section, ...]:
    if kind == UnitKind.INSTITUTION:
        return INSTITUTION_SECTIONS
    if kind == UnitKind.DEPARTMENT:
        return DEPARTMENT_SECTIONS
    if kind == UnitKind.OFFICE:
        return OFFICE_SECTIONS
    return ()


def units_missing_sections() -> Any:
    """The ids of active units whose portal's home lacks (by page type) a section their kind
    asks for, as a subquery: one query however many portals, for ``provision --missing``."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Exists, OuterRef, Q
    from wagtail.models import Page

    from edugate.portal import models as portal_models

    lacking: Any = Q(pk__in=[])
    for kind in sorted(PORTAL_KINDS):
        for section in sections_for(kind):
            content_type = ContentType.objects.get_for_model(getattr(portal_models,
                                                                     section.model))
            present = Page.objects.filter(
                depth=3, content_type=content_type,
                path__startswith=OuterRef("home_page__path"),
            )
            lacking |= Q(unit__kind=kind) & ~Exists(present)
    return (portal_models.Portal.objects.filter(lacking, home_page__isnull=False,
                                                unit__status="active")
            .values("unit_id"))
