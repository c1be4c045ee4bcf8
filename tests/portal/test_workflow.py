"""The editorial workflow: each portal's own Wagtail workflow, approved by the unit's head (or
a delegate), never by another unit's; groups following the directory's roles; scheduled
publishing and expiry."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from wagtail.fields import StreamField
from wagtail.models import (
    GroupApprovalTask,
    GroupPagePermission,
    Page,
    PageLogEntry,
    TaskState,
    Workflow,
    WorkflowPage,
    WorkflowState,
)
from wagtail.test.utils.form_data import querydict_from_html

from edugate.accounts.models import User
from edugate.core.text import fold
from edugate.directory import actions
from edugate.directory.models import PersonStatus, RoleAssignment, RoleKind, Unit
from edugate.portal import provisioning, workflow
from edugate.portal.models import NewsIndexPage, NewsPage, Portal
from edugate.portal.models.base import relative_url
from tests.conftest import Tree
from tests.portal.conftest import get, home_of

PASSWORD = "correct horse battery"


def appoint(unit: Unit, email: str, full_name: str, kind: str, *, position: str = "",
            subtree: bool = False) -> User:
    """A person at ``unit`` holding role ``kind`` there, with a login."""
    person = actions.create_person(actor=None, unit=unit, full_name=full_name,
                                   position=position)
    actions.grant_role(actor=None, person=person, unit=unit, kind=kind, include_subtree=subtree)
    return User.objects.create_user(email, PASSWORD, person=person)


@dataclass
class Staff:
    editor_a: User
    head_a: User
    head_b: User
    editor_b: User
    office_editor: User


def make_staff(tree: Tree) -> Staff:
    return Staff(
        editor_a=appoint(tree.school_a, "hoa@th-a.minhhai.edu.vn", "Lê Thị Hoa", RoleKind.EDITOR,
                         position="Giáo viên"),
        head_a=appoint(tree.school_a, "minh@th-a.minhhai.edu.vn", "Trần Văn Minh",
                       RoleKind.HEAD, position="Hiệu trưởng"),
        head_b=appoint(tree.school_b, "lan@th-b.minhhai.edu.vn", "Phạm Thị Lan", RoleKind.HEAD,
                       position="Hiệu trưởng"),
        editor_b=appoint(tree.school_b, "tuan@th-b.minhhai.edu.vn", "Võ Minh Tuấn",
                         RoleKind.EDITOR, position="Giáo viên"),
        office_editor=appoint(tree.office, "bientap@anbinh.minhhai.edu.vn", "Hồ Văn Bình",
                              RoleKind.EDITOR, subtree=True),
    )


@pytest.fixture
def staff(tree: Tree) -> Staff:
    return make_staff(tree)


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def news_index(unit: Unit) -> NewsIndexPage:
    return NewsIndexPage.objects.child_of(home_of(unit)).get()


def group_names(user: User) -> set[str]:
    return set(User.objects.get(pk=user.pk).groups.values_list("name", flat=True))


def portal_of(unit: Unit) -> Portal:
    return Portal.objects.select_related("editors", "approvers").get(unit=unit)


# -- the workflow each portal gets --

def test_every_portal_has_its_own_workflow_approved_by_its_own_groups(tree: Tree) -> None:
    moderators = Group.objects.filter(name="Moderators").first()
    tasks = set()
    for portal in Portal.objects.select_related("unit", "approvers", "editors"):
        home = Page.objects.get(pk=portal.home_page_id)
        flow = home.get_workflow()
        assert flow is not None and flow.active
        assert WorkflowPage.objects.get(page=home).workflow == flow
        assert flow.name == f"{portal.unit.code} · phê duyệt · {portal.unit.name}"
        # Every page of the portal falls under it.
        section = home.get_children().first()
        assert section is not None and section.get_workflow() == flow
        [task] = flow.tasks.specific()
        assert isinstance(task, GroupApprovalTask) and task.active
        groups = set(task.groups.all())
        delegates = workflow.find_delegates(unit=portal.unit, home_page_id=home.pk,
                                            approvers_id=portal.approvers.pk)
        assert delegates is not None
        assert delegates.name == f"{portal.unit.code} · ủy quyền phê duyệt · {portal.unit.name}"
        assert groups == {portal.approvers, delegates}
        assert moderators not in groups and portal.editors not in groups
        tasks.add(task.pk)
        # Editors may write, never publish; approvers and delegates may.
        def codenames(group: Group) -> set[str]:
            return set(GroupPagePermission.objects.filter(group=group)
                       .values_list("permission__codename", flat=True))
        assert codenames(portal.editors) == {"add_page", "change_page"}
        assert "publish_page" in codenames(portal.approvers)
        assert codenames(delegates) == codenames(portal.approvers)
    assert len(tasks) == Portal.objects.count() == 5


def test_provisioning_the_workflow_is_idempotent_and_repairs(tree: Tree) -> None:
    def counts() -> tuple[int, ...]:
        return (Workflow.objects.count(), GroupApprovalTask.objects.count(),
                WorkflowPage.objects.count(), Group.objects.count(),
                GroupPagePermission.objects.count())

    before = counts()
    provisioning.provision_portal(tree.school_a)
    assert counts() == before
    # An operator points the school at Wagtail's global moderators' workflow and gives its
    # editors the publish permission: provisioning (and `portals provision --missing`) repairs.
    portal = portal_of(tree.school_a)
    home = home_of(tree.school_a)
    own = home.get_workflow()
    global_flow = Workflow.objects.exclude(pk=own.pk).exclude(
        name__contains=" · phê duyệt · ").first() or Workflow.objects.create(name="Moderators")
    WorkflowPage.objects.filter(page=home).update(workflow=global_flow)
    assert tree.school_a in provisioning.units_missing_portals()
    GroupPagePermission.objects.create(
        group=portal.editors, page=home,
        permission=Permission.objects.get(codename="publish_page"))
    GroupPagePermission.objects.create(
        group=portal.editors, page=home_of(tree.school_b),
        permission=Permission.objects.get(codename="change_page"))
    call_command("portals", "provision", "--missing", stdout=io.StringIO())
    assert home_of(tree.school_a).get_workflow() == own
    assert set(provisioning.units_missing_portals()) == set()
    assert set(GroupPagePermission.objects.filter(group=portal.editors)
               .values_list("page_id", "permission__codename")) == {
        (home.pk, "add_page"), (home.pk, "change_page")}


def test_a_renamed_unit_keeps_its_workflow_and_delegates(tree: Tree, staff: Staff) -> None:
    portal = portal_of(tree.school_a)
    home = home_of(tree.school_a)
    delegates = workflow.find_delegates(unit=tree.school_a, home_page_id=home.pk,
                                        approvers_id=portal.approvers.pk)
    assert delegates is not None
    delegates.user_set.add(staff.editor_b)  # a deputy named by hand
    flow = home.get_workflow()
    actions.update_unit(actor=None, unit=tree.school_a, name="Trường Tiểu học An Bình Mới")
    home = home_of(tree.school_a)
    assert home.get_workflow() == flow
    flow.refresh_from_db()
    delegates.refresh_from_db()
    assert flow.name.endswith("An Bình Mới") and delegates.name.endswith("An Bình Mới")
    assert list(delegates.user_set.all()) == [staff.editor_b]


# -- groups follow the directory at once --

def test_heads_join_and_leave_the_approvers_group_with_their_role(tree: Tree,
                                                                  staff: Staff) -> None:
    approvers_a, approvers_b = portal_of(tree.school_a).approvers, portal_of(
        tree.school_b).approvers
    editors_a = portal_of(tree.school_a).editors
    assert approvers_a is not None and approvers_b is not None and editors_a is not None
    assert set(approvers_a.user_set.all()) == {staff.head_a}
    assert set(approvers_b.user_set.all()) == {staff.head_b}
    assert set(editors_a.user_set.all()) == {staff.editor_a, staff.office_editor}
    # The office's editor over its subtree edits the office's and both schools' portals.
    assert group_names(staff.office_editor) == {
        portal_of(unit).editors.name for unit in (tree.office, tree.school_a, tree.school_b)}

    # A new principal is appointed, the old one's role revoked.
    new_head = appoint(tree.school_a, "thu@th-a.minhhai.edu.vn", "Nguyễn Thị Thu",
                       RoleKind.HEAD, position="Hiệu trưởng")
    assert set(approvers_a.user_set.all()) == {staff.head_a, new_head}
    actions.revoke_role(actor=None, role=RoleAssignment.objects.get(
        person=staff.head_a.person, kind=RoleKind.HEAD))
    assert set(approvers_a.user_set.all()) == {new_head}
    assert group_names(staff.head_a) == set()

    # A head who leaves loses approval at once, and gets it back on return.
    assert new_head.person is not None
    actions.update_person(actor=None, person=new_head.person, status=PersonStatus.LEFT)
    assert not approvers_a.user_set.exists()
    actions.update_person(actor=None, person=new_head.person, status=PersonStatus.ACTIVE)
    assert set(approvers_a.user_set.all()) == {new_head}

    # A login deactivated, or created after the role, follows too.
    new_head.is_active = False
    new_head.save()
    assert not approvers_a.user_set.exists()
    new_head.is_active = True
    new_head.save(update_fields=["is_active"])
    assert set(approvers_a.user_set.all()) == {new_head}
    person = actions.create_person(actor=None, unit=tree.school_b, full_name="Đỗ Văn Hải")
    actions.grant_role(actor=None, person=person, unit=tree.school_b, kind=RoleKind.HEAD)
    late = User.objects.create_user("hai@th-b.minhhai.edu.vn", PASSWORD, person=person)
    assert set(approvers_b.user_set.all()) == {staff.head_b, late}

    # A person deleted takes their login out of every portal group.
    actions.delete_person(actor=None, person=person)
    assert group_names(late) == set()
    # An editor role over a subtree revoked: out of all three editors' groups.
    actions.revoke_role(actor=None, role=RoleAssignment.objects.get(
        person=staff.office_editor.person, kind=RoleKind.EDITOR))
    assert group_names(staff.office_editor) == set()


def test_a_merged_schools_approvers_and_delegates_are_emptied(tree: Tree, staff: Staff) -> None:
    portal = portal_of(tree.school_b)
    home = home_of(tree.school_b)
    delegates = workflow.find_delegates(unit=tree.school_b, home_page_id=home.pk,
                                        approvers_id=portal.approvers.pk)
    assert delegates is not None
    delegates.user_set.add(staff.editor_b)
    actions.merge_units(actor=None, sources=[tree.school_b], target=tree.school_a,
                        on=datetime.date(2025, 7, 1))
    assert not portal.approvers.user_set.exists()
    assert not delegates.user_set.exists()
    assert group_names(staff.head_b) == set()


# -- the whole approval flow through the back office --

def page_form_data(html: str) -> Any:
    """The page editor's form as the browser would send it (stream fields, drawn by
    JavaScript, empty)."""
    data = querydict_from_html(html, form_id="page-edit-form")
    for field in NewsPage._meta.get_fields():
        if isinstance(field, StreamField):
            data.setdefault(f"{field.name}-count", "0")
    return data


def _add_news(client: Client, unit: Unit, title: str, action: str) -> Any:
    index = news_index(unit)
    url = reverse("wagtailadmin_pages:add", args=["portal", "newspage", index.pk])
    form = client.get(url)
    assert form.status_code == 200
    data = page_form_data(form.content.decode())
    data["title"] = title
    data["slug"] = slugify(fold(title))
    data["summary"] = f"Tóm tắt: {title}."
    data[action] = "1"
    return client.post(url, data)


def _news(title: str) -> NewsPage:
    return NewsPage.objects.get(title=title)


def _approve(client: Client, page: Page) -> Any:
    state = page.current_workflow_task_state
    assert state is not None
    url = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve", state.pk])
    return client.post(url, {"comment": ""})


def refused(response: Any) -> bool:
    """Wagtail's admin answers a forbidden action with 403, or by sending the user back to
    the dashboard with an error; edugate's guards on other portals' pages with 404."""
    return response.status_code in (403, 404) or (
        response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home"))


def _dashboard_titles(client: Client) -> str:
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_editor_submits_and_only_the_schools_head_approves(tree: Tree, staff: Staff,
                                                               client: Client) -> None:
    editor = login(staff.editor_a)
    title = "Lễ khai giảng năm học mới"
    # Publishing directly is not possible: the editor's "publish" only saves a draft.
    response = _add_news(editor, tree.school_a, title, "action-publish")
    assert response.status_code == 302
    page = _news(title)
    assert not page.live and page.has_unpublished_changes
    assert not page.permissions_for_user(staff.editor_a).can_publish()
    bulk = editor.post(reverse("wagtail_bulk_action", args=["wagtailcore", "page", "publish"])
                       + f"?id={page.pk}", {"include_descendants": ""})
    assert not _news(title).live and bulk.status_code in (200, 302, 403)

    # The editor submits it to the school's workflow.
    edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    data = page_form_data(editor.get(edit_url).content.decode())
    data["action-submit"] = "1"
    assert editor.post(edit_url, data).status_code == 302
    page = _news(title)
    state = page.current_workflow_task_state
    assert state is not None and state.status == TaskState.STATUS_IN_PROGRESS
    assert page.current_workflow_state.workflow == home_of(tree.school_a).get_workflow()

    # Neither the editor nor another school's head may approve it, nor see it to review.
    assert refused(_approve(editor, page))
    other_head = login(staff.head_b)
    assert title not in _dashboard_titles(other_head)
    assert refused(_approve(other_head, page))
    assert refused(other_head.get(edit_url))
    page = _news(title)
    assert not page.live and page.current_workflow_task_state == state

    # The school's head has it waiting on the dashboard, approves it, and it is live on the
    # school's own site.
    head = login(staff.head_a)
    assert title in _dashboard_titles(head)
    assert _approve(head, page).status_code == 302
    page = _news(title)
    assert page.live and page.current_workflow_state is None
    response = get(client, tree.school_a, relative_url(page, home_of(tree.school_a)))
    assert response.status_code == 200 and title in response.content.decode()
    # ... and not on the other school's.
    assert get(client, tree.school_b, relative_url(page, home_of(tree.school_a))
               ).status_code == 404

    # Who approved what stays visible to the head: history and workflow history.
    entry = PageLogEntry.objects.filter(page=page, action="wagtail.workflow.approve").get()
    assert entry.user_id == staff.head_a.pk
    assert PageLogEntry.objects.filter(page=page, action="wagtail.publish",
                                       user=staff.head_a).exists()
    history = head.get(reverse("wagtailadmin_pages:history", args=[page.pk]))
    assert history.status_code == 200 and "Trần Văn Minh" in history.content.decode()
    flow_history = head.get(reverse("wagtailadmin_pages:workflow_history", args=[page.pk]))
    assert flow_history.status_code == 200
    state_row = WorkflowState.objects.get(object_id=str(page.pk))
    assert state_row.status == WorkflowState.STATUS_APPROVED
    detail = head.get(reverse("wagtailadmin_pages:workflow_history_detail",
                              args=[page.pk, state_row.pk]))
    assert detail.status_code == 200 and "Lê Thị Hoa" in detail.content.decode()
    # The editor sees their item's history too; the other school's head sees none of it.
    assert editor.get(reverse("wagtailadmin_pages:history", args=[page.pk])).status_code == 200
    assert refused(other_head.get(reverse("wagtailadmin_pages:history", args=[page.pk])))


def test_a_delegate_approves_and_a_rejection_goes_back_to_the_editor(tree: Tree,
                                                                     staff: Staff) -> None:
    portal = portal_of(tree.school_a)
    delegates = workflow.find_delegates(unit=tree.school_a,
                                        home_page_id=portal.home_page_id or 0,
                                        approvers_id=portal.approvers.pk)
    assert delegates is not None
    deputy = appoint(tree.school_a, "phuong@th-a.minhhai.edu.vn", "Đinh Thị Phương",
                     RoleKind.CLERK, position="Phó Hiệu trưởng")
    delegates.user_set.add(deputy)
    editor = login(staff.editor_a)
    _add_news(editor, tree.school_a, "Thông báo tuyển sinh", "action-submit")
    page = _news("Thông báo tuyển sinh")
    assert page.current_workflow_task_state is not None
    deputy_client = login(deputy)
    # The delegate, who holds no editor or head role, finds the portal's pages in the admin.
    assert deputy_client.get(reverse("wagtailadmin_explore", args=[page.get_parent().pk])
                             ).status_code == 200
    assert deputy_client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])
                             ).status_code == 200
    assert "Thông báo tuyển sinh" in deputy_client.get(
        reverse("wagtailadmin_home")).content.decode()
    state = page.current_workflow_task_state
    reject = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "reject", state.pk])
    assert deputy_client.post(reject, {"comment": "Thiếu ngày giờ."}).status_code == 302
    page = _news("Thông báo tuyển sinh")
    assert not page.live
    assert page.current_workflow_state.status == WorkflowState.STATUS_NEEDS_CHANGES
    # The editor resubmits; the deputy approves.
    page.current_workflow_state.resume(user=staff.editor_a)
    assert _approve(deputy_client, _news("Thông báo tuyển sinh")).status_code == 302
    assert _news("Thông báo tuyển sinh").live


def test_awaiting_review_costs_the_same_whatever_the_number_of_portals(
        tree: Tree, staff: Staff) -> None:
    _add_news(login(staff.editor_a), tree.school_a, "Thông báo nghỉ lễ", "action-submit")
    head = login(staff.head_a)
    urls = [reverse("wagtailadmin_home"),
            reverse("wagtailadmin_reports:workflow") + "?reviewable=true",
            reverse("wagtailadmin_reports:workflow_tasks") + "?reviewable=true"]

    def queries() -> list[int]:
        counts = []
        for url in urls:
            with CaptureQueriesContext(connection) as captured:
                response = head.get(url)
            assert response.status_code == 200 and "Thông báo nghỉ lễ" in (
                response.content.decode())
            counts.append(len(captured.captured_queries))
        return counts

    queries()  # the first dashboard of a session fills caches
    before = queries()
    # Forty more portals' approval tasks (Wagtail's own panel asked each in turn).
    for number in range(40):
        group = Group.objects.create(name=f"X{number} · phê duyệt · Trường {number}")
        task = GroupApprovalTask.objects.create(name=group.name, active=True)
        task.groups.add(group)
    assert queries() == before
    assert [state.revision.content_object.title for state in
            workflow.reviewable_task_states(staff.head_a)] == ["Thông báo nghỉ lễ"]
    assert not workflow.reviewable_task_states(staff.head_b).exists()


# -- scheduled publishing and expiry --

def test_an_approved_item_goes_live_and_expires_on_schedule(tree: Tree, staff: Staff,
                                                            settings: Any) -> None:
    editor = login(staff.editor_a)
    _add_news(editor, tree.school_a, "Lịch thi học kỳ", "action-save")
    page = _news("Lịch thi học kỳ")
    now = timezone.now()
    page.go_live_at = now + datetime.timedelta(hours=1)
    page.expire_at = now + datetime.timedelta(hours=3)
    revision = page.save_revision(user=staff.editor_a)
    page.get_workflow().start(page, staff.editor_a)
    assert _approve(login(staff.head_a), _news("Lịch thi học kỳ")).status_code == 302
    page = _news("Lịch thi học kỳ")
    assert not page.live
    revision.refresh_from_db()
    assert revision.approved_go_live_at == page.go_live_at

    # The chore that runs Wagtail's publish_scheduled does nothing before the time...
    call_command("publishing", stdout=io.StringIO())
    assert not _news("Lịch thi học kỳ").live
    # ...publishes once it has come (the clock moved on: the times are now in the past)...
    past = now - datetime.timedelta(minutes=1)
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save(update_fields=["content", "approved_go_live_at"])
    NewsPage.objects.filter(pk=page.pk).update(go_live_at=past)
    call_command("publishing", stdout=io.StringIO())
    assert _news("Lịch thi học kỳ").live
    # ...and unpublishes it once it expires.
    NewsPage.objects.filter(pk=page.pk).update(expire_at=now - datetime.timedelta(seconds=1))
    call_command("publishing", stdout=io.StringIO())
    page = _news("Lịch thi học kỳ")
    assert not page.live and page.expired
