"""Email group expansion: one message to a 5,000-member group, through the real plane.

Usage (as root): ``python bench/groups.py sqlite|postgresql [--members N] [--rounds N]``.
``make bench`` runs it through bench/run.py.

The database is bench/mail_plane.py's (100,000 active mailboxes). A group with ``--members``
(5,000) members is made once; the plane runs on ports 15xxx with the group service in this
process. Two ways to reach the same 5,000 Maildirs are timed in one run, alternating:

- **group**: authenticated submission to the group → the posting policy (during the session)
  → Postfix → Rspamd → the group service over LMTP (membership resolved from the database,
  copies handed back in batches of 500 on the loopback group port) → Postfix → Dovecot;
- **alias**: the same message to a plain Postfix alias of the same 5,000 addresses (a
  ``hash:`` table in front of the views, ``virtual_alias_expansion_limit`` raised for it) →
  Postfix expands it itself → Dovecot.

Each is timed from the submission until the last copy is a file in a Maildir; the line printed
gives both and their ratio (alias seconds / group seconds; goal: at least 0.8).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import smtplib
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mail_plane as plane_bench

GOAL_RATIO = 0.8
GROUP_LOCAL = "bench.group"
ALIAS_LOCAL = "bench.alias"
PORTS = {
    "MX_PORT": 15525, "SUBMISSION_PORT": 15587, "SUBMISSIONS_PORT": 15465,
    "IMAP_PORT": 15143, "IMAPS_PORT": 15993, "QUOTA_STATUS_PORT": 15340,
    "RSPAMD_MILTER_PORT": 15332, "RSPAMD_NORMAL_PORT": 15333, "RSPAMD_CONTROLLER_PORT": 15334,
}
PLANE_ROOT = plane_bench.VAR / "groups-plane"


def ensure_group(members: int) -> tuple[str, list[str]]:
    """The bench group (made once) and its member addresses."""
    from django.db import transaction

    from edugate.directory.models import Domain, Unit
    from edugate.groups.models import EmailGroup, GroupMember
    from edugate.mail.models import Mailbox

    addresses = [plane_bench.address(n) for n in range(members)]
    domain = Domain.objects.get(name=plane_bench.SENDER_DOMAIN)
    group = EmailGroup.objects.filter(domain=domain, local_part=GROUP_LOCAL).first()
    if group is not None and group.members.count() == members:
        return group.address, addresses
    with transaction.atomic():
        if group is not None:
            group.members.all().delete()
        else:
            group = EmailGroup(domain=domain, local_part=GROUP_LOCAL, name="Bench 5000",
                               owner_unit=Unit.objects.get(code="BENCH-MAIL"),
                               posting_policy="authenticated", others_action="refuse")
            group.save()
        boxes = Mailbox.objects.filter(address__in=addresses).values_list("pk", flat=True)
        GroupMember.objects.bulk_create([GroupMember(group=group, mailbox_id=pk)
                                         for pk in boxes], batch_size=2000)
    return group.address, addresses


def alias_table(folder: Path, postfix_dir: Path, alias: str, addresses: list[str]) -> Path:
    import subprocess

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "plain-alias"  # where with_alias() points main.cf
    path.write_text(f"{alias} {','.join(addresses)}\n")
    subprocess.run(["/usr/sbin/postmap", "-c", str(postfix_dir), f"hash:{path}"], check=True)
    return path


def with_alias(table: Path, limit: int) -> object:
    """Render the plane with the plain alias table in front of the views."""
    from edugate.mail.plane import render

    original = render.render_files

    def rewrite(config: object) -> list[render.RenderedFile]:
        files = original(config)  # type: ignore[arg-type]
        changed = []
        for item in files:
            if item.path == "postfix/main.cf":
                text = re.sub(r"^virtual_alias_maps = ", f"virtual_alias_maps = hash:{table}, ",
                              item.text, flags=re.MULTILINE)
                text += f"\nvirtual_alias_expansion_limit = {limit}\n"
                item = render.RenderedFile(item.path, text, item.mode, item.group)
            changed.append(item)
        return changed

    render.render_files = rewrite  # type: ignore[assignment]
    return original


def folders_for(config: object, addresses: list[str]) -> list[Path]:
    from django.db import connection

    found: list[Path] = []
    with connection.cursor() as cursor:
        for start in range(0, len(addresses), 500):
            chunk = addresses[start:start + 500]
            marks = ",".join(["%s"] * len(chunk))
            cursor.execute("SELECT maildir FROM mailplane_userdb "  # noqa: S608
                           f"WHERE username IN ({marks})", chunk)
            found += [config.mail_dir / row[0] / "Maildir"  # type: ignore[attr-defined]
                      for row in cursor.fetchall()]
    return found


def send_one(config: object, recipient: str, tag: str) -> None:
    sender = plane_bench.address(0)
    client = smtplib.SMTP("127.0.0.1", config.submission_port, timeout=120)  # type: ignore[attr-defined]
    try:
        client.starttls(context=plane_bench.insecure_context())
        client.ehlo("bench.localhost")
        client.user, client.password = sender, plane_bench.PASSWORD
        client.auth("PLAIN", client.auth_plain)
        client.sendmail(sender, [recipient], plane_bench.message(sender, recipient, tag))
        client.quit()
    finally:
        client.close()


def timed_run(config: object, recipient: str, folders: list[Path], expected: int, tag: str,
              timeout: float = 600) -> float:
    before = plane_bench.count_delivered(folders)
    started = time.perf_counter()
    send_one(config, recipient, tag)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if plane_bench.count_delivered(folders) - before >= expected:
            return time.perf_counter() - started
        time.sleep(0.1)
    delivered = plane_bench.count_delivered(folders) - before
    raise SystemExit(f"bench groups: only {delivered} of {expected} copies after {timeout} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("backend", choices=["sqlite", "postgresql"])
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    if os.geteuid() != 0:
        print(f"bench groups [{args.backend}]: skipped (the daemons need root)", flush=True)
        return
    plane_bench.configure_environment(args.backend)
    import django

    django.setup()
    from edugate.groups.endpoints import Endpoints
    from edugate.groups.service import GroupService
    from edugate.mail.plane import instance

    plane_bench.load_mailboxes(100_000)
    group_address, addresses = ensure_group(args.members)
    alias_address = f"{ALIAS_LOCAL}@{plane_bench.SENDER_DOMAIN}"
    plane_bench.PLANE_ROOT = PLANE_ROOT
    plane_bench.PORTS = PORTS
    plane_bench.make_dkim_key(PLANE_ROOT / "dkim")
    config = plane_bench.plane_config()
    instance.down(config)
    for stale in ("vmail", "postfix", "log", "run", "dovecot", "static"):
        shutil.rmtree(PLANE_ROOT / stale, ignore_errors=True)
    table = PLANE_ROOT / "static" / "plain-alias"
    original = with_alias(table, args.members * 2)
    instance.prepare(config)  # main.cf exists: postmap reads it
    alias_table(PLANE_ROOT / "static", config.postfix_dir, alias_address, addresses)
    service = GroupService(Endpoints.of(config))
    service.start()
    try:
        instance.up(config, timeout=180, groups=False)
        folders = folders_for(config, addresses)
        timed_run(config, alias_address, folders, len(addresses), "warm")  # warm-up
        seconds = {"group": 0.0, "alias": 0.0}
        for n in range(args.rounds):
            order = ["group", "alias", "alias", "group"] if n % 2 == 0 else \
                ["alias", "group", "group", "alias"]
            for k, kind in enumerate(order):
                recipient = group_address if kind == "group" else alias_address
                took = timed_run(config, recipient, folders, len(addresses), f"{kind}.{n}.{k}")
                seconds[kind] += took
                print(f"  {kind}: {len(addresses)} copies in {took:.2f} s", flush=True)
        ratio = seconds["alias"] / seconds["group"]
        verdict = "ok" if ratio >= GOAL_RATIO else f"UNDER the {GOAL_RATIO} goal"
        runs = 2 * args.rounds
        print(f"bench groups_5000 [{args.backend}]: group {seconds['group'] / runs:.2f} s, "
              f"plain alias {seconds['alias'] / runs:.2f} s per message to "
              f"{len(addresses)} members; ratio {ratio:.2f} {verdict}", flush=True)
    finally:
        instance.down(config)
        service.stop()
        from edugate.mail.plane import render

        render.render_files = original  # type: ignore[assignment]


if __name__ == "__main__":
    main()
