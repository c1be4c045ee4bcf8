"""Back-office screen of mailboxes, scoped like the directory's and saving through actions.

Filtered by unit (``?unit=<pk>``), the listing offers printable activation slips for that
unit's pending mailboxes: a confirmation page, then a POST that issues the codes and returns
the PDF. The codes exist only in that response.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
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
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import HeaderButton

from edugate.core.admin_views import ScopedIndexView, ScopedModelViewSet
from edugate.directory.forms import ScopedForm, UnitChoiceField
from edugate.directory.models import Domain, Unit
from edugate.directory.permissions import ScopedPolicy
from edugate.directory.viewsets import in_scope_param
from edugate.mail import actions, slips
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


class MailboxIndexView(ScopedIndexView):
    @cached_property
    def header_buttons(self) -> list[Any]:
        buttons: list[Any] = list(super().header_buttons)
        unit = in_scope_param(self.request, "unit", Unit)
        if unit is not None and mailbox_policy.user_has_permission(self.request.user, "change"):
            url = reverse(self.viewset.get_url_name("slips"))
            buttons.append(HeaderButton(_("Print activation slips"), url=f"{url}?unit={unit.pk}",
                                        icon_name="key"))
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


class MailboxViewSet(ScopedModelViewSet):
    model = Mailbox
    policy = mailbox_policy
    index_view_class = MailboxIndexView
    slips_view_class = MailboxSlipsView
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

    @property
    def slips_view(self) -> Any:
        return self.construct_view(self.slips_view_class)

    def get_urlpatterns(self) -> list[Any]:
        return [*super().get_urlpatterns(), path("slips/", self.slips_view, name="slips")]

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
