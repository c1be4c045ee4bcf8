"""Back-office screens of email groups beyond the model listing: a group's rules and members,
the preview of who is in it, held messages, registrations and the archive.

Every screen looks its object up through a scoped selector (``groups_managed_by``,
``held_visible_to``, ``archive_readable_by``): anything outside it is a 404, before any form is
read. Writes go through the actions (``edugate.groups.actions``, ``admin_actions``,
``moderation``); their ``ValidationError`` comes back next to the form's fields.
"""

from __future__ import annotations

import smtplib
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.translation import gettext, ngettext
from django.views import View
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from edugate.core.admin_views import add_validation_error
from edugate.directory.models import Unit
from edugate.directory.permissions import ScopedPolicy
from edugate.directory.scope import Scope, scope_for
from edugate.groups import actions, admin_actions, endpoints, membership, moderation
from edugate.groups.forms import (
    DecisionForm,
    MemberForm,
    NestForm,
    RegisterForm,
    RejectForm,
    RuleForm,
    SlotForm,
)
from edugate.groups.models import (
    ArchivedMessage,
    EmailGroup,
    GroupMember,
    GroupNesting,
    GroupRule,
    HeldMessage,
    HeldState,
    Registration,
    RegistrationSlot,
    RegistrationState,
)
from edugate.mail.models import Mailbox, MailboxState

#: Sending failures: the mail plane (Postfix) is not running or refused the connection.
SEND_ERRORS = (OSError, smtplib.SMTPException)
PREVIEW_PAGE = 100
BODY_LIMIT = 200_000


# --- Who sees what ---------------------------------------------------------------------------

class GroupPolicy(ScopedPolicy):
    """A group belongs to its owner unit: that unit's administrators (and those above)."""

    actions = frozenset({"add", "change", "view"})  # groups are switched off, not deleted
    unit_prefix = "owner_unit__"
    select_related = ("owner_unit", "domain")

    def instance_in_scope(self, scope: Scope, instance: Any, action: str) -> bool:
        return scope.contains(instance.owner_unit)


group_policy = GroupPolicy(EmailGroup)


def groups_managed_by(user: Any) -> QuerySet[EmailGroup]:
    return group_policy.instances_user_has_any_permission_for(user, ["change"])


def managed_group(user: Any, pk: Any) -> EmailGroup:
    group = groups_managed_by(user).filter(pk=pk).first()
    if group is None:
        raise Http404
    return group


def user_addresses(user: Any) -> set[str]:
    """The addresses a user reads mail at: their login and the mailboxes they hold."""
    addresses = {str(user.email).lower()} if getattr(user, "email", "") else set()
    if getattr(user, "person_id", None):
        addresses |= set(Mailbox.objects.filter(person_id=user.person_id)
                         .exclude(state=MailboxState.CLOSED)
                         .values_list("address", flat=True))
    return addresses


def is_member(user: Any, group: EmailGroup) -> bool:
    return bool(user_addresses(user) & set(membership.resolve(group).members))


def held_visible_to(user: Any) -> QuerySet[HeldMessage]:
    """Held messages of the groups the user manages or moderates."""
    query = Q(group__in=groups_managed_by(user).values("pk"))
    if getattr(user, "person_id", None):
        query |= Q(group__moderators=user.person_id)
    return (HeldMessage.objects.filter(query).distinct()
            .select_related("group__domain", "group__owner_unit"))


def may_read_archive(user: Any, group: EmailGroup) -> bool:
    if not group.archive_enabled:
        return False
    return groups_managed_by(user).filter(pk=group.pk).exists() or is_member(user, group)


def archives_readable_by(user: Any) -> list[EmailGroup]:
    """Groups with an archive the user manages or is a member of (resolving each group with
    an archive: there are few)."""
    candidates = (EmailGroup.objects.filter(archive_enabled=True, is_active=True)
                  .select_related("domain", "owner_unit"))
    managed = set(groups_managed_by(user).values_list("pk", flat=True))
    mine = user_addresses(user)
    return [group for group in candidates
            if group.pk in managed or mine & set(membership.resolve(group).members)]


def slots_for(scope: Scope) -> list[tuple[RegistrationSlot, Unit]]:
    """Every (slot, unit) the user's units must fill: slots whose units include one of
    theirs (see ``actions.slot_units``)."""
    if scope.is_empty:
        return []
    pairs = []
    for slot in (RegistrationSlot.objects.filter(group__is_active=True)
                 .select_related("group__domain", "under").order_by("group__address", "name")):
        for unit in actions.slot_units(slot).filter(scope.units_q()).order_by("path"):
            pairs.append((slot, unit))
    return pairs


# --- Reading messages safely -----------------------------------------------------------------

def message_text(raw: bytes) -> dict[str, Any]:
    """Headers and the body as plain text (HTML reduced to its text), never markup; the
    template escapes it. Attachments are named, not shown."""
    message = message_from_bytes(raw, policy=policy.default)
    headers = []
    for name in ("From", "To", "Cc", "Reply-To", "Date", "Subject", "Message-ID"):
        value = message.get(name)
        if value is not None:
            headers.append((name, str(value)))
    body = ""
    attachments: list[str] = []
    if isinstance(message, EmailMessage):
        part = message.get_body(preferencelist=("plain", "html"))
        if part is not None:
            try:
                content = part.get_content()
            except (LookupError, ValueError, AssertionError):
                content = part.get_payload(decode=True) or b""
            if isinstance(content, bytes):
                content = content.decode("utf-8", "replace")
            body = strip_tags(content) if part.get_content_type() == "text/html" else content
        for item in message.iter_attachments():
            attachments.append(item.get_filename() or item.get_content_type())
    return {"headers": headers, "body": str(body)[:BODY_LIMIT], "attachments": attachments,
            "truncated": len(str(body)) > BODY_LIMIT}


# --- Base ------------------------------------------------------------------------------------

class GroupScreen(WagtailAdminTemplateMixin, View):
    """A back-office screen reached through a viewset (for its URL names and menu label)."""

    http_method_names = ["get", "post"]
    header_icon = "group"
    viewset: Any = None
    request: HttpRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.scope = scope_for(request.user)
        return super().dispatch(request, *args, **kwargs)

    def url(self, name: str, *args: Any) -> str:
        return reverse(self.viewset.get_url_name(name), args=args)

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [*self.breadcrumbs_items,
                {"url": self.url("index"), "label": self.viewset.menu_label},
                *self.extra_crumbs(),
                {"url": "", "label": self.get_page_title()}]

    def extra_crumbs(self) -> list[dict[str, Any]]:
        return []


class OneGroupScreen(GroupScreen):
    """A screen about one group the user manages (a 404 otherwise)."""

    group: EmailGroup

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.group = managed_group(request.user, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self) -> str:
        return self.group.address

    def extra_crumbs(self) -> list[dict[str, Any]]:
        return [{"url": self.url("edit", self.group.pk), "label": self.group.address}]

    def group_links(self) -> list[tuple[str, str]]:
        links = [(gettext("Settings"), self.url("edit", self.group.pk)),
                 (gettext("Rules and members"), self.url("members", self.group.pk)),
                 (gettext("Preview members"), self.url("preview", self.group.pk)),
                 (gettext("Registrations"), self.url("registrations", self.group.pk))]
        if self.group.archive_enabled:
            links.append((gettext("Archive"), self.url("archive", self.group.pk)))
        return links

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        context.update(group=self.group, group_links=self.group_links())
        return context


def _error_text(error: ValidationError | PermissionDenied) -> str:
    return " ".join(error.messages) if isinstance(error, ValidationError) else str(error)


# --- Rules and members -----------------------------------------------------------------------

class GroupMembersView(OneGroupScreen):
    """A group's rules, explicit members, nested groups and registration slots, each with a
    form to add one and a button to remove one. "Preview" on the rule form shows who the rule
    would bring in, without saving it."""

    template_name = "groups/members.html"

    def get_page_title(self) -> str:
        return gettext("Rules and members")

    def forms(self, data: Any = None, which: str = "") -> dict[str, BaseForm]:
        def bound(name: str) -> Any:
            return data if which == name else None

        return {
            "rule": RuleForm(bound("rule"), scope=self.scope, prefix="rule"),
            "member": MemberForm(bound("member"), scope=self.scope, prefix="member"),
            "nest": NestForm(bound("nest"), scope=self.scope, group=self.group, prefix="nest"),
            "slot": SlotForm(bound("slot"), scope=self.scope, prefix="slot"),
        }

    def render_page(self, forms: dict[str, BaseForm], status: int = 200,
                    **extra: Any) -> HttpResponse:
        group = self.group
        media = forms["rule"].media + forms["member"].media + forms["slot"].media
        context = self.get_context_data(
            forms=forms, media=media,
            rules=[(rule, membership.describe_rule(rule)) for rule in
                   GroupRule.objects.filter(group=group).select_related("under")],
            members=GroupMember.objects.filter(group=group)
            .select_related("mailbox", "person"),
            nested=GroupNesting.objects.filter(parent=group).select_related("child"),
            slots=RegistrationSlot.objects.filter(group=group).select_related("under"),
            **extra)
        response = self.render_to_response(context)
        response.status_code = status
        return response

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.render_page(self.forms())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        which = request.POST.get("form", "")
        if which.startswith("remove_"):
            return self.remove(which, request.POST.get("id", ""))
        if which not in ("rule", "member", "nest", "slot"):
            raise Http404
        forms = self.forms(request.POST, which)
        form = forms[which]
        if not form.is_valid():
            return self.render_page(forms, status=400)
        data = form.cleaned_data
        if which == "rule" and "preview" in request.POST:
            rule = GroupRule(group=self.group, kind=data["kind"], under=data["under"],
                             role=data["role"], unit_kind=data["unit_kind"],
                             level=data["level"],
                             prefer_position_mailbox=data["prefer_position_mailbox"])
            found = sorted(set(membership.rule_addresses(rule)))
            current = set(membership.resolve(self.group).members)
            return self.render_page(forms, rule_preview={
                "description": membership.describe_rule(rule), "count": len(found),
                "new": len([a for a in found if a not in current]),
                "addresses": found[:PREVIEW_PAGE], "more": max(0, len(found) - PREVIEW_PAGE)})
        try:
            if which == "rule":
                actions.add_rule(actor=request.user, group=self.group, **data)
                done = gettext("Rule added.")
            elif which == "member":
                actions.add_member(actor=request.user, group=self.group,
                                   mailbox=data["mailbox"], person=data.get("person"),
                                   external_address="" if data["mailbox"] or data.get("person")
                                   else data["address"])
                done = gettext("Member added.")
            elif which == "nest":
                actions.nest(actor=request.user, parent=self.group, child=data["child"])
                done = gettext("Group nested.")
            else:
                actions.add_slot(actor=request.user, group=self.group, **data)
                done = gettext("Registration slot added.")
        except ValidationError as error:
            if which == "member" and hasattr(error, "error_dict"):
                # The action names its field "external_address"; the form calls it "address".
                error = ValidationError({("address" if key == "external_address" else key): v
                                         for key, v in error.error_dict.items()})
            add_validation_error(form, error)
            return self.render_page(forms, status=400)
        except PermissionDenied as error:
            form.add_error(None, str(error))
            return self.render_page(forms, status=400)
        messages.success(request, done)
        return redirect(self.url("members", self.group.pk))

    def remove(self, which: str, pk: str) -> HttpResponse:
        models: dict[str, tuple[Any, str, Any]] = {
            "remove_rule": (GroupRule, "group", admin_actions.remove_rule),
            "remove_member": (GroupMember, "group", admin_actions.remove_member),
            "remove_nested": (GroupNesting, "parent", admin_actions.unnest),
            "remove_slot": (RegistrationSlot, "group", admin_actions.remove_slot),
        }
        if which not in models or not pk.isascii() or not pk.isdigit():
            raise Http404
        model, field, action = models[which]
        obj = model.objects.filter(pk=int(pk), **{field: self.group}).first()
        if obj is None:
            raise Http404
        keyword = {"remove_rule": "rule", "remove_member": "member",
                   "remove_nested": "nesting", "remove_slot": "slot"}[which]
        try:
            action(actor=self.request.user, **{keyword: obj})
        except (ValidationError, PermissionDenied) as error:
            messages.error(self.request, _error_text(error))
        else:
            messages.success(self.request, gettext("Removed."))
        return redirect(self.url("members", self.group.pk))


class GroupPreviewView(OneGroupScreen):
    """Who is in the group now, and why: every address once, with each way it got in."""

    template_name = "groups/preview.html"
    http_method_names = ["get"]

    def get_page_title(self) -> str:
        return gettext("Preview members")

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        resolution = membership.resolve(self.group)
        rows = list(resolution.members.items())
        paginator = Paginator(rows, PREVIEW_PAGE)
        page = paginator.get_page(request.GET.get("p"))
        nested = [g for g in resolution.groups if g.pk != self.group.pk]
        return self.render_to_response(self.get_context_data(
            count=len(resolution), page=page, nested=nested,
            count_text=ngettext("%(count)d member", "%(count)d members", len(resolution))
            % {"count": len(resolution)}))


# --- Registrations, the owner's side ---------------------------------------------------------

class GroupRegistrationsView(OneGroupScreen):
    """The group's slots, what each unit registered, decisions, and who has not registered."""

    template_name = "groups/registrations.html"

    def get_page_title(self) -> str:
        return gettext("Registrations")

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        slots = []
        for slot in RegistrationSlot.objects.filter(group=self.group).select_related("under"):
            slots.append({
                "slot": slot,
                "registrations": slot.registrations.filter(
                    state__in=[RegistrationState.PENDING, RegistrationState.APPROVED])
                .select_related("unit").order_by("unit__path", "-submitted_at"),
            })
        missing = membership.missing_registrations(self.group)
        return self.render_to_response(self.get_context_data(
            slots=slots, missing=missing, decision_form=DecisionForm()))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        back = redirect(self.url("registrations", self.group.pk))
        if request.POST.get("form") == "remind":
            try:
                count = actions.remind_missing(actor=request.user, group=self.group,
                                               endpoints=endpoints.current())
            except SEND_ERRORS as error:
                messages.error(request, gettext(
                    "The reminders could not be sent: the mail service is not reachable "
                    "(%(error)s). Nothing was recorded; try again later.") % {
                    "error": error})
            except PermissionDenied as error:
                messages.error(request, str(error))
            else:
                messages.success(request, ngettext(
                    "%(count)d unit reminded.", "%(count)d units reminded.", count)
                    % {"count": count})
            return back
        value = request.POST.get("registration", "")
        decision = request.POST.get("decision", "")
        if not value.isascii() or not value.isdigit() or decision not in ("approve", "reject"):
            raise Http404
        registration = Registration.objects.filter(pk=int(value),
                                                   slot__group=self.group).first()
        if registration is None:
            raise Http404
        form = DecisionForm(request.POST)
        note = form.cleaned_data["note"] if form.is_valid() else ""
        try:
            actions.decide_registration(actor=request.user, registration=registration,
                                        approve=decision == "approve", note=note)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, gettext("%(unit)s: %(address)s %(state)s.") % {
                "unit": registration.unit.name, "address": registration.address,
                "state": gettext("approved") if decision == "approve" else gettext("rejected")})
        return back


# --- The archive -----------------------------------------------------------------------------

class ArchiveListView(GroupScreen):
    """The groups whose archive the user may read."""

    template_name = "groups/archive_list.html"
    http_method_names = ["get"]

    def get_page_title(self) -> str:
        return gettext("Archives")

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get(self, request: HttpRequest) -> HttpResponse:
        from edugate.groups.viewsets import group_viewset

        rows = [{"group": group, "url": reverse(group_viewset.get_url_name("archive"),
                                                args=[group.pk]),
                 "count": ArchivedMessage.objects.filter(group=group).count()}
                for group in archives_readable_by(request.user)]
        return self.render_to_response(self.get_context_data(rows=rows))


class ArchiveView(GroupScreen):
    """A group's archived messages, for its managers and its members."""

    template_name = "groups/archive.html"
    http_method_names = ["get"]
    group: EmailGroup

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        group = (EmailGroup.objects.select_related("domain", "owner_unit")
                 .filter(pk=kwargs["pk"]).first())
        if group is None or not may_read_archive(request.user, group):
            raise Http404
        self.group = group
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self) -> str:
        return gettext("Archive")

    def get_page_subtitle(self) -> str:
        return self.group.address

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        messages_ = ArchivedMessage.objects.filter(group=self.group).defer("raw")
        page = Paginator(messages_, 50).get_page(request.GET.get("p"))
        return self.render_to_response(self.get_context_data(
            group=self.group, page=page,
            detail_url=self.viewset.get_url_name("archive_message")))


class ArchivedMessageView(GroupScreen):
    template_name = "groups/message.html"
    http_method_names = ["get"]
    message: ArchivedMessage

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        message = (ArchivedMessage.objects.select_related("group__domain", "group__owner_unit")
                   .filter(pk=kwargs["pk"]).first())
        if message is None or not may_read_archive(request.user, message.group):
            raise Http404
        self.message = message
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self) -> str:
        return self.message.subject or gettext("(no subject)")

    def extra_crumbs(self) -> list[dict[str, Any]]:
        return [{"url": self.url("archive", self.message.group_id),
                 "label": gettext("Archive: %(group)s") % {"group": self.message.group.address}}]

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.render_to_response(self.get_context_data(
            item=self.message, group=self.message.group, **message_text(bytes(self.message.raw))))


# --- Held messages ---------------------------------------------------------------------------

class HeldIndexView(GroupScreen):
    template_name = "groups/held_index.html"
    http_method_names = ["get"]

    def get_page_title(self) -> str:
        return gettext("Held messages")

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get(self, request: HttpRequest) -> HttpResponse:
        state = request.GET.get("state", HeldState.HELD)
        if state not in HeldState.values:
            state = HeldState.HELD
        held = held_visible_to(request.user).filter(state=state).defer("raw")
        page = Paginator(held, 50).get_page(request.GET.get("p"))
        return self.render_to_response(self.get_context_data(
            page=page, state=state, states=HeldState.choices,
            reasons={str(k): v for k, v in moderation.HELD_REASONS.items()}))


class HeldDetailView(GroupScreen):
    """One held message: its headers and text, approve, or reject with a reason."""

    template_name = "groups/held_detail.html"
    held: HeldMessage

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        held = held_visible_to(request.user).filter(pk=kwargs["pk"]).first()
        if held is None:
            raise Http404
        self.held = held
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self) -> str:
        return self.held.subject or gettext("(no subject)")

    def get_page_subtitle(self) -> str:
        return self.held.group.address

    def render_page(self, reject_form: RejectForm, status: int = 200) -> HttpResponse:
        reason = moderation.HELD_REASONS.get(self.held.reason, self.held.reason)  # type: ignore[call-overload]
        response = self.render_to_response(self.get_context_data(
            held=self.held, reject_form=reject_form, reason=reason,
            **message_text(bytes(self.held.raw))))
        response.status_code = status
        return response

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.render_page(RejectForm())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        decision = request.POST.get("decision")
        here = redirect(self.url("detail", self.held.pk))
        if decision == "approve":
            try:
                sent = moderation.approve(held=self.held, actor=request.user,
                                          endpoints=endpoints.current())
            except moderation.ModerationError as error:
                messages.error(request, str(error))
                return here
            except SEND_ERRORS as error:
                if HeldMessage.objects.filter(pk=self.held.pk, state=HeldState.HELD).exists():
                    messages.error(request, gettext(
                        "The message could not be sent: the mail service is not reachable "
                        "(%(error)s). It is still held; try again later.") % {"error": error})
                else:
                    messages.warning(request, gettext(
                        "The message was approved and sent, but its sender could not be told "
                        "(%(error)s).") % {"error": error})
                return here
            messages.success(request, ngettext(
                "Approved: sent to %(count)d member.", "Approved: sent to %(count)d members.",
                sent.accepted) % {"count": sent.accepted})
            return redirect(self.url("index"))
        if decision != "reject":
            raise Http404
        form = RejectForm(request.POST)
        if not form.is_valid():
            return self.render_page(form, status=400)
        try:
            moderation.reject(held=self.held, actor=request.user,
                              reason=form.cleaned_data["reason"],
                              endpoints=endpoints.current())
        except moderation.ModerationError as error:
            form.add_error("reason", str(error))
            return self.render_page(form, status=400)
        except SEND_ERRORS as error:
            if HeldMessage.objects.filter(pk=self.held.pk, state=HeldState.HELD).exists():
                messages.error(request, gettext(
                    "The message could not be rejected: the mail service is not reachable "
                    "(%(error)s). It is still held.") % {"error": error})
            else:
                messages.warning(request, gettext(
                    "The message was rejected, but its sender could not be told "
                    "(%(error)s).") % {"error": error})
            return here
        messages.success(request, gettext("Rejected; the sender has been told why."))
        return redirect(self.url("index"))


# --- Registrations, the registering unit's side ----------------------------------------------

class UnitSlotsView(GroupScreen):
    """The slots the user's units must fill, what they registered, and a form for each."""

    template_name = "groups/unit_slots.html"
    http_method_names = ["get"]

    def get_page_title(self) -> str:
        return gettext("Registrations of my units")

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get(self, request: HttpRequest) -> HttpResponse:
        rows = []
        for slot, unit in slots_for(self.scope):
            current = {r.state: r for r in Registration.objects.filter(
                slot=slot, unit=unit,
                state__in=[RegistrationState.APPROVED, RegistrationState.PENDING])}
            rows.append({"slot": slot, "unit": unit,
                         "approved": current.get(RegistrationState.APPROVED),
                         "pending": current.get(RegistrationState.PENDING),
                         "url": self.url("register", slot.pk, unit.pk)})
        return self.render_to_response(self.get_context_data(rows=rows))


class RegisterView(GroupScreen):
    template_name = "groups/register.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        scope = scope_for(request.user)
        slot = (RegistrationSlot.objects.select_related("group__domain", "under")
                .filter(pk=kwargs["slot"], group__is_active=True).first())
        unit = (actions.slot_units(slot).filter(scope.units_q()).filter(pk=kwargs["unit"])
                .first() if slot is not None and not scope.is_empty else None)
        if slot is None or unit is None:
            raise Http404
        self.slot, self.unit = slot, unit
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self) -> str:
        return gettext("Register an address")

    def get_page_subtitle(self) -> str:
        return f"{self.slot.group.name} – {self.slot.name}"

    def render_page(self, form: RegisterForm, status: int = 200) -> HttpResponse:
        approved = Registration.objects.filter(slot=self.slot, unit=self.unit,
                                               state=RegistrationState.APPROVED).first()
        response = self.render_to_response(self.get_context_data(
            form=form, slot=self.slot, unit=self.unit, approved=approved,
            cancel_url=self.url("index")))
        response.status_code = status
        return response

    def get(self, request: HttpRequest, slot: int, unit: int) -> HttpResponse:
        return self.render_page(RegisterForm())

    def post(self, request: HttpRequest, slot: int, unit: int) -> HttpResponse:
        form = RegisterForm(request.POST)
        if form.is_valid():
            try:
                actions.register(actor=request.user, slot=self.slot, unit=self.unit,
                                 address=form.cleaned_data["address"],
                                 note=form.cleaned_data["note"])
            except ValidationError as error:
                add_validation_error(form, error)
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, gettext(
                    "Registered; it takes effect when the group's owner approves it."))
                return redirect(self.url("index"))
        return self.render_page(form, status=400)


# --- The archive for members, outside the back office ----------------------------------------
# Most members (teachers, principals) hold no directory role and so never enter the back
# office: they read their groups' archives beside their mailbox settings, at /account/groups/.

def _account_page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    from django.shortcuts import render

    return render(request, template, context)


def _login_required(view: Any) -> Any:
    from django.contrib.auth.decorators import login_required

    return login_required(view, login_url="mail_login")


@_login_required
def account_archives(request: HttpRequest) -> HttpResponse:
    rows = [{"group": group, "count": ArchivedMessage.objects.filter(group=group).count()}
            for group in archives_readable_by(request.user)]
    return _account_page(request, "groups/account_archives.html", {"rows": rows})


@_login_required
def account_archive(request: HttpRequest, pk: int) -> HttpResponse:
    group = EmailGroup.objects.select_related("domain").filter(pk=pk).first()
    if group is None or not may_read_archive(request.user, group):
        raise Http404
    page = Paginator(ArchivedMessage.objects.filter(group=group).defer("raw"), 50).get_page(
        request.GET.get("p"))
    return _account_page(request, "groups/account_archive.html", {"group": group,
                                                                  "page": page})


@_login_required
def account_message(request: HttpRequest, pk: int) -> HttpResponse:
    item = ArchivedMessage.objects.select_related("group__domain").filter(pk=pk).first()
    if item is None or not may_read_archive(request.user, item.group):
        raise Http404
    return _account_page(request, "groups/account_message.html", {
        "item": item, "group": item.group, **message_text(bytes(item.raw))})
