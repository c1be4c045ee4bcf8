"""Mail fixtures: the shared tree plus domains and a pending mailbox for a teacher."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from edugate.directory import actions as directory
from edugate.directory.models import Domain
from edugate.mail import actions
from edugate.mail.models import Mailbox
from tests.conftest import Tree

PASSWORD = "Hoa-phuong-do-2026"


@dataclass
class MailTree:
    tree: Tree
    province: Domain
    school_a: Domain
    school_b: Domain
    teacher_a: Mailbox


@pytest.fixture
def mail(tree: Tree) -> MailTree:
    province = directory.add_domain(actor=None, unit=tree.department, name="minhhai.edu.vn")
    school_a = directory.add_domain(actor=None, unit=tree.school_a, name="th-a.minhhai.edu.vn")
    school_b = directory.add_domain(actor=None, unit=tree.school_b, name="th-b.minhhai.edu.vn")
    teacher = actions.create_mailbox(actor=None, unit=tree.school_a, domain=school_a,
                                     local_part="annv", kind="personal", person=tree.teacher_a)
    return MailTree(tree, province, school_a, school_b, teacher)
