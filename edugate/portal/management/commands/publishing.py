"""``edugate publishing [--every SECONDS]``: scheduled publishing for every portal.

Runs Wagtail's ``publish_scheduled``: approved items whose go-live time has come are
published, live items whose expiry time has passed are unpublished. Once, or every N seconds
with ``--every`` (``edugate up`` runs it every minute; in production a systemd timer runs it
once a minute, ``deploy/systemd/edugate-publishing.timer``). Idempotent: a late or repeated run
does no harm.
"""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from edugate.core.console import repeat


class Command(BaseCommand):
    help = "Publish approved items whose time has come and unpublish expired ones."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=int, default=0, metavar="SECONDS",
                            help="keep running, publishing due items at this interval")

    def handle(self, *args: Any, **options: Any) -> None:
        repeat(options["every"], lambda: call_command(
            "publish_scheduled", stdout=self.stdout, stderr=self.stderr))
