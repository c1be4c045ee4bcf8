"""Who may post to a group: one pure decision over plain facts, used twice.

During the SMTP session (``policyd``, at RCPT) the facts are the envelope and whether the
client logged in, so a refused sender gets an SMTP error from our own server, not a later
bounce. At delivery (``processor``) the same decision runs again with the headers known, to
catch a From header that claims a hosted address without authentication or DMARC, and to tell
"accept" from "hold".

Order of the checks (first match wins):

1. a message that already went through this group: refused (a loop);
2. an empty envelope sender (a bounce): refused, groups do not take bounces;
3. a hosted sender that did not log in: refused (nobody may borrow a hosted address from
   outside); likewise a From header in a hosted domain without login or DMARC pass;
4. an allowed sender (the address, or ``@domain``): accepted whatever the policy;
5. the policy: anyone; any platform user (logged in); users of a unit's subtree (logged in,
   their mailbox under that unit); members only; members of another group (e.g. the
   Department's own staff may write to "all principals"); allowed senders only;
6. otherwise: held for moderation or refused, as the group says.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from django.utils.translation import gettext_noop


class Action(enum.StrEnum):
    ACCEPT = "accept"
    HOLD = "hold"
    REFUSE = "refuse"


class Reason(enum.StrEnum):
    LOOP = "loop"
    NULL_SENDER = "null_sender"
    SPOOFED_SENDER = "spoofed_sender"
    SPOOFED_FROM = "spoofed_from"
    ALLOWED_SENDER = "allowed_sender"
    POLICY = "policy"
    NOT_AUTHENTICATED = "not_authenticated"
    OUTSIDE_UNIT = "outside_unit"
    NOT_MEMBER = "not_member"
    NOT_ALLOWED = "not_allowed"


#: What a refused sender reads (SMTP replies are ASCII: English, marked for translators).
REPLIES: dict[Reason, tuple[str, str]] = {
    Reason.LOOP: ("5.4.6", gettext_noop("Mail loop: this message has already been sent to "
                                        "this group")),
    Reason.NULL_SENDER: ("5.7.1", gettext_noop("This group does not accept messages without a "
                                               "sender")),
    Reason.SPOOFED_SENDER: ("5.7.1", gettext_noop("Senders in this organisation's domains must "
                                                  "log in to send")),
    Reason.SPOOFED_FROM: ("5.7.1", gettext_noop("The From address is in this organisation's "
                                                "domains but the message is not authenticated")),
    Reason.NOT_AUTHENTICATED: ("5.7.1", gettext_noop("Only users of this platform may post to "
                                                     "this group")),
    Reason.OUTSIDE_UNIT: ("5.7.1", gettext_noop("Only users of the group's units may post to "
                                                "this group")),
    Reason.NOT_MEMBER: ("5.7.1", gettext_noop("Only members may post to this group")),
    Reason.NOT_ALLOWED: ("5.7.1", gettext_noop("You are not allowed to post to this group")),
}


@dataclass(frozen=True)
class Policy:
    kind: str  # a PostingPolicy value
    others: str  # an OthersAction value: "hold" or "refuse"
    allowed: frozenset[str] = frozenset()  # lower-case addresses and "@domain" entries


@dataclass(frozen=True)
class Post:
    """What is known about one message to one group."""

    sender: str  # envelope sender, lower case ("" for a bounce)
    sender_hosted: bool  # the sender's domain is one of ours
    authenticated: bool  # logged in (or the plane's own loopback service)
    in_posting_unit: bool = False  # the sender's mailbox is under the policy's unit
    is_member: bool = False
    in_posting_group: bool = False  # a member of the policy's other group
    header_from: str = ""  # "" when not known yet (RCPT stage)
    header_from_hosted: bool = False
    dmarc_pass: bool = False
    looped: bool = False


@dataclass(frozen=True)
class Decision:
    action: Action
    reason: Reason

    @property
    def smtp_reply(self) -> str:
        """``550 5.7.1 text`` for a refusal."""
        status, text = REPLIES.get(self.reason, REPLIES[Reason.NOT_ALLOWED])
        return f"550 {status} {text}"


def is_allowed(sender: str, allowed: frozenset[str]) -> bool:
    if not sender or "@" not in sender:
        return False
    return sender in allowed or "@" + sender.rsplit("@", 1)[1] in allowed


def _permitted(policy: Policy, post: Post) -> tuple[bool, Reason]:
    if policy.kind == "anyone":
        return True, Reason.POLICY
    if policy.kind == "authenticated":
        return post.authenticated, Reason.NOT_AUTHENTICATED
    if policy.kind == "subtree":
        if not post.authenticated:
            return False, Reason.NOT_AUTHENTICATED
        return post.in_posting_unit, Reason.OUTSIDE_UNIT
    if policy.kind == "members":
        return post.is_member, Reason.NOT_MEMBER
    if policy.kind == "group":
        return post.in_posting_group, Reason.NOT_ALLOWED
    return False, Reason.NOT_ALLOWED  # "allowed": the list alone decides


def decide(policy: Policy, post: Post) -> Decision:
    """Accept, hold or refuse ``post`` under ``policy``; see the module's docstring."""
    if post.looped:
        return Decision(Action.REFUSE, Reason.LOOP)
    if not post.sender:
        return Decision(Action.REFUSE, Reason.NULL_SENDER)
    if post.sender_hosted and not post.authenticated:
        return Decision(Action.REFUSE, Reason.SPOOFED_SENDER)
    if post.header_from_hosted and not post.authenticated and not post.dmarc_pass:
        return Decision(Action.REFUSE, Reason.SPOOFED_FROM)
    if is_allowed(post.sender, policy.allowed):
        return Decision(Action.ACCEPT, Reason.ALLOWED_SENDER)
    permitted, reason = _permitted(policy, post)
    if permitted:
        return Decision(Action.ACCEPT, Reason.POLICY)
    if policy.others == "hold":
        return Decision(Action.HOLD, reason)
    return Decision(Action.REFUSE, reason)
