"""The demo province: a deterministic, fictional Department of Education and its whole tree.

This module owns the demo data set of edugate, "Sở Giáo dục và Đào tạo tỉnh Minh Hải": its
internal divisions, the culture-and-society offices of its communes and wards (which manage
preschools, primary and lower-secondary schools since the 2025 reform), the upper-secondary,
continuing-education and boarding institutions the Department runs itself, their staff, roles
and domains, and the demo logins of the walkthrough.

It has two halves:

* :func:`build_province` is pure: from a size and a seed it returns plain dataclasses and
  touches no database. The same size and seed always give the same province.
* :func:`load_province` writes such a province in one transaction with ``bulk_create``
  (computing the treebeard paths itself), creates the demo logins with fresh random passwords,
  records one audit event and writes the passwords to ``<VAR_DIR>/demo-credentials.txt``.
"""

from __future__ import annotations

import dataclasses
import datetime
import itertools
import os
import random
import secrets
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from edugate.accounts.models import User, normalize_login
from edugate.audit.actions import record
from edugate.core.text import clean_text, fold
from edugate.directory.domain_names import normalize_domain
from edugate.directory.models import (
    Domain,
    Gender,
    InstitutionLevel,
    Membership,
    Person,
    RoleAssignment,
    RoleKind,
    Unit,
    UnitKind,
)
from edugate.directory.names import split_name
from edugate.mail.addressing import LocalPartAllocator
from edugate.mail.credentials import hash_password
from edugate.mail.models import Mailbox, MailboxKind, MailboxState

SIZES = ("small", "province")
PROVINCE_NAME = "Minh Hải"
PROVINCE_DOMAIN = "minhhai.edu.vn"
DEPARTMENT_CODE = "SGD"
CREDENTIALS_FILE = "demo-credentials.txt"
_BATCH = 2000


class DemoError(Exception):
    """The demo cannot be generated or loaded (unknown size, data already present...)."""


# --- The generated province: plain data -----------------------------------------------------

@dataclass(frozen=True)
class DemoUnit:
    code: str
    name: str
    short_name: str
    kind: str
    level: str
    parent_code: str | None


@dataclass(frozen=True)
class DemoPerson:
    full_name: str
    gender: str
    date_of_birth: datetime.date
    position: str
    phone: str
    unit_code: str


@dataclass(frozen=True)
class DemoRole:
    person: int  # index into DemoProvince.people
    unit_code: str
    kind: str
    include_subtree: bool


@dataclass(frozen=True)
class DemoDomain:
    name: str
    unit_code: str


@dataclass(frozen=True)
class DemoLogin:
    """A person of the walkthrough who gets a user account (the password is made at load)."""

    person: int  # index into DemoProvince.people
    email: str
    description: str  # the role, in Vietnamese, for the credentials table
    unit_code: str


@dataclass(frozen=True)
class DemoProvince:
    size: str
    seed: int
    units: tuple[DemoUnit, ...]  # every parent comes before its children
    people: tuple[DemoPerson, ...]
    roles: tuple[DemoRole, ...]
    domains: tuple[DemoDomain, ...]
    logins: tuple[DemoLogin, ...]

    @property
    def institutions(self) -> tuple[DemoUnit, ...]:
        return tuple(unit for unit in self.units if unit.kind == UnitKind.INSTITUTION)


# --- Sizes ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Size:
    communes: int
    ward_share: float
    preschools: tuple[int, ...]  # per commune: one of these, uniformly
    primaries: tuple[int, ...]
    lower_secondaries: tuple[int, ...]
    multi_level_chance: float
    upper_secondaries: int
    continuing: int
    boarding: int
    staff: dict[str, tuple[int, int]]  # school type key -> inclusive range


_SMALL_STAFF = (16, 24)
_SIZES: dict[str, _Size] = {
    "small": _Size(
        communes=3, ward_share=0.34, preschools=(1,), primaries=(1, 2), lower_secondaries=(1,),
        multi_level_chance=0.3, upper_secondaries=2, continuing=1, boarding=1,
        staff=dict.fromkeys(("mn", "th", "thcs", "lc", "thpt", "gdtx", "dtnt"), _SMALL_STAFF),
    ),
    "province": _Size(
        communes=300, ward_share=0.15, preschools=(1, 2, 2, 3, 3), primaries=(1, 2, 2, 3, 3),
        lower_secondaries=(1, 1, 2, 2, 2), multi_level_chance=0.35, upper_secondaries=110,
        continuing=14, boarding=3,
        staff={"mn": (15, 28), "th": (20, 38), "thcs": (24, 42), "lc": (30, 50),
               "thpt": (50, 85), "gdtx": (20, 35), "dtnt": (45, 70)},
    ),
}


# --- Vocabulary -----------------------------------------------------------------------------

# Family names with their approximate share of the population, in percent.
_FAMILY_NAMES: tuple[tuple[str, float], ...] = (
    ("Nguyễn", 38.0), ("Trần", 11.0), ("Lê", 9.5), ("Phạm", 7.0), ("Hoàng", 3.0),
    ("Huỳnh", 2.5), ("Phan", 4.5), ("Vũ", 2.0), ("Võ", 2.5), ("Đặng", 2.1), ("Bùi", 2.0),
    ("Đỗ", 1.4), ("Hồ", 1.3), ("Ngô", 1.3), ("Dương", 1.0), ("Lý", 0.5), ("Đinh", 0.8),
    ("Lâm", 0.6), ("Trương", 0.8), ("Mai", 0.5), ("Cao", 0.4), ("Tạ", 0.3), ("Lưu", 0.3),
    ("Châu", 0.4), ("Đoàn", 0.6), ("Tô", 0.3), ("Thái", 0.3), ("La", 0.2), ("Hà", 0.4),
    ("Lương", 0.4), ("Kiều", 0.2), ("Quách", 0.2), ("Triệu", 0.2), ("Tăng", 0.2),
)
_MALE_MIDDLE: tuple[tuple[str, float], ...] = (
    ("Văn", 40.0), ("Hữu", 8.0), ("Đức", 8.0), ("Minh", 9.0), ("Thanh", 6.0), ("Quốc", 6.0),
    ("Công", 5.0), ("Trung", 3.0), ("Hoàng", 4.0), ("Ngọc", 4.0), ("Xuân", 3.0), ("Anh", 2.0),
    ("Tấn", 3.0), ("Thành", 3.0), ("Duy", 2.0), ("Quang", 3.0),
)
_FEMALE_MIDDLE: tuple[tuple[str, float], ...] = (
    ("Thị", 45.0), ("Ngọc", 8.0), ("Thanh", 6.0), ("Thu", 5.0), ("Kim", 5.0), ("Xuân", 3.0),
    ("Hồng", 4.0), ("Thùy", 4.0), ("Mỹ", 4.0), ("Bích", 3.0), ("Phương", 3.0), ("Minh", 3.0),
    ("Hoài", 2.0), ("Diễm", 1.0), ("Khánh", 2.0), ("Bảo", 2.0),
)
# Second middle names of four-word names (Nguyễn Thị Ngọc Ánh, Trần Hoàng Minh Tuấn).
_SECOND_MIDDLE: dict[str, tuple[str, ...]] = {
    Gender.MALE: ("Minh", "Hoàng", "Quốc", "Thanh", "Anh", "Bảo", "Gia", "Đăng", "Nhật"),
    Gender.FEMALE: ("Ngọc", "Thanh", "Thu", "Kim", "Phương", "Bảo", "Mai", "Hồng", "Tuyết"),
}
_MALE_GIVEN = (
    "An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hùng", "Huy", "Khánh", "Long", "Minh", "Nam",
    "Nghĩa", "Phong", "Phúc", "Quang", "Sơn", "Tài", "Thắng", "Thành", "Thịnh", "Toàn", "Trí",
    "Trung", "Tuấn", "Việt", "Vinh", "Vũ", "Hiếu", "Hòa", "Lâm", "Lộc", "Nhân", "Tâm", "Thiện",
    "Tín", "Đức", "Hưng", "Kiên", "Quân", "Duy", "Hoàng", "Khoa", "Bảo", "Trọng", "Tùng",
)
_FEMALE_GIVEN = (
    "Anh", "Ánh", "Châu", "Chi", "Diễm", "Dung", "Duyên", "Giang", "Hà", "Hạnh", "Hằng", "Hiền",
    "Hoa", "Hồng", "Huệ", "Hương", "Lan", "Liên", "Linh", "Loan", "Mai", "My", "Nga", "Ngân",
    "Ngọc", "Nhung", "Oanh", "Phương", "Quyên", "Tâm", "Thảo", "Thơ", "Thủy", "Trang", "Trinh",
    "Tuyết", "Uyên", "Vân", "Vy", "Yến", "Nhi", "Hậu", "Thúy", "Xuân", "Lệ", "Nguyệt", "Thắm",
)
# Mobile prefixes in use in Vietnam (Viettel, Vinaphone, Mobifone, Vietnamobile, Gmobile).
_PHONE_PREFIXES = (
    "032", "033", "034", "035", "036", "037", "038", "039", "056", "058", "059", "070", "076",
    "077", "078", "079", "081", "082", "083", "084", "085", "086", "088", "089", "090", "091",
    "093", "094", "096", "097", "098", "099",
)
# Syllables of commune names; pairs make names such as "An Bình" or "Vĩnh Thạnh".
_COMMUNE_FIRST = (
    "An", "Bình", "Tân", "Vĩnh", "Phước", "Hòa", "Long", "Phú", "Thạnh", "Mỹ", "Hưng", "Đông",
    "Tây", "Nam", "Bắc", "Trung", "Thuận", "Định", "Khánh", "Thới", "Lộc", "Hiệp", "Quảng",
    "Đức", "Thanh", "Xuân", "Hải", "Sơn", "Lạc", "Thái", "Cát", "Kim", "Ngọc", "Minh", "Hồng",
    "Đại", "Gia", "Thành", "Tam", "Hữu", "Nhơn", "Lợi",
)
_COMMUNE_SECOND = (
    "Bình", "Hòa", "Phú", "Lợi", "Thạnh", "Hưng", "Long", "Thuận", "Lộc", "An", "Tân", "Phước",
    "Định", "Thành", "Trung", "Đông", "Tây", "Nam", "Bắc", "Hiệp", "Khánh", "Hải", "Sơn", "Mỹ",
    "Điền", "Hội", "Thới", "Quới", "Xuân", "Vinh", "Tiến", "Phong", "Điền", "Hậu", "Trạch",
)
_PRESCHOOL_NAMES = (
    "Hoa Sen", "Hoa Mai", "Hoa Hồng", "Hoa Phượng", "Hoa Cúc", "Hướng Dương", "Sơn Ca",
    "Họa Mi", "Vành Khuyên", "Tuổi Thơ", "Măng Non", "Bình Minh", "Ánh Dương", "Sao Mai",
    "Hoa Lan", "Rạng Đông", "Bông Sen", "Thỏ Ngọc", "Hoa Sữa", "Ban Mai",
)
_PRIMARY_NAMES = (
    "Kim Đồng", "Võ Thị Sáu", "Lê Văn Tám", "Nguyễn Văn Trỗi", "Trần Quốc Toản", "Lý Tự Trọng",
    "Hoàng Văn Thụ", "Nguyễn Thị Minh Khai", "Trần Hưng Đạo", "Lê Lợi", "Quang Trung",
    "Ngô Quyền", "Đinh Tiên Hoàng", "Lý Thường Kiệt", "Hai Bà Trưng", "Bà Triệu",
    "Nguyễn Bỉnh Khiêm", "Phan Đình Phùng", "Nguyễn Văn Cừ", "Trần Văn Ơn", "Nguyễn Thái Bình",
    "Hồ Thị Kỷ", "Phan Ngọc Hiển", "Võ Văn Kiệt",
)
_SECONDARY_NAMES = (
    "Nguyễn Du", "Chu Văn An", "Lê Quý Đôn", "Nguyễn Trãi", "Trần Phú", "Lê Lợi", "Quang Trung",
    "Phan Bội Châu", "Phan Chu Trinh", "Nguyễn Huệ", "Lương Thế Vinh", "Nguyễn Đình Chiểu",
    "Huỳnh Thúc Kháng", "Lê Hồng Phong", "Ngô Quyền", "Trần Quốc Tuấn", "Nguyễn Khuyến",
    "Nguyễn Bỉnh Khiêm", "Trần Đại Nghĩa", "Nguyễn Thị Minh Khai", "Lê Thánh Tông",
    "Tô Hiến Thành", "Võ Trường Toản", "Trương Vĩnh Ký", "Hùng Vương", "Nguyễn Trung Trực",
    "Ngô Gia Tự", "Bùi Thị Xuân", "Nguyễn Hiền", "Mạc Đĩnh Chi",
)
_UPPER_NAMES = (
    "Nguyễn Du", "Chu Văn An", "Nguyễn Trãi", "Trần Phú", "Lê Lợi", "Quang Trung",
    "Phan Bội Châu", "Nguyễn Huệ", "Lương Thế Vinh", "Huỳnh Thúc Kháng", "Nguyễn Đình Chiểu",
    "Hùng Vương", "Nguyễn Thị Minh Khai", "Võ Thị Sáu", "Lý Tự Trọng", "Nguyễn Văn Trỗi",
    "Trần Hưng Đạo", "Ngô Quyền", "Phan Chu Trinh", "Lê Hồng Phong", "Nguyễn Bỉnh Khiêm",
    "Trần Quốc Tuấn", "Nguyễn Khuyến", "Trần Văn Ơn", "Nguyễn Trung Trực", "Tô Hiến Thành",
    "Bùi Thị Xuân", "Hồ Thị Kỷ", "Phan Ngọc Hiển", "Lê Thánh Tông", "Trần Đại Nghĩa",
    "Lương Văn Chánh",
)
_SPECIALIST_SCHOOL = "Lê Quý Đôn"

_DIVISIONS: tuple[tuple[str, str, str, str, str, str], ...] = (
    # code suffix, name, short name, head, deputy, staff position
    ("VP", "Văn phòng Sở", "Văn phòng", "Chánh Văn phòng", "Phó Chánh Văn phòng", "Chuyên viên"),
    ("TCCB", "Phòng Tổ chức cán bộ", "TCCB", "Trưởng phòng", "Phó Trưởng phòng", "Chuyên viên"),
    ("KHTC", "Phòng Kế hoạch - Tài chính", "KH-TC", "Trưởng phòng", "Phó Trưởng phòng",
     "Chuyên viên"),
    ("GDMN", "Phòng Giáo dục Mầm non", "GDMN", "Trưởng phòng", "Phó Trưởng phòng", "Chuyên viên"),
    ("GDPT", "Phòng Giáo dục Phổ thông", "GDPT", "Trưởng phòng", "Phó Trưởng phòng",
     "Chuyên viên"),
    ("GDTX", "Phòng Giáo dục thường xuyên", "GDTX", "Trưởng phòng", "Phó Trưởng phòng",
     "Chuyên viên"),
    ("KTQLCL", "Phòng Khảo thí và Quản lý chất lượng", "KT&QLCL", "Trưởng phòng",
     "Phó Trưởng phòng", "Chuyên viên"),
    ("TTRA", "Thanh tra Sở", "Thanh tra", "Chánh Thanh tra", "Phó Chánh Thanh tra",
     "Thanh tra viên"),
)

_PRINCIPAL, _VICE_PRINCIPAL = "Hiệu trưởng", "Phó Hiệu trưởng"
_TEACHER, _TEAM_LEADER = "Giáo viên", "Tổ trưởng chuyên môn"
_CLERK, _ACCOUNTANT = "Nhân viên văn thư", "Nhân viên kế toán"
_LIBRARIAN, _NURSE = "Nhân viên thư viện", "Nhân viên y tế"
_LAB, _COOK, _GUARD = "Nhân viên thiết bị - thí nghiệm", "Nhân viên nấu ăn", "Nhân viên bảo vệ"


@dataclass(frozen=True)
class _SchoolType:
    key: str  # also the key of _Size.staff
    name_prefix: str  # "Trường Tiểu học"
    short_prefix: str  # "TH"
    label: str  # first part of the domain label
    code: str  # part of the unit code
    level: str
    female_share: float
    head: str
    deputy: str
    support: tuple[str, ...]  # the first one is the clerk


_SCHOOL_TYPES: dict[str, _SchoolType] = {
    t.key: t
    for t in (
        _SchoolType("mn", "Trường Mầm non", "MN", "mn", "MN", InstitutionLevel.PRESCHOOL, 0.97,
                    _PRINCIPAL, _VICE_PRINCIPAL,
                    (_CLERK, _ACCOUNTANT, _NURSE, _COOK, _COOK, _GUARD)),
        _SchoolType("th", "Trường Tiểu học", "TH", "th", "TH", InstitutionLevel.PRIMARY, 0.8,
                    _PRINCIPAL, _VICE_PRINCIPAL, (_CLERK, _ACCOUNTANT, _LIBRARIAN, _NURSE, _GUARD)),
        _SchoolType("thcs", "Trường THCS", "THCS", "thcs", "THCS",
                    InstitutionLevel.LOWER_SECONDARY, 0.7, _PRINCIPAL, _VICE_PRINCIPAL,
                    (_CLERK, _ACCOUNTANT, _LIBRARIAN, _NURSE, _LAB, _GUARD)),
        _SchoolType("lc", "Trường TH&THCS", "TH&THCS", "th-thcs", "LC",
                    InstitutionLevel.MULTI_LEVEL, 0.72, _PRINCIPAL, _VICE_PRINCIPAL,
                    (_CLERK, _ACCOUNTANT, _LIBRARIAN, _NURSE, _LAB, _GUARD)),
        _SchoolType("thpt", "Trường THPT", "THPT", "thpt", "THPT",
                    InstitutionLevel.UPPER_SECONDARY, 0.6, _PRINCIPAL, _VICE_PRINCIPAL,
                    (_CLERK, _ACCOUNTANT, _LIBRARIAN, _NURSE, _LAB, _GUARD)),
        _SchoolType("gdtx", "Trung tâm GDNN-GDTX", "TT GDNN-GDTX", "gdnn-gdtx", "GDTX",
                    InstitutionLevel.CONTINUING, 0.55, "Giám đốc Trung tâm",
                    "Phó Giám đốc Trung tâm", (_CLERK, _ACCOUNTANT, _LIBRARIAN, _NURSE)),
        _SchoolType("dtnt", "Trường PT Dân tộc nội trú", "PT DTNT", "dtnt", "DTNT",
                    InstitutionLevel.MULTI_LEVEL, 0.6, _PRINCIPAL, _VICE_PRINCIPAL,
                    (_CLERK, _ACCOUNTANT, _LIBRARIAN, _NURSE, _LAB, _COOK, _COOK, _GUARD)),
    )
}

_BORN_FROM = datetime.date(1965, 1, 1).toordinal()
_BORN_TO = datetime.date(2002, 12, 31).toordinal()
_LEADERS_BORN_TO = datetime.date(1985, 12, 31).toordinal()


def slug(text: str) -> str:
    """ASCII letters and digits of ``text``: ``Kim Đồng`` → ``kimdong``."""
    return "".join(ch for ch in fold(text) if ch.isascii() and ch.isalnum())


def _cumulative(weighted: Sequence[tuple[str, float]]) -> tuple[tuple[str, ...], list[float]]:
    names = tuple(name for name, _weight in weighted)
    return names, list(itertools.accumulate(weight for _name, weight in weighted))


_FAMILY, _FAMILY_CUM = _cumulative(_FAMILY_NAMES)
_MIDDLE: dict[str, tuple[tuple[str, ...], list[float]]] = {
    Gender.MALE: _cumulative(_MALE_MIDDLE),
    Gender.FEMALE: _cumulative(_FEMALE_MIDDLE),
}
_GIVEN: dict[str, tuple[str, ...]] = {Gender.MALE: _MALE_GIVEN, Gender.FEMALE: _FEMALE_GIVEN}


# --- The pure generator ---------------------------------------------------------------------

@dataclass(frozen=True)
class _Commune:
    name: str  # "An Bình"
    is_ward: bool
    code: str  # "X001"

    @property
    def label(self) -> str:
        return slug(self.name)

    @property
    def title(self) -> str:
        return f"{'phường' if self.is_ward else 'xã'} {self.name}"


class _Builder:
    def __init__(self, size: _Size, rng: random.Random) -> None:
        self.size = size
        self.rng = rng
        self.units: list[DemoUnit] = []
        self.people: list[DemoPerson] = []
        self.roles: list[DemoRole] = []
        self.domains: list[DemoDomain] = []
        self.logins: list[DemoLogin] = []
        self._labels: set[str] = set()
        self._phones: set[str] = set()
        self._codes: set[str] = set()

    # -- small helpers --

    def unit(self, code: str, name: str, short_name: str, kind: str, parent: str | None,
             level: str = "") -> str:
        if code in self._codes:
            raise DemoError(f"duplicate demo unit code {code}")
        self._codes.add(code)
        self.units.append(DemoUnit(code, name, short_name, kind, level, parent))
        return code

    def domain(self, label: str, unit_code: str) -> str:
        """Give ``unit_code`` the subdomain ``label``; a taken label gets a number."""
        label = label.strip("-")[:60].strip("-")
        unique, number = label, 2
        while unique in self._labels:
            unique, number = f"{label}-{number}", number + 1
        self._labels.add(unique)
        name = f"{unique}.{PROVINCE_DOMAIN}"
        self.domains.append(DemoDomain(name, unit_code))
        return name

    def phone(self) -> str:
        while True:
            number = self.rng.choice(_PHONE_PREFIXES) + f"{self.rng.randrange(10_000_000):07d}"
            if number not in self._phones:
                self._phones.add(number)
                return number

    def name(self, gender: str) -> str:
        rng = self.rng
        family = rng.choices(_FAMILY, cum_weights=_FAMILY_CUM)[0]
        middles, middle_cum = _MIDDLE[gender]
        middle = rng.choices(middles, cum_weights=middle_cum)[0]
        given = rng.choice(_GIVEN[gender])
        while given == middle:
            given = rng.choice(_GIVEN[gender])
        if rng.random() < 0.15:
            second = rng.choice(_SECOND_MIDDLE[gender])
            if second not in (middle, given):
                middle = f"{middle} {second}"
        return f"{family} {middle} {given}"

    def person(self, unit_code: str, position: str, female_share: float, *,
               leader: bool = False) -> int:
        rng = self.rng
        gender = Gender.FEMALE if rng.random() < female_share else Gender.MALE
        born = rng.randint(_BORN_FROM, _LEADERS_BORN_TO if leader else _BORN_TO)
        self.people.append(DemoPerson(
            full_name=self.name(gender), gender=gender.value,
            date_of_birth=datetime.date.fromordinal(born), position=position,
            phone=self.phone(), unit_code=unit_code,
        ))
        return len(self.people) - 1

    def role(self, person: int, unit_code: str, kind: str, subtree: bool = False) -> None:
        self.roles.append(DemoRole(person, unit_code, kind, subtree))

    # -- the tree --

    def communes(self) -> list[_Commune]:
        seen: set[str] = set()
        candidates: list[str] = []
        for first in _COMMUNE_FIRST:
            for second in _COMMUNE_SECOND:
                name = f"{first} {second}"
                key = slug(name)
                if first == second or key in seen or key == slug(PROVINCE_NAME):
                    continue
                seen.add(key)
                candidates.append(name)
        count = self.size.communes
        if count > len(candidates):
            raise DemoError(f"cannot name {count} communes")
        names = self.rng.sample(candidates, count)
        wards = set(self.rng.sample(range(count), round(count * self.size.ward_share)))
        return [
            _Commune(name, number in wards, f"{'P' if number in wards else 'X'}{number + 1:03d}")
            for number, name in enumerate(names)
        ]

    def department(self) -> None:
        dept = self.unit(DEPARTMENT_CODE, f"Sở Giáo dục và Đào tạo tỉnh {PROVINCE_NAME}",
                         "Sở GD&ĐT", UnitKind.DEPARTMENT, None)
        self.domain_root(dept)
        director = self.person(dept, "Giám đốc Sở", 0.35, leader=True)
        self.role(director, dept, RoleKind.HEAD, subtree=True)
        for _i in range(3):
            self.person(dept, "Phó Giám đốc Sở", 0.35, leader=True)
        for suffix, name, short, head, deputy, staff in _DIVISIONS:
            code = self.unit(f"{dept}-{suffix}", name, short, UnitKind.DIVISION, dept)
            chief = self.person(code, head, 0.45, leader=True)
            self.role(chief, code, RoleKind.HEAD)
            for _i in range(self.rng.randint(1, 2)):
                self.person(code, deputy, 0.45, leader=True)
            specialists = [self.person(code, staff, 0.5) for _i in range(self.rng.randint(3, 7))]
            if suffix == "VP":
                self.role(specialists[0], dept, RoleKind.EDITOR)
                clerk = self.person(code, "Văn thư", 0.8)
                self.role(clerk, dept, RoleKind.CLERK)
                self.person(code, "Kế toán viên", 0.7)
                for number in range(2):
                    it = self.person(code, "Chuyên viên công nghệ thông tin", 0.3)
                    self.role(it, dept, RoleKind.ADMINISTRATOR, subtree=True)
                    if number == 0:
                        self.logins.append(DemoLogin(
                            it, f"quantri@{PROVINCE_DOMAIN}",
                            "Quản trị hệ thống (CNTT) của Sở", dept,
                        ))

    def domain_root(self, dept: str) -> None:
        self._labels.add("")  # the department's own domain has no label of its own
        self.domains.append(DemoDomain(PROVINCE_DOMAIN, dept))

    def office(self, commune: _Commune) -> tuple[str, str]:
        code = self.unit(
            commune.code, f"Phòng Văn hóa - Xã hội {commune.title}",
            f"VH-XH {commune.title}", UnitKind.OFFICE, DEPARTMENT_CODE,
        )
        domain = self.domain(commune.label, code)
        head = self.person(code, "Trưởng phòng", 0.45, leader=True)
        self.role(head, code, RoleKind.HEAD)
        self.person(code, "Phó Trưởng phòng", 0.5, leader=True)
        officer = self.person(code, "Chuyên viên phụ trách giáo dục", 0.55)
        self.role(officer, code, RoleKind.CONTACT_OFFICER, subtree=True)
        for _i in range(self.rng.randint(1, 3)):
            self.person(code, "Chuyên viên", 0.55)
        if not any(login.unit_code != DEPARTMENT_CODE for login in self.logins):
            self.logins.append(DemoLogin(
                officer, f"daumoi@{domain}", "Cán bộ đầu mối, phòng Văn hóa - Xã hội", code,
            ))
        return code, domain

    def institution(self, kind: _SchoolType, parent: str, code: str, distinct: str,
                    label: str) -> tuple[str, str, int, int]:
        """Create a school and its staff; return its code, domain, principal and admin."""
        code = self.unit(code, f"{kind.name_prefix} {distinct}",
                         f"{kind.short_prefix} {distinct}", UnitKind.INSTITUTION, parent,
                         kind.level)
        domain = self.domain(label, code)
        rng = self.rng
        low, high = self.size.staff[kind.key]
        total = rng.randint(low, high)
        deputies = 1 if total < 30 else (2 if total < 70 else 3)
        teachers = max(1, total - 1 - deputies - len(kind.support))
        leaders = max(1, teachers // 8)
        share = kind.female_share
        principal = self.person(code, kind.head, max(0.0, share - 0.25), leader=True)
        self.role(principal, code, RoleKind.HEAD)
        first_deputy = self.person(code, kind.deputy, max(0.0, share - 0.15), leader=True)
        self.role(first_deputy, code, RoleKind.EDITOR)
        for _i in range(deputies - 1):
            self.person(code, kind.deputy, max(0.0, share - 0.15), leader=True)
        staff = [
            self.person(code, _TEAM_LEADER if i < leaders else _TEACHER, share)
            for i in range(teachers)
        ]
        admin = staff[rng.randrange(leaders, teachers) if teachers > leaders else 0]
        self.role(admin, code, RoleKind.ADMINISTRATOR)
        for number, position in enumerate(kind.support):
            helper = self.person(code, position, 0.75)
            if number == 0:
                self.role(helper, code, RoleKind.CLERK)
        return code, domain, principal, admin

    def commune_schools(self, commune: _Commune) -> None:
        office, _domain = self.office(commune)
        rng, size = self.rng, self.size
        plan = [
            ("mn", rng.choice(size.preschools)),
            ("th", rng.choice(size.primaries)),
            ("thcs", rng.choice(size.lower_secondaries)),
            ("lc", 1 if rng.random() < size.multi_level_chance else 0),
        ]
        pools = {"mn": _PRESCHOOL_NAMES, "th": _PRIMARY_NAMES, "thcs": _SECONDARY_NAMES,
                 "lc": _SECONDARY_NAMES}
        for key, count in plan:
            kind = _SCHOOL_TYPES[key]
            for number, distinct in enumerate(self.school_names(commune, count, pools[key]), 1):
                label = f"{kind.label}-{slug(distinct)}"
                if not distinct.startswith(commune.name):
                    label = f"{label}-{commune.label}"
                code, domain, principal, admin = self.institution(
                    kind, office, f"{office}-{kind.code}{number}", distinct, label
                )
                if key == "th" and len(self.logins) == 2:
                    self.logins.append(DemoLogin(
                        admin, f"quantri@{domain}", "Quản trị viên của trường", code))
                    self.logins.append(DemoLogin(
                        principal, f"hieutruong@{domain}", "Hiệu trưởng", code))

    def school_names(self, commune: _Commune, count: int, pool: Sequence[str]) -> list[str]:
        """``count`` distinct names for schools of one level in ``commune``."""
        names: list[str] = []
        for i in range(count):
            if i == 0 and self.rng.random() < 0.6:
                names.append(commune.name)
                continue
            free = [n for n in pool if n not in names]
            if (commune.name in names and self.rng.random() < 0.3) or not free:
                taken = sum(1 for other in names if other.startswith(commune.name))
                names.append(f"{commune.name} {taken + 1}")
            else:
                names.append(self.rng.choice(free))
        return names

    def department_schools(self, communes: Sequence[_Commune]) -> None:
        rng, size = self.rng, self.size
        places = list(communes)
        rng.shuffle(places)
        place_iter = iter(places)
        famous = [n for n in _UPPER_NAMES if n != _SPECIALIST_SCHOOL]
        rng.shuffle(famous)
        upper = _SCHOOL_TYPES["thpt"]
        for number in range(1, size.upper_secondaries + 1):
            code = f"THPT-{number:03d}"
            if number == 1:
                distinct = f"chuyên {_SPECIALIST_SCHOOL}"
            elif famous and rng.random() < 0.45:
                distinct = famous.pop()
            else:
                place = next(place_iter, None)
                distinct = place.name if place else f"số {number}"
            label = (f"{upper.label}-chuyen-{slug(_SPECIALIST_SCHOOL)}" if number == 1
                     else f"{upper.label}-{slug(distinct)}")
            self.institution(upper, DEPARTMENT_CODE, code, distinct, label)
        continuing = _SCHOOL_TYPES["gdtx"]
        for number, place in enumerate(rng.sample(list(communes), min(size.continuing,
                                                                         len(communes))), 1):
            self.institution(continuing, DEPARTMENT_CODE, f"GDTX-{number:02d}", place.name,
                             f"{continuing.label}-{place.label}")
        boarding = _SCHOOL_TYPES["dtnt"]
        for number in range(1, size.boarding + 1):
            if number == 1:
                distinct, label = f"tỉnh {PROVINCE_NAME}", f"{boarding.label}-tinh"
            else:
                place = communes[rng.randrange(len(communes))]
                distinct, label = f"THCS&THPT {place.name}", f"{boarding.label}-{place.label}"
            self.institution(boarding, DEPARTMENT_CODE, f"DTNT-{number:02d}", distinct, label)


def build_province(size: str, seed: int) -> DemoProvince:
    """The demo province of ``size`` ("small" or "province"), always the same for ``seed``."""
    if size not in _SIZES:
        raise DemoError(_("Unknown demo size %(size)s: choose one of %(sizes)s.")
                        % {"size": size, "sizes": ", ".join(SIZES)})
    builder = _Builder(_SIZES[size], random.Random(seed))
    builder.department()
    communes = builder.communes()
    builder.department_schools(communes)
    for commune in communes:
        builder.commune_schools(commune)
    return DemoProvince(
        size=size, seed=seed, units=tuple(builder.units), people=tuple(builder.people),
        roles=tuple(builder.roles), domains=tuple(builder.domains), logins=tuple(builder.logins),
    )


# --- The loader -----------------------------------------------------------------------------

@dataclass(frozen=True)
class DemoCredential:
    description: str
    email: str
    password: str
    unit_name: str


@dataclass(frozen=True)
class LoadReport:
    size: str
    seed: int
    units: int
    institutions: int
    people: int
    memberships: int
    roles: int
    domains: int
    mailboxes: int
    seconds: float
    credentials: tuple[DemoCredential, ...]
    credentials_path: str

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


_PASSWORD_ALPHABET = frozenset("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")


def demo_password() -> str:
    """A fresh random password that reads well aloud: ``k7Rm-tq3X-9bWe`` (14 characters)."""
    chars: list[str] = []
    while len(chars) < 12:
        chars.extend(ch for ch in secrets.token_urlsafe(16) if ch in _PASSWORD_ALPHABET)
    return "-".join("".join(chars[i : i + 4]) for i in (0, 4, 8))


def credentials_path() -> Path:
    return Path(settings.VAR_DIR) / CREDENTIALS_FILE


def format_credentials(credentials: Iterable[DemoCredential]) -> str:
    """The demo logins as an aligned text table."""
    header = (pgettext("demo logins", "Role"), pgettext("demo logins", "Email"),
              pgettext("demo logins", "Password"), pgettext("demo logins", "Unit"))
    rows = [header] + [(c.description, c.email, c.password, c.unit_name) for c in credentials]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
             for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines) + "\n"


def _write_credentials(credentials: Sequence[DemoCredential], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # in case the file existed with a wider mode
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(_("edugate demo logins (passwords are random; this file is readable by "
                       "its owner only)") + "\n\n")
        handle.write(format_credentials(credentials))


def _check_free(province: DemoProvince) -> None:
    codes = [unit.code for unit in province.units]
    taken = list(Unit.objects.filter(code__in=codes).values_list("code", flat=True)[:5])
    if taken:
        raise DemoError(_("Units with the demo codes already exist: %(codes)s.")
                        % {"codes": ", ".join(sorted(taken))})
    names = [domain.name for domain in province.domains]
    taken = list(Domain.objects.filter(name__in=names).values_list("name", flat=True)[:5])
    if taken:
        raise DemoError(_("The demo domains are already registered: %(names)s.")
                        % {"names": ", ".join(sorted(taken))})
    emails = [normalize_login(login.email) for login in province.logins]
    taken = list(User.objects.filter(email__in=emails).values_list("email", flat=True))
    if taken:
        raise DemoError(_("The demo users already exist: %(emails)s.")
                        % {"emails": ", ".join(sorted(taken))})


def _create_units(demo_units: Sequence[DemoUnit]) -> dict[str, Unit]:
    """Insert the units with their materialised paths computed here, not by treebeard."""
    last_root = Unit.get_last_root_node()
    next_root = Unit._str2int(last_root.path[: Unit.steplen]) + 1 if last_root else 1
    by_code: dict[str, Unit] = {}
    children: dict[str, int] = {}
    units: list[Unit] = []
    for demo in demo_units:
        if demo.parent_code is None:
            depth, path = 1, Unit._get_path("", 1, next_root)
            next_root += 1
        else:
            parent = by_code[demo.parent_code]
            children[demo.parent_code] = children.get(demo.parent_code, 0) + 1
            depth = parent.depth + 1
            path = Unit._get_path(parent.path, depth, children[demo.parent_code])
        name, short_name, code = clean_text(demo.name), clean_text(demo.short_name), demo.code
        unit = Unit(
            path=path, depth=depth, numchild=0, code=code, name=name, short_name=short_name,
            search_name=Unit.search_text(name, short_name, code), kind=demo.kind,
            level=demo.level,
        )
        by_code[code] = unit
        units.append(unit)
    for code, count in children.items():
        by_code[code].numchild = count
    Unit.objects.bulk_create(units, batch_size=_BATCH)
    return by_code


def _create_mailboxes(
    province: DemoProvince, units: dict[str, Unit], people: list[Person],
    domains: list[Domain], logins: list[tuple[DemoLogin, str]],
) -> int:
    """A pending personal mailbox for every person, on the nearest domain of their unit, and
    the walkthrough's role mailboxes (``quantri@``...) active with their demo passwords.
    Only those few passwords are hashed; everyone else activates with a slip."""
    own_domain = {domain.unit_id: domain for domain in domains}
    parents = {demo.code: demo.parent_code for demo in province.units}

    def domain_of(code: str | None) -> Domain:
        while code is not None:
            if units[code].pk in own_domain:
                return own_domain[units[code].pk]
            code = parents[code]
        raise DemoError(f"no domain above {code}")

    allocators: dict[int, LocalPartAllocator] = {}
    login_parts = {normalize_login(login.email) for login, _password in logins}
    mailboxes = []
    for login, password in logins:
        local, _at, domain_name = normalize_login(login.email).partition("@")
        domain = next(d for d in domains if d.name == domain_name)
        mailboxes.append(Mailbox(
            local_part=local, domain=domain, address=f"{local}@{domain.name}",
            kind=MailboxKind.POSITION, state=MailboxState.ACTIVE, unit=units[login.unit_code],
            person=people[login.person], display_name=login.description,
            password_hash=hash_password(password), activated_at=timezone.now(),
        ))
    for person, demo in zip(people, province.people, strict=True):
        domain = domain_of(demo.unit_code)
        if domain.pk not in allocators:
            allocators[domain.pk] = LocalPartAllocator(
                {a.split("@")[0] for a in login_parts if a.endswith("@" + domain.name)})
        local = allocators[domain.pk].local_part_for(full_name=person.full_name)
        mailboxes.append(Mailbox(
            local_part=local, domain=domain, address=f"{local}@{domain.name}",
            kind=MailboxKind.PERSONAL, unit=units[demo.unit_code], person=person,
            display_name=person.full_name,
        ))
    Mailbox.objects.bulk_create(mailboxes, batch_size=_BATCH)
    return len(mailboxes)


def _create_people(demo_people: Sequence[DemoPerson]) -> list[Person]:
    people: list[Person] = []
    for demo in demo_people:
        parts = split_name(demo.full_name)
        people.append(Person(
            full_name=parts.full, family_name=parts.family, middle_name=parts.middle,
            given_name=parts.given, search_name=fold(parts.full),
            date_of_birth=demo.date_of_birth, gender=demo.gender, position=demo.position,
            phone=demo.phone,
        ))
    Person.objects.bulk_create(people, batch_size=_BATCH)
    return people


def _refresh_planner_statistics() -> None:
    """Tell the query planner what a bulk load just wrote (both backends plan by statistics)."""
    tables = [model._meta.db_table for model in (Unit, Person, Membership, RoleAssignment)]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def load_province(province: DemoProvince, *, path: Path | None = None) -> LoadReport:
    """Write ``province`` to the database in one transaction, with its demo logins.

    The demo passwords are made fresh for every load, written to ``path`` (by default
    ``<VAR_DIR>/demo-credentials.txt``, mode 0600) and returned in the report.
    """
    started = time.perf_counter()
    path = path or credentials_path()
    with transaction.atomic():
        _check_free(province)
        units = _create_units(province.units)
        people = _create_people(province.people)
        Membership.objects.bulk_create(
            (Membership(person=person, unit=units[demo.unit_code], position=person.position,
                        is_primary=True)
             for person, demo in zip(people, province.people, strict=True)),
            batch_size=_BATCH,
        )
        RoleAssignment.objects.bulk_create(
            (RoleAssignment(person=people[role.person], unit=units[role.unit_code],
                            kind=role.kind, include_subtree=role.include_subtree)
             for role in province.roles),
            batch_size=_BATCH,
        )
        domains = Domain.objects.bulk_create(
            (Domain(name=normalize_domain(domain.name), unit=units[domain.unit_code])
             for domain in province.domains),
            batch_size=_BATCH,
        )
        credentials: list[DemoCredential] = []
        logins: list[tuple[DemoLogin, str]] = [(login, demo_password())
                                                for login in province.logins]
        mailboxes = _create_mailboxes(province, units, people, domains, logins)
        for login, password in logins:
            User.objects.create_user(login.email, None, person=people[login.person])
            credentials.append(DemoCredential(
                login.description, normalize_login(login.email), password,
                units[login.unit_code].name,
            ))
        department = units[province.units[0].code]
        counts = {
            "size": province.size, "seed": province.seed, "units": len(province.units),
            "institutions": len(province.institutions), "people": len(province.people),
            "roles": len(province.roles), "domains": len(province.domains),
            "users": [c.email for c in credentials],
        }
        record(actor=None, action="demo.load", obj=department, unit=department, changes=counts)
    _refresh_planner_statistics()
    _write_credentials(credentials, path)
    return LoadReport(
        size=province.size, seed=province.seed, units=len(province.units),
        institutions=len(province.institutions), people=len(people), memberships=len(people),
        roles=len(province.roles), domains=len(province.domains), mailboxes=mailboxes,
        seconds=round(time.perf_counter() - started, 3), credentials=tuple(credentials),
        credentials_path=str(path),
    )
