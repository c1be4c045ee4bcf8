"""People: staff of the education tree and their memberships of units."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")
    OTHER = "other", _("Other")


class PersonStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ON_LEAVE = "on_leave", _("On leave")
    LEFT = "left", _("Left")


class Person(models.Model):
    """A member of staff. Names are stored as given, NFC-normalised, with their parts."""

    full_name = models.CharField(_("full name"), max_length=200)
    family_name = models.CharField(_("family name"), max_length=100, blank=True)
    middle_name = models.CharField(_("middle name"), max_length=100, blank=True)
    given_name = models.CharField(_("given name"), max_length=100, blank=True)
    search_name = models.CharField(max_length=200, editable=False, db_index=True, default="")
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, blank=True)
    position = models.CharField(
        _("position"), max_length=150, blank=True, help_text=_("Main job title, e.g. Giáo viên.")
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    personal_email = models.EmailField(_("personal email"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=PersonStatus.choices, default=PersonStatus.ACTIVE
    )
    units = models.ManyToManyField(
        "directory.Unit", through="directory.Membership", related_name="people",
        verbose_name=_("units"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["given_name", "family_name", "full_name", "id"]

    def __str__(self) -> str:
        return self.full_name


class Membership(models.Model):
    """A person works at a unit, in a position. A teacher may work at two schools."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(
        "directory.Unit", verbose_name=_("unit"), on_delete=models.PROTECT,
        related_name="memberships",
    )
    position = models.CharField(_("position"), max_length=150, blank=True)
    is_primary = models.BooleanField(_("main workplace"), default=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["person", "unit"], name="membership_once_per_unit"),
            models.UniqueConstraint(
                fields=["person"], condition=Q(is_primary=True), name="membership_one_primary"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.unit}"
