"""Email groups through the real plane: posting policy in the SMTP session, expansion by the
group service, moderation, nesting, registrations and the directory changing delivery."""

from __future__ import annotations

import email
import email.policy
import smtplib
import time
from pathlib import Path

import pytest

from edugate.directory import actions as directory
from edugate.directory.models import RoleKind
from edugate.groups import actions, membership, moderation
from edugate.groups.endpoints import Endpoints
from edugate.groups.models import HeldMessage, HeldState
from tests.groups.world import World, build_world, mailbox_for, person_with_mailbox
from tests.mail.plane.conftest import Plane, PlaneData
from tests.mail.plane.test_flow import message

pytestmark = [pytest.mark.mailplane, pytest.mark.django_db(transaction=True)]

OUTSIDER = "phuhuynh@example.org"


@pytest.fixture
def world(plane: Plane, data: PlaneData) -> World:
    return build_world(data.mail)


def submit(plane: Plane, sender: str, to: str, subject: str, **headers: str) -> None:
    msg = message(sender, to, subject)
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    with plane.submission(sender) as client:
        client.send_message(msg)


def rcpt(plane: Plane, to: str, *, sender: str, login: str | None = None) -> tuple[int, str]:
    """The reply to RCPT TO for ``to`` from ``sender`` (logged in as ``login`` if given)."""
    client = plane.submission(login) if login else plane.smtp()
    try:
        code, _ = client.mail(sender)
        assert code == 250, (code, _)
        code, text = client.rcpt(to)
        return code, text.decode()
    finally:
        client.quit()


def count_messages(plane: Plane, user: str, subject: str) -> int:
    client = plane.imap(user)
    try:
        client.select("INBOX")
        client.literal = subject.encode()  # type: ignore[attr-defined]
        _typ, found = client.search("UTF-8", "SUBJECT")
        return len(found[0].split()) if found and found[0] else 0
    finally:
        client.logout()


def sink_files_with(plane: Plane, needle: bytes, timeout: float = 20,
                    since: frozenset[Path] = frozenset()) -> list[Path]:
    """Files the sink received holding ``needle``, other than those of ``since``."""
    deadline = time.monotonic() + timeout
    while True:
        found = [path for path in plane.sink_dir.iterdir()
                 if path.is_file() and path not in since and needle in path.read_bytes()]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def test_the_department_writes_to_all_principals(plane: Plane, world: World) -> None:
    subject = "Triệu tập họp hiệu trưởng"
    submit(plane, world.officer.address, world.principals.address, subject)
    for principal in (world.principal_a, world.principal_b, world.principal_upper):
        raw = plane.wait_for_message(principal.address, subject)
        assert b"List-Id:" in raw and b"<hieutruong.minhhai.edu.vn>" in raw
        assert f"From: {world.officer.address}".encode() in raw  # From kept intact
        assert b"X-Loop: hieutruong@minhhai.edu.vn" in raw
    # The sender is not a principal: nothing for the teacher, nothing held.
    assert count_messages(plane, world.teacher.address, subject) == 0
    assert not HeldMessage.objects.exists()


def test_a_teacher_is_refused_in_the_smtp_session(plane: Plane, world: World) -> None:
    code, text = rcpt(plane, world.principals.address, sender=world.teacher.address,
                      login=world.teacher.address)
    assert code == 550 and "5.7.1" in text, (code, text)
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        submit(plane, world.teacher.address, world.principals.address, "Thư của giáo viên")


def test_outside_mail_claiming_a_hosted_sender_is_refused(plane: Plane, world: World) -> None:
    # Envelope: refused at RCPT, from the MX, without a login.
    code, text = rcpt(plane, world.staff.address, sender=world.officer.address)
    assert code == 550 and "must log in" in text, (code, text)
    # From header only (envelope from outside): refused by the group service, bounced to
    # the real envelope sender with the reason; no member receives it.
    world.staff.posting_policy = "anyone"
    world.staff.save()
    subject = "Giả mạo chuyên viên"
    earlier = frozenset(plane.sink_dir.iterdir())
    with plane.smtp() as client:
        client.send_message(message(world.officer.address, world.staff.address, subject),
                            from_addr=OUTSIDER, to_addrs=[world.staff.address])
    bounces = sink_files_with(plane, b"not authenticated", since=earlier)
    assert bounces, "the sender was not told"
    assert b"not authenticated" in bounces[0].read_bytes()
    assert count_messages(plane, world.officer.address, subject) == 0


def test_a_new_principal_receives_the_next_message(plane: Plane, world: World) -> None:
    tree = world.mail.tree
    person, newcomer = person_with_mailbox(tree.school_b, "Đỗ Văn Mới", "ht.moi@th-b.minhhai.edu.vn")
    subject_before, subject_after = "Trước khi bổ nhiệm", "Sau khi bổ nhiệm"
    submit(plane, world.officer.address, world.principals.address, subject_before)
    plane.wait_for_message(world.principal_b.address, subject_before)
    directory.grant_role(actor=None, person=person, unit=tree.school_b, kind=RoleKind.HEAD)
    submit(plane, world.officer.address, world.principals.address, subject_after)
    plane.wait_for_message(newcomer.address, subject_after)
    assert count_messages(plane, newcomer.address, subject_before) == 0


def test_nested_and_overlapping_groups_deliver_one_copy(plane: Plane, world: World) -> None:
    tree = world.mail.tree
    parent = actions.create_group(actor=None, owner_unit=tree.department,
                                  domain=world.mail.province, local_part="tonghop",
                                  name="Tổng hợp", posting_policy="authenticated")
    actions.add_rule(actor=None, group=parent, kind="role_holders", under=tree.department,
                     role=RoleKind.HEAD, unit_kind="institution")
    actions.add_member(actor=None, group=parent, mailbox=world.principal_a)
    actions.nest(actor=None, parent=parent, child=world.principals)
    subject = "Một bản duy nhất"
    submit(plane, world.officer.address, parent.address, subject)
    plane.wait_for_message(world.principal_a.address, subject)
    plane.wait_for_message(world.principal_upper.address, subject)
    time.sleep(1)  # a second copy, if any, would be right behind the first
    assert count_messages(plane, world.principal_a.address, subject) == 1


@pytest.mark.parametrize(("policy", "sender_kind", "expected"), [
    ("anyone", "outsider", 250),
    ("authenticated", "outsider", 550),
    ("authenticated", "teacher", 250),
    ("subtree", "teacher", 250),  # the teacher's school is under the office
    ("subtree", "principal_upper", 550),  # the upper school is not
    ("members", "principal_a", 250),
    ("members", "teacher", 550),
    ("allowed", "teacher", 550),
    ("allowed", "outsider", 250),  # in the allowed list
])
def test_each_posting_policy_in_the_session(plane: Plane, world: World, policy: str,
                                            sender_kind: str, expected: int) -> None:
    tree = world.mail.tree
    group = actions.create_group(
        actor=None, owner_unit=tree.department, domain=world.mail.province,
        local_part=f"thu.{policy}", name=policy, posting_policy=policy,
        posting_unit=tree.office if policy == "subtree" else None,
        allowed_senders=OUTSIDER if policy == "allowed" else "", others_action="refuse")
    actions.add_rule(actor=None, group=group, kind="role_holders", under=tree.department,
                     role=RoleKind.HEAD)
    if sender_kind == "outsider":
        code, text = rcpt(plane, group.address, sender=OUTSIDER)
    else:
        box = getattr(world, sender_kind)
        code, text = rcpt(plane, group.address, sender=box.address, login=box.address)
    assert code == expected, (code, text)


def test_a_held_message_is_approved_or_rejected(plane: Plane, world: World) -> None:
    tree = world.mail.tree
    group = actions.create_group(actor=None, owner_unit=tree.department,
                                 domain=world.mail.province, local_part="hoidap",
                                 name="Hỏi đáp", posting_policy="members",
                                 others_action="hold")
    actions.add_member(actor=None, group=group, mailbox=world.principal_a)
    group.moderators.add(world.officer.person)
    endpoints = Endpoints.of(plane.config)
    # A teacher (not a member) writes: accepted in the session, held, moderators told.
    submit(plane, world.teacher.address, group.address, "Câu hỏi cần duyệt")
    plane.wait_for_message(world.officer.address, "Câu hỏi cần duyệt")  # the notice
    plane.wait_for_message(world.teacher.address, "Câu hỏi cần duyệt")  # "waiting"
    held = HeldMessage.objects.get(group=group)
    assert held.state == HeldState.HELD and held.reason == "not_member"
    assert count_messages(plane, world.principal_a.address, "Câu hỏi cần duyệt") == 0
    moderation.approve(held=held, actor=None, endpoints=endpoints)
    raw = plane.wait_for_message(world.principal_a.address, "Câu hỏi cần duyệt")
    assert b"List-Id:" in raw
    # A second one is rejected with a reason the sender reads.
    submit(plane, world.teacher.address, group.address, "Câu hỏi bị từ chối")
    deadline = time.monotonic() + 20
    while not HeldMessage.objects.filter(group=group, state="held").exists():
        assert time.monotonic() < deadline, "not held"
        time.sleep(0.2)
    second = HeldMessage.objects.get(group=group, state="held")
    moderation.reject(held=second, actor=None, reason="Gửi đúng kênh hỏi đáp của Phòng",
                      endpoints=endpoints)
    deadline = time.monotonic() + 20
    while count_messages(plane, world.teacher.address, "Câu hỏi bị từ chối") < 2:
        assert time.monotonic() < deadline, "the sender was not told of the rejection"
        time.sleep(0.2)
    notice = email.message_from_bytes(
        plane.wait_for_message(world.teacher.address, "Câu hỏi bị từ chối"),
        policy=email.policy.default)
    body = notice.get_body(("plain",))
    assert body is not None and "Gửi đúng kênh hỏi đáp của Phòng" in body.get_content()
    with pytest.raises(moderation.ModerationError):
        moderation.approve(held=second, actor=None, endpoints=endpoints)


def test_a_registration_changes_delivery(plane: Plane, world: World) -> None:
    tree = world.mail.tree
    clerical = mailbox_for(None, tree.school_a, "vanthu@th-a.minhhai.edu.vn", kind="unit")
    other = mailbox_for(None, tree.school_b, "vanthu@th-b.minhhai.edu.vn", kind="unit")
    slot = world.clerical.slots.get(unit_kind="institution")
    # School B registered earlier: its copy shows when the first message has been expanded.
    actions.decide_registration(
        actor=tree.dept_admin, approve=True,
        registration=actions.register(actor=tree.school_b_admin, slot=slot, unit=tree.school_b,
                                      address=other.address))
    subject_before, subject_after = "Công văn trước đăng ký", "Công văn sau đăng ký"
    submit(plane, world.officer.address, world.clerical.address, subject_before)
    plane.wait_for_message(other.address, subject_before)
    registration = actions.register(actor=tree.school_a_admin, slot=slot, unit=tree.school_a,
                                    address=clerical.address)
    # Not a member until the group's owner approves it.
    assert clerical.address not in membership.resolve(world.clerical).members
    actions.decide_registration(actor=tree.dept_admin, registration=registration, approve=True)
    submit(plane, world.officer.address, world.clerical.address, subject_after)
    plane.wait_for_message(clerical.address, subject_after)
    assert count_messages(plane, clerical.address, subject_before) == 0
