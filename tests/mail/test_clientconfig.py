"""Set-up for mail programs: Thunderbird autoconfig, Outlook autodiscover, the Apple profile,
and the MTA-STS policy file. Real requests through Django's test client; XML and plists parsed."""

from __future__ import annotations

import plistlib
import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from django.urls import reverse

from edugate.directory import actions as directory
from edugate.mail.dns_check import mail_dns_config
from edugate.mail.dns_records import mta_sts_policy
from tests.mail.conftest import PASSWORD, MailTree
from tests.mail.test_login import activate

AD_RESPONSE = "{http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a}"
AD_REQUEST = """<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
  <Request>
    <EMailAddress>{address}</EMailAddress>
    <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>
  </Request>
</Autodiscover>"""


@pytest.fixture(autouse=True)
def servers(settings) -> None:
    settings.MAIL_CLIENT_IMAP_HOST = "mail.minhhai.edu.vn"
    settings.MAIL_CLIENT_IMAP_PORT = 993
    settings.MAIL_CLIENT_SMTP_HOST = "smtp.minhhai.edu.vn"
    settings.MAIL_CLIENT_SMTP_PORT = 587
    settings.ALLOWED_HOSTS = ["testserver", ".minhhai.edu.vn", ".anbinh.edu.vn", ".example.vn"]


def parse(response) -> ET.Element:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/xml")
    return ET.fromstring(response.content)  # noqa: S314


# --- Thunderbird ----------------------------------------------------------------------------

def test_autoconfig_for_an_address(mail: MailTree, client: Client) -> None:
    for url in ("/mail/config-v1.1.xml", "/.well-known/autoconfig/mail/config-v1.1.xml"):
        root = parse(client.get(url, {"emailaddress": "AnNV@th-a.minhhai.edu.vn"}))
        provider = root.find("emailProvider")
        assert provider is not None and provider.get("id") == "th-a.minhhai.edu.vn"
        incoming = provider.find("incomingServer")
        outgoing = provider.find("outgoingServer")
        assert incoming is not None and outgoing is not None
        assert incoming.get("type") == "imap" and outgoing.get("type") == "smtp"
        assert incoming.findtext("hostname") == "mail.minhhai.edu.vn"
        assert incoming.findtext("port") == "993" and incoming.findtext("socketType") == "SSL"
        assert outgoing.findtext("hostname") == "smtp.minhhai.edu.vn"
        assert outgoing.findtext("port") == "587"
        assert outgoing.findtext("socketType") == "STARTTLS"
        assert incoming.findtext("username") == "annv@th-a.minhhai.edu.vn"


def test_autoconfig_by_host_name(mail: MailTree, client: Client) -> None:
    root = parse(client.get("/mail/config-v1.1.xml", HTTP_HOST="autoconfig.th-b.minhhai.edu.vn"))
    provider = root.find("emailProvider")
    assert provider is not None and provider.findtext("domain") == "th-b.minhhai.edu.vn"
    assert provider.findtext("incomingServer/username") == "%EMAILADDRESS%"
    assert provider.findtext("displayName") == mail.tree.school_b.name


def test_autoconfig_for_an_alias_domain_logs_in_at_the_primary(mail: MailTree,
                                                                client: Client) -> None:
    directory.add_domain(actor=None, unit=mail.tree.school_a, name="anbinh.edu.vn",
                         alias_of=mail.school_a)
    root = parse(client.get("/mail/config-v1.1.xml", {"emailaddress": "annv@anbinh.edu.vn"}))
    assert root.findtext("emailProvider/incomingServer/username") == "annv@th-a.minhhai.edu.vn"
    root = parse(client.get("/mail/config-v1.1.xml", HTTP_HOST="autoconfig.anbinh.edu.vn"))
    assert root.findtext("emailProvider/incomingServer/username") == \
        "%EMAILLOCALPART%@th-a.minhhai.edu.vn"


def test_autoconfig_only_for_hosted_domains(mail: MailTree, client: Client) -> None:
    assert client.get("/mail/config-v1.1.xml",
                      {"emailaddress": "x@example.vn"}).status_code == 404
    assert client.get("/mail/config-v1.1.xml", {"emailaddress": "not-an-address"}).status_code \
        == 404
    assert client.get("/mail/config-v1.1.xml",
                      {"emailaddress": "x@bad..domain"}).status_code == 404
    assert client.get("/mail/config-v1.1.xml",
                      HTTP_HOST="autoconfig.example.vn").status_code == 404
    assert client.post("/mail/config-v1.1.xml").status_code == 405


# --- Outlook --------------------------------------------------------------------------------

def test_autodiscover_answers_with_the_servers(mail: MailTree) -> None:
    client = Client(enforce_csrf_checks=True)  # Outlook has no CSRF token
    for url in ("/autodiscover/autodiscover.xml", "/Autodiscover/Autodiscover.xml"):
        response = client.post(url, AD_REQUEST.format(address="annv@th-a.minhhai.edu.vn"),
                               content_type="text/xml")
        root = parse(response)
        account = root.find(f"{AD_RESPONSE}Response/{AD_RESPONSE}Account")
        assert account is not None
        assert account.findtext(f"{AD_RESPONSE}Action") == "settings"
        protocols = {p.findtext(f"{AD_RESPONSE}Type"): p
                     for p in account.findall(f"{AD_RESPONSE}Protocol")}
        imap, smtp = protocols["IMAP"], protocols["SMTP"]
        assert imap.findtext(f"{AD_RESPONSE}Server") == "mail.minhhai.edu.vn"
        assert imap.findtext(f"{AD_RESPONSE}Port") == "993"
        assert imap.findtext(f"{AD_RESPONSE}SSL") == "on"
        assert smtp.findtext(f"{AD_RESPONSE}Server") == "smtp.minhhai.edu.vn"
        assert smtp.findtext(f"{AD_RESPONSE}Port") == "587"
        assert smtp.findtext(f"{AD_RESPONSE}Encryption") == "TLS"
        assert imap.findtext(f"{AD_RESPONSE}LoginName") == "annv@th-a.minhhai.edu.vn"


def test_autodiscover_refuses_what_it_should(mail: MailTree) -> None:
    client = Client(enforce_csrf_checks=True)
    url = "/autodiscover/autodiscover.xml"
    assert client.get(url).status_code == 405
    assert client.post(url, AD_REQUEST.format(address="x@example.vn"),
                       content_type="text/xml").status_code == 404
    assert client.post(url, "<not xml", content_type="text/xml").status_code == 400
    assert client.post(url, "<Autodiscover/>", content_type="text/xml").status_code == 400
    bomb = ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            '<Autodiscover><Request><EMailAddress>&b;@th-a.minhhai.edu.vn</EMailAddress>'
            '</Request></Autodiscover>')
    assert client.post(url, bomb, content_type="text/xml").status_code == 400
    huge = AD_REQUEST.format(address="annv@th-a.minhhai.edu.vn") + " " * 20000
    assert client.post(url, huge, content_type="text/xml").status_code == 400


def test_only_the_client_endpoints_are_csrf_exempt(mail: MailTree) -> None:
    client = Client(enforce_csrf_checks=True)
    activate(mail)
    response = client.post(reverse("mail_login"), {"username": mail.teacher_a.address,
                                                   "password": PASSWORD})
    assert response.status_code == 403


# --- Apple ----------------------------------------------------------------------------------

def test_the_holder_downloads_a_profile_without_a_password(mail: MailTree, client: Client) -> None:
    from django.core.cache import cache

    cache.clear()
    activate(mail)
    assert client.post(reverse("mail_login"), {"username": mail.teacher_a.address,
                                               "password": PASSWORD}).status_code == 302
    account = client.get(reverse("mail_account")).content.decode()
    assert reverse("mail_apple_mobileconfig") in account
    response = client.get("/account/apple.mobileconfig")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-apple-aspen-config"
    assert "attachment" in response["Content-Disposition"]
    assert PASSWORD.encode() not in response.content
    profile = plistlib.loads(response.content)
    assert profile["PayloadType"] == "Configuration"
    [account_payload] = profile["PayloadContent"]
    assert account_payload["PayloadType"] == "com.apple.mail.managed"
    assert account_payload["EmailAddress"] == mail.teacher_a.address
    assert account_payload["EmailAccountType"] == "EmailTypeIMAP"
    assert account_payload["IncomingMailServerHostName"] == "mail.minhhai.edu.vn"
    assert account_payload["IncomingMailServerPortNumber"] == 993
    assert account_payload["IncomingMailServerUseSSL"] is True
    assert account_payload["IncomingMailServerUsername"] == mail.teacher_a.address
    assert account_payload["OutgoingMailServerHostName"] == "smtp.minhhai.edu.vn"
    assert account_payload["OutgoingMailServerPortNumber"] == 587
    assert not any("Password" in key and key != "OutgoingPasswordSameAsIncomingPassword"
                   for key in account_payload)
    # The same profile each time, so installing it again replaces it.
    again = plistlib.loads(client.get("/account/apple.mobileconfig").content)
    assert again["PayloadUUID"] == profile["PayloadUUID"]


def test_the_profile_needs_a_login_and_a_mailbox(mail: MailTree, client: Client) -> None:
    response = client.get("/account/apple.mobileconfig")
    assert response.status_code == 302 and reverse("mail_login") in response["Location"]
    client.force_login(mail.tree.superuser)  # an account with no mailbox of its own
    assert client.get("/account/apple.mobileconfig").status_code == 404


# --- MTA-STS --------------------------------------------------------------------------------

def test_the_mta_sts_policy_is_served_to_its_host_only(mail: MailTree, client: Client) -> None:
    url = "/.well-known/mta-sts.txt"
    response = client.get(url, HTTP_HOST="mta-sts.th-a.minhhai.edu.vn")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert text == mta_sts_policy(mail_dns_config())
    assert text.startswith("version: STSv1\r\n") and "mx: mail.minhhai.edu.vn\r\n" in text
    assert client.get(url, HTTP_HOST="mta-sts.example.vn").status_code == 404
    assert client.get(url, HTTP_HOST="th-a.minhhai.edu.vn").status_code == 404
