"""What a domain must publish (pure): the records, their zone-file text, the comparison."""

from __future__ import annotations

import dns.rrset

from edugate.mail.dns_records import (
    DIFFERENT,
    MISSING,
    OK,
    DkimPublicKey,
    MailDnsConfig,
    compare,
    mta_sts_id,
    mta_sts_policy,
    records_for,
    zone_line,
    zone_text,
)

CONFIG = MailDnsConfig(
    mx_host="mail.minhhai.edu.vn", web_host="edugate.minhhai.edu.vn",
    imap_host="mail.minhhai.edu.vn", imap_port=993, smtp_host="mail.minhhai.edu.vn",
    smtp_port=587, reports_address="postmaster@minhhai.edu.vn",
)
KEY = DkimPublicKey("e2026a", "v=DKIM1; k=rsa; p=" + "A" * 392)


def by_kind(records):
    return {r.kind: r for r in records}


def test_a_primary_domain_publishes_everything() -> None:
    records = by_kind(records_for("th-a.minhhai.edu.vn", config=CONFIG, dkim=[KEY]))
    assert records["mx"].value == "10 mail.minhhai.edu.vn."
    assert records["spf"].value == "v=spf1 mx -all"
    assert records["dkim"].name == "e2026a._domainkey.th-a.minhhai.edu.vn"
    assert records["dmarc"].name == "_dmarc.th-a.minhhai.edu.vn"
    assert records["dmarc"].value == ("v=DMARC1; p=quarantine; "
                                      "rua=mailto:postmaster@minhhai.edu.vn")
    # Reports go to another domain, which must agree to receive them (RFC 7489 §7.1).
    assert records["dmarc_report"].name == "th-a.minhhai.edu.vn._report._dmarc.minhhai.edu.vn"
    assert records["dmarc_report"].zone == "minhhai.edu.vn"
    assert records["mta_sts"].value == f"v=STSv1; id={mta_sts_id(CONFIG)}"
    assert records["mta_sts_host"].value == "edugate.minhhai.edu.vn."
    assert records["tls_rpt"].name == "_smtp._tls.th-a.minhhai.edu.vn"
    assert records["autoconfig"].value == records["autodiscover"].value == "edugate.minhhai.edu.vn."
    assert records["srv_submission"].name == "_submission._tcp.th-a.minhhai.edu.vn"
    assert records["srv_submission"].value == "0 1 587 mail.minhhai.edu.vn."
    assert records["srv_imap"].name == "_imaps._tcp.th-a.minhhai.edu.vn"
    assert records["srv_autodiscover"].value == "0 1 443 edugate.minhhai.edu.vn."


def test_the_department_domain_needs_no_report_authorisation() -> None:
    kinds = by_kind(records_for("minhhai.edu.vn", config=CONFIG))
    assert "dmarc_report" not in kinds and "dkim" not in kinds


def test_an_alias_domain_has_no_key_and_no_client_records() -> None:
    kinds = set(by_kind(records_for("anbinh.edu.vn", config=CONFIG, alias=True)))
    assert kinds == {"mx", "spf", "dmarc", "dmarc_report", "mta_sts", "mta_sts_host", "tls_rpt"}


def test_settings_shape_the_records() -> None:
    config = MailDnsConfig(
        mx_host="MX.Example.VN.", web_host="web.example.vn", imap_host="imap.example.vn",
        imap_port=143, smtp_host="smtp.example.vn", smtp_port=465,
        reports_address="dmarc@th-a.minhhai.edu.vn", spf_extra="ip4:203.0.113.5",
        mta_sts_mode="enforce")
    records = by_kind(records_for("th-a.minhhai.edu.vn", config=config))
    assert records["mx"].value == "10 mx.example.vn."
    assert records["spf"].value == "v=spf1 mx ip4:203.0.113.5 -all"
    assert records["srv_imap"].name.startswith("_imap._tcp.")
    assert records["srv_submission"].name.startswith("_submissions._tcp.")
    assert "dmarc_report" not in records
    assert "mode: enforce\r\n" in mta_sts_policy(config)
    assert mta_sts_id(config) != mta_sts_id(CONFIG)


def test_zone_lines_parse_as_dns_records() -> None:
    records = records_for("th-a.minhhai.edu.vn", config=CONFIG, dkim=[KEY])
    for record in records:
        name, ttl, _in, rtype, rdata = zone_line(record).split("\t")
        rrset = dns.rrset.from_text(name, int(ttl), "IN", rtype, rdata)
        [rr] = list(rrset)
        if rtype == "TXT":
            assert all(len(s) <= 255 for s in rr.strings)
            assert b"".join(rr.strings).decode() == record.value
        else:
            assert rr.to_text().lower() == record.value
    text = zone_text("th-a.minhhai.edu.vn", records)
    assert text.count("\n; ") >= len(records)
    assert "minhhai.edu.vn" in text.split("\n\n")[1].splitlines()[0]


def test_compare_judges_each_record() -> None:
    records = by_kind(records_for("th-a.minhhai.edu.vn", config=CONFIG, dkim=[KEY]))
    mx = records["mx"]
    assert compare(mx, ["10 mail.minhhai.edu.vn."]).status == OK
    assert compare(mx, ["20 MAIL.minhhai.edu.vn."]).status == OK  # preference is theirs
    missing = compare(mx, [])
    assert missing.status == MISSING and "10 mail.minhhai.edu.vn." in missing.explanation
    other = compare(mx, ["10 mail.minhhai.edu.vn.", "20 old-mail.example.vn."])
    assert other.status == DIFFERENT and "old-mail.example.vn" in other.explanation

    spf = records["spf"]
    assert compare(spf, ["v=spf1  MX -all", "google-site-verification=x"]).status == OK
    assert compare(spf, ["google-site-verification=x"]).status == MISSING
    assert compare(spf, ["v=spf1 a -all"]).status == DIFFERENT
    assert compare(spf, ["v=spf1 mx -all", "v=spf1 a -all"]).status == DIFFERENT

    dkim = records["dkim"]
    assert compare(dkim, ["v=DKIM1; k=rsa; p=" + "A" * 200 + " " + "A" * 192]).status == OK
    assert compare(dkim, ["v=DKIM1; k=rsa; p=BBBB"]).status == DIFFERENT

    dmarc = records["dmarc"]
    assert compare(dmarc, ["v=DMARC1; p=reject; rua=mailto:postmaster@minhhai.edu.vn"]).status == OK
    assert compare(dmarc, ["v=DMARC1; p=none; rua=mailto:postmaster@minhhai.edu.vn"]).status \
        == DIFFERENT

    assert compare(records["mta_sts"], [records["mta_sts"].value]).status == OK
    assert compare(records["mta_sts"], ["v=STSv1; id=old"]).status == DIFFERENT
    assert compare(records["autoconfig"], ["edugate.minhhai.edu.vn."]).status == OK
    assert compare(records["autoconfig"], ["elsewhere.vn."]).status == DIFFERENT
    assert compare(records["srv_imap"], ["10 5 993 mail.minhhai.edu.vn."]).status == OK
    assert compare(records["srv_imap"], ["0 1 143 mail.minhhai.edu.vn."]).status == DIFFERENT
    assert compare(records["dmarc_report"], ["v=DMARC1"]).status == OK
