"""The portals' page cache (edugate/portal/cache.py): anonymous pages stored and served, everyone
else served fresh, and publishing invalidating exactly the portals that show what changed.

Run against both backends it is used with: a file cache (embedded) and Redis (production;
skipped only if no Redis server answers on 127.0.0.1:6379).
"""

from __future__ import annotations

import datetime
import socket
import uuid
from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client
from wagtail.models import PageViewRestriction

from edugate.directory import actions
from edugate.directory.models import Unit
from edugate.portal import cache
from edugate.portal.models import NewsIndexPage, NewsPage, Portal
from tests.portal.conftest import get, home_of, host_of, publish_document, publish_news

REDIS = ("127.0.0.1", 6379)


def _redis_up() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture(params=["file", "redis"])
def page_cache(request: Any, settings: Any, tmp_path: Any) -> str:
    """The page cache on, in a cache of this test's own."""
    if request.param == "file":
        backend = {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                   "LOCATION": str(tmp_path / "portal-cache")}
    else:
        if not _redis_up():
            pytest.skip("no Redis server on 127.0.0.1:6379")
        # A prefix of its own: nothing else's keys are read, and nothing is flushed.
        backend = {"BACKEND": "edugate.portal.cache.RedisCache",
                   "LOCATION": "redis://127.0.0.1:6379/15",
                   "KEY_PREFIX": f"edugate-test-{uuid.uuid4().hex}"}
    settings.CACHES = {**settings.CACHES, "portal": backend}
    settings.PORTAL_CACHE = {"ENABLED": True, "TIMEOUT": 300, "MAX_AGE": 60,
                             "SHARED_MAX_AGE": 5}
    return str(request.param)


def status(response: Any) -> str:
    return str(response.get(cache.CACHE_HEADER, ""))


def news_on_department(unit: Unit, title: str) -> NewsPage:
    index = NewsIndexPage.objects.child_of(home_of(unit)).get()
    page = NewsPage(title=title, summary="Tóm tắt.", date=datetime.date.today(),
                    show_on_department=True)
    index.add_child(instance=page)
    page.save_revision().publish()
    return page


# -- anonymous visitors --

def test_an_anonymous_second_request_is_a_hit(tree, page_cache, client: Client) -> None:
    first = get(client, tree.school_a, "/tin-tuc/")
    second = get(client, tree.school_a, "/tin-tuc/")
    assert first.status_code == second.status_code == 200
    assert (status(first), status(second)) == ("MISS", "HIT")
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert second["Cache-Control"] == "public, max-age=60, s-maxage=5"
    assert "Set-Cookie" not in second


def test_feeds_sitemap_and_robots_are_cached_per_host(tree, page_cache, client: Client) -> None:
    for path in ("/feed/rss/", "/sitemap.xml", "/robots.txt"):
        assert status(get(client, tree.school_a, path)) == "MISS"
        assert status(get(client, tree.school_a, path)) == "HIT"
        # Another portal's host is another page.
        other = get(client, tree.school_b, path)
        assert status(other) == "MISS"
    robots = get(client, tree.school_b, "/robots.txt").content.decode()
    assert host_of(tree.school_b).split(":")[0] in robots


def test_the_query_is_part_of_the_key_but_tracking_parameters_are_not(
        tree, page_cache, client: Client) -> None:
    assert status(get(client, tree.school_a, "/tin-tuc/?page=1&category=thong-bao")) == "MISS"
    assert status(get(client, tree.school_a, "/tin-tuc/?category=thong-bao&page=1")) == "HIT"
    assert status(get(client, tree.school_a, "/tin-tuc/?page=2")) == "MISS"
    shared = get(client, tree.school_a, "/tin-tuc/?category=thong-bao&page=1&fbclid=AbC"
                                        "&utm_source=zalo")
    assert status(shared) == "HIT"


def test_head_is_answered_from_the_get_entry(tree, page_cache, client: Client) -> None:
    get(client, tree.school_a, "/lien-he/")
    head = client.head("/lien-he/", HTTP_HOST=host_of(tree.school_a))
    assert head.status_code == 200
    assert status(head) == "HIT"


def test_other_pages_are_left_alone_but_kept_private(tree, page_cache, client: Client) -> None:
    for path in ("/admin/login/", "/admin/", "/activate/"):
        response = client.get(path, HTTP_HOST="localhost")
        assert cache.CACHE_HEADER not in response
        assert "private" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


# -- logged-in users and requests that must not be cached --

def test_a_logged_in_user_gets_fresh_pages_and_does_not_populate(
        tree, page_cache, client: Client) -> None:
    editor = Client()
    editor.force_login(tree.school_a_admin)
    for _ in range(2):
        response = get(editor, tree.school_a, "/tin-tuc/")
        assert response.status_code == 200
        assert status(response) == "BYPASS"
        assert response["Cache-Control"] == "private, no-store"
    # Nothing was stored: the first anonymous visitor renders the page.
    assert status(get(client, tree.school_a, "/tin-tuc/")) == "MISS"
    # And a page stored for visitors is not what the logged-in user gets.
    assert status(get(editor, tree.school_a, "/tin-tuc/")) == "BYPASS"


def test_a_post_is_never_cached(tree, page_cache, client: Client) -> None:
    client.get("/", HTTP_HOST=host_of(tree.school_a))
    posted = client.post("/tin-tuc/", HTTP_HOST=host_of(tree.school_a))
    assert status(posted) == "BYPASS"
    assert status(get(client, tree.school_a, "/tin-tuc/")) == "MISS"


def test_a_response_setting_a_cookie_is_never_cached(tree, page_cache, client: Client) -> None:
    # A password-protected page shows a form with a CSRF token: the response sets the cookie.
    page = NewsIndexPage.objects.child_of(home_of(tree.school_a)).get()
    PageViewRestriction.objects.create(page=page, restriction_type="password",
                                       password="mat-khau-de-thi")
    for _ in range(2):
        visitor = Client()
        response = get(visitor, tree.school_a, "/tin-tuc/")
        assert response.status_code == 200
        assert "csrftoken" in response.cookies
        assert status(response) == "BYPASS"
        assert "private" in response["Cache-Control"]


def test_the_site_works_when_the_cache_does_not(tree, settings, client: Client) -> None:
    settings.CACHES = {**settings.CACHES, "portal": {
        "BACKEND": "edugate.portal.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0"}}  # nothing listens on port 1
    settings.PORTAL_CACHE = {"ENABLED": True}
    response = get(client, tree.school_a, "/tin-tuc/")
    assert response.status_code == 200
    assert status(response) == "BYPASS"


# -- invalidation --

def test_publishing_news_shows_on_the_next_anonymous_request(
        tree, page_cache, client: Client, django_capture_on_commit_callbacks: Any) -> None:
    get(client, tree.school_a, "/")
    get(client, tree.school_b, "/")
    assert status(get(client, tree.school_a, "/")) == "HIT"
    with django_capture_on_commit_callbacks(execute=True):
        publish_news(tree.school_a, "Lịch thi học kỳ I năm học 2026-2027")
    fresh = get(client, tree.school_a, "/")
    assert status(fresh) == "MISS"
    assert "Lịch thi học kỳ I" in fresh.content.decode()
    # A sibling school's portal shows nothing of it: still served from the cache.
    assert status(get(client, tree.school_b, "/")) == "HIT"


def test_editing_a_home_page_invalidates_it_and_the_portals_above_only(
        tree, page_cache, client: Client, django_capture_on_commit_callbacks: Any) -> None:
    for unit in (tree.school_a, tree.school_b, tree.department):
        get(client, unit, "/")
    home = home_of(tree.school_a)
    home.phone = "0290 3 123 456"
    with django_capture_on_commit_callbacks(execute=True):
        home.save_revision().publish()
    fresh = get(client, tree.school_a, "/")
    assert status(fresh) == "MISS"
    assert "0290 3 123 456" in fresh.content.decode()
    assert status(get(client, tree.department, "/")) == "MISS"
    assert status(get(client, tree.school_b, "/")) == "HIT"


def test_a_publish_is_invisible_to_the_cache_until_it_commits(
        tree, page_cache, client: Client, django_capture_on_commit_callbacks: Any) -> None:
    get(client, tree.school_a, "/")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        publish_news(tree.school_a, "Thông báo chưa lưu")
        assert status(get(client, tree.school_a, "/")) == "HIT"
    assert callbacks  # the bump waits for the commit
    for callback in callbacks:
        callback()
    assert status(get(client, tree.school_a, "/")) == "MISS"


def test_member_news_shows_on_the_department_portal(
        tree, page_cache, client: Client, django_capture_on_commit_callbacks: Any) -> None:
    assert get(client, tree.department, "/tin-tu-cac-don-vi/").status_code == 200
    assert status(get(client, tree.department, "/tin-tu-cac-don-vi/")) == "HIT"
    get(client, tree.upper_school, "/")
    with django_capture_on_commit_callbacks(execute=True):
        news_on_department(tree.school_a, "Học sinh An Bình đạt giải nhất")
    page = get(client, tree.department, "/tin-tu-cac-don-vi/")
    assert status(page) == "MISS"
    assert "Học sinh An Bình đạt giải nhất" in page.content.decode()
    # A school elsewhere in the province shows neither school's news.
    assert status(get(client, tree.upper_school, "/")) == "HIT"


def test_department_documents_show_on_member_portals(
        tree, page_cache, client: Client, django_capture_on_commit_callbacks: Any) -> None:
    for unit in (tree.school_a, tree.office, tree.upper_school):
        get(client, unit, "/van-ban-cua-so/")
        assert status(get(client, unit, "/van-ban-cua-so/")) == "HIT"
    with django_capture_on_commit_callbacks(execute=True):
        publish_document(tree.department, "Kế hoạch tổ chức kỳ thi tuyển sinh lớp 10",
                         number="125/KH-SGDĐT")
    for unit in (tree.school_a, tree.office, tree.upper_school):
        page = get(client, unit, "/van-ban-cua-so/")
        assert status(page) == "MISS"
        assert "125/KH-SGDĐT" in page.content.decode()


def test_unpublishing_and_deleting_invalidate(
        tree, page_cache, client: Client, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        news = publish_news(tree.school_a, "Tin sẽ gỡ xuống")
    assert "Tin sẽ gỡ xuống" in get(client, tree.school_a, "/tin-tuc/").content.decode()
    assert status(get(client, tree.school_a, "/tin-tuc/")) == "HIT"
    with django_capture_on_commit_callbacks(execute=True):
        news.unpublish()
    page = get(client, tree.school_a, "/tin-tuc/")
    assert status(page) == "MISS"
    assert "Tin sẽ gỡ xuống" not in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        other = publish_news(tree.school_a, "Tin sẽ xoá")
    assert "Tin sẽ xoá" in get(client, tree.school_a, "/tin-tuc/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        NewsPage.objects.get(pk=other.pk).delete()
    page = get(client, tree.school_a, "/tin-tuc/")
    assert status(page) == "MISS"
    assert "Tin sẽ xoá" not in page.content.decode()


def test_moving_a_news_item_invalidates_both_portals(
        tree, page_cache, client: Client, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        news = publish_news(tree.school_a, "Tin chuyển trường")
    for unit in (tree.school_a, tree.school_b):
        get(client, unit, "/tin-tuc/")
        assert status(get(client, unit, "/tin-tuc/")) == "HIT"
    target = NewsIndexPage.objects.child_of(home_of(tree.school_b)).get()
    with django_capture_on_commit_callbacks(execute=True):
        NewsPage.objects.get(pk=news.pk).move(target, pos="last-child")
    before, after = get(client, tree.school_a, "/tin-tuc/"), get(client, tree.school_b, "/tin-tuc/")
    assert (status(before), status(after)) == ("MISS", "MISS")
    assert "Tin chuyển trường" not in before.content.decode()
    assert "Tin chuyển trường" in after.content.decode()


def test_renaming_a_unit_invalidates_every_portal(
        tree, page_cache, client: Client, django_capture_on_commit_callbacks: Any) -> None:
    for unit in (tree.school_a, tree.upper_school):
        get(client, unit, "/")
    with django_capture_on_commit_callbacks(execute=True):
        actions.update_unit(actor=None, unit=tree.school_a, name="Trường Tiểu học An Bình Mới")
    page = get(client, tree.school_a, "/")
    assert status(page) == "MISS"
    assert "Trường Tiểu học An Bình Mới" in page.content.decode()
    assert status(get(client, tree.upper_school, "/")) == "MISS"


def test_an_evicted_version_never_revalidates_an_old_page(tree, page_cache,
                                                         client: Client) -> None:
    get(client, tree.school_a, "/")
    portal = Portal.objects.select_related("unit").get(unit=tree.school_a)
    caches["portal"].delete(f"{cache.KEY_PREFIX}v:t:{portal.unit.path}")
    assert status(get(client, tree.school_a, "/")) == "MISS"
    assert status(get(client, tree.school_a, "/")) == "HIT"


def test_a_stale_hint_is_only_a_hint(tree, page_cache, client: Client) -> None:
    """The dependencies remembered per host speed up a lookup; an entry is always checked
    against the ones it recorded."""
    get(client, tree.school_a, "/")
    host = host_of(tree.school_a)
    cache._HINTS[host] = ("g",)  # as if this host's portal had moved in the tree
    portal = Portal.objects.select_related("unit").get(unit=tree.school_a)
    cache.bump([f"t:{portal.unit.path}"])
    assert status(get(client, tree.school_a, "/")) == "MISS"
    assert cache._HINTS[host] != ("g",)
    assert status(get(client, tree.school_a, "/")) == "HIT"


# -- the decisions themselves --

def facts(**overrides: Any) -> cache.RequestFacts:
    values: dict[str, Any] = {"method": "GET", "path": "/tin-tuc/", "query": "",
                              "cookies": frozenset(), "has_authorization": False,
                              "portal_view": True}
    return cache.RequestFacts(**{**values, **overrides})


def response_facts(**overrides: Any) -> cache.ResponseFacts:
    values: dict[str, Any] = {"status": 200, "streaming": False, "cache_control": "",
                              "vary": "Cookie", "sets_cookies": False,
                              "csrf_cookie_used": False, "authenticated": False, "size": 7000}
    return cache.ResponseFacts(**{**values, **overrides})


@pytest.mark.parametrize(("overrides", "reason"), [
    ({}, None),
    ({"method": "HEAD"}, None),
    ({"cookies": frozenset({"csrftoken", "_ga"})}, None),
    ({"portal_view": False}, "not-portal"),
    ({"method": "POST"}, "method"),
    ({"method": "OPTIONS"}, "method"),
    ({"cookies": frozenset({"sessionid"})}, "session"),
    ({"has_authorization": True}, "authorization"),
    ({"query": "q=" + "a" * 600}, "long-url"),
])
def test_request_rules(overrides: dict[str, Any], reason: str | None) -> None:
    assert cache.request_skip_reason(facts(**overrides)) == reason


@pytest.mark.parametrize(("overrides", "reason"), [
    ({}, None),
    ({"status": 301}, None),
    ({"cache_control": "public, max-age=30"}, None),
    ({"status": 302}, "status"),
    ({"status": 404}, "status"),
    ({"status": 500}, "status"),
    ({"streaming": True}, "streaming"),
    ({"sets_cookies": True}, "cookies"),
    ({"csrf_cookie_used": True}, "cookies"),
    ({"authenticated": True}, "authenticated"),
    ({"cache_control": "private"}, "cache-control"),
    ({"cache_control": "no-store, max-age=0"}, "cache-control"),
    ({"cache_control": "No-Cache"}, "cache-control"),
    ({"vary": "Cookie, *"}, "vary-star"),
    ({"size": 3 * 1024 * 1024}, "size"),
])
def test_response_rules(overrides: dict[str, Any], reason: str | None) -> None:
    assert cache.response_skip_reason(response_facts(**overrides)) == reason


def test_normalised_query() -> None:
    assert cache.normalised_query("") == ""
    assert cache.normalised_query("b=2&a=1") == "a=1&b=2"
    assert cache.normalised_query("page=2&fbclid=IwAR0&utm_source=fb&utm_medium=social") == \
        "page=2"
    assert cache.normalised_query("q=tr%C6%B0%E1%BB%9Dng&x=") == "q=tr%C6%B0%E1%BB%9Dng&x="
    assert cache.normalised_query("tag=b&tag=a") == "tag=b&tag=a"


def test_page_keys_differ_by_every_part() -> None:
    base = {"scheme": "http", "host": "th-a.localhost:8000", "port": "8000",
            "path": "/tin-tuc/", "query": "", "language": "vi"}
    key = cache.page_key(**base)
    assert key.startswith("portal:page:th-a.localhost:8000:")
    for name, other in [("scheme", "https"), ("host", "th-b.localhost:8000"), ("port", "80"),
                        ("path", "/van-ban/"), ("query", "page=2"), ("language", "en")]:
        assert cache.page_key(**{**base, name: other}) != key
    assert cache.page_key(**{**base, "host": "TH-A.localhost:8000"}) == key


def test_dependencies_and_bumps_follow_the_unit_tree() -> None:
    school = "000100020003"
    deps = cache.dependencies(site_id=7, unit_path=school, steplen=4)
    assert deps == ["g", "s:7", "u:000100020003", "t:0001", "t:00010002", "t:000100020003"]
    assert cache.dependencies(site_id=None, unit_path=None, steplen=4) == ["g"]
    # A school publishes: its own portal, and the office's and Department's own pages.
    assert cache.bumps_for_unit(school, 4) == ["t:000100020003", "u:0001", "u:00010002"]
    # The Department publishes: its portal and every portal below it.
    assert cache.bumps_for_unit("0001", 4) == ["t:0001"]
    department_page = cache.dependencies(site_id=1, unit_path="0001", steplen=4)
    sibling = cache.dependencies(site_id=9, unit_path="000100020004", steplen=4)
    assert set(cache.bumps_for_unit(school, 4)) & set(department_page)
    assert not set(cache.bumps_for_unit(school, 4)) & set(sibling)
    assert set(cache.bumps_for_unit("0001", 4)) & set(sibling)


def test_new_versions_are_never_reused() -> None:
    assert len({cache.new_version() for _ in range(1000)}) == 1000


# -- the copy in each process --

class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def local_copies(page_cache: str, settings: Any, monkeypatch: Any) -> Clock:
    """This process keeps its own copies for one second (as in production), on a clock the
    test moves."""
    clock = Clock()
    monkeypatch.setattr(cache, "LOCAL", cache.LocalCopies(clock))
    settings.PORTAL_CACHE = {**settings.PORTAL_CACHE, "LOCAL_TTL": 1}
    return clock


def test_a_process_sees_another_process_s_publish_within_its_copy_s_second(
        tree, local_copies: Clock, client: Client) -> None:
    get(client, tree.school_a, "/")
    assert status(get(client, tree.school_a, "/")) == "HIT"
    # Another process (the publishing worker) moves every version in the shared cache.
    caches[cache.CACHE_ALIAS].set(f"{cache.KEY_PREFIX}v:{cache.GLOBAL}", "elsewhere",
                                  timeout=None)
    local_copies.now += 0.5
    assert status(get(client, tree.school_a, "/")) == "HIT"  # its own copy, not asked again
    local_copies.now += 0.5
    assert status(get(client, tree.school_a, "/")) == "MISS"


def test_a_publish_in_the_process_itself_shows_at_once(
        tree, local_copies: Clock, client: Client,
        django_capture_on_commit_callbacks: Any) -> None:
    get(client, tree.school_a, "/")
    assert status(get(client, tree.school_a, "/")) == "HIT"
    with django_capture_on_commit_callbacks(execute=True):
        publish_news(tree.school_a, "Thông báo nghỉ học do bão")
    fresh = get(client, tree.school_a, "/")
    assert status(fresh) == "MISS"
    assert "Thông báo nghỉ học do bão" in fresh.content.decode()


def test_the_copies_keep_to_their_byte_budget_least_recently_used_out() -> None:
    clock = Clock()
    copies = cache.LocalCopies(clock)

    def entry(size: int) -> cache.Entry:
        return cache.Entry({}, 200, [], b"x" * size)

    one = cache.LocalCopies.size("a", entry(400))
    budget = 2 * one + 10
    copies.put("a", entry(400), budget=budget, generation=0)
    copies.put("b", entry(400), budget=budget, generation=0)
    assert copies.get("a", ttl=1) is not None  # a is now the most recently used
    copies.put("c", entry(400), budget=budget, generation=0)
    assert copies.get("b", ttl=1) is None
    assert copies.get("a", ttl=1) is not None and copies.get("c", ttl=1) is not None
    copies.put("huge", entry(budget), budget=budget, generation=0)  # never kept
    assert copies.get("huge", ttl=1) is None
    clock.now += 1
    assert copies.get("a", ttl=1) is None


def test_empty_answers_count_against_the_budget_too() -> None:
    """Redirects (a merged unit's home) have no body: each still costs its key and headers, so
    new query strings cannot fill a worker's memory."""
    copies = cache.LocalCopies(Clock())
    redirect = cache.Entry({}, 301, [("Location", "https://th-b.minhhai.edu.vn/")], b"")
    budget = 100 * cache.LocalCopies.size("portal:page:th-a:0000", redirect)
    for number in range(1_000):
        copies.put(f"portal:page:th-a:{number:04}", redirect, budget=budget, generation=0)
    assert sum(copies.get(f"portal:page:th-a:{n:04}", ttl=1) is not None
               for n in range(1_000)) <= 100


def test_a_copy_read_before_a_bump_in_the_process_is_not_kept() -> None:
    """A thread read the page from Redis; another published (bump, copies emptied) before the
    first kept its copy: that copy would be stale, so it is not kept."""
    copies = cache.LocalCopies(Clock())
    before = copies.generation
    copies.clear()  # the other thread's bump
    copies.put("k", cache.Entry({}, 200, [], b"old page"), budget=10_000, generation=before)
    assert copies.get("k", ttl=1) is None
