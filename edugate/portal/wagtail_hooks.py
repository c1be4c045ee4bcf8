"""The portal's hooks into Wagtail's admin.

Phase 1 keeps one isolation rule here: the page chooser offers only the pages of portals
whose units lie in the user's scope (Wagtail itself shows every site's pages to anyone who may
enter the admin). The full isolation of explorer, choosers, images and documents is tested as
a matrix in a later phase.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from wagtail import hooks

from edugate.portal.models import Portal
from edugate.portal.selectors import portal_scope


def visible_pages_q(user: Any) -> Q:
    """A filter on pages: those of the portals of the user's units (everything for the
    platform's operators and a Department's administrators)."""
    scope = portal_scope(user) if user.is_authenticated else None
    if scope is None or scope.is_empty:
        return Q(pk__in=[])
    if scope.everything:
        return Q()
    homes = Portal.objects.filter(home_page__isnull=False)
    paths = list(homes.filter(scope.units_q("unit__")).values_list("home_page__path", flat=True))
    if len(paths) == homes.count():
        return Q()  # a Department's administrators: every portal
    # Path prefixes rather than a subquery: the chooser's search runs this filter through
    # Wagtail's search backend, which takes plain lookups on indexed fields only.
    query = Q(pk__in=[])
    for path in paths:
        query |= Q(path__startswith=path)
    return query

@hooks.register("construct_page_chooser_queryset")
def scope_page_chooser(pages: Any, request: HttpRequest) -> Any:
    return pages.filter(visible_pages_q(request.user))
