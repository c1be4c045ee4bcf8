"""Mail plane benchmarks: real Postfix, Dovecot and Rspamd on a database of 100,000 mailboxes.

Usage (as root, the daemons need it): ``python bench/mail_plane.py sqlite|postgresql
[--no-throughput] [--rounds N] [--messages N] [--lookups N]``. ``make bench`` runs it through
bench/run.py on both backends (two rounds of throughput runs on SQLite, one on PostgreSQL).

1. Throughput (goal: ratio >= 0.9). ``--messages`` (2,000) messages of 5 KB through
   authenticated submission (STARTTLS + AUTH PLAIN, several parallel smtplib connections) →
   Postfix → Rspamd (milter; scans and DKIM-signs) → LMTP → Dovecot, timed from the first
   connection until the last message is a file in a Maildir. Measured **with** edugate's
   components (Postfix ``sqlite:``/``pgsql:`` maps over the mailplane_* views, Dovecot SQL
   passdb/userdb) and **without** them: the same rendered plane with each map replaced by a
   ``hash:`` table and Dovecot's SQL by ``passwd-file``, generated from the same views.
   Everything else (Rspamd, quota-status, sieve, TLS) is identical. Runs alternate
   (with, without, without, with for two rounds) so drift on a noisy machine cancels out.
2. Lookups (goal: p99 < 5 ms) with 100,000 mailboxes:
   - Dovecot passdb and userdb: ``PASS``/``USER`` requests on the running Dovecot's
     ``auth-master`` socket, one request per lookup on one connection (the database lookup a
     login makes, without the Argon2 verification that follows it; the auth cache is off).
   - Postfix lookups: ``lookup`` requests to the running Postfix's ``proxymap`` service for
     each rendered ``sqlite:``/``pgsql:`` map (Postfix's own client runs the map's query; the
     figure adds one local IPC round trip to what smtpd pays), ``--lookups`` keys for the
     mailbox map (``virtual_mailbox_maps``), up to 1,000 (8 s at most) for each other map.
     For the mailbox map also: the map's query text expanded as Postfix expands it, on one
     persistent connection (what a Postfix process does) and on a fresh connection per
     lookup; and ``postmap -q`` (a process per lookup, to show what process start costs).
     The last two are reference figures.

Each figure is printed as ``bench mail_... [backend]: ...``. The plane lives under
``var/bench/mail-plane`` on ports 13xxx (apart from ``make run`` and the test suite) and is
stopped at the end.
"""

from __future__ import annotations

import argparse
import functools
import os
import re
import shutil
import sqlite3
import ssl
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from edugate.mail.plane.config import PlaneConfig
    from edugate.mail.plane.render import RenderedFile

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
PLANE_ROOT = VAR / "mail-plane"
SQLITE_DB = VAR / "mail-db" / "mailboxes-100k.sqlite3"
PG_DATABASE = os.environ.get("EDUGATE_BENCH_MAIL_DATABASE", "edugate_bench_mail")
DB_ROLE = "edugate_mail_bench"
SUFFIX = "bench-mail.test"
SENDER_DOMAIN = f"s000.{SUFFIX}"
DKIM_SELECTOR = "bench1"
PASSWORD = "Bench-mail-2026!"  # noqa: S105 - the bench's own throw-away mailboxes
PORTS = {
    "MX_PORT": 13525, "SUBMISSION_PORT": 13587, "SUBMISSIONS_PORT": 13465,
    "IMAP_PORT": 13143, "IMAPS_PORT": 13993, "QUOTA_STATUS_PORT": 13340,
    "RSPAMD_MILTER_PORT": 13332, "RSPAMD_NORMAL_PORT": 13333, "RSPAMD_CONTROLLER_PORT": 13334,
}
NO_SINK = "[127.0.0.1]:13599"  # nothing leaves: outbound would go to a closed loopback port
GOAL_RATIO = 0.9
GOAL_P99_MS = 5.0


def postgres_url() -> str:
    base = subprocess.run([str(ROOT / "scripts/test-postgres-url.sh")], check=True,
                          capture_output=True, text=True).stdout.strip()
    admin = base.rsplit("/", 1)[0] + "/postgres"
    exists = subprocess.run(["psql", admin, "-Atqc",
                             f"select 1 from pg_database where datname='{PG_DATABASE}'"],  # noqa: S608
                            capture_output=True, text=True, check=True).stdout.strip()
    if not exists:
        subprocess.run(["psql", admin, "-qc", f"create database {PG_DATABASE}"], check=True)
    return base.rsplit("/", 1)[0] + "/" + PG_DATABASE


def configure_environment(backend: str) -> None:
    """Point Django at the bench's own database (before ``django.setup()``)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edugate.settings")
    os.environ["EDUGATE_VAR_DIR"] = str(VAR)
    if backend == "sqlite":
        SQLITE_DB.parent.mkdir(parents=True, exist_ok=True)
        os.environ["EDUGATE_DATABASE_URL"] = f"sqlite:///{SQLITE_DB}"
    else:
        os.environ["EDUGATE_DATABASE_URL"] = postgres_url()
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def report_latency(name: str, backend: str, times_ms: list[float], what: str, *,
                   goal: bool = True) -> None:
    """One line; ``goal=False`` for reference figures the 5 ms goal is not about."""
    p50, p99 = percentile(times_ms, 0.50), percentile(times_ms, 0.99)
    if not goal:
        verdict = "(reference)"
    else:
        verdict = "ok" if p99 < GOAL_P99_MS else f"OVER the {GOAL_P99_MS:.0f} ms goal"
    print(f"bench {name} [{backend}]: p50 {p50:.3f} ms, p99 {p99:.3f} ms "
          f"(max {max(times_ms):.2f} ms, n={len(times_ms)}; {what}) {verdict}", flush=True)


# --- The data: 100,000 active mailboxes in 100 domains ----------------------------------------

def load_mailboxes(total: int, domains: int = 100) -> None:
    """Bulk-create ``total`` active personal mailboxes (unless this database has them)."""
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from edugate.directory.models import Domain, Person, Unit
    from edugate.mail.credentials import hash_password
    from edugate.mail.models import Mailbox

    backend = connection.vendor
    call_command("migrate", verbosity=0, interactive=False)
    have = Mailbox.objects.filter(address__endswith="." + SUFFIX).count()
    if have >= total:
        print(f"bench mail_100k_load [{backend}]: {have} mailboxes already loaded (kept from "
              "an earlier run)", flush=True)
        return
    if have:
        raise SystemExit(f"{connection.settings_dict['NAME']} holds a partial load: drop it")
    started = time.perf_counter()
    per_domain = total // domains
    hashed = hash_password(PASSWORD)  # one Argon2 hash shared by every bench mailbox
    now = timezone.now()
    with transaction.atomic():
        last = Unit.get_last_root_node()
        next_root = Unit._str2int(last.path[: Unit.steplen]) + 1 if last else 1
        top_path = Unit._get_path("", 1, next_root)
        top = Unit(path=top_path, depth=1, numchild=domains, code="BENCH-MAIL",
                   name="Sở Giáo dục (bench)", kind="department",
                   search_name="so giao duc bench bench-mail")
        units = [top] + [
            Unit(path=Unit._get_path(top_path, 2, n + 1), depth=2, numchild=0,
                 code=f"BENCH-MAIL-{n:03d}", name=f"Trường bench {n:03d}", kind="institution",
                 level="primary", search_name=f"truong bench {n:03d}")
            for n in range(domains)
        ]
        Unit.objects.bulk_create(units, batch_size=1000)
        made = Domain.objects.bulk_create(
            [Domain(name=f"s{n:03d}.{SUFFIX}", unit=units[n + 1]) for n in range(domains)],
            batch_size=1000)
        people = Person.objects.bulk_create(
            [Person(full_name=f"Giáo viên {n:06d}", given_name="Giáo viên",
                    search_name=f"giao vien {n:06d}") for n in range(per_domain * domains)],
            batch_size=5000)
        Mailbox.objects.bulk_create(
            [Mailbox(local_part=f"gv{n:06d}", domain=made[n // per_domain],
                     address=f"gv{n:06d}@{made[n // per_domain].name}", kind="personal",
                     state="active", unit=units[n // per_domain + 1], person=person,
                     display_name=person.full_name, password_hash=hashed,
                     activated_at=now, password_changed_at=now)
             for n, person in enumerate(people)],
            batch_size=5000)
    with connection.cursor() as cursor:
        for table in ("mail_mailbox", "directory_domain", "directory_unit", "directory_person"):
            cursor.execute(f"ANALYZE {table}")
    print(f"bench mail_100k_load [{backend}]: {time.perf_counter() - started:.1f} s for "
          f"{per_domain * domains} mailboxes in {domains} domains", flush=True)


def address(n: int, per_domain: int = 1000) -> str:
    return f"gv{n:06d}@s{n // per_domain:03d}.{SUFFIX}"


# --- The plane, with edugate's lookups or with static tables ----------------------------------

def make_dkim_key(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    key = folder / f"{SENDER_DOMAIN}.{DKIM_SELECTOR}.key"
    if not key.exists():
        subprocess.run(["/usr/bin/rspamadm", "dkim_keygen", "-b", "2048", "-s", DKIM_SELECTOR,
                        "-d", SENDER_DOMAIN, "-k", str(key)], check=True, capture_output=True)
    (folder / "selectors.map").write_text(f"{SENDER_DOMAIN} {DKIM_SELECTOR}\n")


def plane_config() -> PlaneConfig:
    from edugate.mail.plane import dbrole
    from edugate.mail.plane.config import Database, PlaneConfig, local_config

    password = dbrole.role_password(VAR / "mail-plane-db-role-password")
    database = Database.from_connection(role=DB_ROLE, role_password=password)
    extra: dict[str, str] = {}
    fields = PlaneConfig.__dataclass_fields__
    if "user_rate" in fields:  # the per-user sending limit must not stop the bench's senders
        extra["user_rate"] = "1000000 / 1h"
    if "redis_prefix" in fields:  # its counters apart from other instances'
        extra["redis_prefix"] = "edugate_bench_rl_"
    return local_config(root=PLANE_ROOT, database=database, hostname="mail.bench.localhost",
                        dkim_dir=PLANE_ROOT / "dkim", relayhost=NO_SINK, dns="127.0.0.1:53",
                        offline=True, auth_failure_delay=0, **PORTS, **extra)


_MAP_QUERY = re.compile(r"^SELECT (?P<value>.+?) FROM (?P<view>\w+) WHERE (?P<where>.+)$")
_KEYS = {
    "local_part = '%u' AND domain = '%d'": "local_part || '@' || domain",
    "domain = '%s'": "domain",
    "address = '%s'": "address",
}


def static_tables(folder: Path, postfix_dir: Path) -> dict[str, Path]:
    """Each Postfix map's whole content, from its own query's view, as a ``hash:`` table."""
    from django.db import connection

    from edugate.mail.plane.render import POSTFIX_MAPS

    folder.mkdir(parents=True, exist_ok=True)
    tables = {}
    for name, (_purpose, query) in POSTFIX_MAPS.items():
        match = _MAP_QUERY.match(query)
        if match and match["value"] == "'%s'" and match["where"] == "domain = '%d'":
            # "any address in these domains maps to itself": Postfix's ``@domain`` form,
            # whose ``@domain`` result keeps the local part.
            key, value = "'@' || domain", "'@' || domain"
        elif match and match["where"] in _KEYS:
            key, value = _KEYS[match["where"]], match["value"]
        else:
            raise SystemExit(f"bench: no static equivalent for the {name} map: {query}")
        rows: dict[str, list[str]] = defaultdict(list)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {key}, {value} FROM {match['view']}")  # noqa: S608
            for key, value in cursor.fetchall():
                rows[str(key).lower()].append(str(value))
        path = folder / name
        # Several rows for one key: Postfix's SQL clients join them with commas.
        path.write_text("".join(f"{key} {','.join(values)}\n" for key, values in rows.items())
                        or "# empty\n")
        path.chmod(0o644)
        subprocess.run(["/usr/sbin/postmap", "-c", str(postfix_dir), f"hash:{path}"], check=True)
        tables[name] = path
    return tables


def passwd_files(folder: Path, mail_dir: Path) -> tuple[Path, Path]:
    """Dovecot passwd-files with the same users, hashes, homes and quotas as the SQL views."""
    import grp

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT username, password FROM mailplane_passdb")
        passdb = cursor.fetchall()
        cursor.execute("SELECT username, maildir, quota_mb FROM mailplane_userdb")
        userdb = cursor.fetchall()
    folder.mkdir(parents=True, exist_ok=True)
    passdb_file, userdb_file = folder / "passdb", folder / "userdb"
    passdb_file.write_text("".join(f"{user.lower()}:{password}\n" for user, password in passdb))
    userdb_file.write_text("".join(
        f"{user.lower()}:::::{mail_dir}/{maildir}::userdb_quota_rule=*:storage={quota}M\n"
        for user, maildir, quota in userdb))
    for path in (passdb_file, userdb_file):
        os.chown(path, 0, grp.getgrnam("dovecot").gr_gid)
        path.chmod(0o640)
    return passdb_file, userdb_file


_SIEVE_DICT = re.compile(r"^\s*sieve = dict:\S*$", re.M)
_DOVECOT_SQL = re.compile(r"(?P<kind>passdb|userdb) \{\s*driver = sql\s*args = [^\n]*\n\s*\}")


class Variant:
    """How the rendered plane is changed for one run (the templates stay as they are)."""

    def __init__(self, config: PlaneConfig, static: dict[str, Path] | None = None,
                 passwd: tuple[Path, Path] | None = None) -> None:
        self.config = config
        self.static = static
        self.passwd = passwd

    @property
    def name(self) -> str:
        return "static" if self.static else "edugate"

    def rewrite(self, files: list[RenderedFile]) -> list[RenderedFile]:
        from edugate.mail.plane import render

        out = []
        for item in files:
            text = item.text
            if item.path == "postfix/main.cf":
                if self.static:
                    for name, path in self.static.items():
                        reference = render.map_reference(self.config, name)
                        if reference in text:
                            text = text.replace(reference, f"hash:{path}")
                    left = re.findall(r"\b(?:sqlite|pgsql):\S+", text)
                    if left:
                        raise SystemExit(f"bench: main.cf still has SQL maps: {left}")
                # Let the bench ask proxymap for the SQL maps (unused by the mail flow).
                proxied = " ".join(f"proxy:{render.map_reference(self.config, name)}"
                                   for name in render.POSTFIX_MAPS)
                text += ("\n# bench: proxymap lookups of the SQL maps\n"
                         f"proxy_read_maps = {proxied}\n")
            elif item.path == "dovecot/dovecot.conf" and self.passwd:
                text, count = _DOVECOT_SQL.subn(self._passwd_file, text)
                if count != 2:
                    raise SystemExit("bench: dovecot.conf's SQL passdb/userdb not found")
                # Sieve scripts from the SQL dict → from files (no mailbox has one here).
                text = _SIEVE_DICT.sub("sieve = file:~/sieve;active=~/.dovecot.sieve", text)
            out.append(type(item)(item.path, text, item.mode, item.group))
        return out

    def _passwd_file(self, match: re.Match[str]) -> str:
        assert self.passwd is not None
        kind = match["kind"]
        args = (f"scheme=ARGON2ID {self.passwd[0]}" if kind == "passdb"
                else str(self.passwd[1]))
        return f"{kind} {{\n  driver = passwd-file\n  args = {args}\n}}"

    @contextmanager
    def rendering(self) -> Iterator[None]:
        from edugate.mail.plane import render

        original = render.render_files
        render.render_files = lambda config: self.rewrite(original(config))
        try:
            yield
        finally:
            render.render_files = original


def start(variant: Variant) -> float:
    """The plane up; the group service is the caller's (in this process, on these ports: the
    ``edugate groups serve`` that ``mail up`` starts reads its ports from the settings, not
    from this bench's configuration)."""
    from edugate.mail.plane import instance

    with variant.rendering():
        return instance.up(variant.config, timeout=180, groups=False)


def switch(variant: Variant) -> None:
    """Render ``variant`` and reload Postfix and Dovecot (Rspamd keeps running)."""
    from edugate.mail.plane import instance

    config = variant.config
    with variant.rendering():
        instance.prepare(config)
    instance._postfix(config, "reload")
    instance._run([instance.DOVECOT, "-c", instance._dovecot_conf(config), "reload"])
    time.sleep(2)  # the old processes finish and the new ones read the new files
    instance.wait_until_answering(config, timeout=60)


# --- Throughput -------------------------------------------------------------------------------

def insecure_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


FILLER = ("Kính gửi quý thầy cô, nhà trường thông báo lịch họp tổ chuyên môn tuần tới. "
          "Đề nghị các tổ chuẩn bị báo cáo, giáo án và kế hoạch kiểm tra giữa kỳ.\n")


def message(sender: str, recipient: str, tag: str) -> bytes:
    import email.utils

    headers = (f"From: {sender}\r\nTo: {recipient}\r\nSubject: Bench {tag}\r\n"
               f"Date: {email.utils.formatdate(localtime=True)}\r\n"
               f"Message-ID: <{tag}@{SENDER_DOMAIN}>\r\nMIME-Version: 1.0\r\n"
               "Content-Type: text/plain; charset=utf-8\r\n"
               "Content-Transfer-Encoding: 8bit\r\n\r\n")
    head = headers.encode()
    line = FILLER.replace("\n", "\r\n").encode()
    body = (line * (5120 // len(line) + 1))[: 5120 - len(head) - 2] + b"\r\n"
    return head + body


def send_batch(port: int, sender: str, jobs: list[tuple[str, bytes]]) -> int:
    import smtplib

    accepted = 0
    client = smtplib.SMTP("127.0.0.1", port, timeout=120)
    try:
        client.starttls(context=insecure_context())
        client.ehlo("bench.localhost")
        client.user, client.password = sender, PASSWORD
        client.auth("PLAIN", client.auth_plain)
        for recipient, data in jobs:
            try:
                client.sendmail(sender, [recipient], data)
                accepted += 1
            except smtplib.SMTPResponseException as error:
                print(f"  refused: {error.smtp_code} {error.smtp_error!r}", flush=True)
            except smtplib.SMTPRecipientsRefused as error:
                print(f"  refused at RCPT: {error.recipients}", flush=True)
        client.quit()
    finally:
        client.close()
    return accepted


def count_delivered(folders: list[Path]) -> int:
    total = 0
    for folder in folders:
        stack = [folder]
        while stack:
            current = stack.pop()
            try:
                entries = list(os.scandir(current))
            except FileNotFoundError:
                continue
            for entry in entries:
                if not entry.is_dir(follow_symlinks=False):
                    continue
                if entry.name in ("new", "cur"):
                    total += sum(1 for _ in os.scandir(entry.path))
                elif entry.name.startswith(".") and entry.name not in (".", ".."):
                    stack.append(Path(entry.path))
    return total


def run_messages(config: PlaneConfig, count: int, connections: int, tag: str,
                 timeout: float = 300) -> tuple[float, int]:
    """Send ``count`` messages; seconds until they are all in the Maildirs, and how many."""
    from django.db import connection

    senders = [address(n) for n in range(connections)]  # all in SENDER_DOMAIN (DKIM-signed)
    recipients = [address(n * 997 % 100_000) for n in range(1, 101)]
    with connection.cursor() as cursor:
        marks = ",".join(["%s"] * len(recipients))
        cursor.execute("SELECT username, maildir FROM mailplane_userdb "  # noqa: S608
                       f"WHERE username IN ({marks})", recipients)
        folders = [config.mail_dir / maildir / "Maildir" for _user, maildir in cursor.fetchall()]
    batches: list[list[tuple[str, bytes]]] = [[] for _ in range(connections)]
    for n in range(count):
        recipient = recipients[n % len(recipients)]
        batches[n % connections].append(
            (recipient, message(senders[n % connections], recipient, f"{tag}.{n}")))
    before = count_delivered(folders)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=connections) as pool:
        accepted = sum(pool.map(lambda i: send_batch(config.submission_port, senders[i],
                                                     batches[i]), range(connections)))
    deadline = time.monotonic() + timeout
    delivered = 0
    while time.monotonic() < deadline:
        delivered = count_delivered(folders) - before
        if delivered >= accepted:
            break
        time.sleep(0.05)
    return time.perf_counter() - started, delivered


def measure_throughput(backend: str, variants: dict[str, Variant], messages: int,
                       rounds: int, connections: int = 8) -> None:
    order = []
    for n in range(rounds):
        order += ["edugate", "static"] if n % 2 == 0 else ["static", "edugate"]
    seconds: dict[str, float] = defaultdict(float)
    delivered: dict[str, int] = defaultdict(int)
    current = "edugate"  # started as such
    for n, name in enumerate(order):
        if name != current:
            switch(variants[name])
            current = name
        config = variants[name].config
        run_messages(config, 40, connections, f"warm{n}", timeout=60)  # workers, TLS, caches
        took, got = run_messages(config, messages, connections, f"run{n}")
        seconds[name] += took
        delivered[name] += got
        print(f"  run {n + 1}/{len(order)} {name}: {got} messages in {took:.1f} s "
              f"= {got / took:.0f} msg/s", flush=True)
        if got < messages:
            print(f"  WARNING: only {got} of {messages} messages arrived", flush=True)
    if current != "edugate":
        switch(variants["edugate"])
    rates = {name: delivered[name] / seconds[name] for name in ("edugate", "static")}
    for name, label in (("edugate", "with edugate's SQL maps and passdb/userdb"),
                        ("static", "with static hash: maps and passwd-file")):
        print(f"bench mail_throughput_{name} [{backend}]: {rates[name]:.0f} msg/s "
              f"({delivered[name]} messages of 5 KB over {rounds} run(s), {connections} "
              f"authenticated submission connections, Rspamd in the path; {label})", flush=True)
    ratio = rates["edugate"] / rates["static"]
    verdict = "ok" if ratio >= GOAL_RATIO else f"UNDER the {GOAL_RATIO} goal"
    print(f"bench mail_throughput_ratio [{backend}]: {ratio:.2f} (edugate / static) {verdict}",
          flush=True)


# --- Lookups ----------------------------------------------------------------------------------

class AuthMaster:
    """Dovecot's auth-master protocol: one PASS or USER request per lookup."""

    def __init__(self, path: Path) -> None:
        import socket

        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(str(path))
        self.sock.sendall(b"VERSION\t1\t0\n")
        self.buffer = b""
        self.next_id = 1
        greeting = self._line()
        if not greeting.startswith(b"VERSION\t1\t"):
            raise ConnectionError(f"unexpected auth-master greeting {greeting!r}")

    def _line(self) -> bytes:
        while b"\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("Dovecot closed the auth-master connection")
            self.buffer += chunk
        line, _sep, self.buffer = self.buffer.partition(b"\n")
        return line

    def lookup(self, command: str, user: str) -> bytes:
        request_id = self.next_id
        self.next_id += 1
        self.sock.sendall(f"{command}\t{request_id}\t{user}\tservice=smtp\n".encode())
        while True:
            line = self._line()
            fields = line.split(b"\t")
            if len(fields) > 1 and fields[1] == str(request_id).encode():
                return line

    def close(self) -> None:
        self.sock.close()


def time_calls(fn: Callable[[str], object], keys: list[str],
               budget: float | None = None) -> list[float]:
    """Milliseconds per call; with ``budget``, stop after that many seconds (>= 100 calls)."""
    times = []
    deadline = time.monotonic() + budget if budget else None
    for key in keys:
        started = time.perf_counter()
        fn(key)
        times.append((time.perf_counter() - started) * 1000)
        if deadline and len(times) >= 100 and time.monotonic() > deadline:
            break
    return times


def dovecot_lookups(config: PlaneConfig, backend: str, keys: list[str]) -> None:
    client = AuthMaster(config.dovecot_base_dir / "auth-master")
    try:
        for command, kind in (("PASS", "passdb"), ("USER", "userdb")):
            answer = client.lookup(command, keys[0])
            expected = b"\tuser=" if command == "PASS" else b"\thome="
            if not answer.startswith(command.encode()) or expected not in answer:
                print(f"bench mail_dovecot_{kind}_lookup [{backend}]: not measured "
                      f"(answer {answer[:200]!r})", flush=True)
                continue
            missing = client.lookup(command, "nobody@" + SENDER_DOMAIN)
            assert missing.startswith(b"NOTFOUND"), missing
            times = time_calls(functools.partial(client.lookup, command), keys)
            report_latency(f"mail_dovecot_{kind}_lookup", backend, times,
                           f"{command} on the auth-master socket, SQL {kind}, no auth cache")
    finally:
        client.close()


class Proxymap:
    """Postfix's proxymap service (attribute protocol, as Postfix's own clients speak it)."""

    def __init__(self, path: Path, table: str) -> None:
        import socket

        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(str(path))
        self.sock.settimeout(10)
        self.buffer = b""
        self.table = table
        self.hello = self._read()  # protocol announcement (Postfix >= 3.5)
        self.flags = 0
        opened = self._request({"request": "open", "table": table, "flags": "0"})
        if opened.get("status") != "0":
            raise ConnectionError(f"proxymap refused to open {table}: {opened}")
        self.flags = int(opened.get("flags", "0"))

    def _read(self) -> dict[str, str]:
        attrs: dict[str, str] = {}
        while True:
            while self.buffer.count(b"\0") < 1:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise ConnectionError("proxymap closed the connection")
                self.buffer += chunk
            if self.buffer.startswith(b"\0"):
                self.buffer = self.buffer[1:]
                return attrs
            while self.buffer.count(b"\0") < 2:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise ConnectionError("proxymap closed the connection")
                self.buffer += chunk
            name, value, self.buffer = self.buffer.split(b"\0", 2)
            attrs[name.decode()] = value.decode()

    def _request(self, attrs: dict[str, str]) -> dict[str, str]:
        self.sock.sendall(b"".join(f"{k}\0{v}\0".encode() for k, v in attrs.items()) + b"\0")
        return self._read()

    def lookup(self, key: str) -> str | None:
        reply = self._request({"request": "lookup", "table": self.table,
                               "flags": str(self.flags), "key": key})
        return reply.get("value") if reply.get("status") == "0" else None

    def close(self) -> None:
        self.sock.close()


def map_settings(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            name, _sep, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def expand(query: str, key: str) -> str:
    """The map's query for ``key`` as Postfix expands it (quotes doubled)."""
    local, _sep, domain = key.partition("@")
    quote = lambda text: text.replace("'", "''")  # noqa: E731
    return (query.replace("%s", quote(key)).replace("%u", quote(local))
            .replace("%d", quote(domain)))


def postfix_lookups(config: PlaneConfig, backend: str, keys: list[str]) -> None:
    from edugate.mail.plane import render

    table = render.map_reference(config, "mailboxes")
    cf = Path(table.split(":", 1)[1])
    settings = map_settings(cf)
    kind = table.split(":", 1)[0]
    proxymap = config.queue_dir / "private" / "proxymap"
    # Every SQL map through Postfix's own client; the mailbox map with all the keys, the
    # others (asked once or twice per message) with fewer.
    for name in render.POSTFIX_MAPS:
        reference = render.map_reference(config, name)
        by_domain = "WHERE domain = '%s'" in render.POSTFIX_MAPS[name][1]
        sample = keys if name == "mailboxes" else keys[:1000]
        if by_domain:
            sample = [key.partition("@")[2] for key in sample]
        label = f"mail_postfix_{name}_lookup_proxymap"
        try:
            proxy = Proxymap(proxymap, reference)
        except (OSError, ConnectionError) as error:
            print(f"bench {label} [{backend}]: not measured ({error})", flush=True)
            continue
        try:
            if name == "mailboxes":
                assert proxy.lookup(keys[0]), f"proxymap found no {keys[0]}"
                assert proxy.lookup("nobody@" + SENDER_DOMAIN) is None
            budget = None if name == "mailboxes" else 8.0
            report_latency(label, backend, time_calls(proxy.lookup, sample, budget),
                           f"Postfix proxymap lookup in {kind}:{name}.cf, one connection")
        finally:
            proxy.close()

    query = settings["query"]
    if kind == "sqlite":
        def connect() -> Callable[[str], object]:
            db = sqlite3.connect(f"file:{settings['dbpath']}?mode=ro", uri=True)
            return lambda key: db.execute(expand(query, key)).fetchall()

        def fresh(key: str) -> object:
            db = sqlite3.connect(f"file:{settings['dbpath']}?mode=ro", uri=True)
            try:
                return db.execute(expand(query, key)).fetchall()
            finally:
                db.close()
    else:
        import psycopg
        from psycopg.conninfo import make_conninfo

        host, _sep, port = settings["hosts"].removeprefix("inet:").partition(":")
        dsn = make_conninfo(host=host, port=port or "5432", dbname=settings["dbname"],
                            user=settings["user"], password=settings["password"])

        def connect() -> Callable[[str], object]:
            db = psycopg.connect(dsn, autocommit=True)
            return lambda key: db.execute(expand(query, key)).fetchall()

        def fresh(key: str) -> object:
            with psycopg.connect(dsn, autocommit=True) as db:
                return db.execute(expand(query, key)).fetchall()

    persistent = connect()
    assert persistent(keys[0]), f"the map's query found no {keys[0]}"
    report_latency("mail_postfix_mailbox_query_persistent", backend,
                   time_calls(persistent, keys),
                   f"the {cf.name} query text, one connection as a Postfix process keeps")
    fresh(keys[0])
    report_latency("mail_postfix_mailbox_query_fresh", backend, time_calls(fresh, keys[:1000]),
                   f"the {cf.name} query text, a new connection per lookup", goal=False)
    postmap = lambda key: subprocess.run(  # noqa: E731
        ["/usr/sbin/postmap", "-c", str(config.postfix_dir), "-q", key, table],
        check=True, capture_output=True)
    postmap(keys[0])
    report_latency("mail_postfix_postmap_q", backend, time_calls(postmap, keys[:100]),
                   "a postmap process per lookup: process start, not what smtpd pays",
                   goal=False)


def measure_lookups(config: PlaneConfig, backend: str, lookups: int, total: int) -> None:
    import random

    rng = random.Random(1)
    keys = [address(rng.randrange(total)) for _ in range(lookups)]
    dovecot_lookups(config, backend, keys)
    postfix_lookups(config, backend, keys)


# --- Main -------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("backend", choices=["sqlite", "postgresql"])
    parser.add_argument("--throughput", action=argparse.BooleanOptionalAction, default=True,
                        help="measure messages per second (default: yes)")
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=None,
                        help="pairs of runs (with, without); default 2 on SQLite, 1 on "
                             "PostgreSQL, to keep the whole under 10 minutes")
    parser.add_argument("--lookups", type=int, default=5000)
    parser.add_argument("--mailboxes", type=int, default=100_000)
    args = parser.parse_args()
    if os.geteuid() != 0:
        print(f"bench mail_plane [{args.backend}]: skipped (the daemons need root)", flush=True)
        return
    configure_environment(args.backend)
    import django

    django.setup()
    from edugate.mail.plane import instance

    throughput = args.throughput
    rounds = args.rounds or (2 if args.backend == "sqlite" else 1)
    load_mailboxes(args.mailboxes)
    make_dkim_key(PLANE_ROOT / "dkim")
    config = plane_config()
    instance.down(config)
    # Keep Rspamd's compiled rules (rspamd/db) between runs: they make it start fast.
    for stale in ("vmail", "postfix", "log", "run", "dovecot", "static"):
        shutil.rmtree(PLANE_ROOT / stale, ignore_errors=True)
    variants = {"edugate": Variant(config)}
    from edugate.groups.endpoints import Endpoints
    from edugate.groups.service import GroupService

    groups = GroupService(Endpoints.of(config))
    groups.start()
    try:
        seconds = start(variants["edugate"])
        print(f"  plane up in {seconds:.1f} s ({PLANE_ROOT}, ports 13xxx)", flush=True)
        if throughput:
            started = time.perf_counter()
            variants["static"] = Variant(
                config, static_tables(PLANE_ROOT / "static" / "postfix", config.postfix_dir),
                passwd_files(PLANE_ROOT / "static" / "dovecot", config.mail_dir))
            print(f"  static tables generated from the views in "
                  f"{time.perf_counter() - started:.1f} s", flush=True)
            measure_throughput(args.backend, variants, args.messages, rounds)
        measure_lookups(config, args.backend, args.lookups, args.mailboxes)
    finally:
        instance.down(config)
        groups.stop()


if __name__ == "__main__":
    main()
