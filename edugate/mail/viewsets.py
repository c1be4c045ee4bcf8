"""Back-office screen of mailboxes, scoped like the directory's and saving through actions.

Filtered by unit (``?unit=<pk>``), the listing offers printable activation slips for that
unit's pending mailboxes: a confirmation page, then a POST that issues the codes and returns
the PDF. The codes exist only in that response.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.functional import cached_property
from django.utils.http import content_disposition_header
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from wagtail.admin import messages
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.widgets.button import Button, HeaderButton

from edugate.core.admin_views import (
    ScopedEditView,
    ScopedIndexView,
    ScopedInspectView,
    ScopedModelViewSet,
    add_validation_error,
)
from edugate.directory.forms import PersonChoiceField, ScopedForm, UnitChoiceField
from edugate.directory.models import Domain, Person, PersonStatus, Unit
from edugate.directory.permissions import ScopedPolicy, people_in_scope
from edugate.directory.viewsets import in_scope_param
from edugate.mail import actions, slips
from edugate.mail.dns_views import dns_viewset
from edugate.mail.import_views import staff_import_viewset
from edugate.mail.imports import staff_import_policy
from edugate.mail.models import Alias, Delegate, Mailbox, MailboxKind, MailboxState, MailDefaults


class MailboxPolicy(ScopedPolicy):
    actions = frozenset({"add", "change", "view"})  # mailboxes are closed, never deleted
    select_related = ("unit", "person", "domain")


mailbox_policy = MailboxPolicy(Mailbox)


class MailboxForm(ScopedForm):
    unit = UnitChoiceField(queryset=Unit.objects.none(), label=_("unit"))
    domain = forms.ModelChoiceField(queryset=Domain.objects.none(), label=_("domain"))

    class Meta:
        model = Mailbox
        fields = ["local_part", "kind", "display_name", "quota_mb", "forward_to",
                  "forward_keep_copy", "forward_until", "close_on", "state",
                  *actions.VACATION_FIELDS]
        widgets = {
            name: forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            for name in ("forward_until", "close_on", "vacation_start", "vacation_end")
        }

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
            if self.instance.state == MailboxState.CLOSED:
                self.fields["close_on"].disabled = True
        else:
            for name in ("state", "close_on", "forward_until", *actions.VACATION_FIELDS):
                del self.fields[name]
            self.fields["kind"].choices = [(MailboxKind.POSITION, MailboxKind.POSITION.label),
                                           (MailboxKind.UNIT, MailboxKind.UNIT.label)]


def _ancestors_q(scope: Any) -> Any:
    """Domains of the units above one's scope (a school may use the Department's domain)."""
    from django.db.models import Q

    paths = {root[:i] for root in scope.roots for i in range(4, len(root), 4)}
    return Q(unit__path__in=sorted(paths)) if paths else Q(pk__in=[])


class MailboxIndexView(ScopedIndexView):
    @cached_property
    def header_buttons(self) -> list[Any]:
        buttons: list[Any] = list(super().header_buttons)
        unit = in_scope_param(self.request, "unit", Unit)
        if unit is not None and mailbox_policy.user_has_permission(self.request.user, "change"):
            url = reverse(self.viewset.get_url_name("slips"))
            buttons.append(HeaderButton(_("Print activation slips"), url=f"{url}?unit={unit.pk}",
                                        icon_name="key"))
        if staff_import_policy.user_has_permission(self.request.user, "add"):
            url = reverse("staff_imports:index")
            buttons.append(HeaderButton(_("Import staff"), icon_name="upload",
                                        url=f"{url}?unit={unit.pk}" if unit is not None else url))
        return buttons


class SlipsForm(forms.Form):
    """Which unit's pending mailboxes get new codes: one of the user's units, or nothing."""

    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), widget=forms.HiddenInput)

    def __init__(self, *args: Any, scope: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Unit.objects.filter(scope.units_q())


class MailboxSlipsView(WagtailAdminTemplateMixin, View):
    """GET: how many pending mailboxes would get a new code. POST: issue them, return the PDF.

    A unit outside the user's scope is a 404 either way, before anything is issued."""

    http_method_names = ["get", "post"]
    template_name = "mail/slips_confirm.html"
    header_icon = "key"
    viewset: Any = None
    request: HttpRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not mailbox_policy.user_has_permission(request.user, "change"):
            raise PermissionDenied
        self.scope = mailbox_policy.scope(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self) -> str:
        return str(_("Print activation slips"))

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [*self.breadcrumbs_items,
                {"url": self.index_url(), "label": self.viewset.menu_label},
                {"url": "", "label": self.get_page_title()}]

    def index_url(self, unit: Unit | None = None) -> str:
        url = reverse(self.viewset.get_url_name("index"))
        return f"{url}?unit={unit.pk}" if unit is not None else url

    def _unit(self, data: Any) -> tuple[SlipsForm, Unit]:
        form = SlipsForm(data, scope=self.scope)
        if not form.is_valid():
            raise Http404
        return form, form.cleaned_data["unit"]

    def get(self, request: HttpRequest) -> HttpResponse:
        form, unit = self._unit(request.GET)
        count = slips.mailboxes_for_slips(unit, within=self.scope).count()
        question = ngettext(
            "Issue new codes for %(count)d pending mailbox of %(unit)s?",
            "Issue new codes for %(count)d pending mailboxes of %(unit)s?", count,
        ) % {"count": count, "unit": unit.name}
        return self.render_to_response(self.get_context_data(
            form=form, unit=unit, count=count, question=question,
            cancel_url=self.index_url(unit),
        ))

    def post(self, request: HttpRequest) -> HttpResponse:
        _form, unit = self._unit(request.POST)
        mailboxes = list(slips.mailboxes_for_slips(unit, within=self.scope))
        if not mailboxes:
            messages.warning(request, gettext("No pending mailboxes in %(unit)s.")
                             % {"unit": unit.name})
            return redirect(self.index_url(unit))
        try:
            with transaction.atomic():
                issued = slips.issue_slips(actor=request.user, mailboxes=mailboxes,
                                           activation_url=slips.activation_url(request))
                pdf = slips.render_slips(issued, title=gettext("Activation slips: %(unit)s")
                                         % {"unit": unit.name})
        except (ValidationError, PermissionDenied) as error:
            text = (" ".join(error.messages) if isinstance(error, ValidationError)
                    else str(error))
            messages.error(request, text)
            return redirect(self.index_url(unit))
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=f"phieu-kich-hoat-{unit.code}.pdf")
        add_never_cache_headers(response)  # the codes must not stay in any cache
        return response


class MailboxEditView(ScopedEditView):
    @cached_property
    def header_more_buttons(self) -> list[Any]:
        return [*super().header_more_buttons, *self.viewset.mailbox_buttons(self.object)]


class MailboxInspectView(ScopedInspectView):
    @cached_property
    def header_more_buttons(self) -> list[Any]:
        return [*super().header_more_buttons, *self.viewset.mailbox_buttons(self.object)]


class HandoverForm(forms.Form):
    person = PersonChoiceField(queryset=Person.objects.none(), label=_("new holder"))

    def __init__(self, *args: Any, scope: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["person"]
        assert isinstance(field, PersonChoiceField)
        field.queryset = people_in_scope(scope).exclude(status=PersonStatus.LEFT)


class MailboxHandoverView(WagtailAdminTemplateMixin, View):
    """Give a position mailbox to its new holder (the mail stays, the old password stops)."""

    http_method_names = ["get", "post"]
    template_name = "mail/handover.html"
    header_icon = "user"
    viewset: Any = None
    request: HttpRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        pk = str(kwargs["pk"])
        mailbox = (Mailbox.objects.select_related("unit", "person").filter(pk=int(pk)).first()
                   if pk.isdigit() else None)
        if mailbox is None or not mailbox_policy.user_has_permission_for_instance(
            request.user, "change", mailbox
        ) or mailbox.kind != MailboxKind.POSITION:
            raise Http404
        self.mailbox = mailbox
        self.scope = mailbox_policy.scope(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self) -> str:
        return str(_("Hand over"))

    def get_page_subtitle(self) -> str:
        return self.mailbox.address

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [*self.breadcrumbs_items,
                {"url": reverse(self.viewset.get_url_name("index")),
                 "label": self.viewset.menu_label},
                {"url": self.edit_url, "label": self.mailbox.address},
                {"url": "", "label": self.get_page_title()}]

    @property
    def edit_url(self) -> str:
        return reverse(self.viewset.get_url_name("edit"), args=[self.mailbox.pk])

    def _render(self, form: HandoverForm) -> HttpResponse:
        return self.render_to_response(self.get_context_data(
            form=form, mailbox=self.mailbox, cancel_url=self.edit_url,
            media=form.media,
        ))

    def get(self, request: HttpRequest, pk: str) -> HttpResponse:
        return self._render(HandoverForm(scope=self.scope))

    def post(self, request: HttpRequest, pk: str) -> HttpResponse:
        form = HandoverForm(request.POST, scope=self.scope)
        if form.is_valid():
            try:
                mailbox = actions.hand_over(actor=request.user, mailbox=self.mailbox,
                                            person=form.cleaned_data["person"])
            except ValidationError as error:
                add_validation_error(form, error)
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                slips_url = reverse(self.viewset.get_url_name("slips"))
                messages.success(
                    request,
                    gettext("%(address)s now belongs to %(person)s. Print an activation slip "
                            "for them: the previous holder's password no longer works.")
                    % {"address": mailbox.address, "person": form.cleaned_data["person"]},
                    buttons=[messages.button(f"{slips_url}?unit={mailbox.unit_id}",
                                             gettext("Print activation slips"))],
                )
                return redirect(self.edit_url)
        return self._render(form)


class MailboxViewSet(ScopedModelViewSet):
    model = Mailbox
    policy = mailbox_policy
    index_view_class = MailboxIndexView
    slips_view_class = MailboxSlipsView
    icon = "mail"
    menu_label = _("Mailboxes")
    menu_order = 300
    search_fields = ["address", "display_name"]
    list_filter = ["state", "kind"]
    list_export = ["address", "kind", "state", "display_name", "unit", "quota_mb",
                   "activated_at"]
    export_filename = "hop-thu"
    edit_view_class = MailboxEditView
    inspect_view_class = MailboxInspectView
    handover_view_class = MailboxHandoverView
    inspect_view_fields = ["address", "kind", "state", "display_name", "unit", "person",
                           "forward_to", "forward_until", "close_on", "created_at",
                           "activated_at"]
    inspect_extras = {
        "quota": _("quota (MiB)"),
        "alias_list": _("aliases"),
        "delegate_list": _("delegates"),
    }
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("local_part"), FieldPanel("domain")]),
            FieldPanel("unit"),
            FieldRowPanel([FieldPanel("kind"), FieldPanel("display_name")]),
            FieldPanel("quota_mb"),
            FieldRowPanel([FieldPanel("forward_to"), FieldPanel("forward_until"),
                           FieldPanel("forward_keep_copy")], heading=_("Forwarding")),
            FieldRowPanel([FieldPanel("state"), FieldPanel("close_on")]),
            MultiFieldPanel([
                FieldPanel("vacation_enabled"),
                FieldRowPanel([FieldPanel("vacation_start"), FieldPanel("vacation_end")]),
                FieldPanel("vacation_subject"), FieldPanel("vacation_message"),
            ], heading=_("Automatic reply")),
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

    @property
    def slips_view(self) -> Any:
        return self.construct_view(self.slips_view_class)

    @property
    def handover_view(self) -> Any:
        return self.construct_view(self.handover_view_class)

    def get_urlpatterns(self) -> list[Any]:
        return [*super().get_urlpatterns(), path("slips/", self.slips_view, name="slips"),
                path("handover/<str:pk>/", self.handover_view, name="handover")]

    def inspect_extra(self, name: str, instance: Mailbox, request: Any) -> str:
        if name == "quota":
            return str(instance.effective_quota_mb)
        if name == "alias_list":
            return ", ".join(instance.aliases.values_list("address", flat=True))
        if name == "delegate_list":
            return ", ".join(instance.delegates.select_related("person")
                             .values_list("person__full_name", flat=True))
        return ""

    def mailbox_buttons(self, mailbox: Mailbox) -> list[Any]:
        """What else an administrator does with a mailbox: its aliases, delegates, holder."""
        buttons = [Button(_("Aliases"), url=f"{reverse('aliases:index')}?mailbox={mailbox.pk}",
                          icon_name="link", priority=40)]
        if mailbox.kind == MailboxKind.UNIT:
            buttons.append(Button(_("Delegates"),
                                  url=f"{reverse('delegates:index')}?mailbox={mailbox.pk}",
                                  icon_name="group", priority=41))
        if mailbox.kind == MailboxKind.POSITION and mailbox.state != MailboxState.CLOSED:
            buttons.append(Button(_("Hand over"),
                                  url=reverse(self.get_url_name("handover"), args=[mailbox.pk]),
                                  icon_name="user", priority=42))
        return buttons

    def decorate_queryset(self, queryset: QuerySet[Any], request: Any) -> QuerySet[Any]:
        unit = in_scope_param(request, "unit", Unit)
        return queryset.filter(unit=unit) if unit is not None else queryset

    def create_instance(self, form: Any, user: Any) -> Mailbox:
        data = form.cleaned_data
        with transaction.atomic():
            mailbox = actions.create_mailbox(
                actor=user, unit=data["unit"], domain=data["domain"],
                local_part=data["local_part"], kind=data["kind"],
                display_name=data["display_name"], quota_mb=data["quota_mb"],
            )
            if data["forward_to"]:
                mailbox = actions.update_mailbox(
                    actor=user, mailbox=mailbox, display_name=mailbox.display_name,
                    quota_mb=mailbox.quota_mb, forward_to=data["forward_to"],
                    forward_keep_copy=data["forward_keep_copy"],
                )
        return mailbox

    def update_instance(self, instance: Mailbox, form: Any, user: Any) -> Mailbox:
        data = form.cleaned_data
        # One transaction: a refused part (e.g. the reply's dates) leaves nothing half-saved.
        with transaction.atomic():
            mailbox = actions.update_mailbox(
                actor=user, mailbox=instance, display_name=data["display_name"],
                quota_mb=data["quota_mb"], forward_to=data["forward_to"],
                forward_keep_copy=data["forward_keep_copy"],
                forward_until=data.get("forward_until"),
                close_on=data.get("close_on", instance.close_on),
            )
            if any(name in form.changed_data for name in actions.VACATION_FIELDS):
                mailbox = actions.set_auto_reply(
                    actor=user, mailbox=mailbox, enabled=data["vacation_enabled"],
                    subject=data["vacation_subject"], message=data["vacation_message"],
                    start=data.get("vacation_start"), end=data.get("vacation_end"))
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


# --- Aliases ---------------------------------------------------------------------------------

class MailboxChildPolicy(ScopedPolicy):
    """Aliases and delegates belong to the unit of their mailbox; they are added and removed."""

    actions = frozenset({"add", "delete", "view"})
    unit_prefix = "mailbox__unit__"
    select_related = ("mailbox", "mailbox__unit")

    def instance_in_scope(self, scope: Any, instance: Any, action: str) -> bool:
        return scope.contains(instance.mailbox.unit)


alias_policy = MailboxChildPolicy(Alias)
delegate_policy = MailboxChildPolicy(Delegate)


def _mailboxes_q(scope: Any) -> Any:
    return Mailbox.objects.filter(scope.units_q("unit__")).exclude(state=MailboxState.CLOSED)


class AliasForm(ScopedForm):
    mailbox = forms.ModelChoiceField(queryset=Mailbox.objects.none(), label=_("mailbox"))
    domain = forms.ModelChoiceField(queryset=Domain.objects.none(), label=_("domain"))

    class Meta:
        model = Alias
        fields = ["local_part"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        mailbox = self.fields["mailbox"]
        assert isinstance(mailbox, forms.ModelChoiceField)
        mailbox.queryset = _mailboxes_q(self.scope)
        domain = self.fields["domain"]
        assert isinstance(domain, forms.ModelChoiceField)
        domain.queryset = Domain.objects.filter(alias_of__isnull=True).filter(
            self.scope.units_q("unit__") | _ancestors_q(self.scope))


class MailboxFilteredIndexView(ScopedIndexView):
    """A listing narrowed to one mailbox by ``?mailbox=``, whose add button keeps it."""

    @cached_property
    def mailbox(self) -> Mailbox | None:
        return in_scope_param(self.request, "mailbox", Mailbox, mailbox_policy)

    def get_page_subtitle(self) -> str:
        return self.mailbox.address if self.mailbox else ""

    @cached_property
    def header_buttons(self) -> list[Any]:
        buttons: list[Any] = list(super().header_buttons)
        if self.mailbox is not None:
            buttons.append(HeaderButton(
                _("Back to the mailbox"), icon_name="mail",
                url=reverse(mailbox_viewset.get_url_name("edit"), args=[self.mailbox.pk])))
        return buttons

    def get_add_url(self) -> str | None:
        url: str | None = super().get_add_url()
        if url and self.mailbox is not None:
            url = f"{url}?mailbox={self.mailbox.pk}"
        return url


class MailboxChildViewSet(ScopedModelViewSet):
    index_view_class = MailboxFilteredIndexView
    edit_view_enabled = False
    inspect_view_enabled = False

    def decorate_queryset(self, queryset: QuerySet[Any], request: Any) -> QuerySet[Any]:
        mailbox = in_scope_param(request, "mailbox", Mailbox, mailbox_policy)
        return queryset.filter(mailbox=mailbox) if mailbox is not None else queryset

    def initial_from_request(self, request: Any) -> dict[str, Any]:
        mailbox = in_scope_param(request, "mailbox", Mailbox, mailbox_policy)
        return {"mailbox": mailbox} if mailbox is not None else {}


class AliasViewSet(MailboxChildViewSet):
    model = Alias
    policy = alias_policy
    icon = "link"
    menu_label = _("Aliases")
    menu_order = 310
    search_fields = ["address"]
    list_export = ["address", "mailbox"]
    export_filename = "dia-chi-phu"
    edit_handler = ObjectList(
        [FieldPanel("mailbox"), FieldRowPanel([FieldPanel("local_part"), FieldPanel("domain")])],
        base_form_class=AliasForm,
    )

    @property
    def list_display(self) -> list[Any]:
        return [
            TitleColumn("address", label=_("address"), url_name=self.get_url_name("delete")),
            Column("mailbox", label=_("mailbox")),
        ]

    def create_instance(self, form: Any, user: Any) -> Alias:
        data = form.cleaned_data
        return actions.add_alias(actor=user, mailbox=data["mailbox"],
                                 local_part=data["local_part"], domain=data["domain"])

    def delete_instance(self, instance: Alias, user: Any) -> None:
        actions.remove_alias(actor=user, alias=instance)


# --- Delegates -------------------------------------------------------------------------------

class DelegateForm(ScopedForm):
    mailbox = forms.ModelChoiceField(queryset=Mailbox.objects.none(), label=_("unit mailbox"))
    person = PersonChoiceField(queryset=Person.objects.none(), label=_("person"))

    class Meta:
        model = Delegate
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        mailbox = self.fields["mailbox"]
        assert isinstance(mailbox, forms.ModelChoiceField)
        mailbox.queryset = _mailboxes_q(self.scope).filter(kind=MailboxKind.UNIT)
        person = self.fields["person"]
        assert isinstance(person, PersonChoiceField)
        person.queryset = people_in_scope(self.scope).exclude(status=PersonStatus.LEFT)


class DelegateViewSet(MailboxChildViewSet):
    model = Delegate
    policy = delegate_policy
    icon = "group"
    menu_label = _("Delegates")
    menu_order = 320
    search_fields = ["mailbox__address", "person__full_name"]
    list_export = ["mailbox", "person"]
    export_filename = "nguoi-duoc-uy-quyen"
    edit_handler = ObjectList([FieldPanel("mailbox"), FieldPanel("person")],
                              base_form_class=DelegateForm)

    @property
    def list_display(self) -> list[Any]:
        return [
            TitleColumn("person", label=_("person"), url_name=self.get_url_name("delete")),
            Column("mailbox", label=_("unit mailbox")),
        ]

    def create_instance(self, form: Any, user: Any) -> Delegate:
        data = form.cleaned_data
        return actions.add_delegate(actor=user, mailbox=data["mailbox"], person=data["person"])

    def delete_instance(self, instance: Delegate, user: Any) -> None:
        actions.remove_delegate(actor=user, delegate=instance)


# --- Unit defaults ---------------------------------------------------------------------------

class MailDefaultsPolicy(ScopedPolicy):
    select_related = ("unit",)


mail_defaults_policy = MailDefaultsPolicy(MailDefaults)
DEFAULT_FIELDS = ["personal_quota_mb", "position_quota_mb", "unit_quota_mb",
                  "leaver_grace_days"]


class MailDefaultsForm(ScopedForm):
    unit = UnitChoiceField(queryset=Unit.objects.none(), label=_("unit"))

    class Meta:
        model = MailDefaults
        fields = DEFAULT_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, UnitChoiceField)
        field.queryset = Unit.objects.active().filter(self.scope.units_q())
        if self.instance.pk:
            field.disabled = True
            field.required = False
            self.initial["unit"] = self.instance.unit_id
        else:
            field.queryset = field.queryset.filter(mail_defaults__isnull=True)


class MailDefaultsViewSet(ScopedModelViewSet):
    model = MailDefaults
    policy = mail_defaults_policy
    icon = "cogs"
    menu_label = _("Mailbox defaults")
    menu_order = 330
    search_fields = ["unit__name", "unit__code"]
    inspect_view_enabled = False
    edit_handler = ObjectList(
        [FieldPanel("unit"),
         FieldRowPanel([FieldPanel("personal_quota_mb"), FieldPanel("position_quota_mb"),
                        FieldPanel("unit_quota_mb")], heading=_("Quotas")),
         FieldPanel("leaver_grace_days")],
        base_form_class=MailDefaultsForm,
    )

    @property
    def list_display(self) -> list[Any]:
        return [
            TitleColumn("unit", label=_("unit"), url_name=self.get_url_name("edit")),
            Column("personal_quota_mb", label=_("personal")),
            Column("position_quota_mb", label=_("position")),
            Column("unit_quota_mb", label=_("unit mailbox")),
            Column("leaver_grace_days", label=_("grace period (days)")),
        ]

    def create_instance(self, form: Any, user: Any) -> MailDefaults:
        data = form.cleaned_data
        return actions.set_mail_defaults(actor=user, unit=data["unit"],
                                         **{name: data.get(name) for name in DEFAULT_FIELDS})

    def update_instance(self, instance: MailDefaults, form: Any, user: Any) -> MailDefaults:
        data = form.cleaned_data
        return actions.set_mail_defaults(actor=user, unit=instance.unit,
                                         **{name: data.get(name) for name in DEFAULT_FIELDS})

    def delete_instance(self, instance: MailDefaults, user: Any) -> None:
        actions.clear_mail_defaults(actor=user, defaults=instance)


alias_viewset = AliasViewSet("aliases")
delegate_viewset = DelegateViewSet("delegates")
mail_defaults_viewset = MailDefaultsViewSet("mail_defaults")


class MailViewSetGroup(ViewSetGroup):
    menu_label = _("Mail")
    menu_icon = "mail"
    menu_order = 300
    items = (mailbox_viewset, staff_import_viewset, alias_viewset, delegate_viewset,
             mail_defaults_viewset, dns_viewset)
