"""The editorial workflow of each portal, on Wagtail's own workflow machinery.

Circular 37 (Article 3.4) makes the head of a unit responsible for what its portal publishes,
so nothing an editor writes goes live until the head, or someone the head delegates, approves
it. Every portal has its own :class:`~wagtail.models.Workflow` with one
:class:`~wagtail.models.GroupApprovalTask`, assigned to the portal's home page (so it covers
every page of the portal, and no other portal's), whose groups are:

- the portal's **approvers** (``<code> · phê duyệt · <name>``), kept equal to the holders of the
  unit's head role by :mod:`edugate.portal.provisioning` and the receivers of
  :mod:`edugate.portal.receivers`;
- the portal's **delegates** (``<code> · ủy quyền phê duyệt · <name>``), a list kept by hand in
  Wagtail's group screen (the directory has no delegate role): deputies the head names.

Wagtail's global "Moderators" group plays no part (migration 0003 removes it and "Editors",
whose permissions on the root page reached every portal). :func:`ensure_workflow` creates or repairs
all of this and is idempotent; :func:`reviewable_task_states` is what a user may approve, in
one query whatever the number of portals (Wagtail's own ``TaskState.objects.reviewable_by``
asks each of the province's thousands of tasks in turn), and :class:`ModerationPanel` the
dashboard panel built on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from wagtail.admin.views.home import WorkflowObjectsToModeratePanel
from wagtail.models import (
    GroupApprovalTask,
    Page,
    Revision,
    TaskState,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from edugate.directory.models import Unit

GROUP_NAME_LIMIT = 150
APPROVERS = "phê duyệt"
EDITORS = "biên tập"
DELEGATES = "ủy quyền phê duyệt"


def portal_object_name(unit: Unit, role: str, *, limit: int = GROUP_NAME_LIMIT) -> str:
    """``<code> · <role> · <name>``: codes are unique, so names are; the unit's name follows
    for people reading the admin."""
    return f"{unit.code} · {role} · {unit.name}"[:limit]


def _renamed(group: Group, name: str) -> Group:
    if group.name != name:
        group.name = name
        group.save(update_fields=["name"])
    return group


def _portal_task(workflow: Workflow | None, approvers: Group) -> GroupApprovalTask | None:
    """The group approval task of ``workflow`` that the portal's approvers hold."""
    if workflow is None:
        return None
    task: GroupApprovalTask | None = GroupApprovalTask.objects.filter(
        workflow_tasks__workflow=workflow, groups=approvers,
    ).order_by("workflow_tasks__sort_order").first()
    return task


def _delegates_of(task: GroupApprovalTask, unit: Unit, approvers: Group) -> Group:
    """The delegates' group among the task's groups (found by the unit's code, so that a
    renamed unit keeps its list), else by name, else a new empty one."""
    name = portal_object_name(unit, DELEGATES)
    prefix = f"{unit.code} · {DELEGATES} · "
    group = (task.groups.exclude(pk=approvers.pk).filter(name__startswith=prefix).first()
             or Group.objects.filter(name=name).first()
             or Group.objects.create(name=name))
    return _renamed(group, name)


def ensure_workflow(*, unit: Unit, home: Page, approvers: Group) -> tuple[Workflow, Group]:
    """Make ``home``'s workflow one approved by ``approvers`` (and the delegates): create or
    repair it; return it and the delegates' group.

    A workflow already assigned to the home page is kept if its approval task names the
    portal's approvers (an operator may have added steps); any other (none, the global
    moderators' one, another portal's) is replaced by the portal's own.
    """
    name = portal_object_name(unit, APPROVERS, limit=255)
    assignment = WorkflowPage.objects.filter(page=home).select_related("workflow").first()
    workflow = assignment.workflow if assignment is not None else None
    task = _portal_task(workflow, approvers) if workflow is not None and workflow.active else None
    if task is None:
        workflow = Workflow.objects.filter(name=name).first() or Workflow.objects.create(
            name=name, active=True)
        task = _portal_task(workflow, approvers)
    assert workflow is not None
    if task is None:
        task = (GroupApprovalTask.objects.filter(name=name).first()
                or GroupApprovalTask.objects.create(name=name, active=True))
        task.groups.add(approvers)
        if not WorkflowTask.objects.filter(workflow=workflow, task=task).exists():
            last = WorkflowTask.objects.filter(workflow=workflow).order_by("-sort_order").first()
            order = (last.sort_order or 0) + 1 if last is not None else 0
            WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=order)
    delegates = _delegates_of(task, unit, approvers)
    task.groups.add(delegates)
    ours = f"{unit.code} · {APPROVERS} · "
    for record in (workflow, task):
        # A renamed unit's names follow; a name an operator chose stays.
        renamed = record.name.startswith(ours) and record.name != name
        if not record.active or renamed:
            record.active = True
            record.name = name if renamed else record.name
            record.save(update_fields=["active", "name"])
    if assignment is None:
        WorkflowPage.objects.create(page=home, workflow=workflow)
    elif assignment.workflow_id != workflow.pk:
        assignment.workflow = workflow
        assignment.save(update_fields=["workflow"])
    return workflow, delegates


def find_delegates(*, unit: Unit, home_page_id: int, approvers_id: int) -> Group | None:
    """The delegates' group of the approval task on the portal's home page, if any."""
    tasks = GroupApprovalTask.objects.filter(
        groups=approvers_id, workflow_tasks__workflow__workflow_pages__page_id=home_page_id)
    group: Group | None = Group.objects.filter(
        groupapprovaltask__in=tasks.values("pk"),
        name__startswith=f"{unit.code} · {DELEGATES} · ",
    ).first()
    return group


def reviewable_task_states(user: Any) -> QuerySet[TaskState]:
    """The in-progress task states ``user`` may approve or reject: those of active group
    approval tasks one of whose groups the user is in (every one for a superuser)."""
    states = TaskState.objects.filter(status=TaskState.STATUS_IN_PROGRESS, task__active=True)
    if user.is_superuser:
        return states
    tasks = GroupApprovalTask.objects.filter(groups__in=user.groups.all())
    return states.filter(task__in=tasks.values("pk"))


class ModerationPanel(WorkflowObjectsToModeratePanel):
    """Wagtail's "awaiting your review" dashboard panel over :func:`reviewable_task_states`
    (the same rows, without asking each of the province's tasks in turn). The loop below
    follows Wagtail 7.4's ``WorkflowObjectsToModeratePanel.get_context_data``."""

    def get_context_data(self, parent_context: Mapping[str, Any] | None = None
                         ) -> dict[str, Any]:
        parent_context = parent_context or {}
        request = parent_context["request"]
        context: dict[str, Any] = {"states": [], "request": request,
                                   "csrf_token": parent_context.get("csrf_token")}
        if not getattr(settings, "WAGTAIL_WORKFLOW_ENABLED", True):
            return context
        states = (
            reviewable_task_states(request.user)
            .select_related("revision", "revision__user", "workflow_state",
                            "workflow_state__workflow", "task")
            .prefetch_related("revision__content_object",
                              "revision__content_object__latest_revision")
            .order_by("-started_at")
            .annotate(previous_revision_id=Revision.objects.previous_revision_id_subquery())
        )
        for state in states:
            obj = state.revision.content_object
            if not obj:
                continue
            names = {"action": "wagtailadmin_pages:workflow_action",
                     "preview": "wagtailadmin_pages:workflow_preview",
                     "compare": "wagtailadmin_pages:revisions_compare"}
            if not isinstance(obj, Page):
                viewset = obj.snippet_viewset
                names = {"action": viewset.get_url_name("workflow_action"),
                         "preview": viewset.get_url_name("workflow_preview"),
                         "compare": viewset.get_url_name("revisions_compare")}
            context["states"].append({
                "obj": obj,
                "revision": state.revision,
                "previous_revision_id": state.previous_revision_id,
                "live_revision_id": obj.live_revision_id,
                "task_state": state,
                "actions": state.task.specific.get_actions(obj, request.user),
                "workflow_tasks": state.workflow_state.all_tasks_with_status(),
                "workflow_action_url_name": names["action"],
                "workflow_preview_url_name": (
                    names["preview"] if getattr(obj, "is_previewable", False) else None),
                "revisions_compare_url_name": names["compare"],
            })
        return context
