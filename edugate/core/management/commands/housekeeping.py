"""``edugate housekeeping``: the platform's daily chores, run once or on a timer.

The chores are management commands named in ``settings.HOUSEKEEPING_COMMANDS`` (e.g. closing
leavers' mailboxes whose grace period has ended); each is idempotent, so running them late,
twice or after a break does no harm. ``edugate up`` runs this with ``--every 3600``; in
production a systemd timer runs it once (``deploy/systemd/``).
"""

from __future__ import annotations

import logging
import signal
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run the daily chores (idempotent): once, or every N seconds with --every."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=int, default=0, metavar="SECONDS",
                            help="keep running, repeating the chores at this interval")

    def handle(self, *args: Any, **options: Any) -> None:
        stopping = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        if options["every"]:
            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
        while True:
            self.run_once()
            if not options["every"]:
                return
            deadline = time.monotonic() + options["every"]
            while not stopping and time.monotonic() < deadline:
                time.sleep(1)
            if stopping:
                return
            close_old_connections()  # an hour on, the database may have dropped us

    def run_once(self) -> None:
        for command in settings.HOUSEKEEPING_COMMANDS:
            try:
                call_command(*command, stdout=self.stdout, stderr=self.stderr)
            except Exception:
                # One failing chore must not stop the others; it is logged and retried next run.
                logger.exception("housekeeping: %s failed", " ".join(command))
