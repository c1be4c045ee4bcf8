"""What invalidates the portal cache (:mod:`edugate.portal.cache`): Wagtail's page signals,
sites, images and documents, and the directory's signals. Each receiver only works out
*which* dependencies changed; the bump happens after the transaction commits (a rolled-back
publish invalidates nothing), and a failing cache never fails the change itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.models import Page, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from edugate.portal import cache

_HOME_DEPTH = 2


def keys_for_page_path(path: str) -> list[str]:
    """The dependencies a change to the page at ``path`` (or below it) touches: its portal's
    (see :func:`cache.bumps_for_unit`) and those of sites rooted at its home page; everything
    for Wagtail's root or a page outside any site."""
    from edugate.directory.models import Unit
    from edugate.portal.models import Portal

    home_length = Page.steplen * _HOME_DEPTH
    if len(path) < home_length:
        return [cache.GLOBAL]
    home_path = path[:home_length]
    unit_paths = list(Portal.objects.filter(home_page__path=home_path)
                      .values_list("unit__path", flat=True))
    keys = [key for unit_path in unit_paths
            for key in cache.bumps_for_unit(unit_path, Unit.steplen)]
    keys += [f"s:{pk}" for pk in Site.objects.filter(root_page__path=home_path)
             .values_list("pk", flat=True)]
    return keys or [cache.GLOBAL]


def keys_for_collection(collection_id: int | None) -> list[str]:
    from edugate.directory.models import Unit
    from edugate.portal.models import Portal

    unit_paths = [] if collection_id is None else list(
        Portal.objects.filter(collection_id=collection_id).values_list("unit__path", flat=True))
    if not unit_paths:
        return [cache.GLOBAL]
    return [key for unit_path in unit_paths
            for key in cache.bumps_for_unit(unit_path, Unit.steplen)]


def bump_after_commit(keys: Iterable[str]) -> None:
    if not settings.PORTAL_CACHE.get("ENABLED", True):
        return  # no page cache, nothing to invalidate
    keys = list(keys)
    transaction.on_commit(lambda: cache.bump(keys), robust=True)


# --- Receivers ----------------------------------------------------------------------------------

def on_page_changed(*, instance: Page, **kwargs: Any) -> None:
    """Published, unpublished or deleted (a deletion signals once for the ``Page`` row of
    each page, its descendants included)."""
    if not isinstance(instance, Page) or not instance.path:
        return
    bump_after_commit(keys_for_page_path(instance.path))


def on_page_moved(*, instance: Page, parent_page_before: Page, parent_page_after: Page,
                  **kwargs: Any) -> None:
    keys = keys_for_page_path(parent_page_before.path)
    keys += keys_for_page_path(instance.path)
    bump_after_commit(keys)


def on_media_changed(*, instance: Any, **kwargs: Any) -> None:
    bump_after_commit(keys_for_collection(getattr(instance, "collection_id", None)))


def on_everything_changed(**kwargs: Any) -> None:
    """Sites, domains, units, people leaving: shown in many portals' headers, footers and
    email directories, and rare: invalidate every page."""
    bump_after_commit([cache.GLOBAL])


def connect() -> None:
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    from edugate.directory import signals as directory

    page_published.connect(on_page_changed, dispatch_uid="portal.cache.published")
    page_unpublished.connect(on_page_changed, dispatch_uid="portal.cache.unpublished")
    post_delete.connect(on_page_changed, sender=Page, dispatch_uid="portal.cache.deleted")
    post_page_move.connect(on_page_moved, dispatch_uid="portal.cache.moved")
    for model in (get_document_model(), get_image_model()):
        label = model._meta.label_lower
        post_save.connect(on_media_changed, sender=model,
                          dispatch_uid=f"portal.cache.saved.{label}")
        post_delete.connect(on_media_changed, sender=model,
                            dispatch_uid=f"portal.cache.deleted.{label}")
    post_save.connect(on_everything_changed, sender=Site, dispatch_uid="portal.cache.site.saved")
    post_delete.connect(on_everything_changed, sender=Site,
                        dispatch_uid="portal.cache.site.deleted")
    for name in ("unit_saved", "domain_saved", "domain_removed", "person_status_changed"):
        getattr(directory, name).connect(on_everything_changed,
                                         dispatch_uid=f"portal.cache.{name}")
