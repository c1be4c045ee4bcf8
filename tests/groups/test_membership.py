"""Resolving members from the directory: rules, explicit members, nesting, registrations."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from edugate.directory import actions as directory
from edugate.directory.models import RoleKind
from edugate.groups import actions, membership
from edugate.mail import actions as mail_actions
from tests.groups.world import World, build_world, mailbox_for, person_with_mailbox
from tests.mail.conftest import MailTree

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(mail: MailTree) -> World:
    return build_world(mail)


def members(group) -> list[str]:
    return membership.resolve(group).addresses


def test_principals_follow_the_directory(world: World) -> None:
    tree = world.mail.tree
    assert members(world.principals) == sorted([world.principal_a.address,
                                                world.principal_b.address,
                                                world.principal_upper.address])
    person, newcomer = person_with_mailbox(tree.school_b, "Người Mới", "moi@th-b.minhhai.edu.vn")
    directory.grant_role(actor=None, person=person, unit=tree.school_b, kind=RoleKind.HEAD)
    assert newcomer.address in members(world.principals)
    mail_actions.close_mailbox(actor=None, mailbox=world.principal_upper)
    assert world.principal_upper.address not in members(world.principals)


def test_a_role_holder_gets_the_copy_in_the_position_mailbox(world: World) -> None:
    tree = world.mail.tree
    position = mailbox_for(world.principal_a.person, tree.school_a,
                           "hieutruong@th-a.minhhai.edu.vn", kind="position")
    resolved = members(world.principals)
    assert position.address in resolved and world.principal_a.address not in resolved


def test_staff_and_unit_mailbox_rules(world: World) -> None:
    tree = world.mail.tree
    assert members(world.staff) == [world.officer.address]
    group = actions.create_group(actor=None, owner_unit=tree.department,
                                 domain=world.mail.province, local_part="donvi", name="Đơn vị")
    actions.add_rule(actor=None, group=group, kind="unit_mailboxes", under=tree.office,
                     unit_kind="institution")
    unit_box = mailbox_for(None, tree.school_a, "vanthu@th-a.minhhai.edu.vn", kind="unit")
    mailbox_for(None, tree.upper_school, "vanthu.lqd@minhhai.edu.vn", kind="unit")
    assert members(group) == [unit_box.address]


def test_one_copy_per_address_and_every_reason_kept(world: World) -> None:
    tree = world.mail.tree
    group = actions.create_group(actor=None, owner_unit=tree.department,
                                 domain=world.mail.province, local_part="tong", name="Tổng")
    actions.add_member(actor=None, group=group, mailbox=world.principal_a)
    actions.add_member(actor=None, group=group, person=world.principal_a.person)
    actions.nest(actor=None, parent=group, child=world.principals)
    resolution = membership.resolve(group)
    assert resolution.addresses.count(world.principal_a.address) == 1
    assert len(resolution.members[world.principal_a.address]) == 3
    assert len(resolution) == 3


def test_cycles_are_refused(world: World) -> None:
    actions.nest(actor=None, parent=world.staff, child=world.principals)
    with pytest.raises(ValidationError, match=r"loop|vòng"):
        actions.nest(actor=None, parent=world.principals, child=world.staff)
    with pytest.raises(ValidationError):
        actions.nest(actor=None, parent=world.staff, child=world.staff)


def test_outside_addresses_only_where_allowed(world: World) -> None:
    with pytest.raises(ValidationError):
        actions.add_member(actor=None, group=world.staff, external_address="a@example.org")
    world.staff.allow_external_members = True
    world.staff.save()
    actions.add_member(actor=None, group=world.staff, external_address="A@Example.org")
    assert "a@example.org" in members(world.staff)


def test_registrations_need_approval_and_replace_the_old_address(world: World) -> None:
    tree = world.mail.tree
    slot = world.clerical.slots.get(unit_kind="institution")
    missing = {unit.code for _name, unit in membership.missing_registrations(world.clerical)}
    assert {"TH-A", "TH-B", "THPT-1", "PX1"} <= missing
    first = actions.register(actor=tree.school_a_admin, slot=slot, unit=tree.school_a,
                             address="vanthu@th-a.minhhai.edu.vn")
    assert members(world.clerical) == []
    actions.decide_registration(actor=tree.dept_admin, registration=first, approve=True)
    assert members(world.clerical) == ["vanthu@th-a.minhhai.edu.vn"]
    second = actions.register(actor=tree.school_a_admin, slot=slot, unit=tree.school_a,
                              address="vp@th-a.minhhai.edu.vn")
    actions.decide_registration(actor=tree.dept_admin, registration=second, approve=True)
    assert members(world.clerical) == ["vp@th-a.minhhai.edu.vn"]
    assert "TH-A" not in {u.code for _n, u in membership.missing_registrations(world.clerical)}


def test_units_register_only_for_themselves(world: World) -> None:
    from django.core.exceptions import PermissionDenied

    tree = world.mail.tree
    slot = world.clerical.slots.get(unit_kind="institution")
    with pytest.raises(PermissionDenied):
        actions.register(actor=tree.school_b_admin, slot=slot, unit=tree.school_a,
                         address="x@th-a.minhhai.edu.vn")
    registration = actions.register(actor=tree.school_a_admin, slot=slot, unit=tree.school_a,
                                    address="vanthu@th-a.minhhai.edu.vn")
    with pytest.raises(PermissionDenied):  # only the group's managers approve
        actions.decide_registration(actor=tree.school_a_admin, registration=registration,
                                    approve=True)


def test_a_group_address_cannot_be_taken_twice(world: World) -> None:
    tree = world.mail.tree
    with pytest.raises(ValidationError):
        actions.create_group(actor=None, owner_unit=tree.department, domain=world.mail.province,
                             local_part="cv.sgd", name="Trùng hộp thư")
    with pytest.raises(ValidationError):
        mail_actions.create_mailbox(actor=None, unit=tree.department,
                                    domain=world.mail.province, local_part="hieutruong",
                                    kind="unit")
