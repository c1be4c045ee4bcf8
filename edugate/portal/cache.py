"""Full-page cache of the portals for anonymous visitors (exam-day speed).

Anonymous ``GET``/``HEAD`` requests for portal pages (Wagtail's page serving, so feeds and
search too, and ``/sitemap.xml``, ``/robots.txt``) are answered from Django's cache alias
``portal`` (Redis in production, a file cache when embedded), keyed by scheme, host, port,
path, query (sorted, tracking parameters such as ``fbclid`` and ``utm_*`` dropped) and
language. Anyone with a session cookie (editors, administrators, mailbox holders) or an
``Authorization`` header is served fresh and never stored; neither is a response that sets a
cookie (a CSRF token, a session), marks itself private or ``no-store``, varies on ``*``, or
has a status other than 200 or 301.

**Invalidation by generations.** Each stored page records the *dependencies* it was rendered
under, with their versions, read *before* rendering: ``g`` (everything), ``s:<site id>``, and
for a unit's portal ``u:<unit path>`` (this portal only) and ``t:<prefix>`` for the unit's path
and each ancestor's (this portal's part of the tree). A page is served from the cache only
while every version is still current. A change bumps versions (a new random token, so a
version evicted from the cache can never come back to revalidate an old page):

- a page published, unpublished, moved or deleted in a unit's portal bumps ``t:<its path>``
  (that portal and every portal below it, which show its documents) and ``u:<ancestor>`` for
  each unit above it (whose portals show their members' news);
- a change to a site, a domain, a unit or a person's status bumps ``g``;
- images and documents bump their collection's portal like a page.

Directory data read live by the pages (leaders, mailboxes) that sends no signal shows after
at most ``PORTAL_CACHE["TIMEOUT"]`` seconds, the lifetime of a stored page.

**A copy in each process.** On exam day one page takes thousands of requests a second; asking
Redis for it and its versions each time costs more than the rest of a hit. Each server process
therefore keeps the pages it served (up to ``LOCAL_BYTES``) and serves them again without
asking Redis for ``LOCAL_TTL`` seconds (default 1) after it last checked their versions: a
publish shows in every process within that second, well inside the ``SHARED_MAX_AGE`` nginx
keeps pages anyway. A bump made in the process itself empties its copy at once. ``LOCAL_TTL``
0 turns the copy off.

Portal responses say what happened in ``X-Cache`` (``HIT``, ``MISS``, ``BYPASS``) and carry
``Cache-Control: public, max-age=<MAX_AGE>, s-maxage=<SHARED_MAX_AGE>`` when cacheable (the
shared age is what nginx's micro-cache keeps them: a few seconds), else ``private, no-store``;
every other response without a ``Cache-Control`` of its own gets ``private``, so no shared
cache ever keeps the back office or a mailbox holder's pages.

The decisions are plain functions over plain values (the rules below); the middleware reads a
request and a response into them and talks to the cache.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

CACHE_ALIAS = "portal"
#: the views whose anonymous responses may be stored (everything a portal's visitors read)
CACHEABLE_VIEWS = (
    "wagtail.views.serve",
    "edugate.portal.views.sitemap",
    "edugate.portal.views.robots",
)
CACHEABLE_METHODS = frozenset({"GET", "HEAD"})
CACHEABLE_STATUSES = frozenset({200, 301})
#: query parameters that never change a page: links shared on Facebook, Zalo, newsletters
IGNORED_PARAMETER = re.compile(r"^(utm_[a-z_]+|fbclid|gclid|dclid|msclkid|zarsrc|_hsenc|_hsmi)$")
MAX_PATH = 1024
MAX_QUERY = 512
MAX_BODY = 2 * 1024 * 1024
CACHE_HEADER = "X-Cache"
HIT, MISS, BYPASS = "HIT", "MISS", "BYPASS"
PRIVATE = "private, no-store"
#: dependency of every stored page; bumping it empties the cache without touching other keys
GLOBAL = "g"
KEY_PREFIX = "portal:"


# --- Settings ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class CacheSettings:
    enabled: bool = True
    #: seconds a stored page lives (bounds how long directory data read live can be stale)
    timeout: int = 300
    #: Cache-Control max-age for browsers
    max_age: int = 60
    #: Cache-Control s-maxage for shared caches (nginx's micro-cache, a CDN)
    shared_max_age: int = 5
    #: seconds a process serves a page from its own copy before checking its versions again
    local_ttl: float = 0.0
    #: the most bytes of pages a process keeps
    local_bytes: int = 32 * 1024 * 1024


def cache_settings() -> CacheSettings:
    values: Mapping[str, Any] = getattr(settings, "PORTAL_CACHE", {})
    return CacheSettings(
        enabled=bool(values.get("ENABLED", True)),
        timeout=int(values.get("TIMEOUT", 300)),
        max_age=int(values.get("MAX_AGE", 60)),
        shared_max_age=int(values.get("SHARED_MAX_AGE", 5)),
        # Absent: no copy per process (settings.py turns it on; tests that set their own
        # PORTAL_CACHE see every bump at once).
        local_ttl=float(values.get("LOCAL_TTL", 0)),
        local_bytes=int(values.get("LOCAL_BYTES", 32 * 1024 * 1024)),
    )


# --- Decisions: plain values in, a reason (or None) out --------------------------------------

@dataclass(frozen=True)
class RequestFacts:
    method: str
    path: str
    query: str
    cookies: frozenset[str]
    has_authorization: bool
    portal_view: bool


@dataclass(frozen=True)
class ResponseFacts:
    status: int
    streaming: bool
    cache_control: str
    vary: str
    sets_cookies: bool
    csrf_cookie_used: bool
    authenticated: bool
    size: int


@dataclass(frozen=True)
class Rule:
    """A named reason not to use the cache; ``check`` returns True when it applies."""

    name: str
    description: str
    check: Callable[[Any], bool]


def _session_cookie(facts: RequestFacts) -> bool:
    return settings.SESSION_COOKIE_NAME in facts.cookies


#: in this order; the first that applies is the reason a request bypasses the cache
REQUEST_RULES: tuple[Rule, ...] = (
    Rule("not-portal", "not a portal page, feed or sitemap", lambda f: not f.portal_view),
    Rule("method", "only GET and HEAD are cached", lambda f: f.method not in CACHEABLE_METHODS),
    Rule("session", "a session cookie: a logged-in user is always served fresh",
         _session_cookie),
    Rule("authorization", "an Authorization header", lambda f: f.has_authorization),
    Rule("long-url", "an over-long path or query",
         lambda f: len(f.path) > MAX_PATH or len(f.query) > MAX_QUERY),
)


def _cache_control_refuses(value: str) -> bool:
    directives = {part.strip().split("=", 1)[0].lower() for part in value.split(",")}
    return bool(directives & {"private", "no-store", "no-cache"})


RESPONSE_RULES: tuple[Rule, ...] = (
    Rule("status", "only 200 and 301 responses are stored",
         lambda f: f.status not in CACHEABLE_STATUSES),
    Rule("streaming", "a streaming response", lambda f: f.streaming),
    Rule("cookies", "the response sets a cookie (CSRF token, session)",
         lambda f: f.sets_cookies or f.csrf_cookie_used),
    Rule("authenticated", "rendered for a logged-in user", lambda f: f.authenticated),
    Rule("cache-control", "the view made it private or uncacheable",
         lambda f: _cache_control_refuses(f.cache_control)),
    Rule("vary-star", "Vary: *", lambda f: "*" in f.vary),
    Rule("size", "too large to store", lambda f: f.size > MAX_BODY),
)


def first_reason(rules: Sequence[Rule], facts: Any) -> str | None:
    for rule in rules:
        if rule.check(facts):
            return rule.name
    return None


def request_skip_reason(facts: RequestFacts) -> str | None:
    """Why this request must not be answered from (nor stored in) the cache, or ``None``."""
    return first_reason(REQUEST_RULES, facts)


def response_skip_reason(facts: ResponseFacts) -> str | None:
    """Why this response must not be stored, or ``None``."""
    return first_reason(RESPONSE_RULES, facts)


def normalised_query(query: str) -> str:
    """The query string as the cache sees it: tracking parameters dropped, sorted by name
    (``b=2&utm_source=x&a=1`` → ``a=1&b=2``); the order of repeated names is kept."""
    if not query:
        return ""
    pairs = [(name, value) for name, value in parse_qsl(query, keep_blank_values=True)
             if not IGNORED_PARAMETER.match(name)]
    pairs.sort(key=lambda pair: pair[0])
    return urlencode(pairs)


def page_key(*, scheme: str, host: str, port: str, path: str, query: str,
             language: str) -> str:
    """The cache key of a page: readable host, digest of the rest."""
    digest = hashlib.blake2b(f"{scheme}\n{port}\n{path}\n{query}\n{language}".encode(),
                             digest_size=16).hexdigest()
    return f"{KEY_PREFIX}page:{host.lower()}:{digest}"


def unit_dependencies(unit_path: str, steplen: int) -> list[str]:
    """What a page of the portal of the unit at ``unit_path`` depends on, besides ``g``."""
    prefixes = [unit_path[:end] for end in range(steplen, len(unit_path) + 1, steplen)]
    return [f"u:{unit_path}", *(f"t:{prefix}" for prefix in prefixes)]


def dependencies(*, site_id: int | None, unit_path: str | None, steplen: int) -> list[str]:
    """Every dependency of a page served by ``site_id`` for the unit at ``unit_path``."""
    keys = [GLOBAL]
    if site_id is not None:
        keys.append(f"s:{site_id}")
    if unit_path:
        keys.extend(unit_dependencies(unit_path, steplen))
    return keys


def bumps_for_unit(unit_path: str, steplen: int) -> list[str]:
    """What to bump when something of the unit at ``unit_path`` is published: its portal and
    every portal below it (``t:``), and each portal above it (``u:``)."""
    ancestors = [unit_path[:end] for end in range(steplen, len(unit_path), steplen)]
    return [f"t:{unit_path}", *(f"u:{path}" for path in ancestors)]


def cache_control(config: CacheSettings) -> str:
    return f"public, max-age={config.max_age}, s-maxage={config.shared_max_age}"


def new_version() -> str:
    """A version never used before: a bumped key never returns to an old value, even if the
    cache evicted it meanwhile."""
    return secrets.token_hex(8)


# --- The Redis backend ------------------------------------------------------------------------

class _RedisCacheClient(DjangoRedisCacheClient):
    """Django's client, keeping one redis-py client per connection pool: Django builds a new
    one for every operation, which costs about 0.3 ms with redis-py 8 (it copies its table of
    response callbacks), more than the round trip to Redis itself."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[bool, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        # With replicas (several servers), reads stay on the one first chosen.
        client = self._clients.get(write)
        if client is None:
            client = self._clients[write] = super().get_client(key, write=write)
        return client


class RedisCache(DjangoRedisCache):
    """``django.core.cache.backends.redis.RedisCache`` with a client kept per pool (above);
    the backend of the ``portal`` cache alias when ``EDUGATE_CACHE_URL`` is set."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _RedisCacheClient


# --- The store ----------------------------------------------------------------------------------

@dataclass
class Entry:
    """What is stored for a page: its dependencies' versions and the response."""

    versions: dict[str, str]
    status: int
    headers: list[tuple[str, str]]
    content: bytes

    def as_tuple(self) -> tuple[Any, ...]:
        return (self.versions, self.status, self.headers, self.content)

    @classmethod
    def from_tuple(cls, value: Any) -> Entry | None:
        if not isinstance(value, tuple) or len(value) != 4:
            return None
        return cls(*value)

    def response(self) -> HttpResponse:
        response = HttpResponse(self.content, status=self.status)
        for name, value in self.headers:
            response.headers[name] = value
        return response


class LocalCopies:
    """The pages one process served lately, each with when its versions were last checked
    (see "A copy in each process" above): least recently used first out past a byte budget.
    Shared by the process's threads."""

    #: what an entry costs besides its body and headers (the objects holding them)
    OVERHEAD = 512

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._entries: OrderedDict[str, tuple[float, Entry]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        #: moved by clear(): a copy read from the shared cache before a clear is not kept
        self.generation = 0

    @classmethod
    def size(cls, key: str, entry: Entry) -> int:
        headers = sum(len(name) + len(value) for name, value in entry.headers)
        return len(key) + headers + len(entry.content) + cls.OVERHEAD

    def get(self, key: str, ttl: float) -> Entry | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            checked, entry = found
            if self.clock() - checked >= ttl:
                return None
            self._entries.move_to_end(key)
            return entry

    def put(self, key: str, entry: Entry, budget: int, generation: int) -> None:
        """Keep ``entry``, read from the shared cache while ``generation`` was current."""
        size = self.size(key, entry)
        if size > budget:
            return
        with self._lock:
            if generation != self.generation:
                return  # a bump in this process came in between: it may be stale already
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= self.size(key, old[1])
            self._entries[key] = (self.clock(), entry)
            self._bytes += size
            while self._bytes > budget:
                evicted_key, (_checked, evicted) = self._entries.popitem(last=False)
                self._bytes -= self.size(evicted_key, evicted)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0
            self.generation += 1


#: this process's copies
LOCAL = LocalCopies()


@dataclass
class PageStore:
    """The page cache: entries, and the versions of the dependencies."""

    backend: BaseCache = field(default_factory=lambda: caches[CACHE_ALIAS])

    def lookup(self, key: str, host: str, config: CacheSettings | None = None) -> Entry | None:
        """The stored page under ``key`` if every dependency it recorded is still at its
        version (as of at most ``config.local_ttl`` seconds ago, from this process's copy).
        One round trip: the entry is read with the versions of the dependencies the host's
        pages had last time (a hint kept in memory); only if the entry recorded others are
        those read in a second one."""
        local_ttl = config.local_ttl if config is not None else 0.0
        if local_ttl > 0:
            entry = LOCAL.get(key, local_ttl)
            if entry is not None:
                return entry
        generation = LOCAL.generation
        entry = self._lookup_shared(key, host)
        if entry is not None and local_ttl > 0 and config is not None:
            LOCAL.put(key, entry, config.local_bytes, generation)
        return entry

    def _lookup_shared(self, key: str, host: str) -> Entry | None:
        hint = _HINTS.get(host, ())
        found = self.backend.get_many([key, *(_versioned(name) for name in hint)])
        entry = Entry.from_tuple(found.get(key))
        if entry is None:
            return None
        names = tuple(entry.versions)
        if names != hint:
            if len(_HINTS) >= _HINTS_LIMIT:
                _HINTS.clear()
            _HINTS[host] = names
            found = self.backend.get_many([_versioned(name) for name in names])
        for name, version in entry.versions.items():
            if found.get(_versioned(name)) != version:
                return None
        return entry

    def versions(self, names: Iterable[str]) -> dict[str, str]:
        """The current version of each dependency, giving a missing one its first version."""
        names = list(names)
        found = self.backend.get_many([_versioned(name) for name in names])
        result: dict[str, str] = {}
        for name in names:
            version = found.get(_versioned(name))
            if version is None:
                fresh = new_version()
                # add() is atomic on Redis: of two racing first requests, one version wins.
                self.backend.add(_versioned(name), fresh, timeout=None)
                version = self.backend.get(_versioned(name)) or fresh
            result[name] = version
        return result

    def store(self, key: str, entry: Entry, timeout: int) -> None:
        self.backend.set(key, entry.as_tuple(), timeout=timeout)

    def bump(self, names: Iterable[str]) -> None:
        self.backend.set_many({_versioned(name): new_version() for name in set(names)},
                              timeout=None)
        LOCAL.clear()  # this process's copies may depend on them


#: per process: host → the dependencies its pages recorded last (only ever a hint: each entry
#: is checked against the dependencies it recorded itself)
_HINTS: dict[str, tuple[str, ...]] = {}
_HINTS_LIMIT = 10_000


def _versioned(name: str) -> str:
    return f"{KEY_PREFIX}v:{name}"


def bump(names: Iterable[str]) -> None:
    """Invalidate every stored page depending on ``names``; logs (never raises) if the cache
    is unreachable: stored pages then live at most ``TIMEOUT`` seconds."""
    names = list(names)
    if not names:
        return
    try:
        PageStore().bump(names)
    except Exception:
        logger.exception("Could not invalidate the portal cache (%s)", ", ".join(names))


# --- The middleware ---------------------------------------------------------------------------

def _portal_view(path: str, allowed: tuple[Callable[..., Any], ...]) -> bool:
    """Whether ``path`` is served by one of the ``allowed`` views (remembered per path: the
    URLs do not change while a process runs, and a hot page skips resolving; an over-long
    path, never cached anyway, is not remembered)."""
    if len(path) > MAX_PATH:
        return _resolves_to(path, allowed)
    return _remembered_portal_view(path, allowed)


@functools.lru_cache(maxsize=4096)
def _remembered_portal_view(path: str, allowed: tuple[Callable[..., Any], ...]) -> bool:
    return _resolves_to(path, allowed)


def _resolves_to(path: str, allowed: tuple[Callable[..., Any], ...]) -> bool:
    if path.startswith((settings.STATIC_URL or "/static/", settings.MEDIA_URL or "/media/")):
        return False  # files (WhiteNoise, nginx), even where Wagtail's catch-all would match
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return match.func in allowed


@receiver(setting_changed)
def _urls_changed(*, setting: str, **kwargs: Any) -> None:
    if setting in {"ROOT_URLCONF", "STATIC_URL", "MEDIA_URL"}:
        _remembered_portal_view.cache_clear()


def _request_dependencies(request: HttpRequest) -> list[str]:
    """The dependencies of the page this request is about to render: its site (found as
    Wagtail will find it, which it then reuses) and that site's portal's unit."""
    from wagtail.models import Site

    from edugate.directory.models import Unit
    from edugate.portal.models import Portal

    site = Site.find_for_request(request)
    if site is None:
        return [GLOBAL]
    unit_path = (Portal.objects.filter(site_id=site.pk)
                 .values_list("unit__path", flat=True).first())
    return dependencies(site_id=site.pk, unit_path=unit_path, steplen=Unit.steplen)


class PortalCacheMiddleware:
    """Serves and stores anonymous portal pages (see the module docstring). Placed right
    after WhiteNoise, before the session: a hit costs no session, user or database work."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.views = tuple(import_string(name) for name in CACHEABLE_VIEWS)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        config = cache_settings()
        if not config.enabled:
            return self.get_response(request)
        query = request.META.get("QUERY_STRING", "")
        facts = RequestFacts(
            method=request.method or "", path=request.path_info, query=query,
            cookies=frozenset(request.COOKIES),
            has_authorization="HTTP_AUTHORIZATION" in request.META,
            portal_view=_portal_view(request.path_info, self.views),
        )
        if not facts.portal_view:
            # The back office, account pages, documents: never for a shared cache (nginx).
            response = self.get_response(request)
            if "Cache-Control" not in response:
                response["Cache-Control"] = "private"
            return response
        reason = request_skip_reason(facts)
        if reason is not None:
            return self._bypass(self.get_response(request))
        try:
            host = request.get_host()
            key = page_key(scheme=request.scheme or "", host=host,
                           port=request.get_port(), path=request.path,
                           query=normalised_query(query),
                           language=translation.get_language() or settings.LANGUAGE_CODE)
        except Exception:  # DisallowedHost: let Django answer it
            return self.get_response(request)
        store = PageStore()
        try:
            entry = store.lookup(key, host, config)
        except Exception:
            logger.exception("Could not read the portal cache")
            return self._bypass(self.get_response(request))
        if entry is not None:
            response = entry.response()
            response[CACHE_HEADER] = HIT
            return response
        return self._render_and_store(request, store, key, config)

    def _render_and_store(self, request: HttpRequest, store: PageStore, key: str,
                          config: CacheSettings) -> HttpResponseBase:
        normalised = normalised_query(request.META.get("QUERY_STRING", ""))
        if normalised != request.META.get("QUERY_STRING", ""):
            # Render what the key says: without tracking parameters, in the key's order.
            request.META["QUERY_STRING"] = normalised
            request.GET = QueryDict(normalised)
        try:
            # Read before rendering: a publish committed while rendering outdates this entry.
            versions = store.versions(_request_dependencies(request))
        except Exception:
            logger.exception("Could not read the portal cache's versions")
            return self._bypass(self.get_response(request))
        response = self.get_response(request)
        user = getattr(request, "user", None)
        content = b"" if response.streaming else response.content  # type: ignore[attr-defined]
        reason = response_skip_reason(ResponseFacts(
            status=response.status_code, streaming=response.streaming,
            cache_control=response.get("Cache-Control", ""), vary=response.get("Vary", ""),
            sets_cookies=bool(response.cookies),
            csrf_cookie_used=bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE")),
            authenticated=bool(user is not None and user.is_authenticated),
            size=len(content),
        ))
        if reason is not None:
            return self._bypass(response)
        if "Cache-Control" not in response:
            response["Cache-Control"] = cache_control(config)
        headers = [(name, value) for name, value in response.items()
                   if name.lower() not in {CACHE_HEADER.lower(), "set-cookie"}]
        try:
            store.store(key, Entry(versions, response.status_code, headers, content),
                        config.timeout)
        except Exception:
            logger.exception("Could not store a page in the portal cache")
        response[CACHE_HEADER] = MISS
        return response

    @staticmethod
    def _bypass(response: HttpResponseBase) -> HttpResponseBase:
        if "Cache-Control" not in response:
            response["Cache-Control"] = PRIVATE
        response[CACHE_HEADER] = BYPASS
        return response
