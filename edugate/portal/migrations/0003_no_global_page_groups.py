"""Wagtail's own "Editors" and "Moderators" groups hold page permissions on the root page, that
is on every portal: one person added to them by hand would edit (or publish) every school's
portal. Each portal has groups of its own (``provisioning.py``), so these two lose every page,
collection and model permission, and go altogether when no one is in them. Wagtail's
"Moderators approval" workflow (that group's) is unassigned and deactivated, and what was in
progress on it cancelled (as Wagtail's own deactivation does; the pages stay as they are,
their editors resubmit them to their portal's workflow): each portal's home carries its own."""

from typing import Any

from django.db import migrations
from django.utils import timezone

WAGTAIL_GROUPS = ("Editors", "Moderators")
WAGTAIL_WORKFLOW = "Moderators approval"


def forwards(apps: Any, schema_editor: Any) -> None:
    Group = apps.get_model("auth", "Group")
    User = apps.get_model("accounts", "User")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    WorkflowState = apps.get_model("wagtailcore", "WorkflowState")
    TaskState = apps.get_model("wagtailcore", "TaskState")
    for group in Group.objects.filter(name__in=WAGTAIL_GROUPS):
        GroupPagePermission.objects.filter(group=group).delete()
        GroupCollectionPermission.objects.filter(group=group).delete()
        group.permissions.clear()
        if not User.objects.filter(groups=group).exists():
            group.delete()
    for flow in Workflow.objects.filter(name=WAGTAIL_WORKFLOW):
        WorkflowPage.objects.filter(workflow=flow).delete()
        in_progress = WorkflowState.objects.filter(workflow=flow,
                                                   status__in=["in_progress", "needs_changes"])
        TaskState.objects.filter(workflow_state__in=in_progress, status="in_progress").update(
            status="cancelled", finished_at=timezone.now())
        in_progress.update(status="cancelled", current_task_state=None)
        flow.active = False
        flow.save(update_fields=["active"])


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0002_disclosure_admissions_services_members"),
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
