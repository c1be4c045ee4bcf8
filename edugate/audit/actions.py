"""Writing audit rows. Call :func:`record` inside the transaction of the change it records."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import models, transaction

from edugate.audit.context import current_origin
from edugate.audit.models import AuditEvent


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    return value


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The audited fields of ``instance`` as JSON-friendly values."""
    return {name: _plain(getattr(instance, name)) for name in fields}


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the fields that changed."""
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def _require_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit rows must be written inside the change's transaction")


def build_event(
    *, actor: Any, action: str, obj: models.Model, unit: Any,
    changes: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """An unsaved audit row, stamped with the current origin (web address or console)."""
    origin = current_origin()
    is_user = actor is not None and getattr(actor, "pk", None) is not None
    return AuditEvent(
        actor=actor if is_user else None,
        actor_label=(getattr(actor, "email", "") if is_user else "") or origin.source,
        source=origin.source,
        ip=origin.ip,
        action=action,
        object_type=obj._meta.model_name or "",
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        unit=unit,
        changes={key: _plain(value) for key, value in (changes or {}).items()},
    )


def record_changes(
    *, actor: Any, action: str, obj: models.Model, unit: Any, before: Mapping[str, Any],
    fields: Any,
) -> dict[str, list[Any]]:
    """Record what changed in ``obj``'s ``fields`` since the ``before`` snapshot, if anything
    did; returns the changes (empty: nothing was recorded)."""
    changed = diff(before, snapshot(obj, fields))
    if changed:
        record(actor=actor, action=action, obj=obj, unit=unit, changes=changed)
    return changed


def record(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    unit: Any,
    changes: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit row. Must run inside the transaction of the change it records."""
    _require_transaction()
    event = build_event(actor=actor, action=action, obj=obj, unit=unit, changes=changes)
    event.save()
    return event


def record_many(
    *, actor: Any, action: str, items: Iterable[tuple[models.Model, Any, Mapping[str, Any]]]
) -> int:
    """One audit row per ``(object, unit, changes)`` of a bulk change, written in batches."""
    _require_transaction()
    events = [build_event(actor=actor, action=action, obj=obj, unit=unit, changes=changes)
              for obj, unit, changes in items]
    AuditEvent.objects.bulk_create(events, batch_size=500)
    return len(events)
