"""Back-office forms for email groups. Every choice is limited to the user's scope: units
through the scoped chooser, groups to those the user manages, people to those in scope."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from edugate.directory.forms import PersonChoiceField, ScopedForm, UnitChoiceField
from edugate.directory.models import Domain, Person, Unit
from edugate.directory.permissions import people_in_scope
from edugate.directory.scope import Scope
from edugate.groups.models import (
    EmailGroup,
    GroupRule,
    PostingPolicy,
    RegistrationSlot,
)
from edugate.mail.models import Mailbox, MailboxState


def ancestors_q(scope: Scope, prefix: str = "unit__") -> Q:
    """The units above one's scope (a school's group may use the Department's domain)."""
    paths = {root[:i] for root in scope.roots for i in range(4, len(root), 4)}
    return Q(**{f"{prefix}path__in": sorted(paths)}) if paths else Q(pk__in=[])


def managed_groups(scope: Scope) -> QuerySet[EmailGroup]:
    return EmailGroup.objects.filter(scope.units_q("owner_unit__")).select_related("domain")


def people_by_address(text: str, scope: Scope) -> tuple[list[Person], list[str]]:
    """The people named by addresses (their mailbox or login), one a line, within ``scope``;
    and the lines that name nobody there."""
    from edugate.accounts.models import User

    people: list[Person] = []
    unknown: list[str] = []
    allowed = people_in_scope(scope)
    for line in text.splitlines():
        address = line.strip().lower()
        if not address:
            continue
        person_id = (Mailbox.objects.filter(address=address, person__isnull=False)
                     .exclude(state=MailboxState.CLOSED).values_list("person_id", flat=True)
                     .first()
                     or User.objects.filter(email=address, person__isnull=False)
                     .values_list("person_id", flat=True).first())
        person = allowed.filter(pk=person_id).first() if person_id else None
        if person is None:
            unknown.append(address)
        elif person not in people:
            people.append(person)
    return people, unknown


class GroupForm(ScopedForm):
    domain = forms.ModelChoiceField(queryset=Domain.objects.none(), label=_("domain"))
    owner_unit = UnitChoiceField(queryset=Unit.objects.none(), label=_("owner unit"),
                                 help_text=_("The unit whose administrators manage this "
                                             "group."))
    posting_unit = UnitChoiceField(queryset=Unit.objects.none(), label=_("posting unit"),
                                   required=False,
                                   help_text=_("For “users of a unit”: its users and those of "
                                               "the units below it."))
    posting_group = forms.ModelChoiceField(
        queryset=EmailGroup.objects.none(), label=_("posting group"), required=False,
        help_text=_("For “members of another group”: e.g. the Department's own staff."))
    moderator_list = forms.CharField(
        label=_("moderators"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Their addresses, one a line: they are told of held messages by email. "
                    "The owner unit's administrators may moderate too."))

    class Meta:
        model = EmailGroup
        fields = ["local_part", "name", "description", "posting_policy", "allowed_senders",
                  "others_action", "allow_external_members", "archive_enabled", "hold_days",
                  "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope = self.scope
        self.fields["owner_unit"].queryset = Unit.objects.active().filter(scope.units_q())
        self.fields["posting_unit"].queryset = Unit.objects.active().filter(scope.units_q())
        domain = self.fields["domain"]
        assert isinstance(domain, forms.ModelChoiceField)
        domain.queryset = Domain.objects.filter(alias_of__isnull=True).filter(
            scope.units_q("unit__") | ancestors_q(scope))
        posting_group = self.fields["posting_group"]
        assert isinstance(posting_group, forms.ModelChoiceField)
        posting_group.queryset = managed_groups(scope).exclude(pk=self.instance.pk)
        if self.instance.pk:
            for name in ("local_part", "domain"):
                self.fields[name].disabled = True
                self.fields[name].required = False
            self.initial.update(
                domain=self.instance.domain_id, owner_unit=self.instance.owner_unit_id,
                posting_unit=self.instance.posting_unit_id,
                posting_group=self.instance.posting_group_id,
                moderator_list="\n".join(sorted(self._moderator_addresses())))
        elif len(scope.grants) == 1:
            self.initial.setdefault("owner_unit", Unit.objects.filter(
                path=scope.grants[0].path).first())

    def _moderator_addresses(self) -> list[str]:
        """One address per moderator, as :func:`people_by_address` reads it back: their
        personal mailbox, else another mailbox they hold, else their login."""
        from edugate.accounts.models import User

        lines = []
        for person in self.instance.moderators.all():
            mailbox = (Mailbox.objects.filter(person=person).exclude(state=MailboxState.CLOSED)
                       .order_by("kind", "pk").first())  # personal first
            login = User.objects.filter(person=person).values_list("email", flat=True).first()
            address = mailbox.address if mailbox is not None else login
            if address:
                lines.append(address)
        return lines

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean()
        policy = data.get("posting_policy")
        if policy == PostingPolicy.SUBTREE and not data.get("posting_unit"):
            self.add_error("posting_unit", _("Choose the unit whose users may post."))
        if policy == PostingPolicy.GROUP and not data.get("posting_group"):
            self.add_error("posting_group", _("Choose the group whose members may post."))
        people, unknown = people_by_address(data.get("moderator_list") or "", self.scope)
        if unknown:
            self.add_error("moderator_list", _("No one in your units has the address "
                                               "%(addresses)s.") % {
                "addresses": ", ".join(unknown)})
        data["moderators"] = people
        return data

    def _post_clean(self) -> None:
        # The instance is changed by the actions only (they run the model's checks and their
        # errors come back onto this form); the edit view's object stays as it was.
        pass


class RuleForm(forms.ModelForm):
    under = UnitChoiceField(queryset=Unit.objects.none(), label=_("under unit"),
                            help_text=_("The unit itself and every unit below it."))

    class Meta:
        model = GroupRule
        fields = ["kind", "role", "unit_kind", "level", "prefer_position_mailbox"]

    def __init__(self, *args: Any, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        under = self.fields["under"]
        assert isinstance(under, UnitChoiceField)
        under.queryset = Unit.objects.active().filter(scope.units_q())
        self.order_fields(["kind", "under", "role", "unit_kind", "level",
                           "prefer_position_mailbox"])

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if data.get("kind") == "role_holders" and not data.get("role"):
            self.add_error("role", _("Choose the role whose holders are members."))
        return data

    def _post_clean(self) -> None:
        # The rule's group is set by the action; the model's own checks run there.
        pass


class MemberForm(forms.Form):
    address = forms.EmailField(
        label=_("address"), required=False,
        help_text=_("A mailbox of the platform or, if the group allows it, an outside "
                    "address."))
    person = PersonChoiceField(queryset=Person.objects.none(), label=_("person"),
                               required=False,
                               help_text=_("Or a person: their personal mailbox."))

    def __init__(self, *args: Any, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["person"]
        assert isinstance(field, PersonChoiceField)
        field.queryset = people_in_scope(scope)

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if bool(data.get("address")) == bool(data.get("person")):
            raise forms.ValidationError(_("Give either an address or a person."))
        address = (data.get("address") or "").strip().lower()
        data["mailbox"] = (Mailbox.objects.filter(address=address)
                           .exclude(state=MailboxState.CLOSED).first() if address else None)
        return data


class NestForm(forms.Form):
    child = forms.ModelChoiceField(queryset=EmailGroup.objects.none(), label=_("group"),
                                   help_text=_("Its members become members of this group."))

    def __init__(self, *args: Any, scope: Scope, group: EmailGroup, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["child"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = managed_groups(scope).exclude(pk=group.pk)


class SlotForm(forms.ModelForm):
    under = UnitChoiceField(queryset=Unit.objects.none(), label=_("units under"))

    class Meta:
        model = RegistrationSlot
        fields = ["name", "unit_kind", "level"]

    def __init__(self, *args: Any, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        under = self.fields["under"]
        assert isinstance(under, UnitChoiceField)
        under.queryset = Unit.objects.active().filter(scope.units_q())
        self.order_fields(["name", "under", "unit_kind", "level"])

    def _post_clean(self) -> None:
        pass


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("The sender reads it."))


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("note"), max_length=500, required=False)


class RegisterForm(forms.Form):
    address = forms.EmailField(label=_("address"),
                               help_text=_("The address that receives the group's mail for "
                                           "your unit (inside or outside the platform)."))
    note = forms.CharField(label=_("note"), max_length=500, required=False)
