"""Mailbox defaults inherited down the unit tree (quotas, the leavers' grace period)."""

from __future__ import annotations

from edugate.directory.models import Unit
from edugate.mail.models import DEFAULT_QUOTA_MB, MailboxKind, MailDefaults

DEFAULT_GRACE_DAYS = 30


def _defaults_above(unit: Unit) -> list[MailDefaults]:
    """The defaults set at ``unit`` and above it, nearest first."""
    paths = [*unit.ancestor_paths(), unit.path]
    return list(MailDefaults.objects.filter(unit__path__in=paths).order_by("-unit__depth"))


def default_quota_mb(unit: Unit, kind: MailboxKind) -> int:
    for defaults in _defaults_above(unit):
        value = defaults.quota_for(kind)
        if value:
            return value
    return DEFAULT_QUOTA_MB[kind]


def grace_days(unit: Unit) -> int:
    for defaults in _defaults_above(unit):
        if defaults.leaver_grace_days is not None:
            return defaults.leaver_grace_days
    return DEFAULT_GRACE_DAYS
