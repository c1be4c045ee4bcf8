"""The sections each kind of portal starts with: pure data, no I/O.

Agency portals (a Department, an education office) follow Circular 37, Article 8;
institution portals follow Article 9. Titles and slugs are the initial *content* of a portal,
in the portal's language (Vietnamese); editors may rename them afterwards. Sections that later
phases add (online services, admissions, public disclosure, consultations) join these lists.
"""

from __future__ import annotations

from dataclasses import dataclass

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

AGENCY_SECTIONS = (
    INTRODUCTION,
    NEWS,
    Section("DocumentIndexPage", "van-ban", "Văn bản chỉ đạo, điều hành"),
    EMAIL_DIRECTORY,
    CONTACT,
)
INSTITUTION_SECTIONS = (
    INTRODUCTION,
    NEWS,
    Section("DocumentIndexPage", "van-ban", "Văn bản"),
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
    if kind in PORTAL_KINDS:
        return AGENCY_SECTIONS
    return ()
