"""Sieve scripts (RFC 5228) that carry out a mailbox's mail rules in Dovecot.

Pure: no I/O. :func:`render_script` turns a mailbox's settings into its script; today that is
the out-of-office reply (RFC 5230 ``vacation``, answered once per sender per day, only within
the chosen dates via RFC 5260 ``currentdate``). Forwarding is not here: Postfix does it from
the alias views, so it also works for a mailbox nobody has logged in to.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass

#: Days before the same sender gets the reply again (RFC 5230's ``:days``).
REPLY_INTERVAL_DAYS = 1


@dataclass(frozen=True)
class AutoReply:
    subject: str
    message: str
    start: datetime.date | None = None
    end: datetime.date | None = None


def quote(text: str) -> str:
    """A sieve quoted string: backslash and double quote escaped, line breaks kept as CRLF."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\r\n", "\n").replace("\n", "\r\n") + '"'


def render_script(reply: AutoReply | None, *, addresses: list[str]) -> str:
    """The whole script for one mailbox ("" when there is nothing to do).

    ``addresses`` are the mailbox's own addresses (its address and aliases): mail sent to one
    of them counts as personal mail, which is all the vacation extension answers."""
    if reply is None:
        return ""
    requires = ['"vacation"']
    conditions = []
    if reply.start or reply.end:
        requires += ['"date"', '"relational"']
        if reply.start:
            conditions.append(f'currentdate :value "ge" "date" "{reply.start.isoformat()}"')
        if reply.end:
            conditions.append(f'currentdate :value "le" "date" "{reply.end.isoformat()}"')
    action = (f"vacation :days {REPLY_INTERVAL_DAYS} :subject {quote(reply.subject)}"
              f" :addresses [{', '.join(quote(a) for a in addresses)}]"
              f" {quote(reply.message)};")
    lines = [f"require [{', '.join(requires)}];"]
    if conditions:
        lines += [f"if allof({', '.join(conditions)}) {{", f"    {action}", "}"]
    else:
        lines.append(action)
    return "\r\n".join(lines) + "\r\n"


def script_id(mailbox_id: int, script: str) -> str:
    """A name for this version of a mailbox's script ("" for no script): Dovecot keeps the
    compiled script under this id, so a changed script is compiled again."""
    if not script:
        return ""
    return f"{mailbox_id}-{hashlib.sha256(script.encode()).hexdigest()[:16]}"
