"""The portal's few views outside Wagtail's page tree: the sitemap and robots.txt of the
requested site. Everything else is served by the pages themselves (routable pages)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from wagtail.contrib.sitemaps.views import sitemap as wagtail_sitemap


def sitemap(request: HttpRequest) -> HttpResponse:
    response: HttpResponse = wagtail_sitemap(request, template_name="portal/sitemap.xml",
                                             content_type="application/xml")
    return response


def robots(request: HttpRequest) -> HttpResponse:
    body = "User-agent: *\nDisallow: /admin/\nSitemap: {}\n".format(
        request.build_absolute_uri("/sitemap.xml")
    )
    return HttpResponse(body, content_type="text/plain; charset=utf-8")
