"""Template helpers of the portal: site-relative links and dates the Vietnamese way."""

from __future__ import annotations

import datetime
from typing import Any

from django import template
from wagtail.models import Page

from edugate.portal.models.base import relative_url

register = template.Library()


@register.filter
def portal_url(page: Page, home: Page) -> str:
    """``{{ item|portal_url:home }}``: the page's URL on its portal's host."""
    return relative_url(page, home)


@register.filter
def vi_date(value: datetime.date | datetime.datetime | None) -> str:
    """``05/10/2020``: day, month, year."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        from django.utils import timezone

        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value.strftime("%d/%m/%Y")


@register.simple_tag(takes_context=True)
def query_with(context: Any, **changes: Any) -> str:
    """The current query string with some parameters changed (for paging links)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    encoded: str = params.urlencode()
    return f"?{encoded}" if encoded else "?"
