"""Bulk provisioning: a school's staff sheet becomes people, workplaces and pending mailboxes.

Reading and validating the sheet is :mod:`edugate.directory.staff_sheet`'s job; addresses come
from :mod:`edugate.mail.addressing`. This module matches rows to the people already there,
decides what to create or update, and writes it in bulk (no password is hashed: activation
codes are issued when slips are printed). Rows are all-or-nothing; a dry run rolls everything
back and reports exactly what a real run would do.

A caller may follow the work with a ``progress(done, total)`` callback: it is called once the
sheet is read, every :func:`progress_step` rows while rows are matched, and once at the end.
The writes run inside the import's transaction, so a callback that wants to be seen by other
processes meanwhile must publish outside it (the back office's job uses the cache).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from edugate.audit.actions import record_many
from edugate.core.tabular import RowError, RowErrors, write_table
from edugate.core.text import fold
from edugate.directory.actions import actor_scope
from edugate.directory.models import Domain, Membership, Person, PersonStatus, Unit
from edugate.directory.names import split_name
from edugate.directory.staff_sheet import StaffRow, read_staff_sheet
from edugate.mail.addressing import DEFAULT_POLICY, AddressPolicy, LocalPartAllocator
from edugate.mail.models import Alias, Mailbox, MailboxKind

UPDATABLE = ("position", "phone", "personal_email", "date_of_birth", "gender")

#: ``progress(done, total)``: rows dealt with so far, of all the rows of the sheet
ProgressCallback = Callable[[int, int], None]


def progress_step(total: int) -> int:
    """How many rows between two progress calls: about 1% of the sheet, at most 500 rows."""
    return max(1, min(500, total // 100))


@dataclass
class RowOutcome:
    row_number: int
    full_name: str
    status: str  # "created", "updated", "unchanged", "rejected"
    address: str = ""
    reason: str = ""


@dataclass
class StaffImportReport(RowErrors):
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    mailboxes: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    outcomes: list[RowOutcome] = field(default_factory=list)
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows, "created": self.created, "updated": self.updated,
            "unchanged": self.unchanged, "mailboxes": self.mailboxes,
            "rejected": len(self.rejected_rows), "dry_run": self.dry_run,
            "errors": [e.as_dict() for e in self.errors],
            "warnings": [w.as_dict() for w in self.warnings],
            "outcomes": [o.__dict__ for o in self.outcomes],
        }


class _DryRun(Exception):
    pass


class _Progress:
    """Calls the caller's ``progress`` every :func:`progress_step` rows (never for each row)."""

    def __init__(self, callback: ProgressCallback | None, *, total: int, done: int) -> None:
        self.callback, self.total, self.start = callback, total, done
        self.step = progress_step(total)
        self.report(done)

    def report(self, done: int) -> None:
        if self.callback is not None:
            self.callback(min(done, self.total), self.total)

    def row(self, index: int) -> None:
        """The good rows before the ``index``-th (0-based) have been matched."""
        if self.callback is not None and index and index % self.step == 0:
            # The last row's share waits for the writes: the bar ends when the import does.
            self.report(min(self.start + index, self.total - 1))

    def finish(self) -> None:
        self.report(self.total)


def _domain_for(unit: Unit, cache: dict[int, Domain | None]) -> Domain | None:
    """The nearest primary domain at or above ``unit`` (a division uses its Department's)."""
    if unit.pk not in cache:
        paths = [*unit.ancestor_paths(), unit.path]
        cache[unit.pk] = (Domain.objects.filter(alias_of__isnull=True, unit__path__in=paths)
                          .order_by("-unit__depth", "name").first())
    return cache[unit.pk]


class _Matcher:
    """Finds the person a row stands for among a unit's staff: same name and date of birth,
    else the same phone, else the same personal email."""

    def __init__(self, people: Iterable[Person]) -> None:
        self.by_name_dob: dict[tuple[str, datetime.date | None], Person] = {}
        self.by_phone: dict[str, Person] = {}
        self.by_email: dict[str, Person] = {}
        for person in people:
            self.add(person)

    def add(self, person: Person) -> None:
        self.by_name_dob.setdefault((person.search_name, person.date_of_birth), person)
        if person.phone:
            self.by_phone.setdefault(person.phone, person)
        if person.personal_email:
            self.by_email.setdefault(person.personal_email, person)

    def find(self, row: StaffRow) -> Person | None:
        return (self.by_name_dob.get((fold(row.full_name), row.date_of_birth))
                or (self.by_phone.get(row.phone) if row.phone else None)
                or (self.by_email.get(row.personal_email) if row.personal_email else None))


def import_staff(
    source: str | Path | IO[bytes], *, actor: Any, unit: Unit | None, dry_run: bool = False,
    policy: AddressPolicy | None = None,
    progress: ProgressCallback | None = None,
) -> StaffImportReport:
    """Read a staff sheet and provision its good rows; see the module docstring."""
    scope = actor_scope(actor)
    if unit is not None and not scope.contains(unit):
        raise PermissionDenied(_("This is outside the units you administer."))
    sheet = read_staff_sheet(source)
    report = StaffImportReport(rows=len(sheet.rows) + len({e.row_number for e in sheet.errors}),
                               errors=list(sheet.errors), warnings=list(sheet.warnings),
                               dry_run=dry_run)
    # Rows the reader rejected are dealt with already.
    counter = _Progress(progress, total=report.rows, done=report.rows - len(sheet.rows))
    try:
        with transaction.atomic():
            _provision(sheet.rows, report, actor=actor, scope=scope, unit=unit, policy=policy,
                       counter=counter)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    counter.finish()
    for error in sheet.errors:
        report.outcomes.append(RowOutcome(error.row_number, "", "rejected", reason=str(error)))
    report.outcomes.sort(key=lambda outcome: outcome.row_number)
    return report


def _provision(rows: list[StaffRow], report: StaffImportReport, *, actor: Any, scope: Any,
               unit: Unit | None, policy: AddressPolicy | None, counter: _Progress) -> None:
    units_by_code = {u.code: u for u in Unit.objects.filter(scope.units_q()).active()}
    domains: dict[int, Domain | None] = {}
    matchers: dict[int, _Matcher] = {}
    allocators: dict[int, LocalPartAllocator] = {}
    has_mailbox = set(Mailbox.objects.filter(kind=MailboxKind.PERSONAL)
                      .values_list("person_id", flat=True))
    new_people: list[tuple[StaffRow, Person, Unit, Domain]] = []
    changed: list[tuple[StaffRow, Person, Unit, dict[str, list[Any]]]] = []
    needs_mailbox: list[tuple[StaffRow, Person, Unit, Domain]] = []
    for index, row in enumerate(rows):
        counter.row(index)
        target = units_by_code.get(row.unit_code) if row.unit_code else unit
        if target is None:
            reason = (_("The unit %(code)s is not among the units you administer.")
                      % {"code": row.unit_code}) if row.unit_code else \
                _("Choose the unit the sheet belongs to (--unit).")
            report.errors.append(RowError(row.row_number, "Đơn vị", reason))
            report.outcomes.append(RowOutcome(row.row_number, row.full_name, "rejected",
                                              reason=reason))
            continue
        domain = _domain_for(target, domains)
        if domain is None:
            reason = _("%(unit)s has no domain yet: add one first.") % {"unit": target.name}
            report.errors.append(RowError(row.row_number, "", reason))
            report.outcomes.append(RowOutcome(row.row_number, row.full_name, "rejected",
                                              reason=reason))
            continue
        if target.pk not in matchers:
            matchers[target.pk] = _Matcher(Person.objects.filter(memberships__unit=target))
        person = matchers[target.pk].find(row)
        if person is None:
            person = _new_person(row)
            matchers[target.pk].add(person)
            new_people.append((row, person, target, domain))
            continue
        if person.pk not in has_mailbox:
            needs_mailbox.append((row, person, target, domain))
            has_mailbox.add(person.pk)
        differences = {
            name: [getattr(person, name), getattr(row, name)] for name in UPDATABLE
            if getattr(row, name) not in ("", None) and getattr(person, name) != getattr(row, name)
        }
        if differences:
            changed.append((row, person, target, differences))
        else:
            report.unchanged += 1
            report.outcomes.append(RowOutcome(row.row_number, person.full_name, "unchanged"))
    _write(new_people, changed, needs_mailbox, report, actor=actor, policy=policy,
           allocators=allocators)


def _new_person(row: StaffRow) -> Person:
    parts = split_name(row.full_name, family=row.family_name, given=row.given_name)
    return Person(
        full_name=parts.full, family_name=parts.family, middle_name=parts.middle,
        given_name=parts.given, search_name=fold(parts.full), date_of_birth=row.date_of_birth,
        gender=row.gender, position=row.position, phone=row.phone,
        personal_email=row.personal_email, status=PersonStatus.ACTIVE,
    )


def _allocator(domain: Domain, allocators: dict[int, LocalPartAllocator]) -> LocalPartAllocator:
    if domain.pk not in allocators:
        taken = {*Mailbox.objects.filter(domain=domain).values_list("local_part", flat=True),
                 *Alias.objects.filter(domain=domain).values_list("local_part", flat=True)}
        allocators[domain.pk] = LocalPartAllocator(taken)
    return allocators[domain.pk]


def domain_policy(domain: Domain) -> AddressPolicy:
    """The address policy ``domain`` chose, or the default."""
    return AddressPolicy(domain.address_policy) if domain.address_policy else DEFAULT_POLICY


def _write(new_people: list[tuple[StaffRow, Person, Unit, Domain]],
           changed: list[tuple[StaffRow, Person, Unit, dict[str, list[Any]]]],
           needs_mailbox: list[tuple[StaffRow, Person, Unit, Domain]],
           report: StaffImportReport, *, actor: Any, policy: AddressPolicy | None,
           allocators: dict[int, LocalPartAllocator]) -> None:
    Person.objects.bulk_create([person for _row, person, _unit, _domain in new_people],
                               batch_size=500)
    Membership.objects.bulk_create(
        [Membership(person=person, unit=unit, position=row.position, is_primary=True)
         for row, person, unit, _domain in new_people], batch_size=500)
    mailboxes = []
    for row, person, unit, domain in [*new_people, *needs_mailbox]:
        local = _allocator(domain, allocators).local_part_for(
            full_name=person.full_name, family=row.family_name, given=row.given_name,
            policy=policy or domain_policy(domain))
        mailboxes.append(Mailbox(
            local_part=local, domain=domain, address=f"{local}@{domain.name}",
            kind=MailboxKind.PERSONAL, unit=unit, person=person, display_name=person.full_name,
        ))
    addresses = {mailbox.person_id: mailbox.address for mailbox in mailboxes}
    for row, person, _unit, _domain in new_people:
        report.outcomes.append(RowOutcome(row.row_number, person.full_name, "created",
                                          address=addresses[person.pk]))
    Mailbox.objects.bulk_create(mailboxes, batch_size=500)
    updated = []
    for row, person, _unit, differences in changed:
        for name, (_old, new) in differences.items():
            setattr(person, name, new)
        updated.append(person)
        report.outcomes.append(RowOutcome(
            row.row_number, person.full_name, "updated", address=addresses.get(person.pk, ""),
            reason=", ".join(sorted(differences))))
    Person.objects.bulk_update(updated, list(UPDATABLE), batch_size=500)
    report.created, report.updated, report.mailboxes = len(new_people), len(changed), len(mailboxes)
    record_many(actor=actor, action="person.create", items=(
        (person, unit, {"source": "staff import", "row": row.row_number})
        for row, person, unit, _domain in new_people))
    record_many(actor=actor, action="mailbox.create", items=(
        (mailbox, mailbox.unit, {"address": mailbox.address}) for mailbox in mailboxes))
    record_many(actor=actor, action="person.update", items=(
        (person, unit, {k: [str(a), str(b)] for k, (a, b) in differences.items()})
        for _row, person, unit, differences in changed))


# --- The row-by-row report, as a spreadsheet -------------------------------------------------

#: The report's columns and results, in Vietnamese: the file goes back to the school.
REPORT_HEADERS = ["Dòng", "Họ và tên", "Kết quả", "Địa chỉ thư", "Ghi chú"]
REPORT_STATUS_LABELS = {"created": "Tạo mới", "updated": "Cập nhật", "unchanged": "Không đổi",
                        "rejected": "Bị từ chối"}


def report_rows(report: StaffImportReport | dict[str, Any]) -> list[list[Any]]:
    """One row per sheet row: number, name, result, address, reason and remarks.

    ``report`` is a report or its :meth:`StaffImportReport.as_dict` (as a job stores it)."""
    data = report.as_dict() if isinstance(report, StaffImportReport) else report
    notes: dict[int, list[str]] = {}
    for warning in data.get("warnings", []):
        notes.setdefault(warning["row"], []).append(warning["message"])
    return [
        [o["row_number"], o["full_name"], REPORT_STATUS_LABELS.get(o["status"], o["status"]),
         o["address"], "; ".join([o["reason"], *notes.get(o["row_number"], [])]).strip("; ")]
        for o in data.get("outcomes", [])
    ]


def write_report(report: StaffImportReport | dict[str, Any], path: str | Path) -> int:
    """Write the row-by-row report to ``path`` (.xlsx or .csv, by its extension)."""
    return write_table(path, REPORT_HEADERS, report_rows(report))
