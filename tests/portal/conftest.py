"""Portal fixtures: development hostnames, and helpers to request a unit's portal and to
publish content on it."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from edugate.directory.models import Unit
from edugate.portal.models import (
    DocumentIndexPage,
    DocumentPage,
    NewsIndexPage,
    NewsPage,
    Portal,
    PortalHomePage,
)


@pytest.fixture(autouse=True)
def _portal_hosts(settings: Any) -> None:
    settings.PORTAL_HOST_SUFFIX = "localhost"
    settings.PORTAL_PORT = 8000


def host_of(unit: Unit) -> str:
    site = Portal.objects.select_related("site").get(unit=unit).site
    assert site is not None
    return f"{site.hostname}:{site.port}"


def get(client: Client, unit: Unit, path: str = "/", **extra: Any) -> Any:
    return client.get(path, HTTP_HOST=host_of(unit), **extra)


def home_of(unit: Unit) -> PortalHomePage:
    return PortalHomePage.objects.get(unit=unit)


def publish_news(unit: Unit, title: str, *, summary: str = "Tóm tắt.", body: str = "",
                 days_ago: int = 0, live: bool = True, featured: bool = False) -> NewsPage:
    index = NewsIndexPage.objects.child_of(home_of(unit)).get()
    page = NewsPage(title=title, summary=summary, featured=featured,
                    date=datetime.date.today() - datetime.timedelta(days_ago),
                    body=[("paragraph", f"<p>{body}</p>")] if body else [], live=live)
    index.add_child(instance=page)
    if live:
        page.save_revision().publish()
    else:
        page.save_revision()
    return page


def publish_document(unit: Unit, title: str, *, number: str = "12/KH-NT",
                     doc_type: str = "plan", issued: datetime.date | None = None,
                     summary: str = "Trích yếu văn bản.") -> DocumentPage:
    index = DocumentIndexPage.objects.child_of(home_of(unit)).get()
    page = DocumentPage(title=title, number=number, doc_type=doc_type,
                        issuing_body=unit.name, signer="Nguyễn Văn Hùng",
                        issue_date=issued or datetime.date.today(), summary=summary)
    index.add_child(instance=page)
    page.save_revision().publish()
    return page
