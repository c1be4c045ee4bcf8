"""Portal models, split by concept and re-exported here."""

from edugate.portal.models.admissions import (
    AdmissionAttachment,
    AdmissionPage,
    AdmissionScheduleStep,
    AdmissionsIndexPage,
)
from edugate.portal.models.disclosure import (
    DisclosureAttachment,
    DisclosureCategory,
    DisclosureIndexPage,
    DisclosureItemPage,
)
from edugate.portal.models.documents import (
    DocumentAttachment,
    DocumentIndexPage,
    DocumentPage,
    DocumentType,
)
from edugate.portal.models.members import (
    DepartmentDocumentsPage,
    MemberNewsPage,
    MemberPortalsPage,
)
from edugate.portal.models.news import NewsCategory, NewsIndexPage, NewsPage
from edugate.portal.models.pages import (
    ContactPage,
    EmailDirectoryPage,
    IntroductionPage,
    PortalHomePage,
)
from edugate.portal.models.portals import Portal
from edugate.portal.models.services import (
    ServiceAttachment,
    ServiceIndexPage,
    ServiceLevel,
    ServicePage,
)

__all__ = [
    "AdmissionAttachment",
    "AdmissionPage",
    "AdmissionScheduleStep",
    "AdmissionsIndexPage",
    "ContactPage",
    "DepartmentDocumentsPage",
    "DisclosureAttachment",
    "DisclosureCategory",
    "DisclosureIndexPage",
    "DisclosureItemPage",
    "DocumentAttachment",
    "DocumentIndexPage",
    "DocumentPage",
    "DocumentType",
    "EmailDirectoryPage",
    "IntroductionPage",
    "MemberNewsPage",
    "MemberPortalsPage",
    "NewsCategory",
    "NewsIndexPage",
    "NewsPage",
    "Portal",
    "PortalHomePage",
    "ServiceAttachment",
    "ServiceIndexPage",
    "ServiceLevel",
    "ServicePage",
]
