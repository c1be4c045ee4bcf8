"""Handing messages back to Postfix: a group message's copies, in batches, and notices.

The copies keep the poster's message byte for byte (so its DKIM signature and From stay
valid); only list headers are put on top. Each batch is one SMTP transaction of at most
``BATCH`` recipients on the plane's loopback group port, so a 5,000-member group never meets
Postfix's recipient or alias expansion limits.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.header import Header
from email.message import Message
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, make_msgid

from edugate.groups.endpoints import Endpoints
from edugate.groups.models import EmailGroup

logger = logging.getLogger(__name__)

BATCH = 500


@dataclass
class Sent:
    accepted: int = 0
    refused: dict[str, str] = field(default_factory=dict)


def list_headers(group: EmailGroup) -> bytes:
    """The headers every copy carries: who it came through, and loop protection."""
    name = Header(group.name, "utf-8").encode()
    lines = [
        f"List-Id: {name} <{group.list_id}>",
        f"List-Post: <mailto:{group.address}>",
        "Precedence: list",
        f"X-Loop: {group.address}",
    ]
    return "".join(f"{line}\r\n" for line in lines if line).encode("ascii")


def with_list_headers(group: EmailGroup, raw: bytes) -> bytes:
    return list_headers(group) + raw


def send_copies(group: EmailGroup, raw: bytes, recipients: list[str],
                endpoints: Endpoints) -> Sent:
    """Send ``raw`` (list headers already on it) to ``recipients``; raises ``OSError`` or
    ``smtplib.SMTPException`` when Postfix cannot be reached (the caller defers)."""
    sent = Sent()
    if not recipients:
        return sent
    with smtplib.SMTP(endpoints.host, endpoints.reinject_port, timeout=120) as client:
        client.ehlo("groups.localhost")
        for start in range(0, len(recipients), BATCH):
            batch = recipients[start:start + BATCH]
            try:
                refused = client.sendmail(group.bounce_address, batch, raw)
            except smtplib.SMTPRecipientsRefused as error:
                refused = error.recipients
            for address, (code, text) in refused.items():
                sent.refused[address] = f"{code} {text.decode(errors='replace')}"
            sent.accepted += len(batch) - len(refused)
    if sent.refused:
        logger.warning("group %s: %d recipients refused: %s", group.address, len(sent.refused),
                       sent.refused)
    return sent


def send_notice(*, group: EmailGroup, to: list[str], subject: str, body: str,
                endpoints: Endpoints, attachment: bytes | None = None) -> None:
    """A notice from the group (to a sender or the moderators), through the plane's loopback
    port that scans and signs.

    Built with ``email.mime`` and ``Header``: the modern policy folds a long Vietnamese
    subject into encoded words that lose the space at the fold ("Câu hỏi" read "Câuhỏi")."""
    if not to:
        return
    text = MIMEText(body, "plain", "utf-8")
    message: Message = text
    if attachment is not None:  # the held message itself, for the moderators to read
        message = MIMEMultipart()
        message.attach(text)
        held = MIMEMessage(message_from_bytes(attachment, policy=policy.compat32))
        held.add_header("Content-Disposition", "attachment", filename="message.eml")
        message.attach(held)
    message["From"] = formataddr((str(Header(group.name, "utf-8")),
                                  f"{group.local_part}+owner@{group.domain.name}"))
    message["To"] = ", ".join(to)
    message["Subject"] = Header(subject, "utf-8").encode()
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=group.domain.name)
    message["Auto-Submitted"] = "auto-generated"
    message["X-Loop"] = group.address
    with smtplib.SMTP(endpoints.host, endpoints.notices_port, timeout=60) as client:
        client.ehlo("groups.localhost")
        client.sendmail(group.bounce_address, to,
                        message.as_bytes(policy=policy.compat32.clone(linesep="\r\n")))
