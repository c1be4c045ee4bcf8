"""The back office of email groups: the group form, rules and members, the preview, held
messages (through a real SMTP server standing in for the mail plane), registrations, the
archive, and that none of it shows or changes a sibling school's group."""

from __future__ import annotations

import html
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from edugate.accounts.models import User
from edugate.audit.labels import ACTION_LABELS
from edugate.audit.models import AuditEvent
from edugate.groups import actions, membership, moderation
from edugate.groups.models import (
    ArchivedMessage,
    EmailGroup,
    GroupMember,
    GroupNesting,
    GroupRule,
    HeldMessage,
    HeldState,
    Registration,
    RegistrationSlot,
    RegistrationState,
)
from edugate.groups.posting import Reason
from edugate.mail import actions as mail_actions
from edugate.mail.models import Mailbox
from tests.groups.conftest import Sink, endpoints_at
from tests.groups.world import World


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response: Any) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return html.unescape(raw.decode())


def vi(message: str, **values: Any) -> str:
    """``message`` as the back office shows it (Vietnamese where the catalogue has it)."""
    with translation.override("vi"):
        translated = gettext(message)
    return translated % values if values else translated


def raw_message(sender: str, to: str, subject: str, body: str,
                html_body: str | None = None) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = "<test-1@th-b.minhhai.edu.vn>"
    message.set_content(body)
    if html_body is not None:
        message.add_alternative(html_body, subtype="html")
    return message.as_bytes()


def held_for(group: EmailGroup, sink: Sink, *, subject: str = "Họp khẩn",
             body: str = "Kính gửi các thầy cô.", html_body: str | None = None) -> HeldMessage:
    raw = raw_message("la@example.com", group.address, subject, body, html_body)
    held = moderation.hold(group=group, sender="la@example.com", raw=raw,
                           reason=Reason.NOT_MEMBER, endpoints=endpoints_at(sink.port))
    sink.received.clear()
    return held


def group_form(world: World, **overrides: Any) -> dict[str, Any]:
    tree = world.mail.tree
    data = {"local_part": "ketoan", "domain": world.mail.province.pk,
            "name": "Kế toán các trường", "description": "", "owner_unit": tree.department.pk,
            "posting_policy": "members", "allowed_senders": "", "others_action": "hold",
            "moderator_list": "", "hold_days": 7, "is_active": "on"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- The group form -------------------------------------------------------------------------

def test_the_department_admin_creates_a_group_through_the_form(world: World) -> None:
    tree = world.mail.tree
    client = client_for(tree.dept_admin)
    assert client.get("/admin/groups/new/").status_code == 200
    response = client.post("/admin/groups/new/", group_form(
        world, posting_policy="subtree", posting_unit=tree.office.pk, archive_enabled="on",
        allowed_senders="vanphong@minhhai.edu.vn\n@th-a.minhhai.edu.vn",
        moderator_list=world.officer.address))
    assert response.status_code == 302, text(response)
    group = EmailGroup.objects.get(address="ketoan@minhhai.edu.vn")
    assert group.posting_unit == tree.office and group.archive_enabled
    assert list(group.moderators.all()) == [world.officer.person]
    assert AuditEvent.objects.filter(action="groups.create", object_id=str(group.pk)).exists()
    assert AuditEvent.objects.filter(action="groups.moderators").exists()


def test_form_errors_appear_next_to_their_fields(world: World) -> None:
    tree = world.mail.tree
    client = client_for(tree.dept_admin)
    response = client.post("/admin/groups/new/", group_form(world, local_part="Kế Toán"))
    assert response.status_code == 200
    assert vi("Use lower-case letters without diacritics, digits and single dots.") in text(
        response)
    assert "Chỉ dùng chữ thường không dấu" in text(response)  # in Vietnamese
    response = client.post("/admin/groups/new/", group_form(world, local_part="hieutruong"))
    assert vi("The address %(address)s is already in use.",
              address="hieutruong@minhhai.edu.vn") in text(response)
    response = client.post("/admin/groups/new/", group_form(world, posting_policy="subtree"))
    assert vi("Choose the unit whose users may post.") in text(response)
    response = client.post("/admin/groups/new/", group_form(world, allowed_senders="không"))
    assert vi("“%(entry)s” is neither an address nor @domain.", entry="không") in text(response)
    response = client.post("/admin/groups/new/", group_form(
        world, moderator_list="nobody@example.com"))
    assert vi("No one in your units has the address %(addresses)s.",
              addresses="nobody@example.com") in text(response)
    assert not EmailGroup.objects.filter(local_part__in=["ketoan", "kế toán"]).exists()


def test_a_school_admin_cannot_use_a_sibling_s_domain_or_unit(world: World) -> None:
    tree = world.mail.tree
    client = client_for(tree.school_a_admin)
    client.post("/admin/groups/new/", group_form(world, domain=world.mail.school_b.pk,
                                                 owner_unit=tree.school_a.pk))
    client.post("/admin/groups/new/", group_form(world, domain=world.mail.school_a.pk,
                                                 owner_unit=tree.school_b.pk))
    assert not EmailGroup.objects.filter(local_part="ketoan").exists()
    response = client.post("/admin/groups/new/", group_form(
        world, domain=world.mail.school_a.pk, owner_unit=tree.school_a.pk))
    assert response.status_code == 302
    assert EmailGroup.objects.get(local_part="ketoan").address == "ketoan@th-a.minhhai.edu.vn"


def test_editing_a_group_goes_through_the_action_and_is_audited(world: World) -> None:
    tree = world.mail.tree
    group = world.principals
    old_name = group.name
    group.moderators.add(world.officer.person)
    client = client_for(tree.dept_admin)
    page = client.get(f"/admin/groups/edit/{group.pk}/")
    assert page.status_code == 200
    assert f"/admin/groups/preview/{group.pk}/" in page.content.decode()
    assert world.officer.address in text(page)  # the moderator, as the form reads it back
    response = client.post(f"/admin/groups/edit/{group.pk}/", group_form(
        world, name="Hiệu trưởng toàn tỉnh", posting_policy="allowed",
        allowed_senders="giamdoc@minhhai.edu.vn", others_action="refuse", hold_days=3,
        archive_enabled="on", moderator_list=world.officer.address))
    assert response.status_code == 302, text(response)
    group.refresh_from_db()
    assert (group.name, group.posting_policy, group.others_action, group.hold_days) == (
        "Hiệu trưởng toàn tỉnh", "allowed", "refuse", 3)
    assert group.address == "hieutruong@minhhai.edu.vn"  # the address is not editable
    event = AuditEvent.objects.get(action="groups.update", object_id=str(group.pk))
    assert event.changes["name"] == [old_name, "Hiệu trưởng toàn tỉnh"]
    assert list(group.moderators.all()) == [world.officer.person]
    assert not AuditEvent.objects.filter(action="groups.moderators").exists()  # unchanged


def test_the_group_list_searches_without_diacritics(world: World) -> None:
    client = client_for(world.mail.tree.dept_admin)
    response = client.get("/admin/groups/?q=hieu+truong")
    assert world.principals.address in text(response)
    assert world.clerical.address not in text(response)
    listing = text(client.get("/admin/groups/"))
    assert world.principals.owner_unit.name in listing
    assert str(len(membership.resolve(world.principals))) in listing


# --- Rules, members, nesting, slots ---------------------------------------------------------

def test_rules_members_nesting_and_slots_are_edited_on_the_group_s_page(world: World) -> None:
    tree = world.mail.tree
    group = world.principals
    client = client_for(tree.dept_admin)
    url = f"/admin/groups/members/{group.pk}/"
    assert client.get(url).status_code == 200

    before = GroupRule.objects.filter(group=group).count()
    response = client.post(url, {"form": "rule", "rule-kind": "staff",
                                 "rule-under": tree.school_a.pk,
                                 "rule-prefer_position_mailbox": "on"})
    assert response.status_code == 302
    assert GroupRule.objects.filter(group=group).count() == before + 1
    assert world.teacher.address in membership.resolve(group).members

    response = client.post(url, {"form": "rule", "rule-kind": "role_holders",
                                 "rule-under": tree.department.pk})
    assert response.status_code == 400
    assert vi("Choose the role whose holders are members.") in text(response)

    response = client.post(url, {"form": "member", "member-address": "ngoai@example.com"})
    assert response.status_code == 400
    assert vi("This group does not allow addresses outside the organisation.") in text(
        response)
    response = client.post(url, {"form": "member", "member-address": world.officer.address})
    assert response.status_code == 302
    member = GroupMember.objects.get(group=group, mailbox=world.officer)

    # Nesting: "principals" in "staff" is fine; "staff" back into "principals" is a loop.
    staff_url = f"/admin/groups/members/{world.staff.pk}/"
    assert client.post(staff_url, {"form": "nest", "nest-child": group.pk}).status_code == 302
    response = client.post(url, {"form": "nest", "nest-child": world.staff.pk})
    assert response.status_code == 400
    assert vi("%(child)s already contains %(parent)s: nesting it would make a loop.",
              child=world.staff.address, parent=group.address) in text(response)
    assert not GroupNesting.objects.filter(parent=group, child=world.staff).exists()

    response = client.post(url, {"form": "slot", "slot-name": "Văn thư",
                                 "slot-under": tree.department.pk,
                                 "slot-unit_kind": "institution"})
    assert response.status_code == 302
    slot = RegistrationSlot.objects.get(group=group, name="Văn thư")

    for form, obj in (("remove_member", member), ("remove_slot", slot),
                      ("remove_rule", GroupRule.objects.filter(group=group).last())):
        assert client.post(url, {"form": form, "id": obj.pk}).status_code == 302
        assert not type(obj).objects.filter(pk=obj.pk).exists()
    nesting = GroupNesting.objects.get(parent=world.staff, child=group)
    client.post(staff_url, {"form": "remove_nested", "id": nesting.pk})
    assert not GroupNesting.objects.filter(pk=nesting.pk).exists()
    codes = set(AuditEvent.objects.filter(action__startswith="groups.")
                .values_list("action", flat=True))
    assert {"groups.rule_add", "groups.member_add", "groups.nest", "groups.slot_add",
            "groups.rule_remove", "groups.member_remove", "groups.unnest",
            "groups.slot_remove"} <= codes
    assert codes <= set(ACTION_LABELS)


def test_a_rule_is_previewed_before_it_is_saved(world: World) -> None:
    tree = world.mail.tree
    group = world.principals
    client = client_for(tree.dept_admin)
    rules = GroupRule.objects.filter(group=group).count()
    response = client.post(f"/admin/groups/members/{group.pk}/", {
        "form": "rule", "preview": "1", "rule-kind": "staff", "rule-under": tree.school_a.pk})
    assert response.status_code == 200
    assert world.teacher.address in text(response)
    assert GroupRule.objects.filter(group=group).count() == rules  # nothing saved


def test_the_preview_lists_every_member_once_with_why(world: World) -> None:
    tree = world.mail.tree
    group = world.principals
    actions.add_member(actor=None, group=group, mailbox=world.principal_a)
    client = client_for(tree.dept_admin)
    response = client.get(f"/admin/groups/preview/{group.pk}/")
    assert response.status_code == 200
    page = text(response)
    resolved = membership.resolve(group)
    assert len(resolved) >= 3
    for address, reasons in resolved.members.items():
        assert address in page
        for why in reasons:
            assert why in page
    assert page.count(world.principal_a.address) == 1
    assert vi("Member") in page


# --- Held messages --------------------------------------------------------------------------

def test_a_held_message_is_shown_as_text_and_approved(world: World, smtp_sink: Sink) -> None:
    tree = world.mail.tree
    group = world.principals
    held = held_for(group, smtp_sink, subject="Họp <b>khẩn</b>",
                    body="Dòng một\n<script>alert(1)</script>",
                    html_body="<p>Dòng một</p><script>alert(1)</script>")
    client = client_for(tree.dept_admin)
    listing = client.get("/admin/group_held/")
    assert "Họp <b>khẩn</b>" in text(listing)
    assert "<b>khẩn</b>" not in listing.content.decode()  # escaped, not markup
    detail = client.get(f"/admin/group_held/{held.pk}/")
    assert detail.status_code == 200
    assert "<script>alert(1)</script>" not in detail.content.decode()
    assert "Dòng một" in text(detail)
    assert "la@example.com" in text(detail)

    response = client.post(f"/admin/group_held/{held.pk}/", {"decision": "approve"})
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.state == HeldState.APPROVED and held.decided_by == tree.dept_admin
    members = set(membership.resolve(group).members)
    assert members and members <= set(smtp_sink.recipients())
    assert "la@example.com" in smtp_sink.recipients()  # the sender is told
    copy = next(e for e in smtp_sink.received if e.sender == group.bounce_address
                and set(e.recipients) & members)
    assert b"List-Id:" in copy.data and b"Message-ID: <test-1@th-b.minhhai.edu.vn>" in copy.data
    # Decided once: a second approval is refused with a message, nothing sent.
    smtp_sink.received.clear()
    client.post(f"/admin/group_held/{held.pk}/", {"decision": "approve"})
    assert smtp_sink.received == []


def test_rejecting_needs_a_reason_which_the_sender_reads(world: World, smtp_sink: Sink) -> None:
    tree = world.mail.tree
    held = held_for(world.principals, smtp_sink)
    client = client_for(tree.dept_admin)
    response = client.post(f"/admin/group_held/{held.pk}/", {"decision": "reject",
                                                            "reason": "  "})
    assert response.status_code == 400
    held.refresh_from_db()
    assert held.state == HeldState.HELD and smtp_sink.received == []
    response = client.post(f"/admin/group_held/{held.pk}/", {
        "decision": "reject", "reason": "Không phải việc của nhóm"})
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.state == HeldState.REJECTED
    assert held.decision_note == "Không phải việc của nhóm"
    assert smtp_sink.recipients() == ["la@example.com"]
    notice = message_from_bytes(smtp_sink.received[0].data, policy=policy.default)
    assert isinstance(notice, EmailMessage)
    body = notice.get_body(preferencelist=("plain",))
    assert body is not None and "Không phải việc của nhóm" in body.get_content()


def test_approving_while_the_mail_plane_is_down_keeps_the_message_held(
    world: World, smtp_sink: Sink, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree = world.mail.tree
    held = held_for(world.principals, smtp_sink)
    from tests.groups.conftest import _free_port

    dead = _free_port()
    from edugate.groups import endpoints

    monkeypatch.setattr(endpoints, "current", lambda: endpoints_at(dead))
    client = client_for(tree.dept_admin)
    response = client.post(f"/admin/group_held/{held.pk}/", {"decision": "approve"},
                           follow=True)
    held.refresh_from_db()
    assert held.state == HeldState.HELD
    assert not ArchivedMessage.objects.exists()
    page = text(response)
    assert vi("The message could not be sent: the mail service is not reachable "
              "(%(error)s). It is still held; try again later.", error="X").split("(")[0] in page


def test_a_designated_moderator_sees_the_held_message(world: World, smtp_sink: Sink) -> None:
    tree = world.mail.tree
    held = held_for(world.principals, smtp_sink)
    # School B's administrator manages nothing of the Department's: only as a moderator.
    client = client_for(tree.school_b_admin)
    assert client.get(f"/admin/group_held/{held.pk}/").status_code == 404
    world.principals.moderators.add(tree.school_b_admin.person)
    assert client.get(f"/admin/group_held/{held.pk}/").status_code == 200


# --- Registrations --------------------------------------------------------------------------

def test_a_school_registers_and_the_owner_approves(world: World, smtp_sink: Sink) -> None:
    tree = world.mail.tree
    group = world.clerical
    slot = actions.add_slot(actor=None, group=group, name="Văn thư trường",
                            under=tree.department, unit_kind="institution", level="primary")
    # School B has a unit mailbox (where reminders go); school A registers an outside one.
    mail_actions.create_mailbox(actor=None, unit=tree.school_b, domain=world.mail.school_b,
                                local_part="vanthu", kind="unit")
    school = client_for(tree.school_a_admin)
    page = text(school.get("/admin/group_registrations/"))
    assert "Văn thư trường" in page and tree.school_a.name in page
    assert tree.school_b.name not in page
    url = f"/admin/group_registrations/{slot.pk}/{tree.school_a.pk}/"
    response = school.post(url, {"address": "không hợp lệ"})
    assert response.status_code == 400
    response = school.post(url, {"address": "vanthu.thanb@gmail.com", "note": "tạm thời"})
    assert response.status_code == 302
    registration = Registration.objects.get(slot=slot, unit=tree.school_a)
    assert registration.state == RegistrationState.PENDING
    # Not school A's to register for school B.
    assert school.get(f"/admin/group_registrations/{slot.pk}/{tree.school_b.pk}/"
                      ).status_code == 404

    owner = client_for(tree.dept_admin)
    page = text(owner.get(f"/admin/groups/registrations/{group.pk}/"))
    assert "vanthu.thanb@gmail.com" in page and tree.school_b.name in page  # B has not
    response = owner.post(f"/admin/groups/registrations/{group.pk}/", {
        "registration": registration.pk, "decision": "approve", "note": "ok"})
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.state == RegistrationState.APPROVED
    assert "vanthu.thanb@gmail.com" in membership.resolve(group).members

    response = owner.post(f"/admin/groups/registrations/{group.pk}/", {"form": "remind"})
    assert response.status_code == 302
    assert set(smtp_sink.recipients()) == {"vanthu@th-b.minhhai.edu.vn"}
    assert AuditEvent.objects.filter(action="groups.remind").exists()


def test_reminding_while_the_mail_plane_is_down_says_so(world: World, plane_down: int) -> None:
    tree = world.mail.tree
    group = world.clerical
    actions.add_slot(actor=None, group=group, name="Văn thư trường", under=tree.department,
                     unit_kind="institution")
    mail_actions.create_mailbox(actor=None, unit=tree.school_b, domain=world.mail.school_b,
                                local_part="vanthu", kind="unit")
    response = client_for(tree.dept_admin).post(
        f"/admin/groups/registrations/{group.pk}/", {"form": "remind"}, follow=True)
    assert response.status_code == 200
    assert vi("The reminders could not be sent: the mail service is not reachable "
              "(%(error)s). Nothing was recorded; try again later.",
              error="X").split("(")[0] in text(response)
    assert not AuditEvent.objects.filter(action="groups.remind").exists()


# --- The archive ----------------------------------------------------------------------------

def test_the_archive_is_read_by_managers_and_members_only(
    world: World, school_group: EmailGroup, smtp_sink: Sink
) -> None:
    tree = world.mail.tree
    raw = raw_message("ht.a@th-a.minhhai.edu.vn", school_group.address, "Lịch họp",
                      "Họp tổ chuyên môn thứ Hai.", "<p>Họp <i>tổ</i></p><img src=x>")
    moderation.distribute(school_group, "ht.a@th-a.minhhai.edu.vn", raw,
                          endpoints_at(smtp_sink.port))
    archived = ArchivedMessage.objects.get(group=school_group)

    manager = client_for(tree.school_a_admin)
    assert "Lịch họp" in text(manager.get(f"/admin/groups/archive/{school_group.pk}/"))
    detail = manager.get(f"/admin/groups/archive/message/{archived.pk}/")
    assert "Họp tổ chuyên môn thứ Hai." in text(detail)
    assert "<img" not in detail.content.decode()

    # A member with a back-office login (a school B administrator whose mailbox is in it).
    member_box = mail_actions.create_mailbox(
        actor=None, unit=tree.school_b, domain=world.mail.school_b, local_part="quantri.b",
        kind="personal", person=tree.school_b_admin.person)
    sibling = client_for(tree.school_b_admin)
    assert sibling.get(f"/admin/groups/archive/message/{archived.pk}/").status_code == 404
    assert "Lịch họp" not in text(sibling.get("/admin/group_archives/"))
    actions.add_member(actor=None, group=school_group, mailbox=member_box)
    assert "Lịch họp" in text(sibling.get(f"/admin/groups/archive/message/{archived.pk}/"))
    assert school_group.address in text(sibling.get("/admin/group_archives/"))
    # ...who still cannot manage it.
    assert sibling.get(f"/admin/groups/edit/{school_group.pk}/").status_code == 404


# --- Scope ----------------------------------------------------------------------------------

def test_school_b_gets_nothing_of_school_a_s_group(
    world: World, school_group: EmailGroup, smtp_sink: Sink
) -> None:
    tree = world.mail.tree
    held = held_for(school_group, smtp_sink, subject="Bí mật An Bình")
    slot = actions.add_slot(actor=None, group=school_group, name="Tổ", under=tree.school_a,
                            unit_kind="division")
    registration = Registration.objects.create(slot=slot, unit=tree.school_a,
                                               address="x@example.com")
    rule = actions.add_rule(actor=None, group=school_group, kind="staff", under=tree.school_a)
    sibling = client_for(tree.school_b_admin)
    pk = school_group.pk
    for url in (f"/admin/groups/edit/{pk}/", f"/admin/groups/inspect/{pk}/",
                f"/admin/groups/members/{pk}/", f"/admin/groups/preview/{pk}/",
                f"/admin/groups/registrations/{pk}/", f"/admin/groups/archive/{pk}/",
                f"/admin/groups/history/{pk}/", f"/admin/group_held/{held.pk}/"):
        assert sibling.get(url).status_code == 404, url
    for url, data in (
        (f"/admin/groups/members/{pk}/", {"form": "remove_rule", "id": rule.pk}),
        (f"/admin/groups/members/{pk}/", {"form": "member", "member-address": "x@y.vn"}),
        (f"/admin/groups/registrations/{pk}/", {"registration": registration.pk,
                                                "decision": "approve"}),
        (f"/admin/groups/registrations/{pk}/", {"form": "remind"}),
        (f"/admin/group_held/{held.pk}/", {"decision": "approve"}),
        (f"/admin/group_held/{held.pk}/", {"decision": "reject", "reason": "x"}),
        (f"/admin/groups/edit/{pk}/", group_form(world, name="Cướp")),
    ):
        assert sibling.post(url, data).status_code == 404, url
    held.refresh_from_db()
    registration.refresh_from_db()
    assert held.state == HeldState.HELD and registration.state == RegistrationState.PENDING
    assert GroupRule.objects.filter(pk=rule.pk).exists()
    assert not GroupMember.objects.filter(external_address="x@y.vn").exists()
    assert EmailGroup.objects.get(pk=pk).name == school_group.name
    for url in ("/admin/groups/", "/admin/groups/?q=giao+vien", "/admin/group_held/",
                "/admin/groups/?export=csv", "/admin/group_registrations/",
                "/admin/group_archives/"):
        page = text(sibling.get(url))
        assert school_group.address not in page and "Bí mật" not in page, url
    # Her own school's screens work (the control).
    assert sibling.get("/admin/groups/").status_code == 200
    assert sibling.get("/admin/groups/new/").status_code == 200


def test_the_office_admin_above_both_schools_manages_school_a_s_group(
    world: World, school_group: EmailGroup
) -> None:
    client = client_for(world.mail.tree.office_admin)
    assert client.get(f"/admin/groups/edit/{school_group.pk}/").status_code == 200
    assert school_group.address in text(client.get("/admin/groups/"))


def test_a_member_without_a_role_reads_the_archive_beside_their_mailbox(
    world: World, school_group: EmailGroup, smtp_sink: Sink
) -> None:
    """Teachers hold no directory role, so no back office: their groups' archives are at
    /account/groups/."""
    moderation.distribute(school_group, "ht.a@th-a.minhhai.edu.vn",
                          raw_message("ht.a@th-a.minhhai.edu.vn", school_group.address,
                                      "Lịch họp", "Họp <b>tổ</b> thứ Hai."),
                          endpoints_at(smtp_sink.port))
    archived = ArchivedMessage.objects.get()
    teacher = client_for(User.objects.create_user(world.teacher.address, "x" * 12,
                                                  person=world.teacher.person))
    response = teacher.get(f"/admin/groups/archive/{school_group.pk}/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert school_group.name in text(teacher.get("/account/groups/"))
    assert "Lịch họp" in text(teacher.get(f"/account/groups/{school_group.pk}/"))
    message = teacher.get(f"/account/groups/message/{archived.pk}/")
    assert "Họp <b>tổ</b> thứ Hai." in text(message)
    assert "<b>tổ</b>" not in message.content.decode()
    # Someone else's mailbox: not a member, nothing.
    other = client_for(User.objects.create_user(world.principal_b.address, "x" * 12,
                                                person=world.principal_b.person))
    assert other.get(f"/account/groups/{school_group.pk}/").status_code == 404
    assert other.get(f"/account/groups/message/{archived.pk}/").status_code == 404
    assert school_group.name not in text(other.get("/account/groups/"))
    # Logged out: to the login page.
    response = Client().get("/account/groups/")
    assert response.status_code == 302 and "/account/login/" in response["Location"]


def test_held_messages_of_a_mailbox_ignore_unknown_states(world: World) -> None:
    response = client_for(world.mail.tree.dept_admin).get("/admin/group_held/?state=nope")
    assert response.status_code == 200


# --- The crawl, over the new routes with school A's group objects --------------------------

def test_crawl_the_group_routes_as_the_sibling_admin(
    world: World, school_group: EmailGroup, smtp_sink: Sink
) -> None:
    from edugate.directory.models import Membership, RoleAssignment
    from tests.directory.test_admin_crawl import (
        OK_STATUSES,
        Targets,
        crawl_plan,
        fetch,
        leaked,
    )

    tree = world.mail.tree
    held = held_for(school_group, smtp_sink, subject="Bí mật An Bình")
    slot = actions.add_slot(actor=None, group=school_group, name="Tổ", under=tree.school_a,
                            unit_kind="division")
    registration = Registration.objects.create(slot=slot, unit=tree.school_a,
                                               address="x@example.com")
    moderation.distribute(school_group, "ht.a@th-a.minhhai.edu.vn",
                          raw_message("ht.a@th-a.minhhai.edu.vn", school_group.address,
                                      "Lưu An Bình", "x"), endpoints_at(smtp_sink.port))
    targets = Targets(
        unit=tree.school_a, person=tree.teacher_a,
        membership=Membership.objects.get(person=tree.teacher_a),
        role=RoleAssignment.objects.get(unit=tree.school_a, kind="administrator"),
        domain=world.mail.school_a,
        event=AuditEvent.objects.filter(unit=tree.school_a).first(),  # type: ignore[arg-type]
        admin_user=tree.school_a_admin)
    targets.by_model.update({
        Mailbox: [world.teacher.pk],
        EmailGroup: [school_group.pk], HeldMessage: [held.pk],
        RegistrationSlot: [slot.pk], Registration: [registration.pk],
        ArchivedMessage: [ArchivedMessage.objects.get().pk],
    })
    pks = sorted({school_group.pk, held.pk, slot.pk, registration.pk, tree.school_a.pk,
                  ArchivedMessage.objects.get().pk})
    plan, _excluded = crawl_plan(targets)
    ours = [(route, url) for route, url in plan
            if url.startswith(("/admin/groups/", "/admin/group_held/",
                               "/admin/group_registrations/", "/admin/group_archives/"))]
    assert len({route.route for route, _ in ours}) >= 14
    sibling = client_for(tree.school_b_admin)
    failures = []
    for route, url in ours:
        for pk_url in {url, *[url.replace(f"/{targets.pks_for(route.model)[0]}/", f"/{pk}/")
                              for pk in pks]}:
            response, crash = fetch(sibling, "get", pk_url)
            if crash is not None:
                failures.append(f"CRASH {pk_url} {crash}")
                continue
            if response.status_code not in OK_STATUSES:
                failures.append(f"{response.status_code} {pk_url}")
            found = leaked(response, ("An Bình", "giaovien@th-a", "Bí mật", "Lưu An"))
            if found:
                failures.append(f"LEAK {pk_url} {found}")
    assert not failures, "\n".join(failures)
