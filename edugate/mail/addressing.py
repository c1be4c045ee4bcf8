"""Local parts of email addresses (the part before @): syntax, naming policy and allocation.

Pure: no I/O, no models, no database. This module owns

* the local-part syntax edugate accepts (:func:`is_valid_local_part`);
* the per-domain naming policies that turn a person's name into a *base* local part
  (:class:`AddressPolicy`, :func:`base_local_part`);
* the local parts no person may get (:data:`RESERVED_LOCAL_PARTS`);
* collision handling: the smallest free numeric suffix from 2 (:func:`allocate`), also in bulk
  (:class:`LocalPartAllocator`) for imports of tens of thousands of staff.

Which parts are already taken is the caller's business (it reads them from the database and
passes them in); so is deciding what to do with names that yield nothing usable.

Names are split by :func:`edugate.directory.names.split_name` (family first, given last;
explicit family/given columns win) and folded by :func:`edugate.core.text.fold`. Then, in
each name word, everything but ASCII letters is dropped: apostrophes and hyphens join
(``H'Hen`` → ``hhen``), digits go too (a digit in a name cell is noise such as
``Nguyễn Văn An 2``, and a base that never ends in a digit never reads like a suffixed one).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Container, Iterable
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from edugate.core.text import fold
from edugate.directory.names import split_name

MAX_LOCAL_PART_LENGTH = 64
"""RFC 5321, section 4.5.3.1.1."""

MAX_BASE_LENGTH = 48
"""Bases from names are cut here, leaving room for any numeric suffix within 64."""

FALLBACK_LOCAL_PART = "canbo"
"""The base for a name with no usable letter ("cán bộ", staff member); see base_local_part."""

_LOCAL_PART = re.compile(r"^[a-z0-9]+(?:\.[a-z0-9]+)*$")
_NOT_LETTER = re.compile(r"[^a-z]+")


def is_valid_local_part(value: str) -> bool:
    """Lower-case a-z and 0-9, single inner dots, 1 to 64 characters."""
    return 0 < len(value) <= MAX_LOCAL_PART_LENGTH and bool(_LOCAL_PART.match(value))


class AddressPolicy(StrEnum):
    """How a domain builds a person's local part; the value is what gets stored."""

    GIVEN_INITIALS = "given_initials"
    """Given name, then the initials of the family and middle names: ``annv`` (the default)."""
    GIVEN_DOT_FAMILY_MIDDLE = "given.family_middle"
    """Given name, a dot, then family and middle names in full: ``an.nguyenvan``."""
    FULL = "full"
    """The whole name in order, family first: ``nguyenvanan``."""

    @property
    def label(self) -> Promise:
        return POLICY_LABELS[self]

    @classmethod
    def choices(cls) -> list[tuple[str, Promise]]:
        """``(value, label)`` pairs for a form field."""
        return [(member.value, member.label) for member in cls]


POLICY_LABELS: dict[AddressPolicy, Promise] = {
    AddressPolicy.GIVEN_INITIALS: _("Given name + initials (annv)"),
    AddressPolicy.GIVEN_DOT_FAMILY_MIDDLE: _("Given name . family and middle names (an.nguyenvan)"),
    AddressPolicy.FULL: _("Full name (nguyenvanan)"),
}

DEFAULT_POLICY = AddressPolicy.GIVEN_INITIALS

# Exact local parts never handed to a person (a suffixed form such as ``admin2`` is allowed).
RESERVED_LOCAL_PARTS: frozenset[str] = frozenset(
    {
        # Role addresses of RFC 2142 and RFC 5321, and the ones certificate authorities
        # accept as proof of control of a domain (admin, administrator, hostmaster,
        # postmaster, webmaster).
        "postmaster", "abuse", "hostmaster", "webmaster", "noc", "security",
        "admin", "administrator", "root", "mailer-daemon", "www", "ftp", "uucp", "usenet",
        "news", "info", "support", "marketing", "sales",
        # Mail system and automated senders.
        "noreply", "no-reply", "donotreply", "bounce", "bounces", "daemon", "nobody",
        "system", "mail", "email", "smtp", "imap", "pop", "pop3", "mx", "dmarc", "dkim",
        "contact", "help", "test",
        # Unit and position mailboxes Vietnamese education offices use (Circular 37/2020
        # asks for mailboxes per unit and per position; MOET's groups are named like
        # Giamdocso@ and Vanthuso@).
        "lienhe",  # liên hệ: contact
        "gopy",  # góp ý: feedback
        "phananh",  # phản ánh: complaints
        "hotro",  # hỗ trợ: support
        "vanthu", "vanthuso",  # văn thư: clerical office
        "vanphong",  # văn phòng: office
        "hanhchinh",  # hành chính: administration
        "tochuc",  # tổ chức: personnel
        "giamdoc", "giamdocso", "phogiamdoc",  # director, deputy director
        "truongphong", "phophong",  # head and deputy head of an office
        "hieutruong", "hieupho", "phohieutruong", "bangiamhieu",  # school leadership
        "ketoan", "thuquy",  # accountant, cashier
        "thuvien",  # thư viện: library
        "yte",  # y tế: school nurse
        "daumoi",  # đầu mối: point-of-contact officer (Article 4.5)
        "quantri", "quantrimang",  # quản trị (mạng): administrator
        "it", "cntt",  # công nghệ thông tin: IT
        "banbientap",  # ban biên tập: portal editorial board
        "tuyensinh", "khaothi",  # admissions, examinations
        "thanhtra", "phapche",  # inspection, legal
        "congdoan", "doantruong", "doanthanhnien",  # trade union, youth union
    }
)


def _words(part: str) -> list[str]:
    """Folded ASCII letters of each word of ``part``; words left with none are dropped."""
    if not part:
        return []
    folded = fold(part if part.isascii() else unicodedata.normalize("NFKC", part))
    words = (_NOT_LETTER.sub("", word) for word in folded.split(" "))
    return [word for word in words if word]


def base_local_part(
    *,
    full_name: str,
    policy: AddressPolicy = DEFAULT_POLICY,
    family: str = "",
    given: str = "",
    fallback: str = FALLBACK_LOCAL_PART,
) -> str:
    """The local part ``policy`` gives a person, before collisions; never raises on a name.

    ``Nguyễn Văn An`` gives ``annv``, ``an.nguyenvan`` or ``nguyenvanan``. A one-word name
    gives just that word. If the given name has no usable letter (``Nguyễn Văn 李``), the last
    usable word stands in for it. The result is cut to :data:`MAX_BASE_LENGTH`.

    A name with no usable letter at all (empty, Han, Cyrillic, emoji...) gives ``fallback``,
    by default ``canbo``, so that every person still gets a valid address; a caller that must
    flag such names for a human passes ``fallback=""`` and tests for the empty string.
    """
    parts = split_name(full_name, family=family, given=given)
    given_words = _words(parts.given)
    other_words = _words(parts.family) + _words(parts.middle)
    if not given_words and other_words:
        given_words = [other_words.pop()]
    if not given_words:
        if fallback and not is_valid_local_part(fallback):
            raise ValueError(f"invalid fallback local part: {fallback!r}")
        return fallback
    first = "".join(given_words)
    if policy is AddressPolicy.GIVEN_INITIALS:
        base = first + "".join(word[0] for word in other_words)
    elif policy is AddressPolicy.GIVEN_DOT_FAMILY_MIDDLE:
        base = f"{first}.{''.join(other_words)}" if other_words else first
    else:
        base = "".join(other_words) + first
    return base[:MAX_BASE_LENGTH].rstrip(".")


def _with_suffix(base: str, number: int) -> str:
    """``base`` + ``number``, shortening ``base`` if the whole would pass 64 characters."""
    suffix = str(number)
    room = MAX_LOCAL_PART_LENGTH - len(suffix)
    return (base if len(base) <= room else base[:room].rstrip(".")) + suffix


def _first_free(base: str, start: int, unusable: Callable[[str], bool]) -> tuple[str, int]:
    """The first of ``base`` (if ``start`` is 2), ``base<start>``, ``base<start+1>``... free."""
    if start <= 2 and not unusable(base):
        return base, 1
    number = max(start, 2)
    while unusable(candidate := _with_suffix(base, number)):
        number += 1
    return candidate, number


def _check_base(base: str) -> None:
    if not is_valid_local_part(base):
        raise ValueError(f"invalid local part: {base!r}")


def allocate(
    base: str,
    taken: Callable[[str], bool] | Container[str],
    *,
    reserved: Container[str] = RESERVED_LOCAL_PARTS,
) -> str:
    """``base`` if neither taken nor reserved, else ``base2``, ``base3``...: the smallest free.

    ``taken`` is a container of the parts in use or a predicate saying whether one is. The
    suffix is appended as is, even to a base ending in a digit (``thcs1`` → ``thcs12``):
    collisions are checked on the whole string, so the result is unique all the same (bases
    made from names never end in a digit). A base too long for its suffix is shortened, so
    the result always has at most 64 characters. Raises ValueError for an invalid base.
    """
    _check_base(base)
    is_taken = taken if callable(taken) else taken.__contains__
    return _first_free(base, 2, lambda part: part in reserved or is_taken(part))[0]


def local_part_for(
    *,
    full_name: str,
    taken: Callable[[str], bool] | Container[str],
    policy: AddressPolicy = DEFAULT_POLICY,
    family: str = "",
    given: str = "",
    reserved: Container[str] = RESERVED_LOCAL_PARTS,
) -> str:
    """:func:`base_local_part` then :func:`allocate`: a free local part for one person."""
    base = base_local_part(full_name=full_name, policy=policy, family=family, given=given)
    return allocate(base, taken, reserved=reserved)


class LocalPartAllocator:
    """Allocates local parts for many people at once, in time linear in their number.

    Seed it with the parts already in use in the domain. Each part it returns counts as taken
    from then on. Per base it remembers the next suffix to try: nothing is freed during its
    lifetime, so every suffix below that one is still taken and counting on from there gives
    the same answer as :func:`allocate`, the smallest free suffix. (A part freed in the
    database is reused by the next allocator seeded without it.)
    """

    def __init__(
        self, taken: Iterable[str] = (), *, reserved: Container[str] = RESERVED_LOCAL_PARTS
    ) -> None:
        self._taken: set[str] = set(taken)
        self._reserved = reserved
        self._next: dict[str, int] = {}

    def __contains__(self, part: object) -> bool:
        return part in self._taken

    def __len__(self) -> int:
        return len(self._taken)

    def take(self, part: str) -> None:
        """Mark ``part`` as in use (e.g. an address typed by hand)."""
        self._taken.add(part)

    def _unusable(self, part: str) -> bool:
        return part in self._taken or part in self._reserved

    def allocate(self, base: str) -> str:
        """As :func:`allocate` against everything seeded, taken or allocated so far."""
        _check_base(base)
        part, number = _first_free(base, self._next.get(base, 2), self._unusable)
        self._next[base] = number + 1
        self._taken.add(part)
        return part

    def local_part_for(
        self,
        *,
        full_name: str,
        policy: AddressPolicy = DEFAULT_POLICY,
        family: str = "",
        given: str = "",
    ) -> str:
        """:func:`base_local_part` then :meth:`allocate`."""
        base = base_local_part(full_name=full_name, policy=policy, family=family, given=given)
        return self.allocate(base)
