"""RSS 2.0 and Atom 1.0 feeds (Django's syndication framework) of a portal's latest news,
site-wide or per section, and of a documents section. Only live, public pages appear."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed
from django.utils.translation import gettext as _
from wagtail.models import Page

from edugate.portal.models.base import relative_url

FEED_SIZE = 20


def _as_datetime(day: datetime.date | None, fallback: datetime.datetime | None
                 ) -> datetime.datetime | None:
    if fallback is not None and (day is None or fallback.date() == day):
        return fallback
    if day is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(7, 0)))


class PortalFeed(Feed):
    """One feed, built per request from the pages it lists."""

    def __init__(self, *, request: HttpRequest, home: Page, title: str, link: str,
                 description: str, items: list[Any], atom: bool) -> None:
        super().__init__()
        self.request = request
        self.home = home
        self._title = title
        self._link = link
        self._description = description
        self._items = items
        self.feed_type: type[SyndicationFeed] = Atom1Feed if atom else Rss201rev2Feed
        self.language = "vi"

    def absolute(self, path: str) -> str:
        return self.request.build_absolute_uri(path)

    def title(self) -> str:
        return self._title

    def link(self) -> str:
        return self.absolute(self._link)

    def description(self) -> str:
        return self._description

    def subtitle(self) -> str:
        return self._description

    def feed_url(self) -> str:
        return self.request.build_absolute_uri()

    def author_name(self) -> str:
        return self.home.title

    def items(self) -> list[Any]:
        return self._items

    def item_title(self, item: Any) -> str:
        number = getattr(item, "number", "")
        return f"{number}: {item.title}" if number and number not in item.title else item.title

    def item_description(self, item: Any) -> str:
        return str(item.summary)

    def item_link(self, item: Any) -> str:
        return self.absolute(relative_url(item, self.home))

    def item_pubdate(self, item: Any) -> datetime.datetime | None:
        return _as_datetime(item.meta_date(), item.first_published_at)

    def item_updateddate(self, item: Any) -> datetime.datetime | None:
        result: datetime.datetime | None = item.last_published_at
        return result

    def item_categories(self, item: Any) -> list[str]:
        if hasattr(item, "doc_type"):
            return [str(item.get_doc_type_display())]
        return [category.name for category in item.categories.all()]


def news_feed(request: HttpRequest, *, home: Any, section: Any | None, atom: bool
              ) -> HttpResponse:
    from edugate.portal.models import NewsPage

    news = NewsPage.objects.live().public()
    news = news.child_of(section) if section is not None else news.descendant_of(home)
    items = list(news.prefetch_related("categories").order_by("-date", "-pk")[:FEED_SIZE])
    origin = section if section is not None else home
    title = home.title if section is None else f"{section.title} – {home.title}"
    feed = PortalFeed(
        request=request, home=home, title=title, link=relative_url(origin, home),
        description=_("Latest news of %(unit)s") % {"unit": home.title}, items=items,
        atom=atom,
    )
    return feed(request)


def documents_feed(request: HttpRequest, *, home: Any, section: Any, atom: bool
                   ) -> HttpResponse:
    items = list(section.documents()[:FEED_SIZE])
    feed = PortalFeed(
        request=request, home=home, title=f"{section.title} – {home.title}",
        link=relative_url(section, home),
        description=_("Latest documents of %(unit)s") % {"unit": home.title}, items=items,
        atom=atom,
    )
    return feed(request)
