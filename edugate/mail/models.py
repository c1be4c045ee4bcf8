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
    # Out-of-office reply, carried out by Dovecot's sieve; ``sieve_script`` is rendered from
    # these fields by edugate.mail.sieve whenever they change, and read by the daemons.
    vacation_enabled = models.BooleanField(_("automatic reply"), default=False)
    vacation_subject = models.CharField(_("subject"), max_length=200, blank=True)
    vacation_message = models.TextField(_("message"), blank=True, max_length=4000)
    vacation_start = models.DateField(_("from"), null=True, blank=True)
    vacation_end = models.DateField(_("until"), null=True, blank=True)
    sieve_script = models.TextField(blank=True, editable=False)
    #: changes with the script, so Dovecot recompiles it (its dict location keys binaries by id)
    sieve_id = models.CharField(max_length=40, blank=True, editable=False)
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


# --- Staff imports from the back office --------------------------------------------------------

# (Imported here so that the models above stay as they were written.)
import os  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from django.conf import settings  # noqa: E402
from django.core.files.storage import FileSystemStorage  # noqa: E402
from django.utils import timezone  # noqa: E402


class PrivateStorage(FileSystemStorage):
    """Files that only edugate's views hand out (uploaded staff lists): kept under
    ``EDUGATE_PRIVATE_ROOT`` (default ``VAR_DIR/private``), outside MEDIA_ROOT, with no URL."""

    @property
    def base_location(self) -> str:
        root = getattr(settings, "EDUGATE_PRIVATE_ROOT", None) or Path(settings.VAR_DIR) / "private"
        return str(root)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("private files have no URL")


private_storage = PrivateStorage()


def staff_import_path(instance: StaffImport, filename: str) -> str:
    """A stored name that says nothing of the uploader's file name (kept in ``file_name``)."""
    suffix = Path(filename).suffix.lower()[:8]
    return f"staff-imports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class StaffImportState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class StaffImport(models.Model):
    """A staff list uploaded in the back office, imported (or checked) by the worker."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    unit = models.ForeignKey(
        "directory.Unit", verbose_name=_("unit"), on_delete=models.PROTECT,
        related_name="staff_imports",
    )
    file = models.FileField(_("file"), storage=private_storage, upload_to=staff_import_path,
                            max_length=255)
    file_name = models.CharField(_("file name"), max_length=255)
    dry_run = models.BooleanField(_("dry run"), default=False)
    language = models.CharField(_("language"), max_length=10, blank=True)
    rerun_of = models.ForeignKey(
        "self", verbose_name=_("re-run of"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="reruns",
    )
    state = models.CharField(_("state"), max_length=10, choices=StaffImportState.choices,
                             default=StaffImportState.QUEUED)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    rows_processed = models.PositiveIntegerField(_("rows processed"), default=0)
    #: counts only (created, updated, unchanged, rejected, mailboxes), for listings
    summary: models.JSONField[dict[str, Any], dict[str, Any]] = models.JSONField(
        _("summary"), default=dict, blank=True)
    #: :meth:`StaffImportReport.as_dict` of the finished run
    report: models.JSONField[dict[str, Any] | None, dict[str, Any] | None] = models.JSONField(
        _("report"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("staff import")
        verbose_name_plural = _("staff imports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["unit", "-created_at"], name="staff_import_unit")]
        constraints = [
            models.CheckConstraint(condition=Q(rows_processed__lte=models.F("total_rows"))
                                   | Q(total_rows=0), name="staff_import_progress_bounded"),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})" if self.created_at \
            else self.file_name

    @property
    def is_finished(self) -> bool:
        return self.state in (StaffImportState.DONE, StaffImportState.FAILED)
