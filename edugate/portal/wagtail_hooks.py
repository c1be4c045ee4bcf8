"""The portal's hooks into Wagtail's admin: isolation of the portals, and the editorial
workflow's dashboard panel.

Wagtail shows every site's pages, images and documents to anyone who may enter the admin
unless told otherwise. Each portal's groups hold permissions on its own tree and collection
only (``provisioning.py``); these hooks narrow what Wagtail lists regardless of permissions
(the page chooser, the explorer's search, the image and document choosers and the admin API's
image and document endpoints) to the portals of the user's units (and those their groups hold
permissions on: a delegate named by hand), and ``admin_scope.py`` covers what hooks cannot
reach. ``tests/portal/test_isolation.py`` walks
every such surface as each kind of user.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from wagtail import hooks
from wagtail.admin.views.home import WorkflowObjectsToModeratePanel
from wagtail.documents.api.admin.views import DocumentsAdminAPIViewSet
from wagtail.documents.permissions import permission_policy as document_permission_policy
from wagtail.images.api.admin.views import ImagesAdminAPIViewSet
from wagtail.images.permissions import permission_policy as image_permission_policy
from wagtail.models import Collection, GroupCollectionPermission

from edugate.portal.admin_scope import scope_filter_choices, visible_pages_q
from edugate.portal.models import Portal
from edugate.portal.selectors import portal_scope
from edugate.portal.workflow import ModerationPanel

__all__ = ["visible_pages_q"]

scope_filter_choices()


def visible_collections_q(user: Any, prefix: str = "collection__") -> Q:
    """A filter on images or documents: those in the collections of the user's portals, or
    of collections their groups hold permissions on (a delegate named by hand)."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    scope = portal_scope(user)
    if scope.everything:
        return Q()
    portals = (Portal.objects.none() if scope.is_empty else
               Portal.objects.filter(scope.units_q("unit__"), collection__isnull=False))
    granted = GroupCollectionPermission.objects.filter(group__user=user)
    return Q(**{f"{prefix}in": Collection.objects.filter(
        Q(pk__in=portals.values("collection_id")) | Q(pk__in=granted.values("collection_id")))})


@hooks.register("construct_page_chooser_queryset")
def scope_page_chooser(pages: Any, request: HttpRequest) -> Any:
    return pages.filter(visible_pages_q(request.user))


@hooks.register("construct_explorer_page_queryset")
def scope_explorer(parent_page: Any, pages: Any, request: HttpRequest) -> Any:
    return pages.filter(visible_pages_q(request.user))


@hooks.register("construct_image_chooser_queryset")
def scope_image_chooser(images: Any, request: HttpRequest) -> Any:
    return images.filter(visible_collections_q(request.user))


@hooks.register("construct_document_chooser_queryset")
def scope_document_chooser(documents: Any, request: HttpRequest) -> Any:
    return documents.filter(visible_collections_q(request.user))


class ScopedImagesAPI(ImagesAdminAPIViewSet):
    """The admin API's images: only those the user may choose (Wagtail's lists them all)."""

    def get_queryset(self) -> Any:
        return super().get_queryset().filter(
            pk__in=image_permission_policy.instances_user_has_any_permission_for(
                self.request.user, ["choose"]).values("pk"))


class ScopedDocumentsAPI(DocumentsAdminAPIViewSet):
    """The admin API's documents: only those the user may choose."""

    def get_queryset(self) -> Any:
        return super().get_queryset().filter(
            pk__in=document_permission_policy.instances_user_has_any_permission_for(
                self.request.user, ["choose"]).values("pk"))


@hooks.register("construct_admin_api", order=100)
def scope_admin_api(router: Any) -> None:
    # After wagtail.images and wagtail.documents have registered theirs (order=100).
    router.register_endpoint("images", ScopedImagesAPI)
    router.register_endpoint("documents", ScopedDocumentsAPI)


@hooks.register("construct_homepage_panels")
def moderation_panel(request: HttpRequest, panels: list[Any]) -> None:
    """Wagtail's "awaiting your review" panel asks every task in the province in turn
    (thousands of queries with a workflow per portal); ours asks once."""
    for index, panel in enumerate(panels):
        if type(panel) is WorkflowObjectsToModeratePanel:
            panels[index] = ModerationPanel()


@hooks.register("construct_homepage_panels")
def overdue_disclosures_panel(request: HttpRequest, panels: list[Any]) -> None:
    # The overdue public disclosures (portal-content's panel, edugate/portal/disclosure_admin.py).
    from edugate.portal.disclosure_admin import add_overdue_disclosures_panel

    add_overdue_disclosures_panel(request, panels)
