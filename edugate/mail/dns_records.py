"""What a hosted domain must publish in DNS, and how what DNS answers compares with it.

Pure functions over plain data (no database, no network): :func:`records_for` lists the
records from a :class:`MailDnsConfig` and the domain's DKIM keys; :func:`compare` judges one
record against the values DNS returned, with an explanation an administrator understands;
:func:`zone_text` prints the records as zone-file lines. ``edugate.mail.dns_check`` feeds them
from settings, the key folder and a real resolver.

Record kinds: MX; SPF; DKIM (one per key still in the folder); DMARC (``p=quarantine``, reports
to a postmaster address, with the authorisation record when that address is in another
domain); MTA-STS (``_mta-sts`` TXT, the ``mta-sts.`` host serving the policy); TLS-RPT;
``autoconfig.``/``autodiscover.`` CNAMEs and the RFC 6186 SRV records for mail programs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

TTL = 3600
OK, MISSING, DIFFERENT, ERROR = "ok", "missing", "different", "error"


@dataclass(frozen=True)
class MailDnsConfig:
    """Server names and policies every hosted domain points at (from settings)."""

    mx_host: str
    web_host: str
    imap_host: str
    imap_port: int
    smtp_host: str
    smtp_port: int
    reports_address: str
    spf_extra: str = ""
    mta_sts_mode: str = "testing"
    mta_sts_max_age: int = 604800


@dataclass(frozen=True)
class DkimPublicKey:
    selector: str
    txt: str  # "v=DKIM1; k=rsa; p=..."
    active: bool = True


@dataclass(frozen=True)
class DnsRecord:
    kind: str
    name: str  # absolute, without the final dot
    rtype: str  # MX, TXT, CNAME, SRV
    value: str  # as compared: TXT text unquoted, host names with their final dot
    zone: str  # the zone it goes into (the domain's, or the reports domain's)
    note: str = ""  # e.g. the DKIM selector, "retired"

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "name": self.name, "type": self.rtype, "value": self.value,
                "zone": self.zone, "purpose": purpose(self), "line": zone_line(self)}


@dataclass(frozen=True)
class Finding:
    record: DnsRecord
    status: str
    found: tuple[str, ...] = field(default_factory=tuple)
    explanation: str = ""

    def as_dict(self) -> dict[str, object]:
        return {**self.record.as_dict(), "status": self.status, "found": list(self.found),
                "explanation": self.explanation}


def _fqdn(host: str) -> str:
    return host.rstrip(".").lower() + "."


def mta_sts_policy(config: MailDnsConfig) -> str:
    """The policy file served at ``https://mta-sts.<domain>/.well-known/mta-sts.txt``."""
    lines = ["version: STSv1", f"mode: {config.mta_sts_mode}", f"mx: {config.mx_host.lower()}",
             f"max_age: {config.mta_sts_max_age}"]
    return "\r\n".join(lines) + "\r\n"


def mta_sts_id(config: MailDnsConfig) -> str:
    """Changes whenever the policy does, so senders fetch it again."""
    return hashlib.sha256(mta_sts_policy(config).encode()).hexdigest()[:20]


def _srv_name(service: str, port: int) -> str:
    """RFC 6186/8314: implicit TLS ports have their own service names."""
    implicit = {"imap": 993, "submission": 465}
    secure = {"imap": "_imaps", "submission": "_submissions"}
    return secure[service] if port == implicit[service] else f"_{service}"


def records_for(
    domain: str, *, config: MailDnsConfig, dkim: Sequence[DkimPublicKey] = (),
    alias: bool = False,
) -> list[DnsRecord]:
    """Everything ``domain`` must publish. An alias domain receives mail but has no key of its
    own and no logins, so no DKIM and no records for mail programs."""
    d = domain.lower().rstrip(".")
    mx, web = _fqdn(config.mx_host), _fqdn(config.web_host)
    spf = " ".join(["v=spf1", "mx", *config.spf_extra.split(), "-all"])
    reports = config.reports_address.lower()
    records = [
        DnsRecord("mx", d, "MX", f"10 {mx}", d),
        DnsRecord("spf", d, "TXT", spf, d),
    ]
    for key in dkim:
        records.append(DnsRecord("dkim", f"{key.selector}._domainkey.{d}", "TXT", key.txt, d,
                                 note=key.selector if key.active else f"{key.selector} (old)"))
    records.append(DnsRecord("dmarc", f"_dmarc.{d}", "TXT",
                             f"v=DMARC1; p=quarantine; rua=mailto:{reports}", d))
    report_domain = reports.rpartition("@")[2]
    if report_domain and report_domain != d:
        # RFC 7489 §7.1: the reports domain agrees to receive this domain's reports.
        records.append(DnsRecord("dmarc_report", f"{d}._report._dmarc.{report_domain}", "TXT",
                                 "v=DMARC1", report_domain))
    records += [
        DnsRecord("mta_sts", f"_mta-sts.{d}", "TXT", f"v=STSv1; id={mta_sts_id(config)}", d),
        DnsRecord("mta_sts_host", f"mta-sts.{d}", "CNAME", web, d),
        DnsRecord("tls_rpt", f"_smtp._tls.{d}", "TXT", f"v=TLSRPTv1; rua=mailto:{reports}", d),
    ]
    if not alias:
        imap_srv = _srv_name("imap", config.imap_port)
        smtp_srv = _srv_name("submission", config.smtp_port)
        records += [
            DnsRecord("autoconfig", f"autoconfig.{d}", "CNAME", web, d),
            DnsRecord("autodiscover", f"autodiscover.{d}", "CNAME", web, d),
            DnsRecord("srv_submission", f"{smtp_srv}._tcp.{d}", "SRV",
                      f"0 1 {config.smtp_port} {_fqdn(config.smtp_host)}", d),
            DnsRecord("srv_imap", f"{imap_srv}._tcp.{d}", "SRV",
                      f"0 1 {config.imap_port} {_fqdn(config.imap_host)}", d),
            DnsRecord("srv_autodiscover", f"_autodiscover._tcp.{d}", "SRV", f"0 1 443 {web}", d),
        ]
    return records


# --- Zone-file text -------------------------------------------------------------------------

def _quoted(text: str) -> str:
    """TXT text as zone-file strings of at most 255 characters each."""
    chunks = [text[i:i + 255] for i in range(0, len(text), 255)] or [""]
    return " ".join('"' + c.replace("\\", "\\\\").replace('"', '\\"') + '"' for c in chunks)


def zone_line(record: DnsRecord) -> str:
    value = _quoted(record.value) if record.rtype == "TXT" else record.value
    return f"{record.name}.\t{TTL}\tIN\t{record.rtype}\t{value}"


def zone_text(domain: str, records: Sequence[DnsRecord]) -> str:
    """The records as zone-file lines, grouped by zone, each group under a comment."""
    out: list[str] = []
    for zone in dict.fromkeys(r.zone for r in records):
        if out:
            out.append("")
        out.append("; " + (_("Records for %(zone)s") % {"zone": zone}
                           if zone == domain else
                           _("In the zone %(zone)s (for %(domain)s)")
                           % {"zone": zone, "domain": domain}))
        for record in records:
            if record.zone == zone:
                out.append(f"; {purpose(record)}")
                out.append(zone_line(record))
    return "\n".join(out) + "\n"


# --- Explanations ---------------------------------------------------------------------------

PURPOSES: dict[str, Promise] = {
    "mx": gettext_lazy("Where mail for the domain is delivered."),
    "spf": gettext_lazy("Which servers may send mail for the domain (SPF)."),
    "dkim": gettext_lazy("The public key that verifies the signature of outgoing mail (DKIM)."),
    "dmarc": gettext_lazy("What receivers do with mail that fails SPF and DKIM, and where they "
                          "send reports (DMARC)."),
    "dmarc_report": gettext_lazy("Lets the reports domain receive this domain's DMARC "
                                 "reports."),
    "mta_sts": gettext_lazy("Announces that mail to the domain must travel encrypted "
                            "(MTA-STS)."),
    "mta_sts_host": gettext_lazy("The web host that serves the MTA-STS policy."),
    "tls_rpt": gettext_lazy("Where senders report encryption failures (TLS-RPT)."),
    "autoconfig": gettext_lazy("Automatic set-up of Thunderbird and other mail programs."),
    "autodiscover": gettext_lazy("Automatic set-up of Outlook."),
    "srv_submission": gettext_lazy("The server mail programs send through."),
    "srv_imap": gettext_lazy("The server mail programs read mail from (IMAP)."),
    "srv_autodiscover": gettext_lazy("Automatic set-up of Outlook (service record)."),
}

MISSING_TEXT: dict[str, Promise] = {
    "mx": gettext_lazy("No MX record: other servers cannot deliver mail to this domain."),
    "spf": gettext_lazy("No SPF record: receiving servers cannot tell that our server may send "
                        "for this domain, and may treat its mail as spam."),
    "dkim": gettext_lazy("The DKIM key is not published: receivers cannot verify the signature "
                         "of mail from this domain, and may treat it as spam."),
    "dmarc": gettext_lazy("No DMARC policy: forged mail claiming to come from this domain is "
                          "not stopped, and nobody receives reports about it."),
    "dmarc_report": gettext_lazy("The reports domain has not agreed to receive this domain's "
                                 "DMARC reports: receivers will not send them."),
    "mta_sts": gettext_lazy("No MTA-STS record: senders do not know that mail to this domain "
                            "must be encrypted, so it can be read or diverted on the way."),
    "mta_sts_host": gettext_lazy("The MTA-STS policy host does not exist: senders cannot fetch "
                                 "the policy."),
    "tls_rpt": gettext_lazy("No TLS-RPT record: nobody hears about encryption failures when "
                            "mail is sent to this domain."),
    "autoconfig": gettext_lazy("No autoconfig name: Thunderbird and similar programs cannot set "
                               "themselves up; users must type the server names."),
    "autodiscover": gettext_lazy("No autodiscover name: Outlook cannot set itself up; users "
                                 "must type the server names."),
    "srv_submission": gettext_lazy("No service record for sending: some mail programs (Apple "
                                   "Mail, phones) cannot find the sending server."),
    "srv_imap": gettext_lazy("No service record for IMAP: some mail programs (Apple Mail, "
                             "phones) cannot find the incoming mail server."),
    "srv_autodiscover": gettext_lazy("No autodiscover service record: Outlook may not find its "
                                     "settings."),
}

DIFFERENT_TEXT: dict[str, Promise] = {
    "mx": gettext_lazy("The MX record points elsewhere: some or all mail for this domain goes "
                       "to another server."),
    "spf": gettext_lazy("The SPF record differs: mail sent through our server may fail SPF and "
                        "be treated as spam."),
    "spf_many": gettext_lazy("There are several SPF records: receivers then ignore SPF "
                             "altogether. Keep exactly one."),
    "dkim": gettext_lazy("The published DKIM key is not the one our server signs with: "
                         "signatures fail and mail may be treated as spam."),
    "dmarc": gettext_lazy("The DMARC policy differs from the recommended one: forged mail may "
                          "get through, or reports go elsewhere."),
    "dmarc_report": gettext_lazy("The reports domain's authorisation record is malformed."),
    "mta_sts": gettext_lazy("The MTA-STS record differs: senders keep using an old policy."),
    "mta_sts_host": gettext_lazy("The MTA-STS policy host points elsewhere: senders cannot "
                                 "fetch our policy."),
    "tls_rpt": gettext_lazy("The TLS-RPT record differs: reports go elsewhere."),
    "autoconfig": gettext_lazy("The autoconfig name points elsewhere: mail programs may get "
                               "wrong settings."),
    "autodiscover": gettext_lazy("The autodiscover name points elsewhere: Outlook may get "
                                 "wrong settings."),
    "srv_submission": gettext_lazy("The service record for sending points elsewhere: mail "
                                   "programs may send through the wrong server."),
    "srv_imap": gettext_lazy("The service record for IMAP points elsewhere: mail programs may "
                             "connect to the wrong server."),
    "srv_autodiscover": gettext_lazy("The autodiscover service record points elsewhere."),
}


def purpose(record: DnsRecord) -> str:
    return str(PURPOSES[record.kind])


def _explain(record: DnsRecord, status: str, found: Sequence[str], key: str = "") -> str:
    line = zone_line(record)
    if status == OK:
        return _("Published as expected.")
    if status == MISSING:
        return _("%(problem)s Publish: %(record)s") % {
            "problem": MISSING_TEXT[record.kind], "record": line}
    return _("%(problem)s DNS answers: %(found)s. Publish instead: %(record)s") % {
        "problem": DIFFERENT_TEXT[key or record.kind], "found": " | ".join(found),
        "record": line}


def error_finding(record: DnsRecord, error: str) -> Finding:
    return Finding(record, ERROR, (), _("DNS did not answer (%(error)s): try again later, or ask "
                                        "whoever runs the domain's name servers.")
                   % {"error": error})


# --- Comparing ------------------------------------------------------------------------------

TXT_PREFIX = {"spf": "v=spf1", "dkim": "", "dmarc": "v=dmarc1", "dmarc_report": "v=dmarc1",
              "mta_sts": "v=stsv1", "tls_rpt": "v=tlsrptv1"}


def tags(text: str) -> dict[str, str]:
    """``v=DKIM1; k=rsa; p=...`` as a dict (keys lower-case, whitespace around values gone)."""
    result = {}
    for part in text.split(";"):
        key, sep, value = part.partition("=")
        if sep:
            result[key.strip().lower()] = value.strip()
    return result


def _same_tags(expected: str, found: str, names: Sequence[str]) -> bool:
    want, have = tags(expected), tags(found)
    return all(want.get(n, "").replace(" ", "").lower() == have.get(n, "").replace(" ", "").lower()
               for n in names)


def _txt_ok(record: DnsRecord, value: str) -> bool:
    if record.kind == "spf":
        return " ".join(value.lower().split()) == " ".join(record.value.lower().split())
    if record.kind == "dkim":
        return "".join(tags(value).get("p", "").split()) == tags(record.value)["p"]
    if record.kind == "dmarc":
        have = tags(value)
        stronger = have.get("p", "").lower() in ("quarantine", "reject")
        return stronger and _same_tags(record.value, value, ["rua"]) and \
            have.get("pct", "100") == "100"
    if record.kind == "dmarc_report":
        return True
    if record.kind == "mta_sts":
        return _same_tags(record.value, value, ["id"])
    return _same_tags(record.value, value, ["rua"])  # tls_rpt


def compare(record: DnsRecord, found: Sequence[str]) -> Finding:
    """Judge ``record`` against what DNS returned for its name and type (``found``: TXT as
    joined text, host names with their final dot; empty when there is no such record)."""
    values = tuple(found)
    if record.rtype == "TXT":
        prefix = TXT_PREFIX[record.kind]
        if record.kind == "dkim":
            values = tuple(v for v in values if "p=" in v.replace(" ", ""))
        else:
            values = tuple(v for v in values if v.strip().lower().startswith(prefix))
        if not values:
            return Finding(record, MISSING, (), _explain(record, MISSING, ()))
        if len(values) > 1 and record.kind in ("spf", "dmarc", "mta_sts", "tls_rpt"):
            key = "spf_many" if record.kind == "spf" else ""
            return Finding(record, DIFFERENT, values, _explain(record, DIFFERENT, values, key))
        ok = any(_txt_ok(record, v) for v in values)
    else:
        if not values:
            return Finding(record, MISSING, (), _explain(record, MISSING, ()))
        if record.rtype == "MX":
            # Preferences are the domain's business; the set of hosts is what matters.
            ok = {v.split()[-1].lower() for v in values} == {record.value.split()[-1]}
        elif record.rtype == "SRV":
            ok = any(v.lower().split()[2:] == record.value.split()[2:] for v in values)
        else:  # CNAME
            ok = any(_fqdn(v) == record.value for v in values)
    status = OK if ok else DIFFERENT
    return Finding(record, status, values, _explain(record, status, values))
