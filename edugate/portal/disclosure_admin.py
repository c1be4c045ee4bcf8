"""The admin dashboard's panel of overdue public disclosures (Circular 09/2024/TT-BGDĐT).

An item is overdue when its due date has passed and it is still unpublished. The panel lists
those of the portals within the user's scope (the units where they are administrator, contact
officer, head or editor: ``selectors.portal_scope``), the longest overdue first, each with a
link to edit it; it shows nothing to a user with no overdue item. ``wagtail_hooks.py``
registers :func:`add_overdue_disclosures_panel` for ``construct_homepage_panels``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from wagtail.admin.ui.components import Component

from edugate.portal.models import DisclosureItemPage, PortalHomePage
from edugate.portal.models.base import HOME_DEPTH
from edugate.portal.selectors import overdue_disclosures, portal_scope

PANEL_LIMIT = 20


class OverdueDisclosuresPanel(Component):
    name = "overdue_disclosures"
    template_name = "portal/admin/overdue_disclosures.html"
    order = 90  # above Wagtail's own panels: a legal deadline has passed

    def __init__(self, user: Any) -> None:
        self.user = user

    def rows(self) -> tuple[list[dict[str, Any]], int]:
        today = timezone.localdate()
        items = overdue_disclosures(portal_scope(self.user), today=today)
        total = items.count()
        if not total:
            return [], 0
        shown: list[DisclosureItemPage] = list(items[:PANEL_LIMIT])
        home_paths = {item.path[: HOME_DEPTH * item.steplen] for item in shown}
        units = dict(PortalHomePage.objects.filter(path__in=home_paths)
                     .values_list("path", "unit__name"))
        rows = [
            {"page": item, "unit_name": units.get(item.path[: HOME_DEPTH * item.steplen], ""),
             "days": (today - item.due_date).days}
            for item in shown
        ]
        return rows, total

    def get_context_data(self, parent_context: Any = None) -> dict[str, Any]:
        rows, total = self.rows()
        return {"rows": rows, "total": total, "more": total - len(rows)}


def add_overdue_disclosures_panel(request: HttpRequest, panels: list[Any]) -> None:
    panels.append(OverdueDisclosuresPanel(request.user))
