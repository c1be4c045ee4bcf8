"""Activation: a one-time code from the slip, a password that meets the policy, and nothing
that an administrator could read or reuse."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from edugate.audit.models import AuditEvent
from edugate.mail import actions, credentials
from edugate.mail.models import ActivationCode, MailboxState
from tests.mail.conftest import PASSWORD, MailTree


def test_a_code_activates_the_mailbox_once(mail: MailTree) -> None:
    code = actions.issue_activation_code(actor=mail.tree.school_a_admin, mailbox=mail.teacher_a)
    mailbox = actions.activate_with_code(address="ANNV@th-a.minhhai.edu.vn ",
                                         code=code.lower().replace("-", " "), password=PASSWORD)
    assert mailbox.state == MailboxState.ACTIVE
    assert mailbox.password_hash.startswith("$argon2id$v=19$")
    assert credentials.verify_password(mailbox.password_hash, PASSWORD)
    with pytest.raises(ValidationError):
        actions.activate_with_code(address=mailbox.address, code=code, password=PASSWORD + "x")


def test_only_a_digest_of_the_code_is_stored_and_never_audited(mail: MailTree) -> None:
    code = actions.issue_activation_code(actor=None, mailbox=mail.teacher_a)
    stored = ActivationCode.objects.get()
    assert code.replace("-", "") not in stored.code_hash
    assert stored.code_hash == credentials.code_digest(code)
    assert all(code not in str(e.changes) for e in AuditEvent.objects.all())
    assert len(credentials.normalize_code(code)) == 20  # 100 bits


def test_a_new_code_revokes_the_old_one(mail: MailTree) -> None:
    first = actions.issue_activation_code(actor=None, mailbox=mail.teacher_a)
    second = actions.issue_activation_code(actor=None, mailbox=mail.teacher_a)
    with pytest.raises(ValidationError):
        actions.activate_with_code(address=mail.teacher_a.address, code=first, password=PASSWORD)
    actions.activate_with_code(address=mail.teacher_a.address, code=second, password=PASSWORD)


def test_expired_codes_and_other_addresses_are_refused(mail: MailTree) -> None:
    code = actions.issue_activation_code(actor=None, mailbox=mail.teacher_a)
    with pytest.raises(ValidationError):
        actions.activate_with_code(address="khac@th-a.minhhai.edu.vn", code=code,
                                   password=PASSWORD)
    ActivationCode.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    with pytest.raises(ValidationError):
        actions.activate_with_code(address=mail.teacher_a.address, code=code, password=PASSWORD)


@pytest.mark.parametrize("password", ["ngan", "1234567890123", "qwertyuiop", "annv-2026-hoa",
                                      "nguyen-an-2026", "An Nguyễn 2026!"])
def test_weak_passwords_are_refused_with_reasons(mail: MailTree, password: str) -> None:
    code = actions.issue_activation_code(actor=None, mailbox=mail.teacher_a)
    with pytest.raises(ValidationError) as error:
        actions.activate_with_code(address=mail.teacher_a.address, code=code, password=password)
    assert error.value.message_dict["password"]
    mail.teacher_a.refresh_from_db()
    assert mail.teacher_a.state == MailboxState.PENDING and not mail.teacher_a.password_hash


def test_a_sibling_school_cannot_issue_codes(mail: MailTree) -> None:
    with pytest.raises(PermissionDenied):
        actions.issue_activation_code(actor=mail.tree.school_b_admin, mailbox=mail.teacher_a)


def test_suspended_and_closed_mailboxes_get_no_code(mail: MailTree) -> None:
    actions.suspend_mailbox(actor=None, mailbox=mail.teacher_a)
    with pytest.raises(ValidationError):
        actions.issue_activation_code(actor=None, mailbox=mail.teacher_a)
