"""The posting decision over every combination of facts and policies."""

from __future__ import annotations

import itertools

import pytest

from edugate.groups.posting import Action, Decision, Policy, Post, Reason, decide, is_allowed

KINDS = ("anyone", "authenticated", "subtree", "members", "group", "allowed")
FLAGS = ("sender_hosted", "authenticated", "in_posting_unit", "is_member", "in_posting_group",
         "header_from_hosted", "dmarc_pass", "looped")


def every_post() -> list[Post]:
    posts = []
    for sender in ("", "a@school.edu.vn", "x@example.org"):
        for values in itertools.product((False, True), repeat=len(FLAGS)):
            posts.append(Post(sender=sender, **dict(zip(FLAGS, values, strict=True))))
    return posts


def expected(policy: Policy, post: Post) -> Decision:
    """The rules of the module's docstring, written out independently."""
    if post.looped:
        return Decision(Action.REFUSE, Reason.LOOP)
    if not post.sender:
        return Decision(Action.REFUSE, Reason.NULL_SENDER)
    if post.sender_hosted and not post.authenticated:
        return Decision(Action.REFUSE, Reason.SPOOFED_SENDER)
    if post.header_from_hosted and not (post.authenticated or post.dmarc_pass):
        return Decision(Action.REFUSE, Reason.SPOOFED_FROM)
    if post.sender in policy.allowed or "@" + post.sender.split("@")[1] in policy.allowed:
        return Decision(Action.ACCEPT, Reason.ALLOWED_SENDER)
    permitted = {
        "anyone": (True, Reason.POLICY),
        "authenticated": (post.authenticated, Reason.NOT_AUTHENTICATED),
        "subtree": (post.authenticated and post.in_posting_unit,
                    Reason.OUTSIDE_UNIT if post.authenticated else Reason.NOT_AUTHENTICATED),
        "members": (post.is_member, Reason.NOT_MEMBER),
        "group": (post.in_posting_group, Reason.NOT_ALLOWED),
        "allowed": (False, Reason.NOT_ALLOWED),
    }[policy.kind]
    if permitted[0]:
        return Decision(Action.ACCEPT, Reason.POLICY)
    return Decision(Action.HOLD if policy.others == "hold" else Action.REFUSE, permitted[1])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("others", ["hold", "refuse"])
@pytest.mark.parametrize("allowed", [frozenset(), frozenset({"x@example.org"}),
                                     frozenset({"@school.edu.vn"})])
def test_every_combination_follows_the_rules(kind: str, others: str,
                                             allowed: frozenset[str]) -> None:
    policy = Policy(kind=kind, others=others, allowed=allowed)
    for post in every_post():
        assert decide(policy, post) == expected(policy, post), post


def test_nobody_borrows_a_hosted_address_from_outside() -> None:
    for kind in KINDS:
        policy = Policy(kind=kind, others="hold", allowed=frozenset({"a@school.edu.vn"}))
        forged = Post(sender="a@school.edu.vn", sender_hosted=True, authenticated=False,
                      is_member=True, in_posting_unit=True, in_posting_group=True)
        assert decide(policy, forged).action == Action.REFUSE
        header_only = Post(sender="x@example.org", sender_hosted=False, authenticated=False,
                           header_from="a@school.edu.vn", header_from_hosted=True)
        assert decide(policy, header_only) == Decision(Action.REFUSE, Reason.SPOOFED_FROM)
        passed = Post(sender="x@example.org", sender_hosted=False, authenticated=False,
                      header_from="a@school.edu.vn", header_from_hosted=True, dmarc_pass=True)
        assert decide(policy, passed).reason != Reason.SPOOFED_FROM


def test_refusals_read_as_smtp_replies() -> None:
    decision = decide(Policy("members", "refuse"), Post("x@example.org", False, False))
    assert decision.smtp_reply == "550 5.7.1 Only members may post to this group"
    assert Decision(Action.REFUSE, Reason.LOOP).smtp_reply.startswith("550 5.4.6 ")


def test_allowed_entries_match_addresses_and_whole_domains() -> None:
    allowed = frozenset({"a@b.vn", "@c.vn"})
    assert is_allowed("a@b.vn", allowed)
    assert is_allowed("anyone@c.vn", allowed)
    assert not is_allowed("a@sub.c.vn", allowed)
    assert not is_allowed("", allowed)
    assert not is_allowed("b@b.vn", allowed)
