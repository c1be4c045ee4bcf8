"""Helpers shared by console commands: acting on someone's behalf, finding units, JSON out."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _


def add_actor_argument(parser: CommandParser) -> None:
    parser.add_argument(
        "--as", dest="as_email", metavar="EMAIL",
        help="act on behalf of this user, within their scope (default: the platform itself)",
    )


def actor_from_email(email: str | None) -> Any:
    """The active user with this login, or ``None`` (the platform itself) when not given."""
    from edugate.accounts.models import User, normalize_login

    if not email:
        return None
    try:
        user = User.objects.get(email=normalize_login(email))
    except User.DoesNotExist:
        raise CommandError(_("No user has the email address %(email)s.")
                           % {"email": email}) from None
    if not user.is_active:
        raise CommandError(_("The user %(email)s is not active.") % {"email": user.email})
    return user


def unit_by_code(code: str, *, within: Any) -> Any:
    """The unit with this official code, if it lies in the scope ``within``."""
    from edugate.directory.models import Unit

    unit = Unit.objects.filter(within.units_q(), code=code).first()
    if unit is None:
        raise CommandError(_("No unit with the code %(code)s within your units.")
                           % {"code": code})
    return unit


def command_error(error: ValidationError | PermissionDenied) -> CommandError:
    """An action's refusal as the console reports it: the reasons, on one line."""
    messages = error.messages if isinstance(error, ValidationError) else [str(error)]
    return CommandError(" ".join(messages))


def repeat(every: int, chore: Any) -> None:
    """Run ``chore()`` once, or every ``every`` seconds until SIGTERM or SIGINT (the loop of
    ``edugate housekeeping --every`` and ``edugate publishing --every``)."""
    import signal
    import time

    from django.db import close_old_connections

    stopping = False

    def stop(signum: int, frame: Any) -> None:
        nonlocal stopping
        stopping = True

    if every:
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
    while True:
        chore()
        if not every:
            return
        deadline = time.monotonic() + every
        while not stopping and time.monotonic() < deadline:
            time.sleep(1)
        if stopping:
            return
        close_old_connections()  # a while on, the database may have dropped us


def dumps(data: Any) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
