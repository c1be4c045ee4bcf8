"""What portals do when the directory changes.

- ``unit_saved`` (the directory's signal, connected in ``apps.py``): a unit's portal is
  provisioned, renamed or retired (:func:`provisioning.on_unit_saved`).
- a role granted, changed or revoked (``post_save``/``post_delete`` of ``RoleAssignment``), a
  person's status changing (``person_status_changed``: a head who leaves) and a login created
  or re-linked to a person or (de)activated (``post_save`` of ``User``): that user's portal
  groups follow their roles at once (:func:`provisioning.sync_user_groups`), so an appointed
  head approves the unit's portal and a replaced one no longer does; a person deleted
  (``pre_delete``) takes their login out of every portal group first.

These run inside the directory action's transaction; the directory never imports the portal.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver

from edugate.accounts.models import User
from edugate.directory import signals
from edugate.directory.models import Person, RoleAssignment, RoleKind

#: the roles portal groups follow
PORTAL_GROUP_ROLES = frozenset({RoleKind.EDITOR, RoleKind.HEAD})
#: changes to a ``User`` that can change their portal groups
_USER_FIELDS = frozenset({"person", "person_id", "is_active"})


def on_unit_saved(*, unit: Any, changes: dict[str, Any] | None, **kwargs: Any) -> None:
    from edugate.portal import provisioning

    provisioning.on_unit_saved(unit=unit, changes=changes)


def _sync_person(person_id: int | None) -> None:
    from edugate.portal import provisioning

    if person_id is None:
        return
    user = User.objects.filter(person_id=person_id).first()
    if user is not None:
        provisioning.sync_user_groups(user)


@receiver(post_save, sender=RoleAssignment, dispatch_uid="portal.role_saved")
@receiver(post_delete, sender=RoleAssignment, dispatch_uid="portal.role_deleted")
def on_role_changed(*, instance: RoleAssignment, **kwargs: Any) -> None:
    if instance.kind in PORTAL_GROUP_ROLES:
        _sync_person(instance.person_id)


@receiver(signals.person_status_changed, dispatch_uid="portal.person_status_changed")
def on_person_status_changed(*, person: Any, **kwargs: Any) -> None:
    _sync_person(person.pk)


@receiver(pre_delete, sender=Person, dispatch_uid="portal.person_deleted")
def on_person_deleted(*, instance: Person, **kwargs: Any) -> None:
    """Before the person goes (and their login's link with them), their login leaves every
    portal group."""
    from edugate.portal import provisioning

    user = User.objects.filter(person_id=instance.pk).first()
    if user is not None:
        provisioning.sync_user_groups(user, leaving=True)


@receiver(post_save, sender=User, dispatch_uid="portal.user_saved")
def on_user_saved(*, instance: User, created: bool,
                  update_fields: frozenset[str] | None = None, **kwargs: Any) -> None:
    from edugate.portal import provisioning

    if kwargs.get("raw"):
        return
    if not created and update_fields is not None and not (_USER_FIELDS & set(update_fields)):
        return  # e.g. last_login at each login
    if created and instance.person_id is None:
        return
    provisioning.sync_user_groups(instance)
