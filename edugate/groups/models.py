"""Email groups and what hangs off them: membership rules, explicit members, nesting, held
messages, the archive and registration slots (Article 5 of Circular 37).

A group's members are never stored as a list: they are *resolved* from its rules over the
directory, its explicit members, its approved registrations and the groups nested in it
(``edugate.groups.membership``), so "all principals" follows the directory without anyone
editing the group.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from edugate.directory.models import InstitutionLevel, RoleKind, UnitKind


class PostingPolicy(models.TextChoices):
    ANYONE = "anyone", _("Anyone, including outside senders")
    AUTHENTICATED = "authenticated", _("Any user of the platform")
    SUBTREE = "subtree", _("Users of a unit and the units below it")
    MEMBERS = "members", _("Members of the group only")
    GROUP = "group", _("Members of another group")
    ALLOWED = "allowed", _("Only the allowed senders listed")


class OthersAction(models.TextChoices):
    HOLD = "hold", _("Hold for moderation")
    REFUSE = "refuse", _("Refuse")


class EmailGroup(models.Model):
    local_part = models.CharField(_("local part"), max_length=64)
    domain = models.ForeignKey(
        "directory.Domain", verbose_name=_("domain"), on_delete=models.PROTECT,
        related_name="email_groups",
    )
    address = models.CharField(_("address"), max_length=254, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner_unit = models.ForeignKey(
        "directory.Unit", verbose_name=_("owner unit"), on_delete=models.PROTECT,
        related_name="email_groups",
        help_text=_("The unit whose administrators manage this group."),
    )
    posting_policy = models.CharField(
        _("who may post"), max_length=16, choices=PostingPolicy.choices,
        default=PostingPolicy.MEMBERS,
    )
    posting_unit = models.ForeignKey(
        "directory.Unit", verbose_name=_("posting unit"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
        help_text=_("For “users of a unit”: its users and those of the units below it."),
    )
    posting_group = models.ForeignKey(
        "self", verbose_name=_("posting group"), on_delete=models.PROTECT, null=True,
        blank=True, related_name="+",
        help_text=_("For “members of another group”: e.g. the Department's own staff."),
    )
    allowed_senders = models.TextField(
        _("allowed senders"), blank=True,
        help_text=_("One address per line (or @domain for a whole domain); they may always "
                    "post."),
    )
    others_action = models.CharField(
        _("other senders"), max_length=8, choices=OthersAction.choices,
        default=OthersAction.HOLD,
    )
    moderators = models.ManyToManyField(
        "directory.Person", verbose_name=_("moderators"), blank=True, related_name="+",
        help_text=_("Told of held messages by email; the owner unit's administrators may "
                    "moderate too."),
    )
    allow_external_members = models.BooleanField(
        _("allow outside addresses"), default=False,
        help_text=_("Members may include addresses outside the hosted domains."),
    )
    archive_enabled = models.BooleanField(
        _("keep an archive"), default=False,
        help_text=_("Messages sent to the group are kept, readable by its members."),
    )
    hold_days = models.PositiveSmallIntegerField(
        _("held messages expire after (days)"), default=7,
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("email group")
        verbose_name_plural = _("email groups")
        ordering = ["address"]
        constraints = [
            models.UniqueConstraint(fields=["domain", "local_part"], name="group_unique_local"),
            models.CheckConstraint(
                condition=~Q(posting_policy=PostingPolicy.SUBTREE)
                | Q(posting_unit__isnull=False),
                name="group_subtree_policy_has_unit",
            ),
            models.CheckConstraint(
                condition=~Q(posting_policy=PostingPolicy.GROUP)
                | Q(posting_group__isnull=False),
                name="group_group_policy_has_group",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.address}>"

    def save(self, *args: object, **kwargs: object) -> None:
        self.local_part = self.local_part.strip().lower()
        self.address = f"{self.local_part}@{self.domain.name}"
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def bounce_address(self) -> str:
        """The envelope sender of the copies it sends: bounces come back to the group."""
        return f"{self.local_part}+bounces@{self.domain.name}"

    @property
    def list_id(self) -> str:
        return f"{self.local_part}.{self.domain.name}"

    def allowed_sender_list(self) -> list[str]:
        return [line.strip().lower() for line in self.allowed_senders.splitlines()
                if line.strip()]


class RuleKind(models.TextChoices):
    ROLE_HOLDERS = "role_holders", _("Holders of a role in units under a unit")
    STAFF = "staff", _("All active staff of a unit and the units below it")
    UNIT_MAILBOXES = "unit_mailboxes", _("Unit mailboxes of units under a unit")


class GroupRule(models.Model):
    """A membership rule over the directory, resolved at every delivery."""

    group = models.ForeignKey(EmailGroup, on_delete=models.CASCADE, related_name="rules")
    kind = models.CharField(_("rule"), max_length=16, choices=RuleKind.choices)
    under = models.ForeignKey(
        "directory.Unit", verbose_name=_("under unit"), on_delete=models.PROTECT,
        related_name="+", help_text=_("The unit itself and every unit below it."),
    )
    role = models.CharField(_("role"), max_length=20, choices=RoleKind.choices, blank=True)
    unit_kind = models.CharField(_("kind of unit"), max_length=16, choices=UnitKind.choices,
                                 blank=True)
    level = models.CharField(_("education level"), max_length=16,
                             choices=InstitutionLevel.choices, blank=True)
    prefer_position_mailbox = models.BooleanField(
        _("use the position mailbox"), default=True,
        help_text=_("Send role holders' copies to the position mailbox they hold at that unit "
                    "when there is one, else to their personal mailbox."),
    )

    class Meta:
        verbose_name = _("membership rule")
        verbose_name_plural = _("membership rules")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=RuleKind.ROLE_HOLDERS) | ~Q(role=""),
                name="group_rule_role_holders_has_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.under}"


class GroupMember(models.Model):
    """An explicit member: a mailbox, a person (their personal mailbox) or an outside address."""

    group = models.ForeignKey(EmailGroup, on_delete=models.CASCADE, related_name="members")
    mailbox = models.ForeignKey("mail.Mailbox", verbose_name=_("mailbox"),
                                on_delete=models.CASCADE, null=True, blank=True,
                                related_name="+")
    person = models.ForeignKey("directory.Person", verbose_name=_("person"),
                               on_delete=models.CASCADE, null=True, blank=True,
                               related_name="+")
    external_address = models.EmailField(_("outside address"), blank=True)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.CheckConstraint(
                condition=(Q(mailbox__isnull=False) & Q(person__isnull=True)
                           & Q(external_address=""))
                | (Q(mailbox__isnull=True) & Q(person__isnull=False) & Q(external_address=""))
                | (Q(mailbox__isnull=True) & Q(person__isnull=True) & ~Q(external_address="")),
                name="group_member_exactly_one",
            ),
        ]

    def __str__(self) -> str:
        return str(self.mailbox or self.person or self.external_address)


class GroupNesting(models.Model):
    """Group ``child``'s members are members of ``parent`` (cycles are refused)."""

    parent = models.ForeignKey(EmailGroup, on_delete=models.CASCADE, related_name="nested")
    child = models.ForeignKey(EmailGroup, verbose_name=_("group"), on_delete=models.CASCADE,
                              related_name="nested_in")

    class Meta:
        verbose_name = _("nested group")
        verbose_name_plural = _("nested groups")
        constraints = [
            models.UniqueConstraint(fields=["parent", "child"], name="group_nesting_once"),
            models.CheckConstraint(condition=~Q(parent=models.F("child")),
                                   name="group_not_nested_in_itself"),
        ]

    def __str__(self) -> str:
        return f"{self.child} ⊂ {self.parent}"


class HeldState(models.TextChoices):
    HELD = "held", _("Held")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    EXPIRED = "expired", _("Expired")


class HeldMessage(models.Model):
    """A message waiting for a moderator, kept whole until it is decided or expires."""

    group = models.ForeignKey(EmailGroup, on_delete=models.CASCADE, related_name="held")
    sender = models.CharField(_("sender"), max_length=254)
    from_header = models.CharField(_("from"), max_length=400, blank=True)
    subject = models.CharField(_("subject"), max_length=400, blank=True)
    message_id = models.CharField(max_length=400, blank=True)
    reason = models.CharField(_("why it was held"), max_length=400, blank=True)
    raw = models.BinaryField()
    size = models.PositiveIntegerField(_("size"), default=0)
    state = models.CharField(_("state"), max_length=10, choices=HeldState.choices,
                             default=HeldState.HELD)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"),
                                   on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decision_note = models.CharField(_("reason given"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("held message")
        verbose_name_plural = _("held messages")
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["state", "expires_at"], name="held_state_expiry")]

    def __str__(self) -> str:
        return f"{self.subject or '(no subject)'} – {self.sender}"


class ArchivedMessage(models.Model):
    """A message as the group's members received it (groups with an archive only)."""

    group = models.ForeignKey(EmailGroup, on_delete=models.CASCADE, related_name="archive")
    sender = models.CharField(_("sender"), max_length=254)
    from_header = models.CharField(_("from"), max_length=400, blank=True)
    subject = models.CharField(_("subject"), max_length=400, blank=True)
    message_id = models.CharField(max_length=400, blank=True)
    raw = models.BinaryField()
    size = models.PositiveIntegerField(_("size"), default=0)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    archived_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("archived message")
        verbose_name_plural = _("archived messages")
        ordering = ["-archived_at"]

    def __str__(self) -> str:
        return self.subject or self.message_id


class RegistrationSlot(models.Model):
    """An address each child unit registers into the group (Article 5.2), e.g. "director"
    of every Department, or "clerical office" of every institution under a Department."""

    group = models.ForeignKey(EmailGroup, on_delete=models.CASCADE, related_name="slots")
    name = models.CharField(_("name"), max_length=100)
    under = models.ForeignKey("directory.Unit", verbose_name=_("units under"),
                              on_delete=models.PROTECT, related_name="+")
    unit_kind = models.CharField(_("kind of unit"), max_length=16, choices=UnitKind.choices)
    level = models.CharField(_("education level"), max_length=16,
                             choices=InstitutionLevel.choices, blank=True)

    class Meta:
        verbose_name = _("registration slot")
        verbose_name_plural = _("registration slots")
        constraints = [models.UniqueConstraint(fields=["group", "name"], name="slot_once")]

    def __str__(self) -> str:
        return f"{self.group.name} – {self.name}"


class RegistrationState(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    REPLACED = "replaced", _("Replaced")


class Registration(models.Model):
    """A unit's address for a slot; the approved one is a member of the group."""

    slot = models.ForeignKey(RegistrationSlot, on_delete=models.CASCADE,
                             related_name="registrations")
    unit = models.ForeignKey("directory.Unit", verbose_name=_("unit"),
                             on_delete=models.PROTECT, related_name="+")
    address = models.EmailField(_("address"))
    state = models.CharField(_("state"), max_length=10, choices=RegistrationState.choices,
                             default=RegistrationState.PENDING)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["slot", "unit__path", "-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["slot", "unit"], condition=Q(state="approved"),
                name="registration_one_approved",
            ),
            models.UniqueConstraint(
                fields=["slot", "unit"], condition=Q(state="pending"),
                name="registration_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.slot} – {self.unit}: {self.address}"
