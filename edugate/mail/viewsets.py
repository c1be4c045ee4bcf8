"""Back-office screen of mailboxes, scoped like the directory's and saving through actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.admin.ui.tables import Column, TitleColumn

from edugate.core.admin_views import ScopedModelViewSet
from edugate.directory.forms import ScopedForm, UnitChoiceField
from edugate.directory.models import Domain, Unit
from edugate.directory.permissions import ScopedPolicy
from edugate.directory.viewsets import in_scope_param
from edugate.mail import actions
from edugate.mail.models import Mailbox, MailboxKind, MailboxState


class MailboxPolicy(ScopedPolicy):
    actions = frozenset({"add", "change", "view"})  # mailboxes are closed, never deleted
    select_related = ("unit", "person", "domain")


mailbox_policy = MailboxPolicy(Mailbox)


class MailboxForm(ScopedForm):
    unit = UnitChoiceField(queryset=Unit.objects.none(), label=_("unit"))
    domain = forms.ModelChoiceField(queryset=Domain.objects.none(), label=_("domain"))

    class Meta:
        model = Mailbox
        fields = ["local_part", "kind", "display_name", "quota_mb", "forward_to", "state"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.active().filter(self.scope.units_q())
        self.fields["domain"].queryset = Domain.objects.filter(alias_of__isnull=True).filter(
            self.scope.units_q("unit__") | _ancestors_q(self.scope)
        )
        if self.instance.pk:
            for name in ("unit", "domain", "local_part", "kind"):
                self.fields[name].disabled = True
                self.fields[name].required = False
            self.initial.update(unit=self.instance.unit_id, domain=self.instance.domain_id)
        else:
            del self.fields["state"]
            self.fields["kind"].choices = [(MailboxKind.POSITION, MailboxKind.POSITION.label),
                                           (MailboxKind.UNIT, MailboxKind.UNIT.label)]


def _ancestors_q(scope: Any) -> Any:
    """Domains of the units above one's scope (a school may use the Department's domain)."""
    from django.db.models import Q

    paths = {root[:i] for root in scope.roots for i in range(4, len(root), 4)}
    return Q(unit__path__in=sorted(paths)) if paths else Q(pk__in=[])


class MailboxViewSet(ScopedModelViewSet):
    model = Mailbox
    policy = mailbox_policy
    icon = "mail"
    menu_label = _("Mailboxes")
    menu_order = 300
    add_to_admin_menu = True
    search_fields = ["address", "display_name"]
    list_filter = ["state", "kind"]
    list_export = ["address", "kind", "state", "display_name", "unit", "quota_mb",
                   "activated_at"]
    export_filename = "hop-thu"
    inspect_view_fields = ["address", "kind", "state", "display_name", "unit", "person",
                           "quota_mb", "forward_to", "close_on", "created_at", "activated_at"]
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("local_part"), FieldPanel("domain")]),
            FieldPanel("unit"),
            FieldRowPanel([FieldPanel("kind"), FieldPanel("display_name")]),
            FieldRowPanel([FieldPanel("quota_mb"), FieldPanel("forward_to")]),
            FieldPanel("state"),
        ],
        base_form_class=MailboxForm,
    )

    @property
    def list_display(self) -> list[Any]:
        return [
            TitleColumn("address", label=_("address"), url_name=self.get_url_name("edit")),
            Column("display_name", label=_("display name")),
            Column("unit", label=_("unit")),
            Column("get_state_display", label=_("state")),
        ]

    def decorate_queryset(self, queryset: QuerySet[Any], request: Any) -> QuerySet[Any]:
        unit = in_scope_param(request, "unit", Unit)
        return queryset.filter(unit=unit) if unit is not None else queryset

    def create_instance(self, form: Any, user: Any) -> Mailbox:
        data = form.cleaned_data
        return actions.create_mailbox(
            actor=user, unit=data["unit"], domain=data["domain"], local_part=data["local_part"],
            kind=data["kind"], display_name=data["display_name"], quota_mb=data["quota_mb"],
        )

    def update_instance(self, instance: Mailbox, form: Any, user: Any) -> Mailbox:
        data = form.cleaned_data
        mailbox = actions.update_mailbox(
            actor=user, mailbox=instance, display_name=data["display_name"],
            quota_mb=data["quota_mb"], forward_to=data["forward_to"],
        )
        state = data.get("state")
        if state and state != mailbox.state:
            change = {
                MailboxState.SUSPENDED: actions.suspend_mailbox,
                MailboxState.CLOSED: actions.close_mailbox,
                MailboxState.ACTIVE: actions.reactivate_mailbox,
                MailboxState.PENDING: actions.reactivate_mailbox,
            }[MailboxState(state)]
            mailbox = change(actor=user, mailbox=mailbox)
        return mailbox


mailbox_viewset = MailboxViewSet("mailboxes")
