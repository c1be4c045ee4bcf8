"""Out-of-office replies set in edugate, carried out by Dovecot's sieve through the views."""

from __future__ import annotations

import datetime
import time
from email import message_from_bytes
from email.message import EmailMessage

import pytest

from edugate.mail import actions
from tests.mail.plane.conftest import Plane, PlaneData
from tests.mail.plane.test_flow import message as flow_message

pytestmark = [pytest.mark.mailplane, pytest.mark.django_db(transaction=True)]

TEACHER = "annv@th-a.minhhai.edu.vn"


def message(sender: str, subject: str) -> EmailMessage:
    return flow_message(sender, TEACHER, subject, "Kính gửi thầy An.")


def replies_to(plane: Plane, recipient: str, *, settle: float) -> list[bytes]:
    """What the loopback "remote server" got for ``recipient``, after ``settle`` seconds."""
    time.sleep(settle)
    found = []
    for path in plane.sink_dir.iterdir():
        content = path.read_bytes() if path.is_file() else b""
        if recipient.encode() in content and b"Auto-Submitted" in content:
            found.append(content)
    return found


def test_an_automatic_reply_goes_once_per_sender_within_its_dates(plane: Plane,
                                                                   data: PlaneData) -> None:
    actions.set_auto_reply(actor=None, mailbox=data.teacher, enabled=True,
                           subject="Vắng mặt", message="Tôi đi công tác đến thứ Sáu.",
                           end=datetime.date.today() + datetime.timedelta(days=5))
    sender = f"phuhuynh{time.time_ns()}@example.org"
    with plane.smtp() as client:
        client.send_message(message(sender, "Hỏi về lịch học"))
        client.send_message(message(sender, "Hỏi thêm"))
    plane.wait_for_message(TEACHER, "Hỏi thêm")  # both delivered to the inbox
    plane.wait_for_message(TEACHER, "Hỏi về lịch học")
    [reply] = replies_to(plane, sender, settle=3)
    parsed = message_from_bytes(reply)
    assert "Auto-Submitted: auto-replied" in reply.decode("utf-8", "replace")
    assert "Tôi đi công tác đến thứ Sáu." in (parsed.get_payload(decode=True) or b"").decode(
        "utf-8", "replace") or "Tôi đi công tác" in reply.decode("utf-8", "replace")


def test_turning_the_reply_off_takes_effect_on_the_next_message(plane: Plane,
                                                              data: PlaneData) -> None:
    actions.set_auto_reply(actor=None, mailbox=data.teacher, enabled=True,
                           message="Tôi nghỉ phép.")
    actions.set_auto_reply(actor=None, mailbox=data.teacher, enabled=False)
    sender = f"ai{time.time_ns()}@example.org"
    with plane.smtp() as client:
        client.send_message(message(sender, "Không trả lời tự động"))
    plane.wait_for_message(TEACHER, "Không trả lời tự động")
    assert replies_to(plane, sender, settle=3) == []
