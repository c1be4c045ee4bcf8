"""Forms of the mailbox holder: activation with a code, and changing one's password."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class NewPasswordForm(forms.Form):
    """The new password, typed twice."""

    password = forms.CharField(
        label=_("New password"), strip=False,
        help_text=_("At least 10 characters; not a common password; not your name."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(label=_("New password again"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data


class ActivationForm(NewPasswordForm):
    field_order = ["address", "code", "password", "password2"]
    address = forms.EmailField(label=_("Your email address"),
                               widget=forms.EmailInput(attrs={"autocomplete": "username"}))
    code = forms.CharField(
        label=_("Activation code"), max_length=40,
        help_text=_("As printed on your slip, e.g. 7K2M-Q9XD-…; dashes and case do not matter."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false"}),
    )


class PasswordChangeForm(NewPasswordForm):
    field_order = ["current", "password", "password2"]
    current = forms.CharField(
        label=_("Current password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class _DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class AutoReplyForm(forms.Form):
    """The out-of-office reply, as its holder (or an administrator) sets it."""

    vacation_enabled = forms.BooleanField(label=_("Send an automatic reply"), required=False)
    vacation_subject = forms.CharField(label=_("Subject"), max_length=200, required=False,
                                       help_text=_("Empty: “Automatic reply”."))
    vacation_message = forms.CharField(label=_("Message"), max_length=4000, required=False,
                                       widget=forms.Textarea(attrs={"rows": 5}))
    vacation_start = forms.DateField(label=_("From"), required=False, widget=_DateInput())
    vacation_end = forms.DateField(label=_("Until"), required=False, widget=_DateInput(),
                                   help_text=_("Empty: until you turn it off."))


class ForwardingForm(forms.Form):
    forward_to = forms.EmailField(label=_("Forward my mail to"), required=False,
                                  help_text=_("Empty: no forwarding."))
    forward_keep_copy = forms.BooleanField(label=_("Keep a copy in this mailbox"),
                                           required=False, initial=True)
    forward_until = forms.DateField(label=_("Until"), required=False, widget=_DateInput(),
                                    help_text=_("Empty: until you turn it off."))
