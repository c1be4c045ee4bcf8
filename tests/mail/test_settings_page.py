"""The holder's own automatic reply and forwarding at /account/settings/."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from edugate.accounts.models import User
from edugate.audit.models import AuditEvent
from edugate.mail import actions
from edugate.mail.models import Mailbox
from tests.mail.conftest import PASSWORD, MailTree


@pytest.fixture
def holder(mail: MailTree) -> Client:
    actions.set_password_by_operator(mailbox=mail.teacher_a, password=PASSWORD)
    client = Client(enforce_csrf_checks=True)
    assert client.login(username=mail.teacher_a.address, password=PASSWORD)
    return client


def post(client: Client, data: dict) -> object:
    client.get(reverse("mail_settings"))  # sets the CSRF cookie, as a browser's visit does
    token = client.cookies["csrftoken"].value
    return client.post(reverse("mail_settings"), {**data, "csrfmiddlewaretoken": token})


def test_the_holder_turns_on_an_automatic_reply(mail: MailTree, holder: Client) -> None:
    response = post(holder, {"form": "reply", "vacation_enabled": "on",
                             "vacation_subject": "Nghỉ phép",
                             "vacation_message": "Tôi nghỉ phép đến 31/12.",
                             "vacation_end": "2099-12-31"})
    assert response.status_code == 302
    box = Mailbox.objects.get(pk=mail.teacher_a.pk)
    assert box.vacation_enabled and box.vacation_end == datetime.date(2099, 12, 31)
    assert ':subject "Nghỉ phép"' in box.sieve_script
    assert '"le" "date" "2099-12-31"' in box.sieve_script
    event = AuditEvent.objects.get(action="mailbox.autoreply")
    assert event.actor.email == mail.teacher_a.address
    post(holder, {"form": "reply"})  # unticked: off
    assert Mailbox.objects.get(pk=mail.teacher_a.pk).sieve_script == ""


def test_a_reply_without_a_message_is_explained_next_to_the_field(
    mail: MailTree, holder: Client
) -> None:
    response = post(holder, {"form": "reply", "vacation_enabled": "on",
                             "vacation_message": " "})
    assert response.status_code == 200
    assert response.context["reply"].errors["vacation_message"]
    assert not Mailbox.objects.get(pk=mail.teacher_a.pk).vacation_enabled


def test_the_holder_forwards_their_mail_but_not_to_themselves(
    mail: MailTree, holder: Client
) -> None:
    assert post(holder, {"form": "forward", "forward_to": "an@example.org",
                         "forward_keep_copy": "on"}).status_code == 302
    box = Mailbox.objects.get(pk=mail.teacher_a.pk)
    assert (box.forward_to, box.forward_keep_copy) == ("an@example.org", True)
    response = post(holder, {"form": "forward", "forward_to": mail.teacher_a.address})
    assert response.context["forward"].errors["forward_to"]


def test_the_page_needs_a_login_and_csrf(mail: MailTree) -> None:
    anonymous = Client()
    assert anonymous.get(reverse("mail_settings")).status_code == 302
    user = User.objects.get(email=mail.tree.school_a_admin.email)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post(reverse("mail_settings"), {"form": "reply"}).status_code == 403


def test_an_admin_sets_the_reply_from_the_mailbox_page(mail: MailTree) -> None:
    client = Client()
    client.force_login(mail.tree.school_a_admin)
    from edugate.mail.viewsets import mailbox_viewset

    url = reverse(mailbox_viewset.get_url_name("edit"), args=[mail.teacher_a.pk])
    response = client.post(url, {
        "display_name": "Nguyễn Văn An", "quota_mb": "", "forward_to": "",
        "state": "pending", "vacation_enabled": "on", "vacation_subject": "",
        "vacation_message": "Thầy An nghỉ ốm.", "vacation_start": "", "vacation_end": ""})
    assert response.status_code == 302, response.context["form"].errors
    box = Mailbox.objects.get(pk=mail.teacher_a.pk)
    assert box.vacation_enabled and "Thầy An nghỉ ốm." in box.sieve_script
