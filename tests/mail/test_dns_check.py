"""``edugate dns check`` against a real DNS server on loopback (no mocks).

The server is a small authoritative one built with dnspython, in a thread of the test: it
answers UDP queries from the zone lines it is given, with NXDOMAIN, empty answers and CNAMEs
as a real server does.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from io import StringIO
from typing import Any

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from edugate.directory.models import Domain
from edugate.mail import dns_check
from edugate.mail.dns_records import DIFFERENT, ERROR, MISSING, OK, zone_line
from tests.mail.conftest import MailTree


class ZoneServer:
    """An authoritative DNS server on 127.0.0.1 for the zone lines it holds."""

    def __init__(self) -> None:
        self.rrsets: dict[tuple[dns.name.Name, int], dns.rrset.RRset] = {}
        self.queries = 0
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.05)  # so that close() is noticed at once
        self.port = self.sock.getsockname()[1]
        self._stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def add(self, line: str) -> None:
        name, ttl, _cls, rtype, rdata = line.split(None, 4)
        rrset = dns.rrset.from_text(name, int(ttl), "IN", rtype, rdata)
        key = (rrset.name, rrset.rdtype)
        if key in self.rrsets:
            self.rrsets[key].union_update(rrset)
        else:
            self.rrsets[key] = rrset

    def clear(self) -> None:
        self.rrsets.clear()

    def _answer(self, query: dns.message.Message) -> dns.message.Message:
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        question = query.question[0]
        name, rdtype = question.name, question.rdtype
        for _hop in range(8):
            rrset = self.rrsets.get((name, rdtype))
            if rrset is not None:
                response.answer.append(rrset)
                return response
            cname = self.rrsets.get((name, dns.rdatatype.CNAME))
            if cname is None or rdtype == dns.rdatatype.CNAME:
                break
            response.answer.append(cname)
            name = next(iter(cname)).target
        if not response.answer and not any(n == name for n, _t in self.rrsets):
            response.set_rcode(dns.rcode.NXDOMAIN)
        return response

    def _serve(self) -> None:
        while not self._stop:
            try:
                data, peer = self.sock.recvfrom(65535)
            except TimeoutError:
                continue
            except OSError:
                return
            self.queries += 1
            try:
                query = dns.message.from_wire(data)
                self.sock.sendto(self._answer(query).to_wire(), peer)
            except dns.exception.DNSException:  # a bad packet gets no answer
                continue

    def close(self) -> None:
        self._stop = True
        self.thread.join(timeout=2)
        self.sock.close()


@pytest.fixture
def dns_server(settings) -> Iterator[ZoneServer]:
    server = ZoneServer()
    settings.MAIL_DNS_RESOLVER = f"127.0.0.1:{server.port}"
    settings.MAIL_DNS_TIMEOUT = 2
    settings.MAIL_HOSTNAME = ""
    settings.MAIL_WEB_HOSTNAME = "edugate.minhhai.edu.vn"
    settings.MAIL_CLIENT_IMAP_HOST = "mail.minhhai.edu.vn"
    settings.MAIL_CLIENT_SMTP_HOST = ""
    settings.MAIL_CLIENT_IMAP_PORT = 993
    settings.MAIL_CLIENT_SMTP_PORT = 587
    settings.MAIL_REPORTS_ADDRESS = ""
    yield server
    server.close()


@pytest.fixture
def with_key(settings, tmp_path, mail: MailTree) -> Domain:
    from edugate.mail import dkim

    settings.MAIL_DKIM_DIR = tmp_path / "dkim"
    dkim.create_key_files(mail.school_a.name, "e2026a")
    return mail.school_a


def publish_all(server: ZoneServer, domain: Domain) -> list[Any]:
    records = dns_check.records_for_domain(domain)
    for record in records:
        server.add(zone_line(record))
    # The hosts the CNAMEs and SRV records name exist too.
    server.add("edugate.minhhai.edu.vn. 3600 IN A 192.0.2.10")
    server.add("mail.minhhai.edu.vn. 3600 IN A 192.0.2.25")
    return records


def statuses(findings) -> dict[str, str]:
    return {f.record.kind + (f":{f.record.note}" if f.record.kind == "dkim" else ""): f.status
            for f in findings}


def test_everything_published_checks_ok(mail: MailTree, with_key: Domain,
                                        dns_server: ZoneServer) -> None:
    records = publish_all(dns_server, with_key)
    kinds = {r.kind for r in records}
    assert {"mx", "spf", "dkim", "dmarc", "dmarc_report", "mta_sts", "tls_rpt", "autoconfig",
            "srv_imap"} <= kinds
    findings = dns_check.check_domain(with_key)
    assert {f.status for f in findings} == {OK}, [f.explanation for f in findings
                                                    if f.status != OK]
    assert dns_server.queries >= len(records)


def test_nothing_published_says_what_is_missing_and_why(mail: MailTree, with_key: Domain,
                                                        dns_server: ZoneServer) -> None:
    findings = dns_check.check_domain(with_key)
    assert {f.status for f in findings} == {MISSING}
    mx = next(f for f in findings if f.record.kind == "mx")
    assert "MX" in mx.explanation
    assert "th-a.minhhai.edu.vn.\t3600\tIN\tMX\t10 mail.minhhai.edu.vn." in mx.explanation


def test_wrong_records_are_different(mail: MailTree, with_key: Domain,
                                     dns_server: ZoneServer) -> None:
    name = with_key.name
    publish_all(dns_server, with_key)
    # An old MX host still listed, a foreign SPF, a stale key, an A record for autoconfig.
    dns_server.add(f"{name}. 3600 IN MX 20 mx.old-provider.vn.")
    del dns_server.rrsets[(dns.name.from_text(name), dns.rdatatype.TXT)]
    dns_server.add(f'{name}. 3600 IN TXT "v=spf1 include:old-provider.vn -all"')
    dns_server.add(f'{name}. 3600 IN TXT "google-site-verification=abc"')
    dkim_name = dns.name.from_text(f"e2026a._domainkey.{name}")
    del dns_server.rrsets[(dkim_name, dns.rdatatype.TXT)]
    dns_server.add(f'e2026a._domainkey.{name}. 3600 IN TXT "v=DKIM1; k=rsa; p=MIIBold"')
    del dns_server.rrsets[(dns.name.from_text(f"autoconfig.{name}"), dns.rdatatype.CNAME)]
    dns_server.add(f"autoconfig.{name}. 3600 IN A 192.0.2.10")  # same server: fine
    del dns_server.rrsets[(dns.name.from_text(f"autodiscover.{name}"), dns.rdatatype.CNAME)]
    dns_server.add(f"autodiscover.{name}. 3600 IN A 198.51.100.1")  # another server
    result = statuses(dns_check.check_domain(with_key))
    assert result["mx"] == DIFFERENT
    assert result["spf"] == DIFFERENT
    assert result["dkim:e2026a"] == DIFFERENT
    assert result["autoconfig"] == OK
    assert result["autodiscover"] == DIFFERENT
    assert result["dmarc"] == OK


def test_an_unreachable_resolver_is_reported_not_raised(mail: MailTree, settings) -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))  # bound, never answering
    settings.MAIL_DNS_RESOLVER = f"127.0.0.1:{sock.getsockname()[1]}"
    settings.MAIL_DNS_TIMEOUT = 0.3
    try:
        findings = dns_check.check_domain(mail.school_a)
    finally:
        sock.close()
    assert {f.status for f in findings} == {ERROR}
    assert "LifetimeTimeout" in findings[0].explanation or "Timeout" in findings[0].explanation


def test_resolver_addresses() -> None:
    assert dns_check.resolver_address("") is None
    assert dns_check.resolver_address("127.0.0.1:5353") == ("127.0.0.1", 5353)
    assert dns_check.resolver_address("10.0.0.2") == ("10.0.0.2", 53)
    assert dns_check.resolver_address("[::1]:5353") == ("::1", 5353)
    assert dns_check.resolver_address("::1") == ("::1", 53)


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_the_console_prints_records_and_checks(mail: MailTree, with_key: Domain,
                                               dns_server: ZoneServer) -> None:
    text = run("dns", "records", with_key.name)
    assert "th-a.minhhai.edu.vn.\t3600\tIN\tMX\t10 mail.minhhai.edu.vn." in text
    assert "_dmarc.th-a.minhhai.edu.vn." in text and "._domainkey." in text
    assert "PRIVATE" not in text
    records = json.loads(run("dns", "records", with_key.name, "--json"))
    assert {r["type"] for r in records} == {"MX", "TXT", "CNAME", "SRV"}
    # Nothing published: the check lists the problems and fails.
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("dns", "check", with_key.name, stdout=out)
    assert "MISSING" in out.getvalue()
    # Everything published: all OK, exit status 0.
    for line in text.splitlines():
        if line and not line.startswith(";"):
            dns_server.add(line)
    dns_server.add("edugate.minhhai.edu.vn. 3600 IN A 192.0.2.10")
    checked = json.loads(run("dns", "check", with_key.name, "--json"))
    assert {c["status"] for c in checked} == {"ok"}


def test_the_console_is_scoped(mail: MailTree, dns_server: ZoneServer) -> None:
    admin_b = mail.tree.school_b_admin.email
    with pytest.raises(CommandError):
        run("dns", "records", mail.school_a.name, "--as", admin_b)
    with pytest.raises(CommandError):
        run("dns", "check", mail.school_a.name, "--as", admin_b)
    assert dns_server.queries == 0
    assert "th-b.minhhai.edu.vn" in run("dns", "records", mail.school_b.name, "--as", admin_b)


# --- The back-office screen -----------------------------------------------------------------

def test_the_dns_screen_shows_records_and_checks_on_request(
    mail: MailTree, with_key: Domain, dns_server: ZoneServer
) -> None:
    client = Client()
    client.force_login(mail.tree.school_a_admin)
    index = client.get("/admin/mail-dns/")
    assert index.status_code == 200
    body = index.content.decode()
    assert "th-a.minhhai.edu.vn" in body and "th-b.minhhai.edu.vn" not in body
    page = client.get(f"/admin/mail-dns/{with_key.pk}/")
    assert page.status_code == 200
    assert "_dmarc.th-a.minhhai.edu.vn" in page.content.decode()
    assert dns_server.queries == 0  # no check until asked
    checked = client.get(f"/admin/mail-dns/{with_key.pk}/?check=1").content.decode()
    assert dns_server.queries > 0
    assert "10 mail.minhhai.edu.vn." in checked and "MX" in checked


def test_the_dns_screen_is_scoped(mail: MailTree, dns_server: ZoneServer) -> None:
    client = Client()
    client.force_login(mail.tree.school_b_admin)
    assert client.get(f"/admin/mail-dns/{mail.school_a.pk}/").status_code == 404
    assert client.get(f"/admin/mail-dns/{mail.school_a.pk}/?check=1").status_code == 404
    assert "th-a.minhhai" not in client.get("/admin/mail-dns/").content.decode()
    assert dns_server.queries == 0
    # The department's administrator sees every domain below.
    client.force_login(mail.tree.dept_admin)
    body = client.get("/admin/mail-dns/").content.decode()
    assert "th-a.minhhai.edu.vn" in body and "th-b.minhhai.edu.vn" in body


def test_people_without_a_role_get_no_dns_screen(mail: MailTree) -> None:
    from edugate.accounts.models import User

    user = User.objects.create_user("khach@minhhai.edu.vn", "x" * 12)
    client = Client()
    client.force_login(user)
    assert client.get("/admin/mail-dns/").status_code in (302, 403)
