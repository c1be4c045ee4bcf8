"""Outbound DKIM, checked the way a receiving server would: with dkimpy, against the record
edugate tells the administrator to publish.

A message goes from a local mailbox through submission (Postfix → Rspamd signs it) to an
outside address; the relay host is the session's loopback sink acting as the remote server.
dkimpy verifies the captured message with a DNS function that answers the TXT record computed
by ``edugate.mail.dns_check``/``edugate.mail.dns_records`` from the key folder: no network.
"""

from __future__ import annotations

import email.utils
import re
import time
import uuid
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

import dkim
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from edugate.directory.models import Domain
from edugate.mail.dkim import public_key_of
from edugate.mail.dns_check import records_for_domain
from tests.mail.plane.conftest import DKIM_DOMAIN, DKIM_SELECTOR, Plane, PlaneData

pytestmark = [pytest.mark.mailplane, pytest.mark.django_db(transaction=True)]

TEACHER = f"annv@{DKIM_DOMAIN}"
OUTSIDE = "doitac@example.net"
# What smtp-sink puts before the message it dumps (the envelope, as X- headers).
_SINK_PREFIX = re.compile(rb"\A(?:X-(?:Client-Addr|Client-Proto|Helo-Args|Mail-Args|Rcpt-Args)"
                          rb":[^\n]*\n)+")


def published_txt(domain: Domain) -> dict[str, str]:
    """The DKIM TXT records edugate asks to publish for ``domain``: name → text."""
    return {record.name.lower(): record.value
            for record in records_for_domain(domain) if record.kind == "dkim"}


def dns_stub(records: dict[str, str]) -> Callable[..., bytes | None]:
    def lookup(name: bytes | str, timeout: int = 5) -> bytes | None:
        key = (name.decode() if isinstance(name, bytes) else name).rstrip(".").lower()
        text = records.get(key)
        return text.encode() if text is not None else None

    return lookup


def captured(sink_dir: Path, token: bytes, timeout: float = 30) -> bytes:
    """The message with ``token`` as the loopback "remote server" received it."""
    deadline = time.monotonic() + timeout
    while True:
        for path in sorted(sink_dir.iterdir()):
            content = path.read_bytes() if path.is_file() else b""
            if token in content:
                return _SINK_PREFIX.sub(b"", content)
        assert time.monotonic() < deadline, f"{token!r} never reached the loopback sink"
        time.sleep(0.2)


def outbound(subject: str, body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = TEACHER
    msg["To"] = OUTSIDE
    msg["Subject"] = subject
    msg["Date"] = email.utils.formatdate(localtime=True)
    msg["Message-ID"] = email.utils.make_msgid(domain=DKIM_DOMAIN)
    msg.set_content(body)
    return msg


def test_outbound_signature_verifies_against_the_published_record(plane: Plane,
                                                                  data: PlaneData) -> None:
    records = published_txt(data.mail.school_a)
    assert f"{DKIM_SELECTOR}._domainkey.{DKIM_DOMAIN}" in records, records
    token = uuid.uuid4().hex
    body = f"Kính gửi quý đối tác,\n\nBiên bản họp {token} đính kèm.\n"
    with plane.submission(TEACHER) as client:
        client.send_message(outbound(f"DKIM {token}", body))
    raw = captured(plane.sink_dir, token.encode())

    signature = email.message_from_bytes(raw)["DKIM-Signature"]
    assert signature, raw[:2000]
    tags = dict(part.strip().split("=", 1) for part in re.sub(r"\s+", "", signature).split(";")
                if "=" in part)
    assert tags["d"] == DKIM_DOMAIN
    assert tags["s"] == DKIM_SELECTOR
    assert "from" in tags["h"].lower().split(":")

    stub = dns_stub(records)
    assert dkim.verify(raw, dnsfunc=stub), "the signature does not verify"

    # A receiver must notice a changed body...
    tampered = raw.replace(token.encode(), token.upper().encode())
    assert tampered != raw
    assert not dkim.verify(tampered, dnsfunc=stub)
    # ...and a changed signed header.
    retitled = raw.replace(f"Subject: DKIM {token}".encode(), b"Subject: Changed")
    assert retitled != raw
    assert not dkim.verify(retitled, dnsfunc=stub)


def test_signature_fails_against_another_key(plane: Plane, data: PlaneData) -> None:
    """The check is real: the same message does not verify with a record of another key."""
    token = uuid.uuid4().hex
    with plane.submission(TEACHER) as client:
        client.send_message(outbound(f"DKIM other {token}", f"Nội dung {token}\n"))
    raw = captured(plane.sink_dir, token.encode())
    wrong = public_key_of(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    records = {f"{DKIM_SELECTOR}._domainkey.{DKIM_DOMAIN}": f"v=DKIM1; k=rsa; p={wrong}"}
    assert dkim.verify(raw, dnsfunc=dns_stub(published_txt(data.mail.school_a)))
    assert not dkim.verify(raw, dnsfunc=dns_stub(records))
