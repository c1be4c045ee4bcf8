"""What portals do when the directory changes: see :func:`provisioning.on_unit_saved`."""

from __future__ import annotations

from typing import Any


def on_unit_saved(*, unit: Any, changes: dict[str, Any] | None, **kwargs: Any) -> None:
    from edugate.portal import provisioning

    provisioning.on_unit_saved(unit=unit, changes=changes)
