"""``edugate housekeeping``: the platform's daily chores, run once or on a timer.

The chores are management commands named in ``settings.HOUSEKEEPING_COMMANDS`` (e.g. closing
leavers' mailboxes whose grace period has ended); each is idempotent, so running them late,
twice or after a break does no harm. ``edugate up`` runs this with ``--every 3600``; in
production a systemd timer runs it once (``deploy/systemd/``).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from edugate.core.console import repeat

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run the daily chores (idempotent): once, or every N seconds with --every."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=int, default=0, metavar="SECONDS",
                            help="keep running, repeating the chores at this interval")

    def handle(self, *args: Any, **options: Any) -> None:
        repeat(options["every"], self.run_once)

    def run_once(self) -> None:
        for command in settings.HOUSEKEEPING_COMMANDS:
            try:
                call_command(*command, stdout=self.stdout, stderr=self.stderr)
            except Exception:
                # One failing chore must not stop the others; it is logged and retried next run.
                logger.exception("housekeeping: %s failed", " ".join(command))
