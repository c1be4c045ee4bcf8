"""Signals other apps listen to, so the directory never has to know about them.

Each is sent inside the transaction of the change; a receiver's writes commit or roll back
with it (and work meant for after the commit goes through ``transaction.on_commit``).

- ``person_status_changed``: ``actor``, ``person``, ``before``, ``after`` (statuses).
- ``domain_saved``: ``actor``, ``domain``, ``previous_name`` (``None`` for a new domain).
- ``domain_removed``: ``actor``, ``name``.
- ``unit_saved``: ``actor``, ``unit``, ``changes`` (``None`` for a new unit, else the audited
  ``{field: [old, new]}``; a merged unit has ``status`` merged and its ``successor`` set; a
  unit moved with its subtree under another parent has ``parent``: the two parents' codes).
"""

from django.dispatch import Signal

person_status_changed = Signal()
domain_saved = Signal()
domain_removed = Signal()
unit_saved = Signal()
