"""Portal models, split by concept and re-exported here."""

from edugate.portal.models.documents import (
    DocumentAttachment,
    DocumentIndexPage,
    DocumentPage,
    DocumentType,
)
from edugate.portal.models.news import NewsCategory, NewsIndexPage, NewsPage
from edugate.portal.models.pages import (
    ContactPage,
    EmailDirectoryPage,
    IntroductionPage,
    PortalHomePage,
)
from edugate.portal.models.portals import Portal

__all__ = [
    "ContactPage",
    "DocumentAttachment",
    "DocumentIndexPage",
    "DocumentPage",
    "DocumentType",
    "EmailDirectoryPage",
    "IntroductionPage",
    "NewsCategory",
    "NewsIndexPage",
    "NewsPage",
    "Portal",
    "PortalHomePage",
]
