"""The mail plane under test: real Postfix, Dovecot and Rspamd, started once per session.

The daemons read the test database, so on SQLite it must be a file (not pytest-django's
in-memory default) and the data they see must be committed: plane tests are transactional.
On PostgreSQL they connect as the views-only role to the test database.
"""

from __future__ import annotations

import imaplib
import itertools
import os
import shutil
import smtplib
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from edugate.directory import actions as directory
from edugate.groups.endpoints import Endpoints
from edugate.groups.service import GroupService
from edugate.mail import actions
from edugate.mail.models import Mailbox
from edugate.mail.plane import dbrole, instance
from edugate.mail.plane.config import Database, PlaneConfig, local_config
from tests.mail.conftest import PASSWORD, MailTree

# EDUGATE_TEST_PLANE_SLOT=N gives a second test run on the same machine its own folders and
# ports (N * 1000 higher), so two sessions never stop each other's daemons.
SLOT = int(os.environ.get("EDUGATE_TEST_PLANE_SLOT", "0"))
_SUFFIX = f"-{SLOT}" if SLOT else ""
TEST_ROOT = Path(settings.VAR_DIR) / f"mail-test{_SUFFIX}"
SINK_PORT = 12599 + SLOT * 1000
PORTS = {name: port + SLOT * 1000 for name, port in {
    "MX_PORT": 12525, "SUBMISSION_PORT": 12587, "SUBMISSIONS_PORT": 12465,
    "IMAP_PORT": 11143, "IMAPS_PORT": 11993, "QUOTA_STATUS_PORT": 12340,
    "RSPAMD_MILTER_PORT": 12332, "RSPAMD_NORMAL_PORT": 12333, "RSPAMD_CONTROLLER_PORT": 12334,
}.items()}


def pytest_configure(config: pytest.Config) -> None:
    # The daemons cannot read an in-memory database: the SQLite test database is a file, in a
    # folder of its own (the plane gives the daemons' group write access to that folder).
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        folder = Path(settings.VAR_DIR) / f"test-db{_SUFFIX}"
        folder.mkdir(parents=True, exist_ok=True)
        name = folder / "edugate-test.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(name)
        # Django recreates the file; a -wal/-shm left by a daemon would not match the new one.
        for leftover in (Path(f"{name}-wal"), Path(f"{name}-shm")):
            leftover.unlink(missing_ok=True)
        _keep_connections_open_inside_tests()


def _keep_connections_open_inside_tests() -> None:
    """Closing the connection in the middle of a test's transaction (``close_old_connections``
    in a command, say) is a no-op on the in-memory database the suite otherwise uses; keep it
    one on the file, so no other test behaves differently because the plane needs a file."""
    from django.db.backends.sqlite3.base import DatabaseWrapper

    original = DatabaseWrapper.close
    if getattr(original, "keeps_test_transactions", False):
        return

    def close(self: DatabaseWrapper) -> None:
        if self.in_atomic_block:
            return
        original(self)

    close.keeps_test_transactions = True  # type: ignore[attr-defined]
    DatabaseWrapper.close = close  # type: ignore[method-assign]


DKIM_DOMAIN = "th-a.minhhai.edu.vn"
DKIM_SELECTOR = "plane1"


def make_dkim_key(folder: Path, domain: str, selector: str) -> None:
    """A signing key as edugate keeps them (``domain.selector.key`` + ``selectors.map``)."""
    folder.mkdir(parents=True, exist_ok=True)
    key = folder / f"{domain}.{selector}.key"
    if not key.exists():
        subprocess.run(["/usr/bin/rspamadm", "dkim_keygen", "-b", "2048", "-s", selector,
                        "-d", domain, "-k", str(key)], check=True, capture_output=True)
    selectors = folder / "selectors.map"
    lines = selectors.read_text().splitlines() if selectors.exists() else []
    if not any(line.split()[:1] == [domain] for line in lines):
        selectors.write_text("\n".join([*lines, f"{domain} {selector}"]) + "\n")


def daemons_available() -> str:
    if os.geteuid() != 0:
        return "the mail plane's daemons need root"
    for program in (instance.POSTFIX, instance.DOVECOT, instance.RSPAMD):
        if not Path(program).exists():
            return f"{program} is not installed (scripts/system-packages.sh test)"
    return ""


class _IMAP(imaplib.IMAP4_SSL):
    source = "127.0.0.1"

    def _create_socket(self, timeout: float | None) -> socket.socket:
        sock = socket.create_connection((self.host, self.port), timeout,
                                        source_address=(self.source, 0))
        return self.ssl_context.wrap_socket(sock, server_hostname=self.host)


@dataclass
class Plane:
    config: PlaneConfig
    start_seconds: float
    sink_dir: Path
    # Each test talks from its own loopback address: Dovecot slows down every login from an
    # address with recent failures, which would make the tests wait on each other.
    source: str = "127.0.0.1"

    def smtp(self, port: int | None = None) -> smtplib.SMTP:
        client = smtplib.SMTP("127.0.0.1", port or self.config.mx_port, timeout=30,
                              source_address=(self.source, 0))
        client.ehlo("client.example.org")
        return client

    def submission(self, user: str, password: str = PASSWORD) -> smtplib.SMTP:
        client = smtplib.SMTP("127.0.0.1", self.config.submission_port, timeout=30,
                              source_address=(self.source, 0))
        client.starttls(context=insecure_context())
        client.ehlo("laptop.example.org")
        # One mechanism: smtplib.login would try each one the server offers.
        client.user, client.password = user, password
        client.auth("PLAIN", client.auth_plain)
        return client

    def imap(self, user: str, password: str = PASSWORD) -> imaplib.IMAP4_SSL:
        _IMAP.source = self.source
        client = _IMAP("127.0.0.1", self.config.imaps_port, ssl_context=insecure_context(),
                       timeout=30)
        client.login(user, password)
        return client

    def wait_for_message(self, user: str, subject: str, *, folder: str = "INBOX",
                         timeout: float = 20) -> bytes:
        """The raw message with ``subject`` once it is in ``folder`` of ``user``."""
        deadline = time.monotonic() + timeout
        client = self.imap(user)
        try:
            while True:
                client.select(folder)
                client.literal = subject.encode()  # type: ignore[attr-defined]
                typ, data = client.search("UTF-8", "SUBJECT")
                ids = data[0].split() if typ == "OK" and data and data[0] else []
                if ids:
                    typ, fetched = client.fetch(ids[-1], "(RFC822)")
                    item = fetched[0]
                    assert isinstance(item, tuple)
                    return item[1]
                if time.monotonic() > deadline:
                    raise AssertionError(f"{subject!r} did not reach {user}/{folder}")
                time.sleep(0.2)
        finally:
            client.logout()


def insecure_context() -> ssl.SSLContext:
    """The local instance has a self-signed certificate."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


@pytest.fixture(scope="session")
def plane(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[Plane]:
    reason = daemons_available()
    if reason:
        pytest.skip(reason)
    sink_dir = TEST_ROOT / "sink"
    # Keys that tests make (a domain added gets one) stay out of the real var/mail/dkim.
    dkim_dir = TEST_ROOT / "dkim"
    dkim_settings = override_settings(MAIL_DKIM_DIR=dkim_dir)
    dkim_settings.enable()
    make_dkim_key(dkim_dir, DKIM_DOMAIN, DKIM_SELECTOR)
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        role = settings.MAIL_PLANE["DB_ROLE"]
        password = dbrole.role_password(TEST_ROOT.parent / "mail-test-db-role-password")
        database = Database.from_connection(role=role, role_password=password)
        config = local_config(root=TEST_ROOT, database=database, hostname="mail.test.localhost",
                              dkim_dir=dkim_dir,
                              relayhost=f"[127.0.0.1]:{SINK_PORT}", dns="127.0.0.1:53",
                              offline=True, auth_failure_delay=0, **PORTS)
        instance.down(config)
        # Keep Rspamd's compiled rules (rspamd/db) between sessions: they make it start fast.
        # The sink too: a test looking for what was relayed must not find an earlier session's.
        for stale in ("vmail", "postfix", "log", "run", "dovecot", "sink"):
            shutil.rmtree(TEST_ROOT / stale, ignore_errors=True)
        sink_dir.mkdir(parents=True, exist_ok=True)
        shutil.chown(sink_dir, "postfix")
        sink = subprocess.Popen(  # a loopback "remote server" that keeps what it receives
            ["/usr/sbin/smtp-sink", "-u", "postfix", "-d", f"{sink_dir}/%H%M%S.",
             f"127.0.0.1:{SINK_PORT}", "10"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # The group service runs in this process, on the test database (``mail up`` would
        # start it as its own process, on the configured one).
        groups = GroupService(Endpoints.of(config))
        groups.start()
        try:
            seconds = instance.up(config, groups=False)
            yield Plane(config, seconds, sink_dir)
        finally:
            instance.down(config)
            groups.stop()
            sink.terminate()
            sink.wait(timeout=10)
            dkim_settings.disable()


_SOURCES = (f"127.0.{n // 250}.{n % 250 + 2}" for n in itertools.count())


@pytest.fixture(autouse=True)
def _own_source_address(request: pytest.FixtureRequest) -> None:
    if "plane" in request.fixturenames:
        request.getfixturevalue("plane").source = next(_SOURCES)


@dataclass
class PlaneData:
    mail: MailTree
    teacher: Mailbox  # annv@th-a.minhhai.edu.vn, active


def activate(mailbox: Mailbox, password: str = PASSWORD) -> Mailbox:
    return actions.set_password_by_operator(mailbox=mailbox, password=password)


@pytest.fixture
def data(plane: Plane, mail: MailTree) -> PlaneData:
    """The shared mail tree, committed, with the teacher's mailbox active."""
    return PlaneData(mail, activate(mail.teacher_a))


def add_domain(unit: object, name: str, alias_of: object = None) -> object:
    return directory.add_domain(actor=None, unit=unit, name=name, alias_of=alias_of)


# --- Submission policy (test_submission_policy.py): sending limits in a Redis of this run ----
#: The session plane's per-user sending limit: small enough for a test to reach it, far above
#: what any other test sends as one user in a minute.
TEST_USER_RATE = "10 / 1m"
#: Redis is shared with the machine (and other runs): this run's rate buckets only.
TEST_REDIS_PREFIX = f"edugate_test_{os.getpid()}_{int(time.time())}_"


def redis_command(address: str, *args: str) -> object:
    """One Redis command over RESP (no client library needed)."""
    host, _, port = address.rpartition(":")
    with socket.create_connection((host or "127.0.0.1", int(port)), timeout=5) as sock:
        parts = [f"*{len(args)}\r\n".encode()]
        for arg in args:
            data = arg.encode()
            parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
        sock.sendall(b"".join(parts))
        return _resp(sock.makefile("rb"))


def _resp(stream: object) -> object:
    line = stream.readline().rstrip(b"\r\n")  # type: ignore[attr-defined]
    kind, rest = line[:1], line[1:]
    if kind == b"+":
        return rest.decode()
    if kind == b"-":
        raise RuntimeError(rest.decode())
    if kind == b":":
        return int(rest)
    if kind == b"$":
        return None if int(rest) < 0 else stream.read(int(rest) + 2)[:-2]  # type: ignore[attr-defined]
    if kind == b"*":
        return [_resp(stream) for _ in range(int(rest))]
    raise RuntimeError(f"unexpected Redis reply {line!r}")


def redis_keys(address: str, prefix: str) -> list[bytes]:
    keys: list[bytes] = []
    cursor = "0"
    while True:
        reply = redis_command(address, "SCAN", cursor, "MATCH", f"{prefix}*", "COUNT", "1000")
        assert isinstance(reply, list)
        cursor = reply[0].decode()
        keys += reply[1]
        if cursor == "0":
            return keys


@pytest.fixture(scope="session", autouse=True)
def _submission_policy_settings() -> Iterator[None]:
    """Set before the session plane starts (autouse runs first): the small limit, this run's
    Redis prefix; the run's keys are deleted at the end."""
    plane = {**settings.MAIL_PLANE, "USER_RATE": TEST_USER_RATE,
             "REDIS_PREFIX": TEST_REDIS_PREFIX}
    with override_settings(MAIL_PLANE=plane):
        yield
    try:
        for key in redis_keys(plane["REDIS"], TEST_REDIS_PREFIX):
            redis_command(plane["REDIS"], "DEL", key.decode())
    except OSError:
        pass  # no Redis: nothing was written
