"""The back office's mail screens: aliases, delegates, handover, defaults, forwarding."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from edugate.audit.models import AuditEvent
from edugate.directory import actions as directory
from edugate.mail import actions
from edugate.mail.models import Alias, Delegate, Mailbox, MailboxKind, MailboxState, MailDefaults
from edugate.mail.viewsets import (
    alias_viewset,
    delegate_viewset,
    mail_defaults_viewset,
    mailbox_viewset,
)
from tests.mail.conftest import PASSWORD, MailTree


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin_a(mail: MailTree) -> Client:
    return client_for(mail.tree.school_a_admin)


@pytest.fixture
def admin_b(mail: MailTree) -> Client:
    return client_for(mail.tree.school_b_admin)


def url(viewset, name: str, *args) -> str:
    return reverse(viewset.get_url_name(name), args=args)


def test_an_admin_adds_and_removes_an_alias_from_the_mailbox_page(
    mail: MailTree, admin_a: Client
) -> None:
    edit = admin_a.get(url(mailbox_viewset, "edit", mail.teacher_a.pk))
    aliases_link = f"{url(alias_viewset, 'index')}?mailbox={mail.teacher_a.pk}"
    assert aliases_link.replace("?", "?").encode() in edit.content.replace(b"&amp;", b"&")
    response = admin_a.post(url(alias_viewset, "add"), {
        "mailbox": mail.teacher_a.pk, "local_part": "an.nguyen", "domain": mail.school_a.pk})
    assert response.status_code == 302
    alias = Alias.objects.get()
    assert (alias.address, alias.mailbox) == ("an.nguyen@th-a.minhhai.edu.vn", mail.teacher_a)
    listing = admin_a.get(aliases_link)
    assert b"an.nguyen@th-a.minhhai.edu.vn" in listing.content
    admin_a.post(url(alias_viewset, "delete", alias.pk))
    assert not Alias.objects.exists()
    assert AuditEvent.objects.filter(action="alias.delete",
                                     actor=mail.tree.school_a_admin).exists()


def test_a_taken_alias_is_explained_next_to_the_field(mail: MailTree, admin_a: Client) -> None:
    response = admin_a.post(url(alias_viewset, "add"), {
        "mailbox": mail.teacher_a.pk, "local_part": "annv", "domain": mail.school_a.pk})
    assert response.status_code == 200
    assert "annv@th-a.minhhai.edu.vn" in response.context["form"].errors["local_part"][0]


def test_another_schools_admin_reaches_none_of_it(mail: MailTree, admin_b: Client) -> None:
    alias = actions.add_alias(actor=None, mailbox=mail.teacher_a, local_part="an.nguyen",
                              domain=mail.school_a)
    unit_box = actions.create_mailbox(actor=None, unit=mail.tree.school_a,
                                      domain=mail.school_a, local_part="vanthu",
                                      kind=MailboxKind.UNIT)
    delegate = actions.add_delegate(actor=None, mailbox=unit_box, person=mail.tree.teacher_a)
    position = actions.create_mailbox(actor=None, unit=mail.tree.school_a, domain=mail.school_a,
                                      local_part="hieutruong", kind=MailboxKind.POSITION)
    defaults = actions.set_mail_defaults(actor=None, unit=mail.tree.school_a,
                                         personal_quota_mb=100)
    for target in (url(alias_viewset, "delete", alias.pk),
                   url(delegate_viewset, "delete", delegate.pk),
                   url(mailbox_viewset, "handover", position.pk),
                   url(mail_defaults_viewset, "edit", defaults.pk)):
        assert admin_b.get(target).status_code == 404, target
        assert admin_b.post(target, {"person": mail.tree.teacher_b.pk}).status_code == 404
    for listing in (alias_viewset, delegate_viewset, mail_defaults_viewset):
        assert b"th-a" not in admin_b.get(url(listing, "index")).content
    # Posting school A's mailbox into school B's forms is refused by the form, not obeyed.
    admin_b.post(url(alias_viewset, "add"), {"mailbox": mail.teacher_a.pk, "local_part": "x",
                                             "domain": mail.school_b.pk})
    admin_b.post(url(delegate_viewset, "add"), {"mailbox": unit_box.pk,
                                                "person": mail.tree.teacher_b.pk})
    assert Alias.objects.count() == 1 and Delegate.objects.count() == 1
    assert Mailbox.objects.get(pk=position.pk).person is None


def test_a_unit_mailbox_gets_a_delegate_through_the_form(mail: MailTree, admin_a: Client) -> None:
    unit_box = actions.create_mailbox(actor=None, unit=mail.tree.school_a,
                                      domain=mail.school_a, local_part="vanthu",
                                      kind=MailboxKind.UNIT)
    form = admin_a.get(f"{url(delegate_viewset, 'add')}?mailbox={unit_box.pk}")
    assert form.context["form"].initial["mailbox"] == unit_box
    response = admin_a.post(url(delegate_viewset, "add"), {
        "mailbox": unit_box.pk, "person": mail.tree.teacher_a.pk})
    assert response.status_code == 302
    assert list(unit_box.delegates.values_list("person", flat=True)) == [mail.tree.teacher_a.pk]
    inspect = admin_a.get(url(mailbox_viewset, "inspect", unit_box.pk))
    assert "Nguyễn Văn An" in inspect.content.decode()


def test_handover_screen_gives_the_position_to_the_new_holder(
    mail: MailTree, admin_a: Client
) -> None:
    position = actions.create_mailbox(actor=None, unit=mail.tree.school_a, domain=mail.school_a,
                                      local_part="hieutruong", kind=MailboxKind.POSITION,
                                      person=mail.tree.teacher_a)
    actions.set_password_by_operator(mailbox=position, password=PASSWORD)
    successor = directory.create_person(actor=None, unit=mail.tree.school_a,
                                        full_name="Lê Thị Hoa")
    page = admin_a.get(url(mailbox_viewset, "handover", position.pk))
    assert page.status_code == 200 and "Nguyễn Văn An" in page.content.decode()
    assert admin_a.post(url(mailbox_viewset, "handover", position.pk), {}).status_code == 200
    response = admin_a.post(url(mailbox_viewset, "handover", position.pk),
                            {"person": successor.pk}, follow=True)
    assert response.redirect_chain[-1][0] == url(mailbox_viewset, "edit", position.pk)
    position.refresh_from_db()
    assert (position.person, position.state) == (successor, MailboxState.PENDING)
    # Personal mailboxes are not handed over.
    assert admin_a.get(url(mailbox_viewset, "handover", mail.teacher_a.pk)).status_code == 404


def test_unit_defaults_screen_sets_the_quota_of_the_subtree(
    mail: MailTree, admin_a: Client
) -> None:
    response = admin_a.post(url(mail_defaults_viewset, "add"), {
        "unit": mail.tree.school_a.pk, "personal_quota_mb": "1024", "position_quota_mb": "",
        "unit_quota_mb": "", "leaver_grace_days": "14"})
    assert response.status_code == 302
    assert MailDefaults.objects.get().unit == mail.tree.school_a
    assert Mailbox.objects.get(pk=mail.teacher_a.pk).effective_quota_mb == 1024


def test_forwarding_and_close_date_are_edited_on_the_mailbox(
    mail: MailTree, admin_a: Client
) -> None:
    until = datetime.date.today() + datetime.timedelta(days=30)
    response = admin_a.post(url(mailbox_viewset, "edit", mail.teacher_a.pk), {
        "display_name": "Nguyễn Văn An", "quota_mb": "", "forward_to": "an@example.org",
        "forward_until": until.isoformat(), "forward_keep_copy": "on",
        "close_on": until.isoformat(), "state": MailboxState.PENDING})
    assert response.status_code == 302, response.context["form"].errors
    box = Mailbox.objects.get(pk=mail.teacher_a.pk)
    assert (box.forward_to, box.forward_until, box.close_on) == ("an@example.org", until, until)
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    response = admin_a.post(url(mailbox_viewset, "edit", mail.teacher_a.pk), {
        "display_name": "Nguyễn Văn An", "quota_mb": "", "forward_to": "",
        "close_on": yesterday.isoformat(), "state": MailboxState.PENDING})
    assert response.status_code == 200
    assert "close_on" in response.context["form"].errors
