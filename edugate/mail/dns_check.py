"""The I/O around :mod:`edugate.mail.dns_records`: settings, keys, and a real resolver.

``records_for_domain`` gathers what a hosted domain must publish (server names from settings,
its DKIM keys from the key folder); ``check_domain`` asks DNS for each record (the resolver in
``MAIL_DNS_RESOLVER``, else the system's) and compares. Callers look the domain up within
their scope first: these functions take a :class:`Domain` they were allowed to see.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import dns.exception
import dns.name
import dns.rdatatype
import dns.resolver
from django.conf import settings

from edugate.directory.models import Domain
from edugate.mail import dkim
from edugate.mail.dns_records import (
    DkimPublicKey,
    DnsRecord,
    Finding,
    MailDnsConfig,
    compare,
    error_finding,
    records_for,
)
from edugate.mail.slips import mail_client


def department_domain() -> str:
    """The department's own primary domain (the root unit's), which names the mail host and
    receives the reports by default. Only its name is read, for defaults."""
    name = (Domain.objects.filter(unit__depth=1, alias_of__isnull=True)
            .order_by("unit__path", "name").values_list("name", flat=True).first())
    return name or ""


def mail_dns_config(fallback_domain: str = "") -> MailDnsConfig:
    home = department_domain() or fallback_domain or "localhost"
    client = mail_client()
    web = (getattr(settings, "MAIL_WEB_HOSTNAME", "")
           or urlsplit(str(settings.WAGTAILADMIN_BASE_URL)).hostname or "localhost")
    return MailDnsConfig(
        mx_host=getattr(settings, "MAIL_HOSTNAME", "") or f"mail.{home}",
        web_host=web,
        imap_host=client.imap_host, imap_port=client.imap_port,
        smtp_host=client.smtp_host, smtp_port=client.smtp_port,
        reports_address=getattr(settings, "MAIL_REPORTS_ADDRESS", "") or f"postmaster@{home}",
        spf_extra=getattr(settings, "MAIL_SPF_EXTRA", ""),
        mta_sts_mode=getattr(settings, "MAIL_MTA_STS_MODE", "testing") or "testing",
    )


def records_for_domain(domain: Domain) -> list[DnsRecord]:
    keys = [] if domain.is_alias else [
        DkimPublicKey(k.selector, k.txt_value, k.active) for k in dkim.published_keys(domain.name)
    ]
    return records_for(domain.name, config=mail_dns_config(domain.name), dkim=keys,
                       alias=domain.is_alias)


# --- Asking DNS -----------------------------------------------------------------------------

def resolver_address(value: str) -> tuple[str, int] | None:
    """``"127.0.0.1:5353"``, ``"[::1]:53"``, ``"::1"`` or ``"10.0.0.2"`` as (host, port)."""
    value = value.strip()
    if not value:
        return None
    if value.startswith("["):
        host, _sep, rest = value[1:].partition("]")
        return host, int(rest.lstrip(":") or 53)
    if value.count(":") == 1:
        host, _sep, port = value.partition(":")
        return host, int(port)
    return value, 53


def make_resolver() -> dns.resolver.Resolver:
    address = resolver_address(getattr(settings, "MAIL_DNS_RESOLVER", ""))
    resolver = dns.resolver.Resolver(configure=address is None)
    if address is not None:
        resolver.nameservers = [address[0]]
        resolver.port = address[1]
    timeout = float(getattr(settings, "MAIL_DNS_TIMEOUT", 3))
    resolver.timeout = resolver.lifetime = timeout
    resolver.use_edns(0, 0, 1232)  # 2048-bit DKIM keys do not fit in 512 bytes
    return resolver


def _text(rdata: object, rtype: str) -> str:
    if rtype == "TXT":
        return b"".join(rdata.strings).decode("utf-8", "replace")  # type: ignore[attr-defined]
    if rtype == "CNAME":
        return str(rdata.target.to_text()).lower()  # type: ignore[attr-defined]
    return str(rdata.to_text()).lower()  # type: ignore[attr-defined]


def lookup(resolver: dns.resolver.Resolver, name: str, rtype: str) -> list[str]:
    """The values of ``name``'s ``rtype`` records ([] when there are none). Raises
    ``dns.exception.DNSException`` when DNS does not answer."""
    qname = dns.name.from_text(name)
    try:
        answer = resolver.resolve(qname, rtype, raise_on_no_answer=False, search=False)
    except dns.resolver.NXDOMAIN:
        return []
    if answer.rrset is None:
        return []
    wanted = dns.rdatatype.from_text(rtype)
    # A TXT or SRV query on an alias also returns the CNAME: keep the records asked for.
    return [_text(rdata, rtype) for rdata in answer.rrset if rdata.rdtype == wanted]


def _addresses(resolver: dns.resolver.Resolver, name: str) -> set[str]:
    return {a for rtype in ("A", "AAAA") for a in lookup(resolver, name, rtype)}


def _answers(record: DnsRecord) -> list[str] | str:
    """What DNS holds for ``record`` (a list), or why it did not answer (a string)."""
    resolver = make_resolver()
    try:
        found = lookup(resolver, record.name, record.rtype)
        if record.rtype == "CNAME" and not found:
            # An address record to the same server does the job of the CNAME.
            here = _addresses(resolver, record.name)
            if here and here == _addresses(resolver, record.value):
                found = [record.value]
            elif here:
                found = sorted(here)
    except dns.exception.DNSException as error:
        return type(error).__name__
    return found


def check_records(records: Sequence[DnsRecord]) -> list[Finding]:
    """Ask DNS for every record at once; judge them here (in the caller's language)."""
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(_answers, records))
    return [error_finding(record, answer) if isinstance(answer, str) else compare(record, answer)
            for record, answer in zip(records, answers, strict=True)]


def check_domain(domain: Domain) -> list[Finding]:
    return check_records(records_for_domain(domain))
