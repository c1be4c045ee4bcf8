"""What mail does when the directory changes: a leaver's mailboxes, a returner's; the DKIM
keys of added, renamed and removed domains."""

from __future__ import annotations

from typing import Any

from edugate.directory.models import PersonStatus


def on_person_status_changed(*, actor: Any, person: Any, before: str, after: str,
                             **kwargs: Any) -> None:
    from edugate.mail import actions

    if after == PersonStatus.LEFT:
        actions.person_left(actor=actor, person=person)
    elif before == PersonStatus.LEFT:
        actions.person_returned(actor=actor, person=person)


def on_domain_saved(*, actor: Any, domain: Any, previous_name: str | None,
                    **kwargs: Any) -> None:
    from edugate.mail import dkim

    dkim.on_domain_changed(actor=actor, domain=domain, previous_name=previous_name)


def on_domain_removed(*, name: str, **kwargs: Any) -> None:
    from edugate.mail import dkim

    dkim.on_domain_removed(name=name)
