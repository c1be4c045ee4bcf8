"""Mailboxes and what hangs off them: aliases, delegates and activation codes.

A mailbox's password lives here, as an Argon2id PHC string (``$argon2id$v=19$...``): the web
login checks it and Dovecot verifies the same string as ``{ARGON2ID}`` through the SQL views of
the mail plane, so there is one password per mailbox and no copy to keep in step.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class MailboxKind(models.TextChoices):
    PERSONAL = "personal", _("Personal")
    POSITION = "position", _("Position")
    UNIT = "unit", _("Unit")


class MailboxState(models.TextChoices):
    PENDING = "pending", _("Pending activation")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")


#: Default quota per kind, in MiB (a unit may set its own for its subtree; see MailDefaults).
DEFAULT_QUOTA_MB = {
    MailboxKind.PERSONAL: 2048,
    MailboxKind.POSITION: 5120,
    MailboxKind.UNIT: 10240,
}


class Mailbox(models.Model):
    local_part = models.CharField(_("local part"), max_length=64)
    domain = models.ForeignKey(
        "directory.Domain", verbose_name=_("domain"), on_delete=models.PROTECT,
        related_name="mailboxes",
    )
    # ``local_part@domain`` in ASCII: what the daemons look up, kept unique by the database.
    address = models.CharField(_("address"), max_length=254, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=MailboxKind.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=MailboxState.choices, default=MailboxState.PENDING
    )
    unit = models.ForeignKey(
        "directory.Unit", verbose_name=_("unit"), on_delete=models.PROTECT,
        related_name="mailboxes",
    )
    person = models.ForeignKey(
        "directory.Person", verbose_name=_("holder"), on_delete=models.PROTECT,
        related_name="mailboxes", null=True, blank=True,
        help_text=_("The owner of a personal mailbox, or the current holder of a position."),
    )
    display_name = models.CharField(_("display name"), max_length=200, blank=True)
    quota_mb = models.PositiveIntegerField(
        _("quota (MiB)"), null=True, blank=True, help_text=_("Empty: the default for its kind.")
    )
    password_hash = models.CharField(max_length=255, blank=True, editable=False)
    password_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    forward_to = models.EmailField(
        _("forward to"), blank=True,
        help_text=_("Mail to this mailbox is also sent to this address."),
    )
    forward_keep_copy = models.BooleanField(
        _("keep a copy"), default=True,
        help_text=_("Keep a copy of forwarded mail in this mailbox."),
    )
    forward_until = models.DateField(
        _("forward until"), null=True, blank=True,
        help_text=_("Forwarding stops after this day. Empty: no end."),
    )
    close_on = models.DateField(
        _("close on"), null=True, blank=True,
        help_text=_("End of the grace period after the holder left."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    state_changed_at = models.DateTimeField(_("state changed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        ordering = ["address"]
        constraints = [
            models.UniqueConstraint(fields=["domain", "local_part"], name="mailbox_unique_local"),
            models.CheckConstraint(
                condition=~Q(kind=MailboxKind.PERSONAL) | Q(person__isnull=False),
                name="mailbox_personal_has_person",
            ),
            models.CheckConstraint(
                condition=~Q(state=MailboxState.ACTIVE) | ~Q(password_hash=""),
                name="mailbox_active_has_password",
            ),
        ]
        indexes = [models.Index(fields=["unit", "state"], name="mailbox_unit_state")]

    def __str__(self) -> str:
        return self.address

    @property
    def effective_quota_mb(self) -> int:
        """The mailbox's own quota, else its unit's (or nearest ancestor's), else the kind's."""
        if self.quota_mb:
            return self.quota_mb
        from edugate.mail.lifecycle import default_quota_mb

        return default_quota_mb(self.unit, MailboxKind(self.kind))


class MailDefaults(models.Model):
    """A unit's mailbox defaults, inherited by its subtree until a unit below sets its own."""

    unit = models.OneToOneField(
        "directory.Unit", verbose_name=_("unit"), on_delete=models.CASCADE,
        related_name="mail_defaults",
    )
    personal_quota_mb = models.PositiveIntegerField(
        _("personal mailbox quota (MiB)"), null=True, blank=True,
        help_text=_("Empty: inherited from the unit above."),
    )
    position_quota_mb = models.PositiveIntegerField(
        _("position mailbox quota (MiB)"), null=True, blank=True,
        help_text=_("Empty: inherited from the unit above."),
    )
    unit_quota_mb = models.PositiveIntegerField(
        _("unit mailbox quota (MiB)"), null=True, blank=True,
        help_text=_("Empty: inherited from the unit above."),
    )
    leaver_grace_days = models.PositiveIntegerField(
        _("grace period for leavers (days)"), null=True, blank=True,
        help_text=_("How long a leaver's mailbox stays open. Empty: inherited from the unit "
                    "above (30 days at the top)."),
    )

    class Meta:
        verbose_name = _("mailbox defaults")
        verbose_name_plural = _("mailbox defaults")

    def __str__(self) -> str:
        return str(self.unit)

    def quota_for(self, kind: str) -> int | None:
        value: int | None = getattr(self, f"{kind}_quota_mb")
        return value


class Alias(models.Model):
    """Another address of a mailbox (``x@domain`` delivered to the mailbox)."""

    local_part = models.CharField(_("local part"), max_length=64)
    domain = models.ForeignKey(
        "directory.Domain", verbose_name=_("domain"), on_delete=models.PROTECT,
        related_name="aliases_here",
    )
    address = models.CharField(_("address"), max_length=254, unique=True, editable=False)
    mailbox = models.ForeignKey(
        Mailbox, verbose_name=_("mailbox"), on_delete=models.CASCADE, related_name="aliases"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("alias")
        verbose_name_plural = _("aliases")
        ordering = ["address"]

    def __str__(self) -> str:
        return f"{self.address} → {self.mailbox.address}"


class Delegate(models.Model):
    """Someone who works the mailbox of a unit (e.g. the clerks of ``vanthu@``)."""

    mailbox = models.ForeignKey(
        Mailbox, verbose_name=_("mailbox"), on_delete=models.CASCADE, related_name="delegates"
    )
    person = models.ForeignKey(
        "directory.Person", verbose_name=_("person"), on_delete=models.CASCADE,
        related_name="delegated_mailboxes",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("delegate")
        verbose_name_plural = _("delegates")
        constraints = [
            models.UniqueConstraint(fields=["mailbox", "person"], name="delegate_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.mailbox}"


class ActivationCode(models.Model):
    """A one-time code that lets the holder set the mailbox's password. Only its hash is kept."""

    mailbox = models.ForeignKey(
        Mailbox, verbose_name=_("mailbox"), on_delete=models.CASCADE,
        related_name="activation_codes",
    )
    code_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("activation code")
        verbose_name_plural = _("activation codes")
        indexes = [models.Index(fields=["mailbox", "used_at"], name="activation_open")]

    def __str__(self) -> str:
        return f"{self.mailbox} ({self.created_at:%Y-%m-%d})"
