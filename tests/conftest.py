"""Shared fixtures: a small education tree with administrators at each level."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest

from edugate.accounts.models import User
from edugate.directory import actions
from edugate.directory.models import InstitutionLevel, Person, RoleKind, Unit, UnitKind


@dataclass
class Tree:
    department: Unit
    division: Unit
    office: Unit
    school_a: Unit
    school_b: Unit
    upper_school: Unit
    teacher_a: Person
    teacher_b: Person
    dept_admin: User
    office_admin: User
    school_a_admin: User
    school_b_admin: User
    superuser: User


def make_admin(email: str, unit: Unit, *, subtree: bool, kind: str = RoleKind.ADMINISTRATOR) -> User:
    person = actions.create_person(actor=None, unit=unit, full_name=f"Quản Trị {email.split('@')[0]}")
    actions.grant_role(actor=None, person=person, unit=unit, kind=kind, include_subtree=subtree)
    return User.objects.create_user(email, "correct horse battery", person=person)


def build_tree() -> Tree:
    dept = actions.create_unit(actor=None, parent=None, code="SGD", name="Sở Giáo dục và Đào tạo tỉnh Minh Hải", kind=UnitKind.DEPARTMENT, short_name="Sở GD&ĐT")
    division = actions.create_unit(actor=None, parent=dept, code="SGD-VP", name="Văn phòng Sở", kind=UnitKind.DIVISION)
    office = actions.create_unit(actor=None, parent=dept, code="PX1", name="Phòng Văn hóa - Xã hội xã An Bình", kind=UnitKind.OFFICE)
    school_a = actions.create_unit(actor=None, parent=office, code="TH-A", name="Trường Tiểu học An Bình", kind=UnitKind.INSTITUTION, level=InstitutionLevel.PRIMARY)
    school_b = actions.create_unit(actor=None, parent=office, code="TH-B", name="Trường Tiểu học Kim Đồng", kind=UnitKind.INSTITUTION, level=InstitutionLevel.PRIMARY)
    upper = actions.create_unit(actor=None, parent=dept, code="THPT-1", name="Trường THPT Lê Quý Đôn", kind=UnitKind.INSTITUTION, level=InstitutionLevel.UPPER_SECONDARY)
    teacher_a = actions.create_person(actor=None, unit=school_a, full_name="Nguyễn Văn An", position="Giáo viên")
    teacher_b = actions.create_person(actor=None, unit=school_b, full_name="Đặng Thị Ngọc Ánh", position="Giáo viên")
    superuser = User.objects.create_superuser("root@minhhai.edu.vn", "correct horse battery")
    return Tree(
        department=dept, division=division, office=office, school_a=school_a, school_b=school_b,
        upper_school=upper, teacher_a=teacher_a, teacher_b=teacher_b,
        dept_admin=make_admin("cntt@minhhai.edu.vn", dept, subtree=True),
        office_admin=make_admin("vhxh@anbinh.minhhai.edu.vn", office, subtree=True, kind=RoleKind.CONTACT_OFFICER),
        school_a_admin=make_admin("quantri@th-a.minhhai.edu.vn", school_a, subtree=False),
        school_b_admin=make_admin("quantri@th-b.minhhai.edu.vn", school_b, subtree=False),
        superuser=superuser,
    )


@pytest.fixture
def tree(db: None) -> Tree:
    return build_tree()


def refreshed(unit: Unit) -> Unit:
    return Unit.objects.get(pk=unit.pk)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    """Argon2 is deliberately slow; tests that are not about hashing need not pay for it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Pages render without a collectstatic run.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


#: test folders whose tests need each unit's portal, made as the unit is created
PORTAL_FOLDERS = ("portal", "browser", "deploy")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        parts = item.path.relative_to(config.rootpath).parts
        if len(parts) > 2 and parts[0] == "tests" and parts[1] in PORTAL_FOLDERS:
            item.add_marker(pytest.mark.portals)


@pytest.fixture(autouse=True)
def _portals_only_where_needed(request: pytest.FixtureRequest, settings) -> None:
    """Provisioning a portal costs some 200 queries (its pages, groups, workflow). Tests of the
    directory, mail and groups do not look at portals: their units get none, unless the test is
    marked ``portals`` (every test under the folders above is)."""
    if request.node.get_closest_marker("portals") is None:
        settings.PORTAL_AUTO_PROVISION = False


@pytest.fixture(autouse=True)
def _no_page_cache(settings) -> None:
    """The portals' page cache outlives a test's database (its files or Redis keys): off,
    except in the tests that turn it on with a cache of their own (tests/portal/test_cache.py)."""
    settings.PORTAL_CACHE = {**settings.PORTAL_CACHE, "ENABLED": False}
    # Wagtail's own caching (default cache) starts empty in each test too: a file cache under
    # var/ would carry entries from other tests, runs and sessions.
    settings.CACHES = {**settings.CACHES, "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": f"test-{uuid.uuid4()}"}}
