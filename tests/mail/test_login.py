"""Logging in with a mailbox: the mailbox's password, throttled, and only while active."""

from __future__ import annotations

from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from edugate.directory import actions as directory
from edugate.mail import actions
from edugate.mail.auth import MAX_FAILURES_PER_CLIENT
from tests.mail.conftest import PASSWORD, MailTree


def activate(mail: MailTree) -> None:
    code = actions.issue_activation_code(actor=None, mailbox=mail.teacher_a)
    actions.activate_with_code(address=mail.teacher_a.address, code=code, password=PASSWORD)


def login(client: Client, address: str, password: str) -> bool:
    response = client.post(reverse("wagtailadmin_login"),
                           {"username": address, "password": password})
    return response.status_code == 302


def test_the_activation_page_then_the_login(mail: MailTree, client: Client) -> None:
    cache.clear()
    code = actions.issue_activation_code(actor=None, mailbox=mail.teacher_a)
    page = client.get(reverse("mail_activate"))
    assert page.status_code == 200 and 'lang="vi"' in page.content.decode()
    response = client.post(reverse("mail_activate"), {
        "address": mail.teacher_a.address, "code": code,
        "password": PASSWORD, "password2": PASSWORD,
    })
    assert response.status_code == 302 and response["Location"] == reverse("mail_login")
    # A teacher without any role logs in to their account page...
    response = client.post(reverse("mail_login"), {"username": mail.teacher_a.address,
                                                   "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("mail_account")
    page = client.get(reverse("mail_account")).content.decode()
    assert mail.teacher_a.address in page and "IMAP" in page
    client.post(reverse("mail_logout"))
    # ...and, given a role, uses the back office with the same mailbox password.
    directory.grant_role(actor=None, person=mail.tree.teacher_a, unit=mail.tree.school_a,
                         kind="editor")
    assert login(client, mail.teacher_a.address, PASSWORD)
    assert client.get(reverse("wagtailadmin_home")).status_code == 200


def test_a_bad_field_is_explained_next_to_it_in_vietnamese(mail: MailTree, client: Client) -> None:
    cache.clear()
    code = actions.issue_activation_code(actor=None, mailbox=mail.teacher_a)
    response = client.post(reverse("mail_activate"), {
        "address": mail.teacher_a.address, "code": code,
        "password": "ngan", "password2": "ngan",
    })
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_password_error"' in body or "errorlist" in body
    assert "ký tự" in body  # "at least 10 characters", in Vietnamese


def test_wrong_passwords_are_throttled(mail: MailTree, client: Client) -> None:
    cache.clear()
    activate(mail)
    for _ in range(MAX_FAILURES_PER_CLIENT):
        assert not login(client, mail.teacher_a.address, "sai-mat-khau-roi")
    # Now even the right password is refused until the window passes.
    assert not login(client, mail.teacher_a.address, PASSWORD)
    cache.clear()
    assert login(client, mail.teacher_a.address, PASSWORD)


def test_suspended_mailboxes_cannot_log_in(mail: MailTree, client: Client) -> None:
    cache.clear()
    activate(mail)
    actions.suspend_mailbox(actor=mail.tree.school_a_admin, mailbox=mail.teacher_a)
    assert not login(client, mail.teacher_a.address, PASSWORD)
    actions.reactivate_mailbox(actor=mail.tree.school_a_admin, mailbox=mail.teacher_a)
    assert login(client, mail.teacher_a.address, PASSWORD)


def test_users_change_their_own_password(mail: MailTree, client: Client) -> None:
    cache.clear()
    activate(mail)
    assert login(client, mail.teacher_a.address, PASSWORD)
    new = "Sen-trang-ho-tay-99"
    response = client.post(reverse("mail_password"), {
        "current": PASSWORD, "password": new, "password2": new})
    assert response.status_code == 302
    client.logout()
    assert not login(client, mail.teacher_a.address, PASSWORD)
    assert login(client, mail.teacher_a.address, new)
