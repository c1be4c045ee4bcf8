"""Isolation of the portals in Wagtail's admin, as a matrix: every surface of the back office
that lists, chooses, searches or shows pages, images or documents, walked by each kind of
portal user. An editor or head of school A never sees school B's pages, images, documents or
workflow items anywhere (nor the upper-secondary school's, outside their office); an editor
over the office's subtree sees both schools' and no more; the Department's editor sees all.

Each surface is asked for every portal's objects by id as well as through its listings and
searches; a forbidden answer (403, or Wagtail's redirect to the dashboard) counts as not seen.
Each surface also has to show the user's own objects, so that a broken page cannot pass for
an isolated one.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import GroupCollectionPermission, GroupPagePermission, Page, Workflow
from wagtail.search.index import insert_or_update_object

from edugate.accounts.models import User
from edugate.directory.models import RoleKind, Unit
from edugate.portal.models import NewsPage, Portal
from tests.conftest import Tree
from tests.portal.conftest import home_of, publish_news
from tests.portal.test_workflow import appoint, make_staff, news_index

#: what each school's objects are called: unique words, so any of them in a response is a leak
TAGS = {"TH-A": "An Bình", "TH-B": "Kim Đồng", "THPT-1": "Lê Quý Đôn"}


@dataclass
class Objects:
    """One portal's objects, each titled with the school's tag, and its editor."""
    home: Page
    news: NewsPage
    draft: NewsPage
    image_id: int
    document_id: int
    markers: dict[str, str]  # kind -> title


@dataclass
class World:
    tree: Tree
    users: dict[str, User]
    objects: dict[str, Objects]  # unit code -> objects
    #: who sees which portals' objects (unit codes)
    sees: dict[str, set[str]]


SCHOOLS = ("TH-A", "TH-B", "THPT-1")


def _content(unit: Unit, editor: User) -> Objects:
    tag = f"{unit.code} {TAGS[unit.code]}"
    portal = Portal.objects.get(unit=unit)
    news = publish_news(unit, f"Khai giảng tin {tag}")
    draft = NewsPage(title=f"Khai giảng nháp {tag}", summary="Chờ duyệt.")
    news_index(unit).add_child(instance=draft)
    draft = NewsPage.objects.get(pk=draft.pk)
    draft.save_revision(user=editor)
    flow = draft.get_workflow()
    assert flow is not None
    flow.start(draft, editor)
    image = get_image_model().objects.create(
        title=f"Ảnh lễ khai giảng {tag}", file=get_test_image_file(),
        collection=portal.collection)
    document = get_document_model().objects.create(
        title=f"Văn bản khai giảng {tag}", collection=portal.collection,
        file=ContentFile(b"%PDF-1.4 ke hoach", name=f"ke-hoach-{unit.code}.pdf"))
    return Objects(home=home_of(unit), news=news, draft=draft, image_id=image.pk,
                   document_id=document.pk,
                   markers={"home": unit.name, "news": news.title, "draft": draft.title,
                            "image": image.title, "document": document.title,
                            "editor's name": editor.get_full_name() or str(editor)})


@pytest.fixture
def world(tree: Tree, settings: Any, tmp_path: Any) -> World:
    settings.MEDIA_ROOT = str(tmp_path)
    staff = make_staff(tree)
    editor_upper = appoint(tree.upper_school, "bientap@thpt1.minhhai.edu.vn", "Mai Văn Sơn",
                           RoleKind.EDITOR)
    dept_editor = appoint(tree.department, "bientap@minhhai.edu.vn", "Lý Thị Hằng",
                          RoleKind.EDITOR, subtree=True)
    editors = {"TH-A": staff.editor_a, "TH-B": staff.editor_b, "THPT-1": editor_upper}
    objects = {code: _content(Unit.objects.get(code=code), editors[code]) for code in SCHOOLS}
    for page in Page.objects.specific():
        insert_or_update_object(page)
    for model in (get_image_model(), get_document_model()):
        for item in model.objects.all():
            insert_or_update_object(item)
    users = {"editor of A": staff.editor_a, "head of A": staff.head_a,
             "editor of B": staff.editor_b, "office editor": staff.office_editor,
             "department editor": dept_editor}
    sees = {"editor of A": {"TH-A"}, "head of A": {"TH-A"}, "editor of B": {"TH-B"},
            "office editor": {"TH-A", "TH-B"}, "department editor": set(SCHOOLS)}
    return World(tree=tree, users=users, objects=objects, sees=sees)


# -- the surfaces --

Urls = Callable[[World], list[str]]


@dataclass(frozen=True)
class Surface:
    urls: Urls
    #: the kinds of the user's own objects the surface must show
    shows: tuple[str, ...]
    #: users for whom it must show them (default: everyone)
    shown_to: tuple[str, ...] | None = None


def each(build: Callable[[Objects], str]) -> Urls:
    return lambda world: [build(objects) for objects in world.objects.values()]


def fixed(*urls: str) -> Urls:
    return lambda world: [reverse(url) if not url.startswith("/") else url for url in urls]


def both(*parts: Urls) -> Urls:
    return lambda world: [url for part in parts for url in part(world)]


def _r(name: str, *args: Any) -> str:
    return reverse(name, args=args)


SURFACES: dict[str, Surface] = {
    "page explorer": Surface(both(
        fixed("wagtailadmin_explore_root"),
        each(lambda o: _r("wagtailadmin_explore", o.home.pk)),
        each(lambda o: _r("wagtailadmin_explore", o.news.get_parent().pk)),
        each(lambda o: _r("wagtailadmin_explore", o.news.get_parent().pk) + "?q=khai"),
    ), shows=("home", "news", "draft")),
    "page search": Surface(fixed(
        _r("wagtailadmin_pages:search") + "?q=khai",
        _r("wagtailadmin_explore_root") + "?q=khai&search_all=1",
        _r("wagtailadmin_explore_root") + "?q=khai",
    ), shows=("news", "draft")),
    "explorer menu (admin API)": Surface(both(
        fixed("/admin/api/main/pages/?child_of=root&for_explorer=1"),
        each(lambda o: f"/admin/api/main/pages/?child_of={o.home.pk}&for_explorer=1"),
        each(lambda o: f"/admin/api/main/pages/?child_of={o.news.get_parent().pk}"
                       "&for_explorer=1"),
    ), shows=("home", "news")),
    "admin API": Surface(both(
        fixed("/admin/api/main/pages/?limit=20", "/admin/api/main/pages/?search=khai",
              "/admin/api/main/images/?limit=20", "/admin/api/main/documents/?limit=20"),
        each(lambda o: f"/admin/api/main/pages/{o.news.pk}/"),
        each(lambda o: f"/admin/api/main/images/{o.image_id}/"),
        each(lambda o: f"/admin/api/main/documents/{o.document_id}/"),
    ), shows=("news", "image", "document")),
    "page chooser": Surface(both(
        fixed("wagtailadmin_choose_page",
              _r("wagtailadmin_choose_page") + "?page_type=portal.newspage",
              _r("wagtailadmin_choose_page_search") + "?q=khai",
              _r("wagtailadmin_choose_page_search") + "?q=khai&page_type=portal.newspage"),
        each(lambda o: _r("wagtailadmin_choose_page_child", o.home.pk)),
        each(lambda o: _r("wagtailadmin_choose_page_child", o.news.get_parent().pk)),
        each(lambda o: _r("wagtailadmin_choose_page_child", o.news.pk)),
    ), shows=("home", "news")),
    "image chooser": Surface(both(
        fixed("wagtailimages_chooser:choose",
              _r("wagtailimages_chooser:choose_results") + "?q=khai"),
        each(lambda o: _r("wagtailimages_chooser:chosen", o.image_id)),
        each(lambda o: _r("wagtailimages_chooser:select_format", o.image_id)),
    ), shows=("image",)),
    "image listing": Surface(both(
        fixed("wagtailimages:index", _r("wagtailimages:index") + "?q=khai"),
        each(lambda o: _r("wagtailimages:edit", o.image_id)),
        each(lambda o: _r("wagtailimages:image_usage", o.image_id)),
    ), shows=("image",)),
    "document chooser": Surface(both(
        fixed("wagtaildocs_chooser:choose",
              _r("wagtaildocs_chooser:choose_results") + "?q=khai"),
        each(lambda o: _r("wagtaildocs_chooser:chosen", o.document_id)),
    ), shows=("document",)),
    "document listing": Surface(both(
        fixed("wagtaildocs:index", _r("wagtaildocs:index") + "?q=khai"),
        each(lambda o: _r("wagtaildocs:edit", o.document_id)),
        each(lambda o: _r("wagtaildocs:document_usage", o.document_id)),
    ), shows=("document",)),
    "page views": Surface(both(
        each(lambda o: _r("wagtailadmin_pages:edit", o.news.pk)),
        each(lambda o: _r("wagtailadmin_pages:edit", o.draft.pk)),
        each(lambda o: _r("wagtailadmin_pages:history", o.draft.pk)),
        each(lambda o: _r("wagtailadmin_pages:workflow_history", o.draft.pk)),
        each(lambda o: _r("wagtailadmin_pages:revisions_index", o.draft.pk)),
        each(lambda o: _r("wagtailadmin_pages:usage", o.news.pk)),
        each(lambda o: _r("wagtailadmin_pages:move", o.news.pk)),
        each(lambda o: _r("wagtailadmin_pages:preview_on_edit", o.draft.pk)),
    ), shows=("news", "draft")),
    "moderation dashboard": Surface(fixed("wagtailadmin_home"), shows=("draft",),
                                    shown_to=("editor of A", "head of A", "editor of B")),
    "workflow reports": Surface(fixed(
        "wagtailadmin_reports:workflow", "wagtailadmin_reports:workflow_tasks",
        _r("wagtailadmin_reports:workflow") + "?reviewable=true",
        _r("wagtailadmin_reports:workflow_tasks") + "?reviewable=true",
    ), shows=("draft",)),
    "other reports": Surface(fixed(
        "wagtailadmin_reports:site_history", "wagtailadmin_reports:aging_pages",
        "wagtailadmin_reports:locked_pages", "wagtailadmin_reports:page_types_usage",
    ), shows=()),
    "workflow task chooser": Surface(fixed(
        "wagtailadmin_workflows:task_chooser", "wagtailadmin_workflows:task_chooser_results",
    ), shows=()),
    "workflow actions": Surface(both(
        each(lambda o: _r("wagtailadmin_pages:workflow_action", o.draft.pk, "approve",
                          o.draft.current_workflow_task_state.pk)),
        # A page not in moderation: Wagtail's message named it, and the task asked about.
        each(lambda o: _r("wagtailadmin_pages:workflow_action", o.news.pk, "approve",
                          o.draft.current_workflow_task_state.pk)),
        each(lambda o: _r("wagtailadmin_pages:confirm_workflow_cancellation", o.draft.pk)),
        fixed("wagtailadmin_home"),  # where the messages of the requests above show
        each(lambda o: _r("wagtailadmin_pages:workflow_preview", o.draft.pk,
                          o.draft.current_workflow_task_state.task_id)),
    ), shows=("draft",), shown_to=("head of A",)),
}


def _text(response: Any) -> str:
    """What the user was shown: nothing for a refusal (the admin API answers 400 for a parent
    page it does not know); JSON decoded (so escaped letters cannot hide a title)."""
    if response.status_code in (400, 403, 404) or (
            response.status_code == 302
            and response["Location"] == reverse("wagtailadmin_home")):
        return ""
    assert response.status_code in (200, 302), response.status_code
    body = response.content.decode()
    if response.get("Content-Type", "").startswith("application/json"):
        body = json.dumps(json.loads(body), ensure_ascii=False)
    return body


@pytest.mark.parametrize("surface", list(SURFACES))
def test_no_portal_sees_another_portals_content(world: World, surface: str) -> None:
    spec = SURFACES[surface]
    urls = spec.urls(world)
    problems: list[str] = []
    for who, user in world.users.items():
        client = Client()
        client.force_login(user)
        shown = {url: _text(client.get(url)) for url in urls}
        everything = "\n".join(shown.values())
        for code, objects in world.objects.items():
            own = code in world.sees[who]
            for kind, marker in objects.markers.items():
                if not own and marker in everything:
                    where = [url for url, text in shown.items() if marker in text]
                    problems.append(f"{who} sees {code}'s {kind} at {where}")
                if (own and kind in spec.shows and marker not in everything
                        and (spec.shown_to is None or who in spec.shown_to)):
                    problems.append(f"{who} does not see their own {code} {kind}")
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_no_group_reaches_every_portal_from_the_root() -> None:
    """Wagtail's own "Editors" and "Moderators" groups (page permissions on the root, so on
    every portal) are gone, and its global workflow assigned nowhere: one person added to them
    by hand would have edited every school's portal."""
    assert not Group.objects.filter(name__in=["Editors", "Moderators"]).exists()
    assert not GroupPagePermission.objects.filter(page__depth=1).exists()
    assert not GroupCollectionPermission.objects.filter(collection__depth=1).exists()
    for flow in Workflow.objects.filter(name="Moderators approval"):
        assert not flow.active and not flow.workflow_pages.exists()


def test_what_was_awaiting_wagtail_s_global_workflow_is_cancelled(tree: Tree) -> None:
    """On an install where pages were submitted to Wagtail's own workflow before the portals
    had theirs, the migration cancels those submissions (as Wagtail's deactivation does)
    instead of leaving them waiting on a group that is gone."""
    migration = importlib.import_module("edugate.portal.migrations.0003_no_global_page_groups")
    flow = Workflow.objects.get(name="Moderators approval")
    flow.active = True
    flow.save()
    for task in flow.tasks.all():
        task.active = True
        task.save()
    news = publish_news(tree.school_a, "Gửi nhầm quy trình chung", live=False)
    state = flow.start(news, tree.superuser)
    assert state.status == "in_progress"

    migration.forwards(django_apps, None)

    state.refresh_from_db()
    assert state.status == "cancelled"
    assert not state.task_states.filter(status="in_progress").exists()
    flow.refresh_from_db()
    assert not flow.active
