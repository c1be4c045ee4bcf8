"""The demo province: deterministic generation, a fast and valid load, working demo logins."""

from __future__ import annotations

import json
import re
import stat
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from edugate.accounts.models import User
from edugate.audit.models import AuditEvent
from edugate.directory import actions
from edugate.directory.demo import (
    PROVINCE_DOMAIN,
    DemoError,
    DemoProvince,
    LoadReport,
    build_province,
    demo_password,
    load_province,
)
from edugate.directory.domain_names import normalize_domain
from edugate.directory.models import (
    Domain,
    InstitutionLevel,
    Membership,
    Person,
    RoleAssignment,
    RoleKind,
    Unit,
    UnitKind,
)
from edugate.directory.scope import scope_for

PHONE = re.compile(r"^0[35789]\d{8}$")


@pytest.fixture(scope="module")
def small() -> DemoProvince:
    return build_province("small", seed=1)


@pytest.fixture
def var_dir(settings, tmp_path: Path) -> Path:
    settings.VAR_DIR = tmp_path
    return tmp_path


@pytest.fixture
def loaded(db: None, var_dir: Path, small: DemoProvince) -> LoadReport:
    return load_province(small)


# --- The pure generator ---------------------------------------------------------------------

def test_the_same_seed_gives_the_same_province(small: DemoProvince) -> None:
    assert build_province("small", seed=1) == small


def test_another_seed_gives_another_province(small: DemoProvince) -> None:
    other = build_province("small", seed=2)
    assert other != small
    assert [p.full_name for p in other.people] != [p.full_name for p in small.people]


def test_an_unknown_size_is_refused() -> None:
    with pytest.raises(DemoError):
        build_province("huge", seed=1)


def test_small_has_every_level_and_every_kind_below_the_ministry(small: DemoProvince) -> None:
    assert {unit.level for unit in small.institutions} == set(InstitutionLevel)
    assert {unit.kind for unit in small.units} == set(UnitKind) - {UnitKind.MINISTRY}
    assert 12 <= len(small.institutions) <= 18
    assert sum(unit.kind == UnitKind.OFFICE for unit in small.units) == 3
    root = small.units[0]
    assert (root.code, root.kind, root.parent_code) == ("SGD", UnitKind.DEPARTMENT, None)
    assert root.name == "Sở Giáo dục và Đào tạo tỉnh Minh Hải"


def test_parents_come_first_and_sit_where_the_reform_puts_them(small: DemoProvince) -> None:
    kinds = {}
    for unit in small.units:
        assert unit.parent_code is None or unit.parent_code in kinds
        kinds[unit.code] = unit.kind
    for unit in small.institutions:
        parent_kind = kinds[unit.parent_code]  # type: ignore[index]
        if unit.level in (InstitutionLevel.UPPER_SECONDARY, InstitutionLevel.CONTINUING):
            assert parent_kind == UnitKind.DEPARTMENT
        elif unit.level != InstitutionLevel.MULTI_LEVEL:
            assert parent_kind == UnitKind.OFFICE


def test_codes_and_domains_are_unique_and_valid(small: DemoProvince) -> None:
    codes = [unit.code for unit in small.units]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"[A-Z0-9-]{1,32}", code) for code in codes)
    names = [domain.name for domain in small.domains]
    assert len(names) == len(set(names))
    for name in names:
        assert normalize_domain(name) == name
        assert name == PROVINCE_DOMAIN or name.endswith(f".{PROVINCE_DOMAIN}")
    with_domain = Counter(domain.unit_code for domain in small.domains)
    for unit in small.units:
        expected = 0 if unit.kind == UnitKind.DIVISION else 1
        assert with_domain[unit.code] == expected, unit.code


def test_people_look_real(small: DemoProvince) -> None:
    for person in small.people:
        assert 3 <= len(person.full_name.split(" ")) <= 4
        assert PHONE.match(person.phone)
        assert 1965 <= person.date_of_birth.year <= 2002
        assert person.gender in ("male", "female")
    assert any(len(person.full_name.split(" ")) == 4 for person in small.people)


def test_every_unit_has_its_roles(small: DemoProvince) -> None:
    roles = Counter((r.unit_code, r.kind, r.include_subtree) for r in small.roles)
    for unit in small.units:
        if unit.kind == UnitKind.INSTITUTION:
            assert roles[unit.code, RoleKind.HEAD, False] == 1
            assert roles[unit.code, RoleKind.ADMINISTRATOR, False] == 1
            assert roles[unit.code, RoleKind.CLERK, False] == 1
        elif unit.kind == UnitKind.OFFICE:
            assert roles[unit.code, RoleKind.HEAD, False] == 1
            assert roles[unit.code, RoleKind.CONTACT_OFFICER, True] == 1
    assert roles["SGD", RoleKind.HEAD, True] == 1
    assert roles["SGD", RoleKind.ADMINISTRATOR, True] >= 1
    principals = [small.people[r.person] for r in small.roles
                  if r.kind == RoleKind.HEAD and r.unit_code.startswith("X001-")]
    assert principals and all(p.position == "Hiệu trưởng" for p in principals)


def test_the_province_size_has_about_2000_institutions_and_60000_people() -> None:
    province = build_province("province", seed=1)
    assert 1_900 <= len(province.institutions) <= 2_200
    assert 55_000 <= len(province.people) <= 65_000
    assert 250 <= sum(unit.kind == UnitKind.OFFICE for unit in province.units) <= 350
    families = Counter(person.full_name.split(" ")[0] for person in province.people)
    assert 0.33 <= families["Nguyễn"] / len(province.people) <= 0.43
    names = [domain.name for domain in province.domains]
    assert len(names) == len(set(names))
    codes = [unit.code for unit in province.units]
    assert len(codes) == len(set(codes))


# --- The loader -----------------------------------------------------------------------------

@pytest.mark.django_db
def test_loading_gives_a_valid_tree_under_the_department(
    loaded: LoadReport, small: DemoProvince
) -> None:
    assert all(problems == [] for problems in Unit.find_problems())
    department = Unit.objects.get(code="SGD")
    assert department.subtree().count() == Unit.objects.count() == len(small.units)
    assert (loaded.units, loaded.people, loaded.roles, loaded.domains) == (
        len(small.units), len(small.people), len(small.roles), len(small.domains)
    )
    for unit in Unit.objects.filter(kind=UnitKind.INSTITUTION):
        assert RoleAssignment.objects.filter(unit=unit, kind=RoleKind.HEAD).count() == 1
    school = Unit.objects.get(code="X001-TH1")
    assert [u.code for u in school.ancestors()] == ["SGD", "X001"]
    assert school.search_name.startswith("truong tieu hoc")


@pytest.mark.django_db
def test_the_loaded_tree_takes_new_units_like_any_other(loaded: LoadReport) -> None:
    office = Unit.objects.get(code="X001")
    before = office.numchild
    actions.create_unit(actor=None, parent=office, code="X001-MN9", name="Trường Mầm non Mới",
                        kind=UnitKind.INSTITUTION, level=InstitutionLevel.PRESCHOOL)
    assert all(problems == [] for problems in Unit.find_problems())
    assert Unit.objects.get(code="X001").get_children_count() == before + 1


@pytest.mark.django_db
def test_people_memberships_domains_and_one_audit_event(
    loaded: LoadReport, small: DemoProvince
) -> None:
    assert Person.objects.count() == len(small.people)
    assert Membership.objects.filter(is_primary=True).count() == len(small.people)
    person = Person.objects.get(user__email="quantri@minhhai.edu.vn")
    assert person.family_name and person.given_name and person.search_name
    assert person.memberships.get().unit.code == "SGD-VP"
    assert Domain.objects.get(name=PROVINCE_DOMAIN).unit.code == "SGD"
    event = AuditEvent.objects.get(action="demo.load")
    assert event.unit is not None and event.unit.code == "SGD"
    assert event.changes["people"] == len(small.people)
    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db
def test_demo_users_log_in_with_the_written_passwords(loaded: LoadReport, var_dir: Path) -> None:
    assert len(loaded.credentials) == 4
    path = var_dir / "demo-credentials.txt"
    assert Path(loaded.credentials_path) == path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text(encoding="utf-8")
    for credential in loaded.credentials:
        assert credential.email in text and credential.password in text
        assert len(credential.password) >= 12
        assert Client().login(email=credential.email, password=credential.password)
    assert authenticate(email=loaded.credentials[0].email, password="wrong password") is None


@pytest.mark.django_db
def test_demo_users_have_the_scopes_of_their_roles(loaded: LoadReport) -> None:
    emails = [c.email for c in loaded.credentials]
    it_admin, officer, school_admin, principal = (User.objects.get(email=e) for e in emails)
    school = RoleAssignment.objects.get(
        person=school_admin.person, kind=RoleKind.ADMINISTRATOR
    ).unit
    assert Domain.objects.get(unit=school).name == school_admin.email.split("@")[1]
    sibling = school.get_siblings().exclude(pk=school.pk).first()
    assert sibling is not None
    assert scope_for(school_admin).contains(school)
    assert not scope_for(school_admin).contains(sibling)
    assert scope_for(officer).contains(school) and scope_for(officer).contains(sibling)
    assert not scope_for(officer).contains(Unit.objects.get(code="SGD"))
    assert all(scope_for(it_admin).contains(unit) for unit in Unit.objects.all())
    assert scope_for(principal).is_empty  # a head approves; she does not administer
    assert school.level == InstitutionLevel.PRIMARY
    assert principal.person is not None and principal.person.position == "Hiệu trưởng"


def test_demo_passwords_are_random_and_readable() -> None:
    passwords = {demo_password() for _ in range(20)}
    assert len(passwords) == 20
    assert all(re.fullmatch(r"[A-Za-z2-9]{4}-[A-Za-z2-9]{4}-[A-Za-z2-9]{4}", p) for p in passwords)


@pytest.mark.django_db
def test_loading_twice_is_refused(loaded: LoadReport, small: DemoProvince) -> None:
    with pytest.raises(DemoError):
        load_province(small)


# --- The command ----------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_command_loads_then_refuses_then_skips_with_if_empty(var_dir: Path) -> None:
    out = StringIO()
    call_command("demo", stdout=out)
    text = out.getvalue()
    assert "quantri@minhhai.edu.vn" in text
    units = Unit.objects.count()
    people = Person.objects.count()
    assert units > 20 and people > 300

    with pytest.raises(CommandError):
        call_command("demo", stdout=StringIO())

    out = StringIO()
    call_command("demo", "--if-empty", stdout=out)
    credentials = (var_dir / "demo-credentials.txt").read_text(encoding="utf-8")
    assert credentials in out.getvalue()
    assert (Unit.objects.count(), Person.objects.count()) == (units, people)
    assert AuditEvent.objects.filter(action="demo.load").count() == 1


@pytest.mark.django_db
def test_the_command_prints_json(var_dir: Path) -> None:
    out = StringIO()
    call_command("demo", "--json", "--seed", "3", stdout=out)
    report = json.loads(out.getvalue())
    assert report["loaded"] is True and report["seed"] == 3
    assert report["institutions"] == Unit.objects.filter(kind=UnitKind.INSTITUTION).count()
    assert len(report["credentials"]) == 4
    out = StringIO()
    call_command("demo", "--json", "--if-empty", stdout=out)
    assert json.loads(out.getvalue())["loaded"] is False


@pytest.mark.django_db
def test_demo_gives_everyone_a_mailbox_and_activates_the_walkthrough_ones(
    loaded: LoadReport,
) -> None:
    from edugate.mail.addressing import is_valid_local_part
    from edugate.mail.models import Mailbox, MailboxKind, MailboxState

    personal = Mailbox.objects.filter(kind=MailboxKind.PERSONAL)
    assert personal.count() == Person.objects.count() == loaded.people
    assert not personal.exclude(state=MailboxState.PENDING).exists()
    assert all(is_valid_local_part(m.local_part) for m in personal)
    active = Mailbox.objects.filter(state=MailboxState.ACTIVE)
    assert sorted(active.values_list("address", flat=True)) == sorted(
        c.email for c in loaded.credentials)
    # A teacher's mailbox sits on their school's own domain.
    teacher = personal.filter(unit__kind="institution").select_related("unit", "domain").first()
    assert teacher is not None and teacher.domain.unit_id == teacher.unit_id
