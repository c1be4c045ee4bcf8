"""Submission policy through the real daemons: per-user sending limits (Rspamd + Redis), the
From header an authenticated user may use, and SRS for mail forwarded to other domains."""

from __future__ import annotations

import datetime
import email.utils
import io
import re
import smtplib
import time
import uuid
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from edugate.mail import actions
from edugate.mail.models import Mailbox
from edugate.mail.plane.config import parse_rate
from tests.mail.plane.conftest import (
    TEST_REDIS_PREFIX,
    TEST_USER_RATE,
    Plane,
    PlaneData,
    activate,
    redis_keys,
)

pytestmark = [pytest.mark.mailplane, pytest.mark.django_db(transaction=True)]

TEACHER = "annv@th-a.minhhai.edu.vn"


def message(sender: str, to: str, subject: str, body: str = "Xin chào.") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = email.utils.formatdate(localtime=True)
    msg["Message-ID"] = email.utils.make_msgid(domain="th-a.minhhai.edu.vn")
    msg.set_content(body)
    return msg


def unit_mailbox(data: PlaneData, local_part: str) -> Mailbox:
    """An active unit mailbox of school A, which logs in and sends as itself."""
    box = actions.create_mailbox(actor=None, unit=data.mail.tree.school_a,
                                 domain=data.mail.school_a, local_part=local_part, kind="unit")
    return activate(box)


def token() -> str:
    return uuid.uuid4().hex[:10]


def sunk(plane: Plane, marker: bytes, timeout: float = 20) -> bytes:
    """What the loopback "remote server" received with ``marker`` in it."""
    deadline = time.monotonic() + timeout
    while True:
        for path in sorted(plane.sink_dir.iterdir()):
            content = path.read_bytes() if path.is_file() else b""
            if marker in content:
                return content
        assert time.monotonic() < deadline, f"{marker!r} never reached the loopback sink"
        time.sleep(0.2)


def envelope(received: bytes, name: bytes) -> bytes:
    """The envelope address smtp-sink recorded (``X-Mail-Args``/``X-Rcpt-Args``)."""
    found = re.search(rb"^" + name + rb": <([^>]*)>", received, re.M)
    assert found, received[:600]
    return found.group(1)


# --- Per-user sending limits --------------------------------------------------------------


def test_the_session_plane_renders_the_test_limit(plane: Plane) -> None:
    assert plane.config.user_rate == TEST_USER_RATE
    assert plane.config.redis_prefix == TEST_REDIS_PREFIX
    text = (plane.config.rspamd_dir / "local.d" / "ratelimit.conf").read_text()
    assert f'prefix = "{TEST_REDIS_PREFIX}";' in text and "burst = 10;" in text


def test_a_user_over_the_limit_is_refused_for_now_and_others_are_not(plane: Plane,
                                                                     data: PlaneData) -> None:
    limit = parse_rate(TEST_USER_RATE)[0]
    sender = unit_mailbox(data, f"gioihan{token()[:6]}")
    accepted = 0
    with plane.submission(sender.address) as client:
        for n in range(limit + 3):
            try:
                client.send_message(message(sender.address, TEACHER, f"Gioi han {n}"))
            except smtplib.SMTPDataError as error:
                refused = error
                break
            accepted += 1
        else:
            raise AssertionError(f"{limit + 3} messages in a row were all accepted")
    # The bucket leaks one message per 6 s: one more may slip in while the others are sent.
    assert limit <= accepted <= limit + 1, accepted
    assert 400 <= refused.smtp_code < 500, (refused.smtp_code, refused.smtp_error)
    assert b"sending limit" in refused.smtp_error, refused.smtp_error
    # Other users are not affected; the limit lives in this run's Redis keys only.
    with plane.submission(TEACHER) as client:
        client.send_message(message(TEACHER, sender.address, "Van gui duoc"))
    assert redis_keys(plane.config.redis, TEST_REDIS_PREFIX)


# --- From header --------------------------------------------------------------------------


def test_from_header_of_someone_else_is_refused(plane: Plane, data: PlaneData) -> None:
    unit_mailbox(data, "hieutruong")
    with plane.submission(TEACHER) as client:
        for forged in ("hieutruong@th-a.minhhai.edu.vn", "Hiệu trưởng <boss@gmail.com>",
                       f"{TEACHER}, hieutruong@th-a.minhhai.edu.vn"):
            msg = message(TEACHER, TEACHER, "Mao danh")
            msg.replace_header("From", forged)
            with pytest.raises(smtplib.SMTPDataError) as refused:
                client.send_message(msg, from_addr=TEACHER, to_addrs=[TEACHER])
            assert refused.value.smtp_code == 554, refused.value.smtp_error
            assert b"From header is not an address you may send as" in \
                refused.value.smtp_error


def test_from_own_alias_or_position_address_is_accepted(plane: Plane, data: PlaneData) -> None:
    tree = data.mail.tree
    position = actions.create_mailbox(actor=None, unit=tree.school_a, domain=data.mail.school_a,
                                      local_part="hieutruong", kind="position",
                                      person=tree.teacher_a)
    activate(position)
    actions.add_alias(actor=None, mailbox=data.teacher, local_part="nguyenvanan",
                      domain=data.mail.school_a)
    alias = "nguyenvanan@th-a.minhhai.edu.vn"
    subject = f"Dung dia chi {token()}"
    with plane.submission(TEACHER) as client:
        # Own address, with a display name and in other case.
        client.send_message(message(f"Nguyễn Văn An <{TEACHER.upper()}>", position.address,
                                    subject), from_addr=TEACHER)
        client.send_message(message(position.address, TEACHER, "Thay mat truong"))
        client.send_message(message(alias, TEACHER, "Qua bi danh"))
        # An address they may send as, but not the one given as envelope sender: refused.
        with pytest.raises(smtplib.SMTPDataError) as refused:
            client.send_message(message(position.address, TEACHER, "Lech phong bi"),
                                from_addr=TEACHER)
        assert refused.value.smtp_code == 554
    plane.wait_for_message(position.address, subject)


# --- SRS ----------------------------------------------------------------------------------


def test_forward_to_another_domain_leaves_with_an_srs_sender(plane: Plane,
                                                             data: PlaneData) -> None:
    srs_domain = plane.config.srs_rewrite_domain.encode()
    Mailbox.objects.filter(pk=data.teacher.pk).update(
        forward_to="annv.home@example.net", forward_keep_copy=False,
        forward_until=datetime.date.today() + datetime.timedelta(days=3))
    marker = f"SRS chuyen tiep {token()}"
    with plane.smtp() as client:
        client.send_message(message("ban@example.org", TEACHER, marker))
    forwarded = sunk(plane, marker.encode())
    sender = envelope(forwarded, b"X-Mail-Args")
    assert re.fullmatch(rb"SRS0=[^=]+=[^=]+=example\.org=ban@" + re.escape(srs_domain), sender), \
        sender
    assert envelope(forwarded, b"X-Rcpt-Args") == b"annv.home@example.net"

    # A bounce to the SRS address goes back to the original sender; a forged one is refused.
    bounce = f"SRS tra ve {token()}"
    with plane.smtp() as client:
        client.sendmail("", [sender.decode()],
                        message("mailer-daemon@example.net", sender.decode(), bounce).as_bytes())
        code, reply = client.mail("")
        assert code == 250
        code, reply = client.rcpt(f"SRS0=AAAA=AA=example.org=ban@{srs_domain.decode()}")
        assert code == 550, reply
    assert envelope(sunk(plane, bounce.encode()), b"X-Rcpt-Args") == b"ban@example.org"


def test_hosted_senders_are_not_rewritten(plane: Plane, data: PlaneData) -> None:
    marker = f"Khong SRS {token()}"
    with plane.submission(TEACHER) as client:
        client.send_message(message(TEACHER, "doitac@example.net", marker))
    assert envelope(sunk(plane, marker.encode()), b"X-Mail-Args") == TEACHER.encode()


def test_postsrsd_keeps_its_secret_under_the_plane_root(plane: Plane) -> None:
    assert plane.config.srs_dir is not None
    secret = Path(plane.config.srs_dir) / "secret"
    assert secret.stat().st_mode & 0o077 == 0 and secret.read_text().strip()


# --- Production configuration -------------------------------------------------------------


def test_render_writes_limits_from_check_and_srs_for_production(tmp_path: Path,
                                                                settings: Any) -> None:
    settings.MAIL_PLANE = {**settings.MAIL_PLANE, "USER_RATE": "150 / 1h",
                           "REDIS": "10.0.0.5:6380", "SRS_DOMAIN": "srs.minhhai.edu.vn"}
    call_command("mail", "render", "--target", str(tmp_path), "--hostname",
                 "mail.minhhai.edu.vn", stdout=io.StringIO(), stderr=io.StringIO())
    local_d = tmp_path / "rspamd" / "local.d"
    ratelimit = (local_d / "ratelimit.conf").read_text()
    assert 'servers = "10.0.0.5:6380";' in ratelimit
    assert "burst = 150;" in ratelimit and 'rate = "150 / 3600s";' in ratelimit
    assert "sending limit (150 / 1h)" in ratelimit
    assert "EDUGATE_FROM_NOT_SENDER" in (local_d / "rspamd.lua").read_text()
    main = (tmp_path / "postfix" / "main.cf").read_text()
    assert "sender_canonical_maps = sqlite:/etc/postfix/sql/srs_exempt.cf, " \
           "tcp:127.0.0.1:10001" in main or "pgsql:/etc/postfix/sql/srs_exempt.cf" in main
    assert "recipient_canonical_maps = tcp:127.0.0.1:10002" in main
    assert "virtual_alias_domains = srs.minhhai.edu.vn" in main
    postsrsd = (tmp_path / "default" / "postsrsd").read_text()
    assert "SRS_DOMAIN=srs.minhhai.edu.vn" in postsrsd and "SRS_FORWARD_PORT=10001" in postsrsd


def test_a_malformed_limit_is_refused_before_rendering() -> None:
    with pytest.raises(ValueError, match="200 / 1h"):
        parse_rate("lots")


def test_the_limit_can_be_turned_off(tmp_path: Path) -> None:
    from edugate.mail.plane import render
    from edugate.mail.plane.config import Database, local_config

    config = local_config(root=tmp_path, database=Database(vendor="sqlite", path="/x.sqlite3"),
                          user_rate="off")
    files = {item.path: item.text for item in render.render_files(config)}
    assert "enabled = false;" in files["rspamd/local.d/ratelimit.conf"]
