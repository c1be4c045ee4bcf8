"""The template context every portal page shares: its portal (home page and unit), the unit
above it, the navigation, the footer's contact details, the unit's status, canonical URL and
feed links. A fixed handful of queries per request, whatever the number of sites.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from wagtail.models import Page

from edugate.portal.models.base import relative_url

if TYPE_CHECKING:
    from edugate.portal.models.base import PortalPage


def navigation(home: Page, current: Page) -> list[dict[str, Any]]:
    rows = (Page.objects.child_of(home).live().public().in_menu()
            .order_by("path").values_list("title", "url_path", "path"))
    return [
        {"title": title, "url": "/" + url_path[len(home.url_path):],
         "current": current.path == path, "active": current.path.startswith(path)}
        for title, url_path, path in rows
    ]


def breadcrumbs(home: Page, current: Page) -> list[dict[str, str]]:
    """The pages between the home page and ``current`` (both excluded)."""
    if current.depth <= home.depth + 1:
        return []
    rows = (Page.objects.ancestor_of(current).filter(depth__gt=home.depth)
            .order_by("depth").values_list("title", "url_path"))
    return [{"title": title, "url": "/" + url_path[len(home.url_path):]}
            for title, url_path in rows]


def portal_context(page: PortalPage, request: HttpRequest) -> dict[str, Any]:
    from edugate.portal.selectors import official_email, successor_portal_url

    home = page.portal_home()
    unit = home.unit
    page_url = relative_url(page, home)
    notice: dict[str, Any] | None = None
    if not unit.is_active:
        successor = unit.successor if unit.successor_id else None
        notice = {
            "status": unit.get_status_display(), "status_code": unit.status,
            "valid_to": unit.valid_to, "successor": successor.name if successor else "",
            "successor_url": successor_portal_url(unit) if successor else "",
        }
    return {
        "home": home,
        "unit": unit,
        "parent_unit": unit.parent_unit(),
        "nav_sections": navigation(home, page),
        "breadcrumbs": breadcrumbs(home, page),
        "show_breadcrumbs": page.depth > home.depth,
        "unit_email": official_email(unit),
        "unit_notice": notice,
        "page_url": page_url,
        "canonical_url": request.build_absolute_uri(page_url),
        "site_root_url": request.build_absolute_uri("/"),
        "rss_url": "/feed/rss/",
        "atom_url": "/feed/atom/",
        "search_url": "/tim-kiem/",
    }
