"""Mail through the real daemons: inbound, submission, refusals, aliases, quota, suspension."""

from __future__ import annotations

import datetime
import email
import imaplib
import re
import smtplib
import time
from email.message import EmailMessage

import pytest

from edugate.directory import actions as directory
from edugate.mail import actions
from edugate.mail.models import Mailbox
from tests.mail.plane.conftest import Plane, PlaneData, activate

pytestmark = [pytest.mark.mailplane, pytest.mark.django_db(transaction=True)]

TEACHER = "annv@th-a.minhhai.edu.vn"


def message(sender: str, to: str, subject: str, body: str = "Xin chào các thầy cô.") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = email.utils.formatdate(localtime=True)
    msg["Message-ID"] = email.utils.make_msgid(domain=sender.split("@")[1])
    msg.set_content(body)
    return msg


def refused_at_rcpt(client: smtplib.SMTP, sender: str, to: str) -> tuple[int, bytes]:
    code, _ = client.mail(sender)
    assert code == 250
    return client.rcpt(to)


def mailbox(data: PlaneData, local_part: str, *, kind: str = "personal", person=None,
            unit=None, domain=None, quota_mb: int | None = None) -> Mailbox:
    tree = data.mail.tree
    box = actions.create_mailbox(actor=None, unit=unit or tree.school_a,
                                 domain=domain or data.mail.school_a, local_part=local_part,
                                 kind=kind, person=person, quota_mb=quota_mb)
    return activate(box)


def test_the_plane_is_up_and_reports_its_listeners(plane: Plane) -> None:
    from edugate.mail.plane import instance

    rows = instance.status(plane.config)
    assert {row.name for row in rows} >= {"mx", "submission", "submissions", "imap", "imaps"}
    assert all(row.answers for row in rows), rows
    print(f"mail plane started in {plane.start_seconds:.1f} s")


def test_external_mail_reaches_the_mailbox_with_results_headers(plane: Plane,
                                                                data: PlaneData) -> None:
    with plane.smtp() as client:
        client.send_message(message("ban@example.org", TEACHER, "Thư từ bên ngoài"))
    raw = plane.wait_for_message(TEACHER, "Thư từ bên ngoài")
    headers = email.message_from_bytes(raw)
    assert headers["Authentication-Results"]
    assert headers["X-Spam-Status"] or headers["X-Spamd-Result"]


def test_local_to_local_through_submission(plane: Plane, data: PlaneData) -> None:
    other = mailbox(data, "anhdtn", person=data.mail.tree.teacher_b,
                    unit=data.mail.tree.school_b, domain=data.mail.school_b)
    with plane.submission(TEACHER) as client:
        client.send_message(message(TEACHER, other.address, "Giữa hai trường"))
    raw = plane.wait_for_message(other.address, "Giữa hai trường")
    assert b"Received:" in raw


def test_special_folders_exist_and_are_marked(plane: Plane, data: PlaneData) -> None:
    client = plane.imap(TEACHER)
    try:
        _typ, folders = client.list()
    finally:
        client.logout()
    listing = b"\n".join(f for f in folders if isinstance(f, bytes))
    for flag, name in ((b"\\Sent", b"Sent"), (b"\\Drafts", b"Drafts"), (b"\\Trash", b"Trash"),
                       (b"\\Junk", b"Junk")):
        assert re.search(rb"\(.*" + re.escape(flag) + rb".*\) \"/\" " + name, listing), listing


def test_unknown_recipient_is_refused_at_rcpt(plane: Plane, data: PlaneData) -> None:
    with plane.smtp() as client:
        code, reply = refused_at_rcpt(client, "ban@example.org", "khongco@th-a.minhhai.edu.vn")
    assert code == 550, reply


def test_closed_mailbox_is_refused_with_its_reason(plane: Plane, data: PlaneData) -> None:
    actions.close_mailbox(actor=None, mailbox=data.teacher)
    with plane.smtp() as client:
        code, reply = refused_at_rcpt(client, "ban@example.org", TEACHER)
    assert code == 550, reply
    assert b"5.2.1" in reply and b"closed" in reply


def test_relay_attempt_is_refused(plane: Plane, data: PlaneData) -> None:
    with plane.smtp() as client:
        code, reply = refused_at_rcpt(client, TEACHER, "someone@gmail.com")
    assert code == 554 and b"Relay access denied" in reply, reply


def test_domain_alias_delivers_to_the_primary_domain(plane: Plane, data: PlaneData) -> None:
    directory.add_domain(actor=None, unit=data.mail.tree.school_a, name="anbinh-a.edu.vn",
                         alias_of=data.mail.school_a)
    with plane.smtp() as client:
        client.send_message(message("ban@example.org", "annv@anbinh-a.edu.vn", "Qua tên miền phụ"))
        code, reply = refused_at_rcpt(client, "ban@example.org", "khongco@anbinh-a.edu.vn")
        assert code == 550, reply
    plane.wait_for_message(TEACHER, "Qua tên miền phụ")


def test_alias_delivers_to_its_mailbox(plane: Plane, data: PlaneData) -> None:
    actions.add_alias(actor=None, mailbox=data.teacher, local_part="nguyenvanan",
                      domain=data.mail.school_a)
    with plane.smtp() as client:
        client.send_message(message("ban@example.org", "nguyenvanan@th-a.minhhai.edu.vn",
                                    "Qua bí danh"))
    plane.wait_for_message(TEACHER, "Qua bí danh")


def test_forward_keeps_a_copy_and_reaches_the_remote_address(plane: Plane,
                                                             data: PlaneData) -> None:
    Mailbox.objects.filter(pk=data.teacher.pk).update(
        forward_to="annv.home@example.net", forward_keep_copy=True,
        forward_until=datetime.date.today() + datetime.timedelta(days=3))
    with plane.smtp() as client:
        client.send_message(message("ban@example.org", TEACHER, "Chuyển tiếp"))
    plane.wait_for_message(TEACHER, "Chuyển tiếp")
    deadline = time.monotonic() + 20
    while not any(b"Chuy" in p.read_bytes() or b"=?utf-8?" in p.read_bytes()
                  for p in plane.sink_dir.iterdir() if p.is_file()):
        assert time.monotonic() < deadline, "the forward did not reach the loopback sink"
        time.sleep(0.2)


def test_bad_password_is_refused(plane: Plane, data: PlaneData) -> None:
    with pytest.raises(smtplib.SMTPAuthenticationError) as refused:
        plane.submission(TEACHER, "wrong-password-123")
    assert refused.value.smtp_code == 535
    with pytest.raises(imaplib.IMAP4.error):
        plane.imap(TEACHER, "wrong-password-123")


def test_suspension_takes_effect_on_the_next_login(plane: Plane, data: PlaneData) -> None:
    plane.imap(TEACHER).logout()
    plane.submission(TEACHER).quit()
    actions.suspend_mailbox(actor=None, mailbox=data.teacher)
    with pytest.raises(imaplib.IMAP4.error):
        plane.imap(TEACHER)
    with pytest.raises(smtplib.SMTPAuthenticationError):
        plane.submission(TEACHER)


def test_pending_mailbox_cannot_log_in(plane: Plane, data: PlaneData) -> None:
    actions.create_mailbox(actor=None, unit=data.mail.tree.school_a, domain=data.mail.school_a,
                           local_part="chuakichhoat", kind="unit")
    with pytest.raises(imaplib.IMAP4.error):
        plane.imap("chuakichhoat@th-a.minhhai.edu.vn")


def test_sender_not_owned_is_refused(plane: Plane, data: PlaneData) -> None:
    mailbox(data, "hieutruong", kind="position")
    with plane.submission(TEACHER) as client:
        code, reply = refused_at_rcpt(client, "hieutruong@th-a.minhhai.edu.vn", TEACHER)
        assert code == 553 and b"not owned" in reply, reply
        client.rset()
        code, reply = refused_at_rcpt(client, "someone@gmail.com", TEACHER)
        assert code == 553, reply


def test_position_holder_and_delegate_may_send_as_those_addresses(plane: Plane,
                                                                  data: PlaneData) -> None:
    tree = data.mail.tree
    position = mailbox(data, "hieutruong", kind="position", person=tree.teacher_a)
    office = mailbox(data, "vanthu", kind="unit")
    clerk = mailbox(data, "anhdtn", person=tree.teacher_b, unit=tree.school_b,
                    domain=data.mail.school_b)
    actions.add_delegate(actor=None, mailbox=office, person=tree.teacher_b)
    with plane.submission(TEACHER) as client:
        client.send_message(message(position.address, office.address, "Thay mặt hiệu trưởng"))
        client.rset()
        code, reply = refused_at_rcpt(client, office.address, TEACHER)
        assert code == 553, reply
    with plane.submission(clerk.address) as client:
        client.send_message(message(office.address, TEACHER, "Văn thư gửi"))
    plane.wait_for_message(office.address, "Thay mặt hiệu trưởng", timeout=20)
    plane.wait_for_message(TEACHER, "Văn thư gửi")


def test_getquotaroot_answers_the_effective_quota(plane: Plane, data: PlaneData) -> None:
    Mailbox.objects.filter(pk=data.teacher.pk).update(quota_mb=300)
    client = plane.imap(TEACHER)
    try:
        client.select("INBOX")
        typ, answer = client.getquotaroot("INBOX")
    finally:
        client.logout()
    assert typ == "OK"
    text = b" ".join(part for group in answer for part in group if isinstance(part, bytes))
    assert re.search(rb"STORAGE \d+ %d" % (300 * 1024), text), answer


def test_quota_exceeded_is_refused_at_rcpt(plane: Plane, data: PlaneData) -> None:
    Mailbox.objects.filter(pk=data.teacher.pk).update(quota_mb=1)
    big = message("ban@example.org", TEACHER, "Quá lớn", "x" * 1_500_000)
    with plane.smtp() as client, pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        client.send_message(big)
    code, reply = refused.value.recipients[TEACHER]
    assert code == 552 and b"5.2.2" in reply, reply


def test_submission_requires_authentication(plane: Plane, data: PlaneData) -> None:
    client = smtplib.SMTP("127.0.0.1", plane.config.submission_port, timeout=30)
    try:
        client.ehlo("x.example.org")
        code, reply = client.mail(TEACHER)
        if code == 250:
            code, reply = client.rcpt("someone@gmail.com")
        assert code >= 500, reply
    finally:
        client.close()


def sunk(plane: Plane, token: bytes, timeout: float = 20) -> bytes:
    """What the loopback "remote server" received with ``token`` in it."""
    deadline = time.monotonic() + timeout
    while True:
        for path in plane.sink_dir.iterdir():
            content = path.read_bytes() if path.is_file() else b""
            if token in content:
                return content
        assert time.monotonic() < deadline, f"{token!r} never reached the loopback sink"
        time.sleep(0.2)


def test_outbound_mail_is_dkim_signed_with_the_domain_key(plane: Plane, data: PlaneData) -> None:
    with plane.submission(TEACHER) as client:
        client.send_message(message(TEACHER, "doitac@example.net", "Ky so DKIM 7731"))
    received = sunk(plane, b"Ky so DKIM 7731")
    signature = re.search(rb"DKIM-Signature:(.*?)\n(?=\S)", received, re.S | re.I)
    assert signature, received[:2000]
    assert b"d=th-a.minhhai.edu.vn" in signature.group(1)


def test_spam_is_marked_and_filed_to_junk(plane: Plane, data: PlaneData) -> None:
    gtube_add_header = "YJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"
    with plane.smtp() as client:
        client.send_message(message("spammer@example.org", TEACHER, "Quang cao", gtube_add_header))
    raw = plane.wait_for_message(TEACHER, "Quang cao", folder="Junk")
    assert email.message_from_bytes(raw)["X-Spam"] == "Yes"


def test_rejected_spam_is_refused_not_dropped(plane: Plane, data: PlaneData) -> None:
    gtube = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"
    with plane.smtp() as client, pytest.raises(smtplib.SMTPDataError) as refused:
        client.send_message(message("spammer@example.org", TEACHER, "Rac", gtube))
    assert refused.value.smtp_code == 554
