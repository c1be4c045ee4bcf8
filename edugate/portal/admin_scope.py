"""Wagtail admin surfaces that portal isolation cannot reach through hooks.

Wagtail does not isolate sites from each other (wagtail#1700). Permissions on each portal's
tree and collection, and the hooks in ``wagtail_hooks.py``, keep most of the admin to a user's
own portals; the isolation matrix (``tests/portal/test_isolation.py``) found the rest, scoped
here to the pages of the portals of the user's units (:func:`visible_pages_q`):

- the page explorer opened on a page by its id showed its title (and an empty listing) to a
  user whose portals have the root as common ancestor (an office's or Department's editor):
  :func:`explorable_only` answers 404 for a page outside the user's explorable pages;
- the page chooser opened on a page by its id showed that page (and let it be chosen) whatever
  the portal: :class:`ScopedPageBrowseView` answers 404 outside the user's portals;
- the image chooser's format step showed any image by id: :class:`ScopedImageSelectFormatView`
  asks for the choose permission on the image's collection;
- the page types report named the province's latest edited page of each type:
  :class:`ScopedPageTypesUsageView` names the latest among the user's portals' pages, and
  offers only their sites;
- the workflow action, preview and cancellation views named any page (and the task it was
  asked about) in their "not awaiting moderation" message, for a page id from any portal:
  :func:`visible_page_only` answers 404 outside the user's portals;
- Wagtail's task chooser (for building workflows) listed every workflow task, named after
  its portal, to anyone admitted to the admin: :func:`workflow_managers_only` keeps it to
  those who may add or change workflows or tasks (the platform's operators);
- the site history report's "user" filter named everyone in the province who ever acted on a
  page: :class:`ScopedSiteHistoryView` names those who acted on the user's portals' pages;
- the filters of the page explorer, the workflow reports and the page types report listed
  every site, workflow, task and person who ever owned, edited or submitted a page in the
  province (names of other schools' staff): :func:`scope_filter_choices` makes them list
  only those of the user's portals.

The workflow reports' "awaiting my review" filter also asked each of the province's workflow
tasks in turn (a query per portal): :class:`ReviewableWorkflowView` and
:class:`ReviewableWorkflowTasksView` ask once (:func:`workflow.reviewable_task_states`).

The views are mounted before Wagtail's own by ``edugate/portal/admin_urls.py`` (included ahead
of Wagtail's admin in ``edugate/urls.py``).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
from django.http import Http404, HttpRequest, HttpResponse
from wagtail.admin.views.chooser import BrowseView
from wagtail.admin.views.pages.listing import GenericPageFilterSet, PageFilterSet
from wagtail.admin.views.reports.audit_logging import (
    LogEntriesView,
    SiteHistoryReportFilterSet,
)
from wagtail.admin.views.reports.page_types_usage import (
    PageTypesUsageReportFilterSet,
    PageTypesUsageReportView,
)
from wagtail.admin.views.reports.workflows import (
    WorkflowReportFilterSet,
    WorkflowTasksReportFilterSet,
    WorkflowTasksView,
    WorkflowView,
)
from wagtail.images import get_image_model
from wagtail.images.permissions import permission_policy as image_permission_policy
from wagtail.images.views.chooser import ImageSelectFormatView
from wagtail.models import (
    GroupPagePermission,
    Page,
    PageLogEntry,
    Site,
    Task,
    Workflow,
    WorkflowState,
)
from wagtail.permissions import (
    page_permission_policy,
    task_permission_policy,
    workflow_permission_policy,
)

from edugate.portal.models import Portal
from edugate.portal.selectors import portal_scope
from edugate.portal.workflow import reviewable_task_states


def visible_pages_q(user: Any) -> Q:
    """A filter on pages: those of the portals of the user's units (everything for the
    platform's operators and a Department's administrators), and those their groups hold
    permissions on (a delegate named by hand, who holds no role at the unit)."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    scope = portal_scope(user)
    if scope.everything:
        return Q()
    homes = Portal.objects.filter(home_page__isnull=False)
    paths = set() if scope.is_empty else set(
        homes.filter(scope.units_q("unit__")).values_list("home_page__path", flat=True))
    if paths and len(paths) == homes.count():
        return Q()  # a Department's administrators: every portal
    paths |= set(GroupPagePermission.objects.filter(group__user=user)
                 .values_list("page__path", flat=True))
    # Path prefixes rather than a subquery: the chooser's search runs this filter through
    # Wagtail's search backend, which takes plain lookups on indexed fields only.
    query = Q(pk__in=[])
    for path in paths:
        query |= Q(path__startswith=path)
    return query


def visible_pages(request: HttpRequest) -> QuerySet[Page]:
    return Page.objects.filter(visible_pages_q(request.user))


def _visible_page_ids_as_text(request: HttpRequest) -> QuerySet[Any]:
    # WorkflowState.object_id is text (a generic relation), as in Wagtail's own reports.
    return visible_pages(request).annotate(text_id=Cast("pk", CharField())).values("text_id")


# -- views --

def explorable_only(view: Any) -> Any:
    """Wrap the explorer's listing of a page: only a page the user may explore (one of
    their pages or an ancestor of one, as Wagtail defines it)."""

    def explore(request: HttpRequest, parent_page_id: int, **kwargs: Any) -> HttpResponse:
        explorable = page_permission_policy.explorable_instances(request.user)
        if not explorable.filter(pk=parent_page_id).exists() or not (
                visible_pages(request).filter(pk=parent_page_id).exists()
                or Page.objects.filter(pk=parent_page_id, depth=1).exists()):
            raise Http404
        response: HttpResponse = view(request, parent_page_id=parent_page_id, **kwargs)
        return response

    return explore


def visible_page_only(view: Any) -> Any:
    """Wrap a view taking a ``page_id``: only a page of the user's portals."""

    def guarded(request: HttpRequest, page_id: int, **kwargs: Any) -> HttpResponse:
        if not visible_pages(request).filter(pk=page_id).exists():
            raise Http404
        response: HttpResponse = view(request, page_id=page_id, **kwargs)
        return response

    return guarded


def workflow_managers_only(view: Any) -> Any:
    """Wrap a view of Wagtail's task chooser: only for those who may build workflows."""

    def choose(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not (workflow_permission_policy.user_has_any_permission(
                request.user, ["add", "change"])
                or task_permission_policy.user_has_any_permission(
                request.user, ["add", "change"])):
            raise PermissionDenied
        response: HttpResponse = view(request, *args, **kwargs)
        return response

    return choose


class ScopedPageBrowseView(BrowseView):
    """The page chooser, browsing below a page: only a page of the user's portals (or the
    root, whose children the chooser hook filters)."""

    def get(self, request: HttpRequest, parent_page_id: int | None = None) -> HttpResponse:
        if parent_page_id is not None:
            page = Page.objects.filter(pk=parent_page_id).only("depth").first()
            if page is None or (page.depth > 1 and not visible_pages(request).filter(
                    pk=parent_page_id).exists()):
                raise Http404
        response: HttpResponse = super().get(request, parent_page_id)
        return response


class ScopedImageSelectFormatView(ImageSelectFormatView):
    """The image chooser's format step, only for an image the user may choose."""

    def _check(self, request: HttpRequest, image_id: int) -> None:
        image = get_image_model().objects.filter(pk=image_id).first()
        if image is None or not image_permission_policy.user_has_permission_for_instance(
                request.user, "choose", image):
            raise Http404

    def get(self, request: HttpRequest, image_id: int) -> HttpResponse:
        self._check(request, image_id)
        response: HttpResponse = super().get(request, image_id)
        return response

    def post(self, request: HttpRequest, image_id: int) -> HttpResponse:
        self._check(request, image_id)
        response: HttpResponse = super().post(request, image_id)
        return response


def _site_choices(request: HttpRequest) -> list[tuple[str, str]]:
    homes = visible_pages(request).filter(depth=2)
    return [(site.root_page.path, str(site)) for site in
            Site.objects.filter(root_page__in=homes).select_related("root_page")]


class ScopedPageTypesUsageFilterSet(PageTypesUsageReportFilterSet):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "site" in self.filters and self.request is not None:
            self.filters["site"].extra["choices"] = _site_choices(self.request)


class ScopedPageTypesUsageView(PageTypesUsageReportView):
    """The page types report, its "last edited" column and site filter within the user's
    portals (counts stay province-wide: numbers of pages of each type name nothing)."""

    filterset_class = ScopedPageTypesUsageFilterSet

    def decorate_paginated_queryset(self, page_types: Any) -> Any:
        visible = visible_pages(self.request)
        for item in page_types:
            last = (visible.filter(content_type_id=item.pk)
                    .order_by("-latest_revision_created_at", "title", "-pk").first())
            item.last_edited_page = last.specific if last is not None else None
        return page_types


class ScopedSiteHistoryFilterSet(SiteHistoryReportFilterSet):
    def get_users_queryset(self) -> Any:
        acted = PageLogEntry.objects.filter(page__in=visible_pages(self.request))
        return get_user_model().objects.filter(pk__in=acted.values("user_id")).order_by(
            get_user_model().USERNAME_FIELD)


class ScopedSiteHistoryView(LogEntriesView):
    """The site history report, its "user" filter naming only people who acted on the user's
    portals' pages (Wagtail's names everyone whose log entries exist)."""

    filterset_class = ScopedSiteHistoryFilterSet


class ReviewableWorkflowFilterSet(WorkflowReportFilterSet):
    def filter_reviewable(self, queryset: Any, name: str, value: Any) -> Any:
        if value and self.request is not None:
            return queryset.filter(
                current_task_state__in=reviewable_task_states(self.request.user))
        return queryset


class ReviewableWorkflowTasksFilterSet(WorkflowTasksReportFilterSet):
    def filter_reviewable(self, queryset: Any, name: str, value: Any) -> Any:
        if value and self.request is not None:
            return queryset.filter(
                pk__in=reviewable_task_states(self.request.user).values("pk"))
        return queryset


class ReviewableWorkflowView(WorkflowView):
    """The workflows report, its "awaiting my review" filter in one query."""

    filterset_class = ReviewableWorkflowFilterSet


class ReviewableWorkflowTasksView(WorkflowTasksView):
    """The workflow tasks report, its "awaiting my review" filter in one query."""

    filterset_class = ReviewableWorkflowTasksFilterSet


# -- filter choices --

def _sites(request: HttpRequest) -> QuerySet[Site]:
    return Site.objects.filter(root_page__in=visible_pages(request).filter(depth=2))


def _owners(request: HttpRequest) -> QuerySet[Any]:
    return get_user_model().objects.filter(pk__in=visible_pages(request).values("owner_id"))


#: Wagtail's own log action for a page edit (not an edugate audit code).
WAGTAIL_EDIT = "wagtail.edit"


def _editors(request: HttpRequest) -> QuerySet[Any]:
    return get_user_model().objects.filter(pk__in=PageLogEntry.objects.filter(
        action=WAGTAIL_EDIT, page__in=visible_pages(request)).values("user_id"))


def _workflows(request: HttpRequest) -> QuerySet[Workflow]:
    return Workflow.objects.filter(workflow_pages__page__in=visible_pages(request)).distinct()


def _tasks(request: HttpRequest) -> QuerySet[Task]:
    return Task.objects.filter(workflow_tasks__workflow__in=_workflows(request)).distinct()


def _requesters(request: HttpRequest) -> QuerySet[Any]:
    states = WorkflowState.objects.filter(object_id__in=_visible_page_ids_as_text(request))
    return get_user_model().objects.filter(pk__in=states.values("requested_by_id"))


_FILTER_CHOICES = (
    (PageFilterSet, "site", _sites),
    (PageFilterSet, "owner", _owners),
    (PageFilterSet, "edited_by", _editors),
    (GenericPageFilterSet, "site", _sites),
    (GenericPageFilterSet, "owner", _owners),
    (GenericPageFilterSet, "edited_by", _editors),
    (WorkflowReportFilterSet, "workflow", _workflows),
    (WorkflowReportFilterSet, "requested_by", _requesters),
    (WorkflowTasksReportFilterSet, "workflow", _workflows),
    (WorkflowTasksReportFilterSet, "task", _tasks),
    # Subclasses regenerate the filters Wagtail declares through ``Meta.fields``.
    (ReviewableWorkflowFilterSet, "workflow", _workflows),
    (ReviewableWorkflowFilterSet, "requested_by", _requesters),
    (ReviewableWorkflowTasksFilterSet, "workflow", _workflows),
    (ReviewableWorkflowTasksFilterSet, "task", _tasks),
)


def scope_filter_choices() -> None:
    """Make these Wagtail filters offer only the user's portals' sites, workflows, tasks and
    people (django-filter calls a callable ``queryset`` with the request)."""
    for filterset, name, choices in _FILTER_CHOICES:
        base = filterset.base_filters.get(name)
        if base is not None:
            base.queryset = choices
