"""Django settings, read from ``EDUGATE_*`` environment variables.

With no environment at all edugate runs embedded: SQLite in WAL mode under ``var/``,
a secret key generated once into ``var/secret_key``, Vietnamese as the default language.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("EDUGATE_VAR_DIR", BASE_DIR / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    key = os.environ.get("EDUGATE_SECRET_KEY")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_bool("EDUGATE_DEBUG", False)
ALLOWED_HOSTS = _env_list("EDUGATE_ALLOWED_HOSTS", "localhost,.localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = _env_list("EDUGATE_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "edugate.accounts",
    "edugate.audit",
    "edugate.directory",
    "edugate.mail",
    "edugate.mail.plane",
    "edugate.groups",
    "edugate.portal",
    "edugate.core",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Its catalogue: Wagtail's "2 hours ago" on the dashboard and in histories reads Vietnamese.
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Anonymous portal pages from the page cache, before any session or database work
    # (edugate/portal/cache.py; PORTAL_CACHE below).
    "edugate.portal.cache.PortalCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # No LocaleMiddleware: Vietnamese whatever the browser asks for; back-office users who
    # prefer English choose it in their account settings (Wagtail applies it per user).
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "edugate.audit.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "edugate.urls"
WSGI_APPLICATION = "edugate.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "edugate" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES: dict[str, dict[str, Any]] = {
    "default": dict(dj_database_url.parse(
        os.environ.get("EDUGATE_DATABASE_URL", f"sqlite:///{VAR_DIR / 'edugate.sqlite3'}"),
        conn_max_age=int(os.environ.get("EDUGATE_DB_CONN_MAX_AGE", "60")),
    ))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers (web, worker, mail daemons) proceed while one writer commits.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Planner settings for solid-state storage (PostgreSQL's defaults assume spinning disks
    # and pick sequential scans over index lookups for the directory's joins).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = os.environ.get(
        "EDUGATE_PG_OPTIONS", "-c random_page_cost=1.1 -c effective_io_concurrency=200"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # A mailbox address logs in with the mailbox's password (the one IMAP uses)...
    "edugate.mail.auth.MailboxBackend",
    # ...platform accounts (the operator's superuser) with their own; roles grant admin access.
    "edugate.directory.permissions.DirectoryRoleBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "wagtailadmin_login"
LOGIN_REDIRECT_URL = "wagtailadmin_home"

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "edugate" / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or _env_bool("EDUGATE_TESTING", False)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Wagtail --------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = os.environ.get("EDUGATE_SITE_NAME", "edugate")
WAGTAILADMIN_BASE_URL = os.environ.get("EDUGATE_BASE_URL", "http://localhost:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAIL_I18N_ENABLED = False

# Passwords belong to mailboxes: Wagtail's own password change and reset would set another.
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAIL_PASSWORD_RESET_ENABLED = False
# The login address is the mailbox address; nobody may change their own to another one.
WAGTAIL_EMAIL_MANAGEMENT_ENABLED = False

# --- Cache (shared by the web workers: login throttling, rendered fragments) ---------------
CACHES: dict[str, dict[str, Any]] = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache"),
    },
    # The portals' full-page cache (edugate/portal/cache.py), shared by every web worker:
    # Redis when EDUGATE_CACHE_URL is set (e.g. redis://127.0.0.1:6379/1; production), else
    # files under var/cache/portal. Never a per-process memory cache: a publish handled by one
    # worker must invalidate the pages every worker serves (each worker's own short-lived
    # copies are PORTAL_CACHE's LOCAL_TTL below).
    "portal": (
        {"BACKEND": "edugate.portal.cache.RedisCache",  # Django's, one client per pool
         "LOCATION": os.environ["EDUGATE_CACHE_URL"], "KEY_PREFIX": "edugate"}
        if os.environ.get("EDUGATE_CACHE_URL")
        else {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
              "LOCATION": str(VAR_DIR / "cache" / "portal"),
              "OPTIONS": {"MAX_ENTRIES": 50_000}}
    ),
}
# Anonymous portal pages: how long a stored page lives (seconds; directory data the pages read
# live, such as mailboxes, shows within this), and the Cache-Control ages sent to browsers and
# to shared caches (nginx's micro-cache). See docs/portals.md, "Speed".
PORTAL_CACHE = {
    "ENABLED": _env_bool("EDUGATE_PORTAL_CACHE", True),
    "TIMEOUT": int(os.environ.get("EDUGATE_PORTAL_CACHE_TIMEOUT", "300")),
    "MAX_AGE": int(os.environ.get("EDUGATE_PORTAL_CACHE_MAX_AGE", "60")),
    "SHARED_MAX_AGE": int(os.environ.get("EDUGATE_PORTAL_CACHE_SHARED_MAX_AGE", "5")),
    # Each server process serves a page it has from its own copy for this many seconds before
    # asking the shared cache again (0: always ask); at most LOCAL_BYTES of pages per process.
    "LOCAL_TTL": float(os.environ.get("EDUGATE_PORTAL_CACHE_LOCAL_TTL", "1")),
    "LOCAL_BYTES": int(os.environ.get("EDUGATE_PORTAL_CACHE_LOCAL_BYTES", str(32 * 1024 * 1024))),
}
# A unit created in the directory gets its portal at once. A Department whose
# portals live elsewhere turns this off; `edugate portals provision` then makes them on demand,
# and portals that exist still follow their unit's renames, merges and dissolutions.
PORTAL_AUTO_PROVISION = _env_bool("EDUGATE_PORTAL_AUTO_PROVISION", True)

# --- Mail clients (shown on activation slips and in client set-up) --------------------------
MAIL_CLIENT_IMAP_HOST = os.environ.get("EDUGATE_IMAP_HOST", "")  # "": the back office's host
MAIL_CLIENT_IMAP_PORT = int(os.environ.get("EDUGATE_IMAP_PORT", "993"))
MAIL_CLIENT_SMTP_HOST = os.environ.get("EDUGATE_SMTP_HOST", "")
MAIL_CLIENT_SMTP_PORT = int(os.environ.get("EDUGATE_SMTP_PORT", "587"))

# --- Background tasks -----------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
# Daily chores run by `edugate housekeeping` (each an idempotent management command).
HOUSEKEEPING_COMMANDS: list[tuple[str, ...]] = [("mailboxes", "close-due"),
                                                 ("groups", "expire")]

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # Wagtail's admin JavaScript reads it
SESSION_COOKIE_SECURE = _env_bool("EDUGATE_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "SAMEORIGIN"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
USE_X_FORWARDED_HOST = _env_bool("EDUGATE_BEHIND_PROXY", False)
# Behind nginx (which sets X-Forwarded-Proto on every request, deploy/nginx/edugate.conf) a
# request that reached nginx over TLS is secure: CSRF checks the browser's https:// Origin,
# links are built with https://, HSTS is sent. The web server itself trusts no header.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if USE_X_FORWARDED_HOST else None
# The address the audit log records for a request: REMOTE_ADDR, or the first hop of
# X-Forwarded-For when edugate runs behind nginx (EDUGATE_BEHIND_PROXY=1).
AUDIT_TRUST_FORWARDED_FOR = USE_X_FORWARDED_HOST

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("EDUGATE_LOG_LEVEL", "WARNING")},
}

# --- Mail DNS, DKIM keys and client set-up (edugate/mail/dns_records.py, dkim.py) ----------
# The MX host every hosted domain points at; "": ``mail.<the department's domain>``.
MAIL_HOSTNAME = os.environ.get("EDUGATE_MAIL_HOSTNAME", "")
# The web host serving autoconfig, autodiscover and MTA-STS; "": EDUGATE_BASE_URL's host.
MAIL_WEB_HOSTNAME = os.environ.get("EDUGATE_WEB_HOSTNAME", "")
# Where DMARC and TLS reports go; "": postmaster@<the department's domain>.
MAIL_REPORTS_ADDRESS = os.environ.get("EDUGATE_MAIL_REPORTS_ADDRESS", "")
# Extra SPF mechanisms for an outbound relay, e.g. "ip4:203.0.113.5 include:relay.example".
MAIL_SPF_EXTRA = os.environ.get("EDUGATE_SPF_EXTRA", "")
# MTA-STS mode: "testing" until the MX host has a real certificate, then "enforce".
MAIL_MTA_STS_MODE = os.environ.get("EDUGATE_MTA_STS_MODE", "testing")
# The resolver `edugate dns check` asks ("HOST" or "HOST:PORT"); "": the system's.
MAIL_DNS_RESOLVER = os.environ.get("EDUGATE_DNS_RESOLVER", "")
MAIL_DNS_TIMEOUT = float(os.environ.get("EDUGATE_DNS_TIMEOUT", "3"))
# DKIM private keys (<domain>.<selector>.key) and selectors.map, read by Rspamd.
MAIL_DKIM_DIR = Path(os.environ.get("EDUGATE_DKIM_DIR", VAR_DIR / "mail" / "dkim"))
# The group Rspamd reads the keys as (e.g. "_rspamd"); "": the group of the edugate process.
MAIL_DKIM_GROUP = os.environ.get("EDUGATE_DKIM_GROUP", "")

# --- Mail plane: the private Postfix + Dovecot + Rspamd instance (edugate/mail/plane) -------
# Loopback high ports by default; `edugate mail render` writes the standard ports instead.
MAIL_PLANE: dict[str, Any] = {
    "LISTEN": os.environ.get("EDUGATE_MAIL_LISTEN", "127.0.0.1"),
    "MX_PORT": int(os.environ.get("EDUGATE_MAIL_MX_PORT", "2525")),
    "SUBMISSION_PORT": int(os.environ.get("EDUGATE_MAIL_SUBMISSION_PORT", "2587")),
    "SUBMISSIONS_PORT": int(os.environ.get("EDUGATE_MAIL_SUBMISSIONS_PORT", "2465")),
    "IMAP_PORT": int(os.environ.get("EDUGATE_MAIL_IMAP_PORT", "1143")),
    "IMAPS_PORT": int(os.environ.get("EDUGATE_MAIL_IMAPS_PORT", "1993")),
    "QUOTA_STATUS_PORT": int(os.environ.get("EDUGATE_MAIL_QUOTA_STATUS_PORT", "2340")),
    "RSPAMD_MILTER_PORT": int(os.environ.get("EDUGATE_MAIL_RSPAMD_MILTER_PORT", "2332")),
    "RSPAMD_CONTROLLER_PORT": int(os.environ.get("EDUGATE_MAIL_RSPAMD_CONTROLLER_PORT", "2334")),
    # Where the local instance keeps its config, queue, mail and logs.
    "ROOT": Path(os.environ.get("EDUGATE_MAIL_ROOT", VAR_DIR / "mail")),
    # Outbound: "" delivers direct (MX lookups); "[host]:port" relays through that host.
    "RELAYHOST": os.environ.get("EDUGATE_MAIL_RELAYHOST", ""),
    # Rspamd's resolver ("HOST:PORT"); "": the system's. Offline: no fuzzy checks, no remote maps.
    "DNS": os.environ.get("EDUGATE_MAIL_DNS", ""),
    "OFFLINE": _env_bool("EDUGATE_MAIL_OFFLINE", True),
    # The system user owning the Maildirs, and the role the daemons use on PostgreSQL.
    "VMAIL_USER": os.environ.get("EDUGATE_MAIL_VMAIL_USER", "vmail"),
    "DB_ROLE": os.environ.get("EDUGATE_MAIL_DB_ROLE", "edugate_mail"),
    "DB_ROLE_PASSWORD": os.environ.get("EDUGATE_MAIL_DB_ROLE_PASSWORD", ""),
    # Per-user sending limit on submission ("MESSAGES / PERIOD", period in s, m, h or d; "off":
    # none), kept by Rspamd's ratelimit module in Redis ("HOST:PORT"; keys start with
    # REDIS_PREFIX).
    "REDIS": os.environ.get("EDUGATE_MAIL_REDIS", "127.0.0.1:6379"),
    "REDIS_PREFIX": os.environ.get("EDUGATE_MAIL_REDIS_PREFIX", "edugate_rl_"),
    "USER_RATE": os.environ.get("EDUGATE_MAIL_USER_RATE", "200 / 1h"),
    # SRS (postsrsd): mail forwarded to other domains leaves with an SRS0=...@SRS_DOMAIN envelope
    # sender. "" uses the mail host name; it must not be a hosted mail domain.
    "SRS_DOMAIN": os.environ.get("EDUGATE_MAIL_SRS_DOMAIN", ""),
    # postsrsd's two lookup ports on loopback; 0: the quota-status port + 1 and + 2.
    "SRS_FORWARD_PORT": int(os.environ.get("EDUGATE_MAIL_SRS_FORWARD_PORT", "0")),
    "SRS_REVERSE_PORT": int(os.environ.get("EDUGATE_MAIL_SRS_REVERSE_PORT", "0")),
}

# --- Portals (edugate/portal; see docs/portals.md) --------------------------------------------
# Member portals are served at <label>.<suffix>:<port> while a suffix is set (development:
# http://th-anbinh.localhost:8000); with EDUGATE_PORTAL_HOST_SUFFIX="" each is served on its
# unit's own domain, or <label>.<its department's domain>, on EDUGATE_PORTAL_PORT (80, or 443
# behind a TLS proxy).
PORTAL_HOST_SUFFIX = os.environ.get("EDUGATE_PORTAL_HOST_SUFFIX", "localhost")
PORTAL_PORT = int(os.environ.get("EDUGATE_PORTAL_PORT", "8000" if PORTAL_HOST_SUFFIX else "80"))
# Page addresses without diacritics (/tin-tuc/le-khai-giang/), as Vietnamese sites write them:
# the editor's script keeps every letter of the title in the slug, which the page folds when
# it is validated and saved (edugate/portal/models/base.py). Wagtail's ASCII mode would drop
# most Vietnamese letters in the browser ("Ngày hội đọc sách" -> "ngay-hi-djc-sach").
WAGTAIL_ALLOW_UNICODE_SLUGS = True
# No autosave in the page editor: in Wagtail 7.4 a new page submitted for approval while its
# first autosave is in flight can end as a draft that never reached the approver
# (tests/browser/test_editorial_flow.py found it). Editors save with "Lưu bản nháp".
WAGTAIL_AUTOSAVE_INTERVAL = 0
