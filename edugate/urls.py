"""URL routes: the Wagtail back office at /admin/, language switching, the mailbox holder's
pages, mail client set-up, the portals (feeds, sitemap, search) and their Wagtail pages."""

from django.conf import settings
from django.urls import URLPattern, URLResolver, include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

urlpatterns: list[URLPattern | URLResolver] = [
    # Portal-scoped replacements of a few Wagtail admin views (edugate/portal/admin_scope.py).
    path("admin/", include("edugate.portal.admin_urls")),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("edugate.mail.urls")),
    path("", include("edugate.groups.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# The portals' feeds, sitemap, robots.txt and search, then Wagtail's pages.
urlpatterns += [path("", include("edugate.portal.urls")), path("", include(wagtail_urls))]
