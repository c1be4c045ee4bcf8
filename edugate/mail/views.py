"""The holder's pages: activate a mailbox with the slip's code; change one's password."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from edugate.core.admin_views import add_validation_error
from edugate.mail import actions
from edugate.mail.auth import _count_failure, is_throttled
from edugate.mail.forms import (
    ActivationForm,
    AutoReplyForm,
    ForwardingForm,
    PasswordChangeForm,
)
from edugate.mail.models import Mailbox
from edugate.mail.slips import mail_client


@sensitive_post_parameters("code", "password", "password2")
def activate(request: HttpRequest) -> HttpResponse:
    form = ActivationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        address = form.cleaned_data["address"].strip().lower()
        if is_throttled(address, request):
            form.add_error(None, _("Too many attempts. Wait fifteen minutes and try again."))
        else:
            try:
                mailbox = actions.activate_with_code(
                    address=address, code=form.cleaned_data["code"],
                    password=form.cleaned_data["password"],
                )
            except ValidationError as error:
                if "code" in getattr(error, "error_dict", {}):
                    _count_failure(address, request)
                add_validation_error(form, error)
            else:
                messages.success(request, _("Your mailbox %(address)s is ready. Log in with "
                                            "your new password.") % {"address": mailbox.address})
                return redirect("mail_login")
    return render(request, "mail/activate.html", {"form": form})


@login_required(login_url="mail_login")
def account(request: HttpRequest) -> HttpResponse:
    """Where a holder lands after logging in: their mailbox and how to use it."""
    mailbox = Mailbox.objects.select_related("unit").filter(
        address=request.user.email  # type: ignore[union-attr]
    ).first()
    return render(request, "mail/account.html", {
        "mailbox": mailbox, "client": mail_client(),
        "back_office": request.user.has_perm("wagtailadmin.access_admin"),
    })


@login_required(login_url="mail_login")
@sensitive_post_parameters("current", "password", "password2")
def change_password(request: HttpRequest) -> HttpResponse:
    mailbox = Mailbox.objects.filter(address=request.user.email).first()  # type: ignore[union-attr]
    form = PasswordChangeForm(request.POST or None)
    if mailbox is not None and request.method == "POST" and form.is_valid():
        try:
            actions.change_password(mailbox=mailbox, current=form.cleaned_data["current"],
                                    new=form.cleaned_data["password"])
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, _("Your password has been changed."))
            return redirect("mail_password")
    return render(request, "mail/password.html", {"form": form, "mailbox": mailbox})


@login_required(login_url="mail_login")
def mail_settings(request: HttpRequest) -> HttpResponse:
    """The holder's automatic reply and forwarding, carried out by the mail servers."""
    mailbox = Mailbox.objects.select_related("unit").filter(
        address=request.user.email  # type: ignore[union-attr]
    ).first()
    if mailbox is None:
        return render(request, "mail/settings.html", {"mailbox": None})
    which = request.POST.get("form") if request.method == "POST" else None
    reply = AutoReplyForm(request.POST if which == "reply" else None, initial={
        name: getattr(mailbox, name) for name in actions.VACATION_FIELDS})
    forward = ForwardingForm(request.POST if which == "forward" else None, initial={
        "forward_to": mailbox.forward_to, "forward_keep_copy": mailbox.forward_keep_copy,
        "forward_until": mailbox.forward_until})
    form = {"reply": reply, "forward": forward}.get(which or "")
    if form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            if form is reply:
                actions.set_auto_reply(
                    actor=request.user, mailbox=mailbox, by_holder=True,
                    enabled=data["vacation_enabled"], subject=data["vacation_subject"],
                    message=data["vacation_message"], start=data["vacation_start"],
                    end=data["vacation_end"])
                done = (_("Your automatic reply is on.") if data["vacation_enabled"]
                        else _("Your automatic reply is off."))
            else:
                actions.set_own_forwarding(
                    actor=request.user, mailbox=mailbox, forward_to=data["forward_to"],
                    keep_copy=data["forward_keep_copy"], until=data["forward_until"])
                done = (_("Your mail is forwarded to %(address)s.")
                        % {"address": data["forward_to"]} if data["forward_to"]
                        else _("Forwarding is off."))
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, done)
            return redirect("mail_settings")
    return render(request, "mail/settings.html",
                  {"mailbox": mailbox, "reply": reply, "forward": forward})
