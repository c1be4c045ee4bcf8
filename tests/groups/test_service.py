"""The group service's decisions on real requests (the plane tests send real mail)."""

from __future__ import annotations

import pytest

from edugate.groups.service import policy_answer
from tests.groups.world import World, build_world, mailbox_for
from tests.mail.conftest import MailTree

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(mail: MailTree) -> World:
    return build_world(mail)


def ask(recipient: str, sender: str, login: str = "") -> str:
    return policy_answer({"request": "smtpd_access_policy", "protocol_state": "RCPT",
                          "recipient": recipient, "sender": sender, "sasl_username": login})


def test_only_group_recipients_are_judged(world: World) -> None:
    assert ask(world.teacher.address, "x@example.org") == "DUNNO"
    assert ask("nobody@minhhai.edu.vn", "x@example.org") == "DUNNO"
    assert policy_answer({"request": "something_else"}) == "DUNNO"


def test_staff_may_write_to_principals_and_teachers_may_not(world: World) -> None:
    officer = world.officer.address
    assert ask(world.principals.address, officer, officer) == "DUNNO"
    refused = ask(world.principals.address, world.teacher.address, world.teacher.address)
    assert refused.startswith("550 5.7.1 ")
    # Alias-domain twins and +extensions reach the same group.
    assert ask("hieutruong+hop@minhhai.edu.vn", world.teacher.address,
               world.teacher.address).startswith("550 ")


def test_a_position_mailbox_counts_as_its_holder(world: World) -> None:
    tree = world.mail.tree
    position = mailbox_for(world.officer.person, tree.division, "vanphong@minhhai.edu.vn",
                           kind="position")
    assert ask(world.principals.address, position.address, position.address) == "DUNNO"


def test_hosted_senders_must_log_in(world: World) -> None:
    answer = ask(world.staff.address, world.officer.address)
    assert answer.startswith("550 5.7.1 ") and "log in" in answer
