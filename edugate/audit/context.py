"""Where the current change comes from: the request's client address, or the console.

The middleware sets it per request; commands set it with :func:`acting_from`. Actions read it
when they write their audit row, so no view has to pass the address along.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Origin:
    source: str  # "web", "cli", "system"
    ip: str | None = None


SYSTEM = Origin("system")
_origin: ContextVar[Origin | None] = ContextVar("edugate_audit_origin", default=None)


def current_origin() -> Origin:
    return _origin.get() or SYSTEM


@contextmanager
def acting_from(origin: Origin) -> Iterator[None]:
    token = _origin.set(origin)
    try:
        yield
    finally:
        _origin.reset(token)
