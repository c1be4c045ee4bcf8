"""Back-office screens "DNS": what each domain must publish and, on request, a check.

The listing shows the domains in the user's scope (the directory's domain policy); a domain
outside it is a 404, as everywhere in the back office. The check asks the configured resolver
(``MAIL_DNS_RESOLVER``) only when the user presses the button (``?check=1``) and changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from edugate.directory.models import Domain
from edugate.directory.permissions import domain_policy
from edugate.mail import dns_check
from edugate.mail.dns_records import OK, purpose, zone_line, zone_text


def domains_visible_to(user: Any) -> QuerySet[Domain]:
    return domain_policy.instances_user_has_any_permission_for(user, ["view"]).order_by("name")


class DnsMixin(WagtailAdminTemplateMixin):
    header_icon = "globe"
    viewset: Any = None
    request: HttpRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not domain_policy.user_has_permission(request.user, "view"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def index_url(self) -> str:
        return reverse(self.viewset.get_url_name("index"))


class DnsIndexView(DnsMixin, View):
    template_name = "mail/dns/index.html"

    def get_page_title(self) -> str:
        return gettext("DNS records")

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get(self, request: HttpRequest) -> HttpResponse:
        domains = domains_visible_to(request.user).select_related("unit", "alias_of")
        rows = [{"domain": d, "url": reverse(self.viewset.get_url_name("domain"), args=[d.pk])}
                for d in domains]
        return self.render_to_response(self.get_context_data(rows=rows))


class DnsDomainView(DnsMixin, View):
    template_name = "mail/dns/domain.html"
    domain: Domain

    def get_page_title(self) -> str:
        return gettext("DNS records")

    def get_page_subtitle(self) -> str:
        return self.domain.display_name

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [*self.breadcrumbs_items,
                {"url": self.index_url(), "label": gettext("DNS records")},
                {"url": "", "label": self.domain.display_name}]

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        domain = domains_visible_to(request.user).select_related("unit", "alias_of").filter(
            pk=pk).first()
        if domain is None:
            raise Http404
        self.domain = domain
        records = dns_check.records_for_domain(domain)
        findings = dns_check.check_records(records) if request.GET.get("check") else None
        rows = [{"record": r, "purpose": purpose(r), "line": zone_line(r)} for r in records]
        if findings is not None:
            for row, finding in zip(rows, findings, strict=True):
                row["finding"] = finding
        return self.render_to_response(self.get_context_data(
            domain=domain, rows=rows, zone=zone_text(domain.name, records),
            checked=findings is not None,
            problems=sum(f.status != OK for f in findings or []),
        ))


class DnsMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return bool(domain_policy.user_has_permission(request.user, "view"))


class DnsViewSet(ViewSet):
    icon = "globe"
    menu_label = _("DNS records")
    menu_order = 520
    add_to_admin_menu = True
    menu_item_class = DnsMenuItem

    def get_urlpatterns(self) -> list[Any]:
        return [
            path("", DnsIndexView.as_view(viewset=self), name="index"),
            path("<int:pk>/", DnsDomainView.as_view(viewset=self), name="domain"),
        ]


dns_viewset = DnsViewSet("mail-dns")
