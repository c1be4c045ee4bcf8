"""What the mail plane's configuration is made of: one ``PlaneConfig`` per rendering.

Two shapes share the same templates: the private instance under ``var/mail`` (loopback high
ports, everything under one folder, run by ``edugate mail up``) and the production layout
(standard ports, ``/etc/postfix``, ``/etc/dovecot``, ``/etc/rspamd``, ``/var/vmail``) written
by ``edugate mail render --target DIR`` for an administrator to install.
"""

from __future__ import annotations

import dataclasses
import pwd
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Listener:
    """A socket the plane answers on (what ``edugate mail status`` reports)."""

    name: str
    protocol: str
    host: str
    port: int
    daemon: str
    greeting: bytes = b""  # what a healthy server says first ("" for silent protocols)
    tls: bool = False  # implicit TLS: the greeting comes after the handshake


@dataclass(frozen=True)
class Database:
    """How the daemons reach edugate's database (only the views, read-only)."""

    vendor: str  # "sqlite" or "postgresql"
    path: str = ""  # SQLite file
    host: str = "127.0.0.1"
    port: int = 5432
    name: str = ""
    user: str = ""
    password: str = field(default="", repr=False)

    @classmethod
    def from_connection(cls, alias: str = "default", *, role: str = "",
                        role_password: str = "") -> Database:
        """The database Django uses now (the test database inside a test run)."""
        db = connections[alias].settings_dict
        if connections[alias].vendor == "sqlite":
            return cls(vendor="sqlite", path=str(Path(db["NAME"]).resolve()))
        return cls(vendor="postgresql", host=db.get("HOST") or "127.0.0.1",
                   port=int(db.get("PORT") or 5432), name=db["NAME"], user=role,
                   password=role_password)


@dataclass(frozen=True)
class PlaneConfig:
    """Every value the templates use. Paths are where the daemons will find things."""

    production: bool
    hostname: str
    listen: str  # address the daemons bind ("127.0.0.1" locally, "*" in production)
    mx_port: int
    submission_port: int
    submissions_port: int
    imap_port: int
    imaps_port: int
    quota_status_port: int
    rspamd_milter_port: int
    rspamd_controller_port: int
    rspamd_normal_port: int
    db: Database
    postfix_dir: Path  # config_directory
    dovecot_dir: Path
    rspamd_dir: Path  # LOCAL_CONFDIR (holds local.d/)
    queue_dir: Path
    data_dir: Path
    mail_dir: Path  # the Maildirs
    dovecot_base_dir: Path
    dovecot_state_dir: Path
    lmtp_socket: Path
    auth_socket: Path
    log_dir: Path | None  # None: syslog (production)
    rspamd_db_dir: Path
    rspamd_run_dir: Path
    tls_cert: Path
    tls_key: Path
    dkim_dir: Path
    vmail_user: str
    vmail_uid: int | None  # None: whatever ``vmail_user`` is on the target machine
    relayhost: str
    dns: str
    offline: bool
    postmaster: str = "postmaster@localhost"
    message_size_limit: int = 36700160  # 35 MiB
    auth_failure_delay: int = 2  # seconds a failed login waits (0 only for tests)
    # Per-user sending limit on submission, kept by Rspamd's ratelimit module in Redis.
    redis: str = "127.0.0.1:6379"  # HOST:PORT
    redis_prefix: str = "edugate_rl_"  # start of every key the limits write
    user_rate: str = "200 / 1h"  # MESSAGES / PERIOD (s, m, h or d)
    # SRS for mail forwarded to other domains (postsrsd's two TCP lookup tables on loopback).
    srs_domain: str = ""  # "": the host name
    srs_forward_port: int = 10001
    srs_reverse_port: int = 10002
    srs_dir: Path | None = None  # the private instance's secret and chroot; None: Debian's own

    def __post_init__(self) -> None:
        if self.user_rate_enabled:
            parse_rate(self.user_rate)  # refuse a malformed limit before anything is rendered

    def replace(self, **changes: Any) -> PlaneConfig:
        return dataclasses.replace(self, **changes)

    @property
    def listeners(self) -> list[Listener]:
        host = "127.0.0.1" if self.listen in ("*", "0.0.0.0", "all") else self.listen  # noqa: S104
        return [
            Listener("mx", "smtp", host, self.mx_port, "postfix", b"220"),
            Listener("submission", "smtp+starttls", host, self.submission_port, "postfix",
                     b"220"),
            Listener("submissions", "smtps", host, self.submissions_port, "postfix", b"220",
                     tls=True),
            Listener("imap", "imap+starttls", host, self.imap_port, "dovecot", b"* OK"),
            Listener("imaps", "imaps", host, self.imaps_port, "dovecot", b"* OK", tls=True),
            Listener("quota-status", "postfix-policy", "127.0.0.1", self.quota_status_port,
                     "dovecot"),
            Listener("rspamd-milter", "milter", "127.0.0.1", self.rspamd_milter_port, "rspamd"),
            Listener("rspamd-controller", "http", "127.0.0.1", self.rspamd_controller_port,
                     "rspamd"),
            Listener("srs-forward", "postfix-tcp-map", "127.0.0.1", self.srs_forward_port,
                     "postsrsd"),
            Listener("srs-reverse", "postfix-tcp-map", "127.0.0.1", self.srs_reverse_port,
                     "postsrsd"),
            Listener("groups-lmtp", "lmtp", "127.0.0.1", self.groups_lmtp_port, "edugate",
                     b"220"),
            Listener("groups-policy", "postfix-policy", "127.0.0.1", self.groups_policy_port,
                     "edugate"),
        ]

    @property
    def srs_rewrite_domain(self) -> str:
        """The domain of rewritten senders (``SRS0=...@this``)."""
        return self.srs_domain or self.hostname

    @property
    def user_rate_enabled(self) -> bool:
        """``"off"`` turns the limit off (a benchmark, a relay-only host)."""
        return self.user_rate.strip().lower() not in ("off", "0", "none")

    @property
    def user_rate_burst(self) -> int:
        """How many messages a user may send at once (the bucket's size)."""
        return parse_rate(self.user_rate)[0]

    @property
    def user_rate_rspamd(self) -> str:
        """The limit as Rspamd's ratelimit module reads it ("200 / 3600s")."""
        messages, seconds = parse_rate(self.user_rate)
        return f"{messages} / {seconds}s"

    @property
    def reinject_port(self) -> int:
        """Loopback-only SMTP for mail the plane itself sends (out-of-office replies): 10025
        in production, the port after the MX port in a local instance."""
        return 10025 if self.production else self.mx_port + 1

    @property
    def groups_reinject_port(self) -> int:
        """Loopback-only SMTP where the group service hands Postfix the copies of a group
        message (no milter: the message was scanned and signed when it came in)."""
        return 10028 if self.production else self.mx_port + 2

    @property
    def groups_lmtp_port(self) -> int:
        """The group service's LMTP listener, where Postfix delivers mail for groups."""
        return 10026 if self.production else self.mx_port + 3

    @property
    def groups_policy_port(self) -> int:
        """The group service's Postfix policy listener (who may post, during the session)."""
        return 10027 if self.production else self.mx_port + 4

    @property
    def groups_domain(self) -> str:
        from edugate.mail.plane.sql import GROUPS_DOMAIN

        return GROUPS_DOMAIN

    @property
    def groups_restriction(self) -> str:
        from edugate.mail.plane.sql import GROUPS_RESTRICTION

        return GROUPS_RESTRICTION

    @property
    def postfix_inet_interfaces(self) -> str:
        return "all" if self.listen in ("*", "0.0.0.0", "all") else self.listen  # noqa: S104

    @property
    def postfix_listen_prefix(self) -> str:
        """What goes before ``:port`` in master.cf (nothing: every interface)."""
        return "" if self.postfix_inet_interfaces == "all" else f"{self.listen}:"

    @property
    def dovecot_listen(self) -> str:
        return "*" if self.postfix_inet_interfaces == "all" else self.listen


_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")
_PERIOD = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(text: str) -> tuple[int, int]:
    """``"200 / 1h"`` → (200 messages, 3600 seconds)."""
    match = _RATE.match(text)
    if not match or int(match.group(1)) < 1 or match.group(2) == "0":
        raise ValueError(_("A sending limit reads like \"200 / 1h\" (messages / period in s, "
                           "m, h or d), not %(value)r.") % {"value": text})
    return int(match.group(1)), int(match.group(2) or 1) * _PERIOD[match.group(3)]


def _uid(user: str) -> int | None:
    try:
        return pwd.getpwnam(user).pw_uid
    except KeyError:
        return None


def _role_password(root: Path) -> str:
    configured: str = settings.MAIL_PLANE["DB_ROLE_PASSWORD"]
    if configured:
        return configured
    secret = root / "db-role-password"
    return secret.read_text().strip() if secret.exists() else ""


def local_config(**overrides: Any) -> PlaneConfig:
    """The private instance under ``MAIL_PLANE['ROOT']`` (``var/mail``) on loopback ports."""
    plane: dict[str, Any] = {**settings.MAIL_PLANE, **{k.upper(): v for k, v in overrides.items()}}
    root = Path(plane["ROOT"]).resolve()
    run = root / "run"
    vmail_user = plane["VMAIL_USER"]
    db = plane.get("DATABASE") or Database.from_connection(
        role=plane["DB_ROLE"], role_password=_role_password(root))
    return PlaneConfig(
        production=False,
        hostname=plane.get("HOSTNAME") or settings.MAIL_HOSTNAME or "mail.localhost",
        listen=plane["LISTEN"],
        mx_port=plane["MX_PORT"],
        submission_port=plane["SUBMISSION_PORT"],
        submissions_port=plane["SUBMISSIONS_PORT"],
        imap_port=plane["IMAP_PORT"],
        imaps_port=plane["IMAPS_PORT"],
        quota_status_port=plane["QUOTA_STATUS_PORT"],
        rspamd_milter_port=plane["RSPAMD_MILTER_PORT"],
        rspamd_controller_port=plane["RSPAMD_CONTROLLER_PORT"],
        rspamd_normal_port=plane.get("RSPAMD_NORMAL_PORT", plane["RSPAMD_MILTER_PORT"] + 1),
        db=db,
        postfix_dir=root / "etc" / "postfix",
        dovecot_dir=root / "etc" / "dovecot",
        rspamd_dir=root / "etc" / "rspamd",
        queue_dir=root / "postfix" / "spool",
        data_dir=root / "postfix" / "data",
        mail_dir=root / "vmail",
        dovecot_base_dir=run / "dovecot",
        dovecot_state_dir=root / "dovecot" / "state",
        lmtp_socket=run / "lmtp",
        auth_socket=run / "auth-postfix",
        log_dir=root / "log",
        rspamd_db_dir=root / "rspamd" / "db",
        rspamd_run_dir=root / "rspamd" / "run",
        tls_cert=root / "tls" / "cert.pem",
        tls_key=root / "tls" / "key.pem",
        dkim_dir=Path(plane.get("DKIM_DIR") or settings.MAIL_DKIM_DIR).resolve(),
        vmail_user=vmail_user,
        vmail_uid=_uid(vmail_user),
        relayhost=plane["RELAYHOST"],
        dns=plane["DNS"],
        offline=plane["OFFLINE"],
        postmaster=f"postmaster@{plane.get('HOSTNAME') or 'localhost'}",
        auth_failure_delay=plane.get("AUTH_FAILURE_DELAY", 2),
        redis=plane.get("REDIS") or "127.0.0.1:6379",
        redis_prefix=plane.get("REDIS_PREFIX") or "edugate_rl_",
        user_rate=plane.get("USER_RATE") or "200 / 1h",
        srs_domain=plane.get("SRS_DOMAIN") or "",
        srs_forward_port=plane.get("SRS_FORWARD_PORT") or plane["QUOTA_STATUS_PORT"] + 1,
        srs_reverse_port=plane.get("SRS_REVERSE_PORT") or plane["QUOTA_STATUS_PORT"] + 2,
        srs_dir=root / "srs",
    )


def production_config(*, hostname: str, tls_cert: str, tls_key: str, db: Database,
                      relayhost: str = "", vmail_uid: int | None = 5000,
                      dkim_dir: str = "/var/lib/edugate/mail/dkim", redis: str = "",
                      user_rate: str = "", srs_domain: str = "") -> PlaneConfig:
    """The layout of a Debian 12 server: standard ports, files under /etc and /var.

    Redis, the sending limit and the SRS domain default to the ``MAIL_PLANE`` settings.
    """
    plane = settings.MAIL_PLANE
    return PlaneConfig(
        production=True,
        hostname=hostname,
        listen="*",
        mx_port=25,
        submission_port=587,
        submissions_port=465,
        imap_port=143,
        imaps_port=993,
        quota_status_port=12340,
        rspamd_milter_port=11332,
        rspamd_controller_port=11334,
        rspamd_normal_port=11333,
        db=db,
        postfix_dir=Path("/etc/postfix"),
        dovecot_dir=Path("/etc/dovecot"),
        rspamd_dir=Path("/etc/rspamd"),
        queue_dir=Path("/var/spool/postfix"),
        data_dir=Path("/var/lib/postfix"),
        mail_dir=Path("/var/vmail"),
        dovecot_base_dir=Path("/run/dovecot"),
        dovecot_state_dir=Path("/var/lib/dovecot"),
        lmtp_socket=Path("/var/spool/postfix/private/dovecot-lmtp"),
        auth_socket=Path("/var/spool/postfix/private/auth"),
        log_dir=None,
        rspamd_db_dir=Path("/var/lib/rspamd"),
        rspamd_run_dir=Path("/run/rspamd"),
        tls_cert=Path(tls_cert),
        tls_key=Path(tls_key),
        dkim_dir=Path(dkim_dir),
        vmail_user="vmail",
        vmail_uid=vmail_uid,
        relayhost=relayhost,
        dns="",
        offline=False,
        postmaster=f"postmaster@{hostname.split('.', 1)[-1]}",
        redis=redis or plane.get("REDIS") or "127.0.0.1:6379",
        redis_prefix=plane.get("REDIS_PREFIX") or "edugate_rl_",
        user_rate=user_rate or plane.get("USER_RATE") or "200 / 1h",
        srs_domain=srs_domain or plane.get("SRS_DOMAIN") or "",
        srs_forward_port=10001,
        srs_reverse_port=10002,
        srs_dir=None,
    )
