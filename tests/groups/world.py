"""A Department with principals, staff and the Circular 37 preset groups, on the shared tree."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from edugate.directory import actions as directory
from edugate.directory.models import Person, RoleKind, Unit
from edugate.groups import presets
from edugate.groups.models import EmailGroup
from edugate.mail import actions as mail_actions
from edugate.mail.models import Mailbox
from tests.mail.conftest import PASSWORD, MailTree


@dataclass
class World:
    mail: MailTree
    officer: Mailbox  # cv.sgd@minhhai.edu.vn: Department staff (its office division)
    principal_a: Mailbox  # ht.a@th-a...: head of school A (personal)
    principal_b: Mailbox  # ht.b@th-b...
    principal_upper: Mailbox  # ht.lqd@minhhai.edu.vn
    teacher: Mailbox  # annv@th-a...
    staff: EmailGroup  # canbo.so@
    principals: EmailGroup  # hieutruong@
    clerical: EmailGroup  # vanthu@


def person_with_mailbox(unit: Unit, name: str, address: str, *, head: bool = False,
                        active: bool = True) -> tuple[Person, Mailbox]:
    person = directory.create_person(actor=None, unit=unit, full_name=name)
    if head:
        directory.grant_role(actor=None, person=person, unit=unit, kind=RoleKind.HEAD)
    return person, mailbox_for(person, unit, address, active=active)


def mailbox_for(person: Person | None, unit: Unit, address: str, *, kind: str = "personal",
                active: bool = True) -> Mailbox:
    from edugate.directory.models import Domain

    local, domain = address.split("@")
    mailbox = mail_actions.create_mailbox(actor=None, unit=unit,
                                          domain=Domain.objects.get(name=domain),
                                          local_part=local, kind=kind, person=person)
    return activate(mailbox) if active else mailbox


@functools.cache
def _password_hash() -> str:
    from edugate.mail.credentials import hash_password

    return hash_password(PASSWORD)


def activate(mailbox: Mailbox) -> Mailbox:
    """Active with the shared test password (hashed once per run: Argon2 is slow on purpose)."""
    from django.utils import timezone

    now = timezone.now()
    Mailbox.objects.filter(pk=mailbox.pk).update(state="active", password_hash=_password_hash(),
                                                 activated_at=now, password_changed_at=now)
    mailbox.refresh_from_db()
    return mailbox


def build_world(mail: MailTree) -> World:
    tree = mail.tree
    _officer_person, officer = person_with_mailbox(tree.division, "Trần Thị Chuyên Viên",
                                                   "cv.sgd@minhhai.edu.vn")
    _pa, principal_a = person_with_mailbox(tree.school_a, "Lê Văn Hiệu", "ht.a@th-a.minhhai.edu.vn",
                                           head=True)
    _pb, principal_b = person_with_mailbox(tree.school_b, "Phạm Thị Trưởng",
                                           "ht.b@th-b.minhhai.edu.vn", head=True)
    _pu, principal_upper = person_with_mailbox(tree.upper_school, "Võ Minh Đôn",
                                               "ht.lqd@minhhai.edu.vn", head=True)
    teacher = activate(mail.teacher_a)
    made = {group.local_part: group for group, _created in presets.apply(
        actor=None, owner=tree.department, domain=mail.province,
        presets=presets.department_presets())}
    return World(mail, officer, principal_a, principal_b, principal_upper, teacher,
                 made["canbo.so"], made["hieutruong"], made["vanthu"])
