"""Every change to the directory is one of these actions.

Each takes the acting user (``None`` for the platform itself, e.g. a console run by root),
checks it against the directory's permission policy, makes the change in one transaction and
writes the audit row inside it. Views, commands and imports all call these.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from edugate.audit.actions import diff, record, snapshot
from edugate.core.text import clean_text, fold
from edugate.directory.domain_names import normalize_domain
from edugate.directory.models import (
    Domain,
    Membership,
    Person,
    PersonStatus,
    RoleAssignment,
    Unit,
    UnitStatus,
)
from edugate.directory.names import split_name
from edugate.directory.permissions import person_policy, role_policy
from edugate.directory.rules import unit_errors
from edugate.directory.scope import Scope, forget_scopes, scope_for
from edugate.directory.signals import (
    domain_removed,
    domain_saved,
    person_status_changed,
    unit_saved,
)

UNIT_FIELDS = ("code", "name", "short_name", "kind", "level", "status", "valid_from", "valid_to")
PERSON_FIELDS = (
    "full_name", "family_name", "middle_name", "given_name", "date_of_birth", "gender",
    "position", "phone", "personal_email", "status",
)


def actor_scope(actor: Any) -> Scope:
    """The platform itself (``actor=None``) may do anything; users what their roles allow."""
    return Scope.full() if actor is None else scope_for(actor)


def _deny() -> PermissionDenied:
    return PermissionDenied(_("This is outside the units you administer."))


def _unit_snapshot(unit: Unit) -> dict[str, Any]:
    data = snapshot(unit, UNIT_FIELDS)
    parent = unit.parent_unit()
    data["parent"] = parent.code if parent else None
    return data


# --- Units ----------------------------------------------------------------------------------

def _check_unit(
    *, code: str, kind: str, level: str, parent: Unit | None, exclude: int | None,
    valid_from: datetime.date | None = None, valid_to: datetime.date | None = None,
) -> None:
    errors: dict[str, Any] = dict(
        unit_errors(kind=kind, level=level, parent_kind=parent.kind if parent else None)
    )
    if valid_from and valid_to and valid_to < valid_from:
        errors["valid_to"] = _("The end of validity cannot be before its start.")
    if not code:
        errors["code"] = _("Enter the official code.")
    elif Unit.objects.filter(code=code).exclude(pk=exclude).exists():
        errors["code"] = _("Another unit already has the code %(code)s.") % {"code": code}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_unit(
    *,
    actor: Any,
    parent: Unit | None,
    code: str,
    name: str,
    kind: str,
    level: str = "",
    short_name: str = "",
    status: str = UnitStatus.ACTIVE,
    valid_from: datetime.date | None = None,
    valid_to: datetime.date | None = None,
    uid: uuid.UUID | None = None,
) -> Unit:
    if not actor_scope(actor).may_add_child(parent):
        raise _deny()
    code, name = clean_text(code), clean_text(name)
    if not name:
        raise ValidationError({"name": _("Enter the unit's name.")})
    _check_unit(code=code, kind=kind, level=level, parent=parent, exclude=None,
                valid_from=valid_from, valid_to=valid_to)
    fields: dict[str, Any] = {
        "code": code, "name": name, "short_name": clean_text(short_name), "kind": kind,
        "level": level, "status": status, "valid_from": valid_from, "valid_to": valid_to,
    }
    fields["search_name"] = Unit.search_text(name, fields["short_name"], code)
    if uid is not None:
        fields["uid"] = uid
    if parent is None:
        unit: Unit = Unit.add_root(**fields)
    else:
        parent.refresh_from_db(fields=["path", "depth", "numchild"])
        unit = parent.add_child(**fields)
    record(actor=actor, action="unit.create", obj=unit, unit=unit,
           changes={"after": _unit_snapshot(unit)})
    unit_saved.send(sender=Unit, actor=actor, unit=unit, changes=None)
    return unit


@transaction.atomic
def update_unit(*, actor: Any, unit: Unit, **changes: Any) -> Unit:
    """Rename, recode or change the kind, level, status or validity of ``unit``."""
    if not actor_scope(actor).contains(unit):
        raise _deny()
    unknown = set(changes) - set(UNIT_FIELDS)
    if unknown:
        raise TypeError(f"update_unit() cannot change {sorted(unknown)}")
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    before = _unit_snapshot(unit)
    for field, value in changes.items():
        setattr(unit, field, clean_text(value) if isinstance(value, str) else value)
    if not unit.name:
        raise ValidationError({"name": _("Enter the unit's name.")})
    _check_unit(code=unit.code, kind=unit.kind, level=unit.level, parent=unit.parent_unit(),
                exclude=unit.pk, valid_from=unit.valid_from, valid_to=unit.valid_to)
    unit.search_name = Unit.search_text(unit.name, unit.short_name, unit.code)
    unit.save()
    changed = diff(before, _unit_snapshot(unit))
    if changed:
        record(actor=actor, action="unit.update", obj=unit, unit=unit, changes=changed)
        unit_saved.send(sender=Unit, actor=actor, unit=unit, changes=changed)
    return unit


@transaction.atomic
def move_unit(*, actor: Any, unit: Unit, new_parent: Unit) -> Unit:
    """Put ``unit`` and its whole subtree under ``new_parent`` (e.g. a school to a new commune)."""
    scope = actor_scope(actor)
    unit = Unit.objects.get(pk=unit.pk)
    new_parent = Unit.objects.get(pk=new_parent.pk)
    if not scope.contains(unit) or not scope.may_add_child(new_parent):
        raise _deny()
    if new_parent.path.startswith(unit.path):
        raise ValidationError({"parent": _("A unit cannot be moved under itself.")})
    old_parent = unit.parent_unit()
    if old_parent is not None and old_parent.pk == new_parent.pk:
        return unit
    errors = unit_errors(kind=unit.kind, level=unit.level, parent_kind=new_parent.kind)
    if "parent" in errors:
        raise ValidationError({"parent": errors["parent"]})
    unit.move(new_parent, pos="last-child")
    unit.refresh_from_db()
    changes = {"parent": [old_parent.code if old_parent else None, new_parent.code]}
    record(actor=actor, action="unit.move", obj=unit, unit=unit, changes=changes)
    unit_saved.send(sender=Unit, actor=actor, unit=unit, changes=changes)
    return unit


@transaction.atomic
def merge_units(
    *, actor: Any, sources: list[Unit], target: Unit, on: datetime.date
) -> Unit:
    """Merge ``sources`` into ``target``: their staff, sub-units and domains move over and the
    sources stay in the tree as history (status merged, valid until ``on``)."""
    scope = actor_scope(actor)
    target = Unit.objects.get(pk=target.pk)
    if not scope.contains(target):
        raise _deny()
    for source in sources:
        source = Unit.objects.get(pk=source.pk)
        if not scope.contains(source):
            raise _deny()
        if source.pk == target.pk or target.path.startswith(source.path):
            raise ValidationError(_("A unit cannot be merged into itself or its own sub-unit."))
        moved_people = 0
        for membership in Membership.objects.filter(unit=source).select_related("person"):
            if Membership.objects.filter(person=membership.person, unit=target).exists():
                membership.delete()
            else:
                membership.unit = target
                membership.save(update_fields=["unit"])
            moved_people += 1
        RoleAssignment.objects.filter(unit=source).delete()
        Domain.objects.filter(unit=source).update(unit=target)
        moved_children = list(source.get_children())
        for child in moved_children:
            child.move(Unit.objects.get(pk=target.pk), pos="last-child")
        for child in moved_children:
            # Told like a move of their own (move_unit): portals resync their editors.
            unit_saved.send(sender=Unit, actor=actor, unit=Unit.objects.get(pk=child.pk),
                            changes={"parent": [source.code, target.code]})
        source.refresh_from_db()
        before = _unit_snapshot(source)
        source.status = UnitStatus.MERGED
        source.valid_to = on
        source.successor = target
        source.save()
        changed = diff(before, _unit_snapshot(source))
        record(actor=actor, action="unit.merge", obj=source, unit=source,
               changes={**changed, "successor": [None, target.code],
                        "people_moved": moved_people})
        unit_saved.send(sender=Unit, actor=actor, unit=source, changes=changed)
    return Unit.objects.get(pk=target.pk)


@transaction.atomic
def dissolve_unit(*, actor: Any, unit: Unit, on: datetime.date) -> Unit:
    if not actor_scope(actor).contains(unit):
        raise _deny()
    unit = Unit.objects.get(pk=unit.pk)
    if unit.subtree(include_self=False).filter(status=UnitStatus.ACTIVE).exists():
        raise ValidationError(_("Move or dissolve its active sub-units first."))
    if Membership.objects.filter(unit=unit, person__status=PersonStatus.ACTIVE).exists():
        raise ValidationError(_("Move its active staff to another unit first."))
    return update_unit(actor=actor, unit=unit, status=UnitStatus.DISSOLVED, valid_to=on)


# --- Domains --------------------------------------------------------------------------------

def _check_domain(name: str, alias_of: Domain | None, exclude: int | None) -> str:
    ascii_name = normalize_domain(name)
    taken = Domain.objects.filter(name=ascii_name)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise ValidationError({"name": _("The domain %(name)s is already registered.")
                               % {"name": ascii_name}})
    if alias_of is not None and alias_of.alias_of_id is not None:
        raise ValidationError({"alias_of": _("An alias must point to a primary domain.")})
    return ascii_name


DOMAIN_FIELDS = ("name", "unit", "alias_of", "address_policy")


def _check_policy(value: str) -> str:
    """An address policy's stored value ("" is the default policy)."""
    from edugate.mail.addressing import AddressPolicy

    if value and value not in {policy.value for policy in AddressPolicy}:
        raise ValidationError({"address_policy": _("Choose one of the address policies.")})
    return value


@transaction.atomic
def add_domain(
    *, actor: Any, unit: Unit, name: str, alias_of: Domain | None = None,
    address_policy: str = "",
) -> Domain:
    scope = actor_scope(actor)
    if not scope.contains(unit) or (alias_of is not None and not scope.contains(alias_of.unit)):
        raise _deny()
    domain = Domain.objects.create(
        name=_check_domain(name, alias_of, None), unit=unit, alias_of=alias_of,
        address_policy=_check_policy(address_policy),
    )
    record(actor=actor, action="domain.create", obj=domain, unit=unit,
           changes={"after": snapshot(domain, DOMAIN_FIELDS)})
    domain_saved.send(sender=Domain, actor=actor, domain=domain, previous_name=None)
    return domain


@transaction.atomic
def update_domain(
    *, actor: Any, domain: Domain, unit: Unit, name: str, alias_of: Domain | None,
    address_policy: str | None = None,
) -> Domain:
    scope = actor_scope(actor)
    domain = Domain.objects.select_related("unit").get(pk=domain.pk)
    if not (scope.contains(domain.unit) and scope.contains(unit)):
        raise _deny()
    if alias_of is not None and (alias_of.pk == domain.pk or not scope.contains(alias_of.unit)):
        raise ValidationError({"alias_of": _("Choose another domain.")})
    if alias_of is not None and domain.aliases.exists():
        raise ValidationError({"alias_of": _("This domain has aliases; it must stay primary.")})
    before = snapshot(domain, DOMAIN_FIELDS)
    domain.name = _check_domain(name, alias_of, domain.pk)
    domain.unit, domain.alias_of = unit, alias_of
    if address_policy is not None:
        domain.address_policy = _check_policy(address_policy)
    domain.save()
    changed = diff(before, snapshot(domain, DOMAIN_FIELDS))
    if changed:
        record(actor=actor, action="domain.update", obj=domain, unit=unit, changes=changed)
        domain_saved.send(sender=Domain, actor=actor, domain=domain,
                          previous_name=before["name"])
    return domain


@transaction.atomic
def delete_domain(*, actor: Any, domain: Domain) -> None:
    if not actor_scope(actor).contains(domain.unit):
        raise _deny()
    if domain.aliases.exists():
        raise ValidationError(_("Remove the aliases of this domain first."))
    record(actor=actor, action="domain.delete", obj=domain, unit=domain.unit,
           changes={"before": snapshot(domain, DOMAIN_FIELDS)})
    name = domain.name
    domain.delete()
    domain_removed.send(sender=Domain, actor=actor, name=name)


# --- People ---------------------------------------------------------------------------------

def _apply_person_fields(person: Person, fields: dict[str, Any]) -> None:
    for field, value in fields.items():
        if field not in PERSON_FIELDS:
            raise TypeError(f"unknown person field {field!r}")
        setattr(person, field, clean_text(value) if isinstance(value, str) else value)
    parts = split_name(person.full_name, family=person.family_name, given=person.given_name)
    if not parts.full:
        raise ValidationError({"full_name": _("Enter the person's full name.")})
    person.full_name, person.family_name = parts.full, parts.family
    person.middle_name, person.given_name = parts.middle, parts.given
    person.personal_email = person.personal_email.lower()
    person.search_name = fold(parts.full)


@transaction.atomic
def create_person(
    *, actor: Any, unit: Unit, position: str = "", **fields: Any
) -> Person:
    """Create a person working at ``unit`` (their main workplace)."""
    if not actor_scope(actor).contains(unit):
        raise _deny()
    fields.setdefault("position", position)
    person = Person()
    _apply_person_fields(person, fields)
    person.save()
    Membership.objects.create(person=person, unit=unit, position=person.position, is_primary=True)
    record(actor=actor, action="person.create", obj=person, unit=unit,
           changes={"after": snapshot(person, PERSON_FIELDS)})
    return person


def _person_unit(person: Person, scope: Scope) -> Unit | None:
    """The unit an audit row about ``person`` hangs on: their main workplace in scope."""
    memberships = sorted(person.memberships.select_related("unit"), key=lambda m: not m.is_primary)
    for membership in memberships:
        if scope.contains(membership.unit):
            return membership.unit
    return memberships[0].unit if memberships else None


@transaction.atomic
def update_person(*, actor: Any, person: Person, **fields: Any) -> Person:
    if actor is not None and not person_policy.user_has_permission_for_instance(
        actor, "change", person
    ):
        raise _deny()
    person = Person.objects.select_for_update().get(pk=person.pk)
    before = snapshot(person, PERSON_FIELDS)
    _apply_person_fields(person, fields)
    person.save()
    changed = diff(before, snapshot(person, PERSON_FIELDS))
    if changed:
        record(actor=actor, action="person.update", obj=person,
               unit=_person_unit(person, actor_scope(actor)), changes=changed)
    if before["status"] != person.status:
        person_status_changed.send(sender=Person, actor=actor, person=person,
                                   before=before["status"], after=person.status)
    return person


@transaction.atomic
def delete_person(*, actor: Any, person: Person) -> None:
    if actor is not None and not person_policy.user_has_permission_for_instance(
        actor, "delete", person
    ):
        raise _deny()
    record(actor=actor, action="person.delete", obj=person,
           unit=_person_unit(person, actor_scope(actor)),
           changes={"before": snapshot(person, PERSON_FIELDS)})
    person.delete()


def _check_all_workplaces(actor: Any, person: Person) -> None:
    """The main workplace is the person's, not one unit's: moving it takes all of them."""
    scope = actor_scope(actor)
    if not all(scope.contains(m.unit) for m in person.memberships.select_related("unit")):
        raise ValidationError({"is_primary": _(
            "The person also works at units you do not administer; ask an administrator of "
            "all of them to change the main workplace.")})


@transaction.atomic
def add_membership(
    *, actor: Any, person: Person, unit: Unit, position: str = "", is_primary: bool = False
) -> Membership:
    """Let ``person`` also work at ``unit`` (the administrator of ``unit`` may do this)."""
    if not actor_scope(actor).contains(unit):
        raise _deny()
    if Membership.objects.filter(person=person, unit=unit).exists():
        raise ValidationError({"unit": _("This person already works at this unit.")})
    if is_primary:
        _check_all_workplaces(actor, person)
        Membership.objects.filter(person=person, is_primary=True).update(is_primary=False)
    membership = Membership.objects.create(
        person=person, unit=unit, position=clean_text(position), is_primary=is_primary
    )
    record(actor=actor, action="membership.create", obj=membership, unit=unit,
           changes={"after": snapshot(membership, ["person", "unit", "position", "is_primary"])})
    return membership


@transaction.atomic
def update_membership(
    *, actor: Any, membership: Membership, position: str, is_primary: bool,
    start_date: datetime.date | None = None, end_date: datetime.date | None = None,
) -> Membership:
    if not actor_scope(actor).contains(membership.unit):
        raise _deny()
    fields = ["position", "is_primary", "start_date", "end_date"]
    before = snapshot(membership, fields)
    if is_primary and not membership.is_primary:
        _check_all_workplaces(actor, membership.person)
        Membership.objects.filter(person=membership.person, is_primary=True).update(
            is_primary=False
        )
    membership.position, membership.is_primary = clean_text(position), is_primary
    membership.start_date, membership.end_date = start_date, end_date
    membership.save()
    changed = diff(before, snapshot(membership, fields))
    if changed:
        record(actor=actor, action="membership.update", obj=membership, unit=membership.unit,
               changes=changed)
    return membership


@transaction.atomic
def remove_membership(*, actor: Any, membership: Membership) -> None:
    if not actor_scope(actor).contains(membership.unit):
        raise _deny()
    if membership.person.memberships.count() == 1:
        raise ValidationError(
            _("This is the person's only workplace: mark them as left instead.")
        )
    record(actor=actor, action="membership.delete", obj=membership, unit=membership.unit,
           changes={"before": snapshot(membership, ["person", "unit", "position"])})
    membership.delete()


# --- Roles ----------------------------------------------------------------------------------

@transaction.atomic
def grant_role(
    *, actor: Any, person: Person, unit: Unit, kind: str, include_subtree: bool = False
) -> RoleAssignment:
    """Give ``person`` a role at ``unit``. Nobody can grant more than their own scope."""
    if not actor_scope(actor).covers(unit, subtree=include_subtree):
        raise _deny()
    if actor is not None and not person_policy.user_has_permission_for_instance(
        actor, "view", person
    ):
        raise _deny()
    role, created = RoleAssignment.objects.get_or_create(
        person=person, unit=unit, kind=kind, defaults={"include_subtree": include_subtree}
    )
    if not created:
        if role.include_subtree == include_subtree:
            return role
        role.include_subtree = include_subtree
        role.save(update_fields=["include_subtree"])
    record(actor=actor, action="role.grant", obj=role, unit=unit,
           changes={"after": snapshot(role, ["person", "unit", "kind", "include_subtree"])})
    _forget_role_caches(person)
    return role


@transaction.atomic
def revoke_role(*, actor: Any, role: RoleAssignment) -> None:
    if actor is not None and not role_policy.user_has_permission_for_instance(
        actor, "delete", role
    ):
        raise _deny()
    record(actor=actor, action="role.revoke", obj=role, unit=role.unit,
           changes={"before": snapshot(role, ["person", "unit", "kind", "include_subtree"])})
    person = role.person
    role.delete()
    _forget_role_caches(person)


def _forget_role_caches(person: Person) -> None:
    user = getattr(person, "user", None)
    if user is not None:
        forget_scopes(user)
        user.__dict__.pop("_edugate_has_role", None)
