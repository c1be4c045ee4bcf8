"""Set-up for mail programs: Thunderbird autoconfig, Outlook autodiscover, an Apple profile.

So that adding an account on a phone or a desktop needs only the address and the password.
Every answer holds server names and ports only (from the ``MAIL_CLIENT_*`` settings the
account page and the activation slips show too), never says whether a mailbox exists, and is
given only for hosted domains (anything else: 404). Also the MTA-STS policy file, served to the
``mta-sts.<domain>`` host name.

Endpoints (see ``edugate/mail/urls.py``):
- ``/.well-known/autoconfig/mail/config-v1.1.xml`` and ``/mail/config-v1.1.xml?emailaddress=``
  (Thunderbird; on ``autoconfig.<domain>`` or the domain's own host)
- ``POST /autodiscover/autodiscover.xml`` (Outlook; CSRF-exempt: it carries no session)
- ``/account/apple.mobileconfig`` (the logged-in holder's own mailbox; unsigned profile)
- ``/.well-known/mta-sts.txt`` (on ``mta-sts.<domain>``)
"""

from __future__ import annotations

import plistlib
import uuid
from dataclasses import dataclass
from typing import Any

from defusedxml import ElementTree
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
)
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from edugate.directory.domain_names import normalize_domain
from edugate.directory.models import Domain
from edugate.mail.dns_records import mta_sts_policy
from edugate.mail.models import Mailbox
from edugate.mail.slips import mail_client

AUTODISCOVER_RESPONSE_SCHEMA = (
    "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a")
MAX_AUTODISCOVER_BODY = 16 * 1024


@dataclass(frozen=True)
class ClientSettings:
    """How a mail program reaches the servers, for one address (or a domain's addresses)."""

    domain: Domain
    primary: Domain  # the domain logins are at (itself, or what an alias points to)
    login: str  # the user name: an address, or a placeholder the program fills in
    imap_host: str
    imap_port: int
    imap_socket: str  # "SSL" (implicit TLS) or "STARTTLS"
    smtp_host: str
    smtp_port: int
    smtp_socket: str


def hosted_domain(name: str) -> Domain:
    """The hosted domain (primary or alias) called ``name``; anything else is a 404."""
    try:
        ascii_name = normalize_domain(name)
    except (ValidationError, UnicodeError):
        raise Http404 from None
    domain = Domain.objects.select_related("alias_of", "unit").filter(name=ascii_name).first()
    if domain is None:
        raise Http404
    return domain


def client_settings(domain: Domain, local_part: str | None) -> ClientSettings:
    client = mail_client()
    primary = domain.alias_of or domain
    if local_part is not None:
        login = f"{local_part}@{primary.name}"
    else:
        login = "%EMAILADDRESS%" if primary == domain else f"%EMAILLOCALPART%@{primary.name}"
    return ClientSettings(
        domain=domain, primary=primary, login=login,
        imap_host=client.imap_host, imap_port=client.imap_port,
        imap_socket="STARTTLS" if client.imap_port == 143 else "SSL",
        smtp_host=client.smtp_host, smtp_port=client.smtp_port,
        smtp_socket="SSL" if client.smtp_port == 465 else "STARTTLS",
    )


def _split_address(address: str) -> tuple[str, str]:
    local_part, at, domain = address.strip().rpartition("@")
    if not at or not local_part or not domain or len(address) > 254:
        raise Http404
    return local_part.lower(), domain


def _host_domain(request: HttpRequest, prefix: str) -> str:
    host = request.get_host().rsplit(":", 1)[0].lower()
    return host.removeprefix(prefix)


# --- Thunderbird ----------------------------------------------------------------------------

@require_GET
def autoconfig(request: HttpRequest) -> HttpResponse:
    """Thunderbird's ``config-v1.1.xml``: for ``?emailaddress=``'s domain, else the host's."""
    address = request.GET.get("emailaddress", "")
    if address:
        local_part, name = _split_address(address)
        settings = client_settings(hosted_domain(name), local_part)
    else:
        settings = client_settings(hosted_domain(_host_domain(request, "autoconfig.")), None)
    return render(request, "mail/clientconfig/autoconfig.xml", {"s": settings},
                  content_type="application/xml; charset=utf-8")


# --- Outlook --------------------------------------------------------------------------------

def _autodiscover_address(body: bytes) -> str:
    """The ``EMailAddress`` of an Outlook autodiscover request (namespaces ignored)."""
    try:
        root = ElementTree.fromstring(body)
    except Exception:  # malformed, or a forbidden construct (entities, DTDs)
        return ""
    for element in root.iter():
        if str(element.tag).rpartition("}")[2] == "EMailAddress" and element.text:
            return str(element.text).strip()
    return ""


@csrf_exempt  # a program's request, with no session or cookie to protect
@require_http_methods(["POST"])
def autodiscover(request: HttpRequest) -> HttpResponse:
    if len(request.body) > MAX_AUTODISCOVER_BODY:
        return HttpResponseBadRequest()
    address = _autodiscover_address(request.body)
    if not address:
        return HttpResponseBadRequest()
    local_part, name = _split_address(address)
    settings = client_settings(hosted_domain(name), local_part)
    return render(request, "mail/clientconfig/autodiscover.xml",
                  {"s": settings, "schema": AUTODISCOVER_RESPONSE_SCHEMA},
                  content_type="application/xml; charset=utf-8")


# --- Apple ----------------------------------------------------------------------------------

def _reverse_dns(name: str) -> str:
    return ".".join(reversed(name.split(".")))


def mobileconfig_profile(mailbox: Mailbox) -> dict[str, Any]:
    """An unsigned configuration profile with the mailbox's IMAP and SMTP account."""
    domain = mailbox.domain
    settings = client_settings(domain, mailbox.address.rpartition("@")[0])
    base = f"{_reverse_dns(domain.name)}.edugate.mail"
    account = {
        "PayloadType": "com.apple.mail.managed",
        "PayloadVersion": 1,
        "PayloadIdentifier": f"{base}.account",
        "PayloadUUID": str(uuid.uuid5(uuid.NAMESPACE_URL, f"edugate:mail:{mailbox.address}")),
        "PayloadDisplayName": mailbox.address,
        "EmailAccountDescription": mailbox.address,
        "EmailAccountName": mailbox.display_name or mailbox.address,
        "EmailAccountType": "EmailTypeIMAP",
        "EmailAddress": mailbox.address,
        "IncomingMailServerAuthentication": "EmailAuthPassword",
        "IncomingMailServerHostName": settings.imap_host,
        "IncomingMailServerPortNumber": settings.imap_port,
        "IncomingMailServerUseSSL": True,
        "IncomingMailServerUsername": mailbox.address,
        "OutgoingMailServerAuthentication": "EmailAuthPassword",
        "OutgoingMailServerHostName": settings.smtp_host,
        "OutgoingMailServerPortNumber": settings.smtp_port,
        "OutgoingMailServerUseSSL": True,
        "OutgoingMailServerUsername": mailbox.address,
        "OutgoingPasswordSameAsIncomingPassword": True,
        "PreventMove": False,
        "PreventAppSheet": False,
        "SMIMEEnabled": False,
    }
    return {
        "PayloadType": "Configuration",
        "PayloadVersion": 1,
        "PayloadIdentifier": base,
        "PayloadUUID": str(uuid.uuid5(uuid.NAMESPACE_URL, f"edugate:profile:{mailbox.address}")),
        "PayloadDisplayName": _("Mail: %(address)s") % {"address": mailbox.address},
        "PayloadDescription": _("Sets up the mailbox %(address)s. You will be asked for its "
                                "password.") % {"address": mailbox.address},
        "PayloadOrganization": domain.unit.name,
        "PayloadRemovalDisallowed": False,
        "PayloadContent": [account],
    }


@login_required(login_url="mail_login")
@require_GET
def apple_mobileconfig(request: HttpRequest) -> HttpResponse:
    """The profile for the logged-in holder's own mailbox (no password in it)."""
    mailbox = Mailbox.objects.select_related("domain", "domain__unit").filter(
        address=request.user.email  # type: ignore[union-attr]
    ).first()
    if mailbox is None:
        raise Http404
    response = HttpResponse(plistlib.dumps(mobileconfig_profile(mailbox)),
                            content_type="application/x-apple-aspen-config")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{mailbox.address}.mobileconfig")
    return response


# --- MTA-STS --------------------------------------------------------------------------------

@require_GET
def mta_sts(request: HttpRequest) -> HttpResponse:
    """The MTA-STS policy, on ``https://mta-sts.<hosted domain>/.well-known/mta-sts.txt``."""
    from edugate.mail.dns_check import mail_dns_config

    host = request.get_host().rsplit(":", 1)[0].lower()
    if not host.startswith("mta-sts."):
        raise Http404
    domain = hosted_domain(host.removeprefix("mta-sts."))
    return HttpResponse(mta_sts_policy(mail_dns_config(domain.name)),
                        content_type="text/plain; charset=utf-8")
