"""Mailbox lifecycle: leavers, handovers, delegates, aliases, forwarding and unit defaults."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from edugate.audit.models import AuditEvent
from edugate.directory import actions as directory
from edugate.directory.models import PersonStatus
from edugate.mail import actions
from edugate.mail.credentials import verify_password
from edugate.mail.models import (
    DEFAULT_QUOTA_MB,
    Alias,
    Delegate,
    Mailbox,
    MailboxKind,
    MailboxState,
)
from tests.mail.conftest import PASSWORD, MailTree

TODAY = datetime.date(2026, 11, 29)


def activate(mailbox: Mailbox) -> Mailbox:
    return actions.set_password_by_operator(mailbox=mailbox, password=PASSWORD)


def fresh(mailbox: Mailbox) -> Mailbox:
    return Mailbox.objects.get(pk=mailbox.pk)


def principal_box(mail: MailTree) -> Mailbox:
    return actions.create_mailbox(actor=None, unit=mail.tree.school_a, domain=mail.school_a,
                                  local_part="hieutruong", kind=MailboxKind.POSITION,
                                  person=mail.tree.teacher_a)


# --- Leavers ---------------------------------------------------------------------------------

def test_a_leaver_keeps_their_mailbox_for_the_grace_period_then_it_closes(mail: MailTree) -> None:
    admin = mail.tree.school_a_admin
    box = activate(mail.teacher_a)
    directory.update_person(actor=admin, person=mail.tree.teacher_a, status=PersonStatus.LEFT)
    box = fresh(box)
    assert box.state == MailboxState.ACTIVE  # still usable during the grace period
    assert box.close_on == timezone.localdate() + datetime.timedelta(days=30)
    assert AuditEvent.objects.filter(action="mailbox.schedule_close", object_id=str(box.pk),
                                     actor=admin).exists()

    assert actions.close_due_mailboxes(today=box.close_on - datetime.timedelta(days=1)) == []
    closed = actions.close_due_mailboxes(today=box.close_on)
    assert [m.pk for m in closed] == [box.pk]
    box = fresh(box)
    assert box.state == MailboxState.CLOSED
    assert box.password_hash  # nothing deleted: the mail and the account stay
    assert actions.close_due_mailboxes(today=box.close_on) == []  # idempotent


def test_the_grace_period_is_inherited_from_the_nearest_unit_that_sets_it(mail: MailTree) -> None:
    actions.set_mail_defaults(actor=None, unit=mail.tree.department, leaver_grace_days=60)
    actions.set_mail_defaults(actor=None, unit=mail.tree.office, leaver_grace_days=7)
    directory.update_person(actor=None, person=mail.tree.teacher_a, status=PersonStatus.LEFT)
    assert fresh(mail.teacher_a).close_on == timezone.localdate() + datetime.timedelta(days=7)


def test_a_returner_before_the_end_of_grace_keeps_their_mailbox(mail: MailTree) -> None:
    person = mail.tree.teacher_a
    directory.update_person(actor=None, person=person, status=PersonStatus.LEFT)
    directory.update_person(actor=None, person=person, status=PersonStatus.ACTIVE)
    assert fresh(mail.teacher_a).close_on is None
    assert actions.close_due_mailboxes(today=TODAY + datetime.timedelta(days=400)) == []


def test_a_leaving_holder_vacates_the_position_mailbox_and_their_delegations(
    mail: MailTree,
) -> None:
    position = activate(principal_box(mail))
    office = actions.create_mailbox(actor=None, unit=mail.tree.school_a, domain=mail.school_a,
                                    local_part="vanthu", kind=MailboxKind.UNIT)
    actions.add_delegate(actor=None, mailbox=office, person=mail.tree.teacher_a)
    directory.update_person(actor=None, person=mail.tree.teacher_a, status=PersonStatus.LEFT)
    position = fresh(position)
    assert (position.person, position.state, position.password_hash) == (
        None, MailboxState.PENDING, "")
    assert position.close_on is None  # the position stays, waiting for the next holder
    assert not Delegate.objects.filter(person=mail.tree.teacher_a).exists()


def test_the_close_due_command_closes_and_reports(mail: MailTree) -> None:
    import io

    from django.core.management import call_command

    actions.update_mailbox(actor=None, mailbox=mail.teacher_a, display_name="",
                           quota_mb=None, forward_to="", close_on=timezone.localdate())
    out = io.StringIO()
    call_command("mailboxes", "close-due", stdout=out)
    assert mail.teacher_a.address in out.getvalue()
    assert fresh(mail.teacher_a).state == MailboxState.CLOSED


# --- Handover --------------------------------------------------------------------------------

def test_a_position_mailbox_passes_to_the_new_holder_with_its_mail(mail: MailTree) -> None:
    position = activate(principal_box(mail))
    successor = directory.create_person(actor=None, unit=mail.tree.school_a,
                                        full_name="Lê Thị Hoa", position="Hiệu trưởng")
    position = actions.hand_over(actor=mail.tree.school_a_admin, mailbox=position,
                                 person=successor)
    assert position.person == successor
    assert position.state == MailboxState.PENDING
    assert not verify_password(position.password_hash, PASSWORD)  # the old password stops
    assert position.address == "hieutruong@th-a.minhhai.edu.vn"
    code = actions.issue_activation_code(actor=mail.tree.school_a_admin, mailbox=position)
    assert actions.activate_with_code(address=position.address, code=code,
                                      password="Mua-thu-vang-2026").state == MailboxState.ACTIVE
    event = AuditEvent.objects.get(action="mailbox.handover", object_id=str(position.pk))
    assert event.changes["person"][1] == str(successor)


def test_only_position_mailboxes_are_handed_over_and_only_within_scope(mail: MailTree) -> None:
    with pytest.raises(ValidationError):
        actions.hand_over(actor=None, mailbox=mail.teacher_a, person=mail.tree.teacher_b)
    position = principal_box(mail)
    with pytest.raises(PermissionDenied):
        actions.hand_over(actor=mail.tree.school_b_admin, mailbox=position,
                          person=mail.tree.teacher_b)
    with pytest.raises(PermissionDenied):  # school A's admin cannot pick school B's teacher
        actions.hand_over(actor=mail.tree.school_a_admin, mailbox=position,
                          person=mail.tree.teacher_b)


# --- Delegates and aliases -------------------------------------------------------------------

def test_a_unit_mailbox_lists_its_delegates(mail: MailTree) -> None:
    admin = mail.tree.school_a_admin
    office = actions.create_mailbox(actor=admin, unit=mail.tree.school_a, domain=mail.school_a,
                                    local_part="vanthu", kind=MailboxKind.UNIT)
    delegate = actions.add_delegate(actor=admin, mailbox=office, person=mail.tree.teacher_a)
    assert list(office.delegates.values_list("person__full_name", flat=True)) == [
        "Nguyễn Văn An"]
    with pytest.raises(ValidationError):
        actions.add_delegate(actor=admin, mailbox=office, person=mail.tree.teacher_a)
    with pytest.raises(ValidationError):  # a personal mailbox has no delegates
        actions.add_delegate(actor=admin, mailbox=mail.teacher_a, person=mail.tree.teacher_a)
    with pytest.raises(PermissionDenied):
        actions.remove_delegate(actor=mail.tree.school_b_admin, delegate=delegate)
    actions.remove_delegate(actor=admin, delegate=delegate)
    assert AuditEvent.objects.filter(action__in=["delegate.create", "delegate.delete"]).count() == 2


def test_an_alias_takes_an_address_nobody_else_has(mail: MailTree) -> None:
    admin = mail.tree.school_a_admin
    alias = actions.add_alias(actor=admin, mailbox=mail.teacher_a, local_part="an.nguyen",
                              domain=mail.school_a)
    assert alias.address == "an.nguyen@th-a.minhhai.edu.vn"
    with pytest.raises(ValidationError):  # taken by the alias now
        actions.create_mailbox(actor=admin, unit=mail.tree.school_a, domain=mail.school_a,
                               local_part="an.nguyen", kind=MailboxKind.UNIT)
    with pytest.raises(ValidationError):  # taken by a mailbox
        actions.add_alias(actor=admin, mailbox=mail.teacher_a, local_part="annv",
                          domain=mail.school_a)
    with pytest.raises(ValidationError):  # reserved for role mailboxes
        actions.add_alias(actor=admin, mailbox=mail.teacher_a, local_part="postmaster",
                          domain=mail.school_a)
    with pytest.raises(ValidationError):  # another school's domain
        actions.add_alias(actor=admin, mailbox=mail.teacher_a, local_part="an",
                          domain=mail.school_b)
    actions.remove_alias(actor=admin, alias=alias)
    assert not Alias.objects.exists()


# --- Forwarding ------------------------------------------------------------------------------

def test_forwarding_has_an_end_date_and_never_points_at_itself(mail: MailTree) -> None:
    box = actions.update_mailbox(actor=None, mailbox=mail.teacher_a, display_name="",
                                 quota_mb=None, forward_to=" An.Nguyen@Gmail.com ",
                                 forward_keep_copy=False,
                                 forward_until=TODAY + datetime.timedelta(days=90))
    assert (box.forward_to, box.forward_keep_copy) == ("an.nguyen@gmail.com", False)
    assert box.forward_until == TODAY + datetime.timedelta(days=90)
    with pytest.raises(ValidationError):
        actions.update_mailbox(actor=None, mailbox=box, display_name="", quota_mb=None,
                               forward_to=box.address)
    cleared = actions.update_mailbox(actor=None, mailbox=box, display_name="", quota_mb=None,
                                     forward_to="", forward_until=TODAY)
    assert cleared.forward_until is None


def test_a_close_date_in_the_past_is_refused(mail: MailTree) -> None:
    with pytest.raises(ValidationError) as error:
        actions.update_mailbox(actor=None, mailbox=mail.teacher_a, display_name="",
                               quota_mb=None, forward_to="",
                               close_on=timezone.localdate() - datetime.timedelta(days=1))
    assert "close_on" in error.value.error_dict


# --- Quota defaults --------------------------------------------------------------------------

def test_quota_comes_from_the_mailbox_then_the_nearest_unit_then_the_kind(mail: MailTree) -> None:
    box = mail.teacher_a
    assert fresh(box).effective_quota_mb == DEFAULT_QUOTA_MB[MailboxKind.PERSONAL]
    actions.set_mail_defaults(actor=None, unit=mail.tree.department, personal_quota_mb=4096)
    assert fresh(box).effective_quota_mb == 4096
    defaults = actions.set_mail_defaults(actor=mail.tree.school_a_admin, unit=mail.tree.school_a,
                                         personal_quota_mb=1024)
    assert fresh(box).effective_quota_mb == 1024
    actions.update_mailbox(actor=None, mailbox=box, display_name="", quota_mb=3000,
                           forward_to="")
    assert fresh(box).effective_quota_mb == 3000
    actions.clear_mail_defaults(actor=mail.tree.school_a_admin, defaults=defaults)
    actions.update_mailbox(actor=None, mailbox=box, display_name="", quota_mb=None,
                           forward_to="")
    assert fresh(box).effective_quota_mb == 4096
    with pytest.raises(PermissionDenied):
        actions.set_mail_defaults(actor=mail.tree.school_b_admin, unit=mail.tree.school_a,
                                  personal_quota_mb=1)


# --- Address policy per domain ---------------------------------------------------------------

def test_the_staff_import_follows_the_domains_address_policy(mail: MailTree, tmp_path) -> None:
    from edugate.core.tabular import write_table
    from edugate.mail.provisioning import import_staff

    directory.update_domain(actor=None, domain=mail.school_b, unit=mail.tree.school_b,
                            name=mail.school_b.name, alias_of=None,
                            address_policy="given.family_middle")
    sheet = tmp_path / "ds.xlsx"
    write_table(sheet, ["STT", "Họ và tên", "Ngày sinh"],
                [[1, "Trần Thị Bình", "01/02/1990"]])
    import_staff(sheet, actor=None, unit=mail.tree.school_b)
    assert Mailbox.objects.filter(address="binh.tranthi@th-b.minhhai.edu.vn").exists()
    with pytest.raises(ValidationError):
        directory.update_domain(actor=None, domain=mail.school_b, unit=mail.tree.school_b,
                                name=mail.school_b.name, alias_of=None, address_policy="nope")
