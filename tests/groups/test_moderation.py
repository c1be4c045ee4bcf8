"""Holding, expiring and reminding, against a real SMTP server on loopback standing in for
Postfix's loopback ports (the full flow through Postfix is in tests/mail/plane/test_groups.py)."""

from __future__ import annotations

import datetime
import email
import email.policy
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope
from django.utils import timezone

from edugate.audit.models import AuditEvent
from edugate.groups import actions, moderation
from edugate.groups.endpoints import Endpoints
from edugate.groups.models import HeldState
from edugate.groups.posting import Reason
from tests.groups.world import World, build_world, mailbox_for
from tests.mail.conftest import MailTree

pytestmark = pytest.mark.django_db


@dataclass
class Sink:
    received: list[Envelope] = field(default_factory=list)

    async def handle_DATA(self, server: object, session: object, envelope: Envelope) -> str:
        self.received.append(envelope)
        return "250 OK"

    def subjects_to(self, address: str) -> list[str]:
        found = []
        for envelope in self.received:
            if address in envelope.rcpt_tos:
                message = email.message_from_bytes(envelope.original_content or b"",
                                                   policy=email.policy.default)
                found.append(str(message["Subject"]))
        return found


@pytest.fixture
def sink() -> Iterator[tuple[Sink, Endpoints]]:
    handler = Sink()
    with socket.socket() as probe:  # a free loopback port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, Endpoints(lmtp_port=0, policy_port=0, reinject_port=port,
                                 notices_port=port, hostname="mail.test.localhost")
    finally:
        controller.stop()


@pytest.fixture
def world(mail: MailTree) -> World:
    return build_world(mail)


RAW = (b"From: phuhuynh@example.org\r\nTo: hieutruong@minhhai.edu.vn\r\n"
       b"Subject: =?utf-8?q?C=C3=A2u_h=E1=BB=8Fi?=\r\nMessage-ID: <1@example.org>\r\n\r\n"
       b"Xin ch\xc3\xa0o.\r\n")


def test_a_held_message_tells_moderators_and_sender_then_expires(
        world: World, sink: tuple[Sink, Endpoints]) -> None:
    handler, endpoints = sink
    world.staff.moderators.add(world.officer.person)
    held = moderation.hold(group=world.staff, sender="phuhuynh@example.org", raw=RAW,
                           reason=Reason.NOT_MEMBER, endpoints=endpoints)
    assert held.subject == "Câu hỏi" and held.state == HeldState.HELD
    assert len(handler.subjects_to(world.officer.address)) == 1  # moderators, message attached
    assert len(handler.subjects_to("phuhuynh@example.org")) == 1  # "waiting"
    assert moderation.expire_due(endpoints=endpoints) == 0  # not yet
    later = timezone.now() + datetime.timedelta(days=world.staff.hold_days, minutes=1)
    assert moderation.expire_due(endpoints=endpoints, now=later) == 1
    held.refresh_from_db()
    assert held.state == HeldState.EXPIRED
    assert len(handler.subjects_to("phuhuynh@example.org")) == 2  # "expired"
    assert AuditEvent.objects.filter(action="groups.message_expired").exists()
    with pytest.raises(moderation.ModerationError):
        moderation.reject(held=held, actor=None, reason="muộn", endpoints=endpoints)


def test_the_forged_sender_of_spam_is_not_told(world: World,
                                              sink: tuple[Sink, Endpoints]) -> None:
    handler, endpoints = sink
    world.staff.moderators.add(world.officer.person)
    spam = b"X-Spam-Status: Yes, score=9.10 required=6.00\r\n" + RAW
    moderation.hold(group=world.staff, sender="phuhuynh@example.org", raw=spam,
                    reason=Reason.NOT_MEMBER, endpoints=endpoints)
    assert handler.subjects_to("phuhuynh@example.org") == []
    assert len(handler.subjects_to(world.officer.address)) == 1


def test_rejecting_needs_a_reason(world: World, sink: tuple[Sink, Endpoints]) -> None:
    _handler, endpoints = sink
    held = moderation.hold(group=world.staff, sender="phuhuynh@example.org", raw=RAW,
                           reason=Reason.NOT_MEMBER, endpoints=endpoints)
    with pytest.raises(moderation.ModerationError):
        moderation.reject(held=held, actor=None, reason="  ", endpoints=endpoints)
    held.refresh_from_db()
    assert held.state == HeldState.HELD


def test_approving_sends_one_copy_per_member_with_list_headers(
        world: World, sink: tuple[Sink, Endpoints]) -> None:
    handler, endpoints = sink
    held = moderation.hold(group=world.principals, sender="phuhuynh@example.org", raw=RAW,
                           reason=Reason.NOT_ALLOWED, endpoints=endpoints)
    sent = moderation.approve(held=held, actor=world.mail.tree.dept_admin, endpoints=endpoints)
    assert sent.accepted == 3
    copies = [e for e in handler.received if e.mail_from == world.principals.bounce_address
              and b"List-Id:" in (e.original_content or b"")]
    assert len(copies) == 1 and sorted(copies[0].rcpt_tos) == sorted(
        [world.principal_a.address, world.principal_b.address, world.principal_upper.address])
    assert copies[0].original_content.endswith(RAW)  # the poster's bytes, untouched


def test_units_that_have_not_registered_are_reminded(world: World,
                                                     sink: tuple[Sink, Endpoints]) -> None:
    handler, endpoints = sink
    tree = world.mail.tree
    unit_box = mailbox_for(None, tree.school_a, "vanthu@th-a.minhhai.edu.vn", kind="unit")
    reminded = actions.remind_missing(actor=tree.dept_admin, group=world.clerical,
                                      endpoints=endpoints)
    assert reminded == 1  # only school A has a unit mailbox to write to
    assert len(handler.subjects_to(unit_box.address)) == 1
    assert AuditEvent.objects.filter(action="groups.remind").exists()


def test_a_long_vietnamese_subject_survives_folding(world: World,
                                                   sink: tuple[Sink, Endpoints]) -> None:
    """Notices fold long subjects into several encoded words without losing a space."""
    handler, endpoints = sink
    subject = "Kế hoạch kiểm tra giữa học kỳ một của các trường tiểu học trong toàn tỉnh"
    raw = RAW.replace(b"Subject: =?utf-8?q?C=C3=A2u_h=E1=BB=8Fi?=",
                      f"Subject: {subject}".encode())
    moderation.hold(group=world.staff, sender="phuhuynh@example.org", raw=raw,
                    reason=Reason.NOT_MEMBER, endpoints=endpoints)
    [notice] = handler.subjects_to("phuhuynh@example.org")
    assert notice.endswith(subject), notice
