"""Per-site routes that Wagtail's page serving cannot carry (a dot in the path):
``/sitemap.xml`` (Wagtail's sitemap of the requested site) and ``/robots.txt`` pointing at it.
Mounted by ``edugate/urls.py`` before Wagtail's catch-all."""

from __future__ import annotations

from django.urls import URLPattern, path

from edugate.portal import views

urlpatterns: list[URLPattern] = [
    path("sitemap.xml", views.sitemap, name="portal_sitemap"),
    path("robots.txt", views.robots, name="portal_robots"),
]
