"""``edugate groups``: list, members, preset (idempotent)."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from tests.groups.world import World, build_world
from tests.mail.conftest import MailTree

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(mail: MailTree) -> World:
    return build_world(mail)


def run(*args: str) -> str:
    out = StringIO()
    call_command("groups", *args, stdout=out)
    return out.getvalue()


def test_list_and_members_as_json(world: World) -> None:
    rows = {row["address"]: row for row in json.loads(run("list", "--json"))}
    assert rows["hieutruong@minhhai.edu.vn"]["members"] == 3
    assert rows["hieutruong@minhhai.edu.vn"]["posting_policy"] == "group"
    resolved = json.loads(run("members", "hieutruong@minhhai.edu.vn", "--json"))
    assert resolved["count"] == 3
    assert {item["address"] for item in resolved["members"]} == {
        world.principal_a.address, world.principal_b.address, world.principal_upper.address}


def test_a_school_admin_sees_only_its_groups(world: World) -> None:
    rows = json.loads(run("list", "--json", "--as", "quantri@th-a.minhhai.edu.vn"))
    assert rows == []


def test_the_preset_is_idempotent(world: World) -> None:
    from edugate.groups.models import EmailGroup

    before = set(EmailGroup.objects.values_list("pk", "address"))
    output = run("preset", "department", "--unit", "SGD")
    assert "hieutruong@minhhai.edu.vn" in output
    assert set(EmailGroup.objects.values_list("pk", "address")) == before
