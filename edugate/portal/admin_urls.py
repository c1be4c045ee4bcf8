"""Admin routes that replace Wagtail's own with portal-scoped views
(:mod:`edugate.portal.admin_scope`).

Included under ``admin/`` ahead of Wagtail's admin in ``edugate/urls.py``, so these paths
resolve here first; they are unnamed, so ``reverse()`` keeps giving Wagtail's (identical)
paths. Each requires admin access, as Wagtail's do.
"""

from __future__ import annotations

from django.urls import URLPattern, path
from wagtail.admin.auth import require_admin_access
from wagtail.admin.views import workflows
from wagtail.admin.views.pages import workflow as page_workflow
from wagtail.admin.viewsets.pages import page_viewset_registry
from wagtail.images.views.chooser import viewset as image_chooser

from edugate.portal import admin_scope

urlpatterns: list[URLPattern] = [
    path("pages/<int:parent_page_id>/", require_admin_access(admin_scope.explorable_only(
        page_viewset_registry.as_view("index", parent_page_id_kwarg="parent_page_id")))),
    path("pages/<int:parent_page_id>/results/", require_admin_access(
        admin_scope.explorable_only(page_viewset_registry.as_view(
            "index_results", parent_page_id_kwarg="parent_page_id")))),
    path("choose-page/<int:parent_page_id>/",
         require_admin_access(admin_scope.ScopedPageBrowseView.as_view())),
    path("images/chooser/<int:image_id>/select_format/",
         require_admin_access(admin_scope.ScopedImageSelectFormatView.as_view(
             model=image_chooser.model,
             preserve_url_parameters=image_chooser.preserve_url_parameters))),
    path("pages/workflow/action/<int:page_id>/<slug:action_name>/<int:task_state_id>/",
         require_admin_access(admin_scope.visible_page_only(
             page_workflow.WorkflowAction.as_view()))),
    path("pages/workflow/collect_action_data/<int:page_id>/<slug:action_name>/"
         "<int:task_state_id>/", require_admin_access(admin_scope.visible_page_only(
             page_workflow.CollectWorkflowActionData.as_view()))),
    path("pages/workflow/confirm_cancellation/<int:page_id>/",
         require_admin_access(admin_scope.visible_page_only(
             page_workflow.ConfirmWorkflowCancellation.as_view()))),
    path("pages/workflow/preview/<int:page_id>/<int:task_id>/",
         require_admin_access(admin_scope.visible_page_only(
             page_workflow.PreviewRevisionForTask.as_view()))),
    path("workflows/task_chooser/", require_admin_access(admin_scope.workflow_managers_only(
        workflows.TaskChooserView.as_view()))),
    path("workflows/task_chooser/results/", require_admin_access(
        admin_scope.workflow_managers_only(workflows.TaskChooserResultsView.as_view()))),
    path("workflows/task_chooser/create/", require_admin_access(
        admin_scope.workflow_managers_only(workflows.TaskChooserCreateView.as_view()))),
    path("workflows/task_chooser/<int:task_id>/", require_admin_access(
        admin_scope.workflow_managers_only(workflows.task_chosen))),
    path("reports/workflow/",
         require_admin_access(admin_scope.ReviewableWorkflowView.as_view())),
    path("reports/workflow/results/",
         require_admin_access(admin_scope.ReviewableWorkflowView.as_view(results_only=True))),
    path("reports/workflow_tasks/",
         require_admin_access(admin_scope.ReviewableWorkflowTasksView.as_view())),
    path("reports/workflow_tasks/results/", require_admin_access(
        admin_scope.ReviewableWorkflowTasksView.as_view(results_only=True))),
    path("reports/site-history/",
         require_admin_access(admin_scope.ScopedSiteHistoryView.as_view())),
    path("reports/site-history/results/",
         require_admin_access(admin_scope.ScopedSiteHistoryView.as_view(results_only=True))),
    path("reports/page-types-usage/",
         require_admin_access(admin_scope.ScopedPageTypesUsageView.as_view())),
    path("reports/page-types-usage/results/",
         require_admin_access(admin_scope.ScopedPageTypesUsageView.as_view(
             results_only=True))),
]
