"""``edugate up``: run the whole system in the foreground until Ctrl-C.

Starts the web server (Granian, whose HTTP is written in Rust: a page served from the portals'
cache costs little more than the Python that finds it), the background worker (django-tasks'
database worker), the hourly housekeeping (``edugate housekeeping``) and the portals'
scheduled publishing (``edugate publishing``, every minute) as child processes; stops them all
when one of them dies or on Ctrl-C/SIGTERM.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = "Run the web server and the background worker in the foreground until Ctrl-C."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument("--port", type=int, default=8000, help="Port for the web server.")
        parser.add_argument("--workers", type=int, default=2, help="Web server processes.")
        parser.add_argument("--threads", type=int, default=4,
                            help="Threads per web server process running the application: a "
                                 "cached page is served while another renders.")
        parser.add_argument("--access-log", action=argparse.BooleanOptionalAction,
                            default=False,
                            help="Log each request to standard output (off by default, as in "
                                 "Granian and gunicorn: nginx in front logs them; costs about "
                                 "a third of the rate of cached pages).")
        parser.add_argument("--no-worker", action="store_true",
                            help="Do not start the background worker.")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("collectstatic", interactive=False, verbosity=0)
        bind = f"{options['host']}:{options['port']}"
        commands = {
            "web": [sys.executable, "-m", "granian", "--interface", "wsgi", "--no-ws",
                    "--host", options["host"], "--port", str(options["port"]),
                    "--workers", str(options["workers"]),
                    "--blocking-threads", str(options["threads"]),
                    "--access-log" if options["access_log"] else "--no-access-log",
                    "--workers-kill-timeout", "5", "--respawn-failed-workers",
                    "edugate.wsgi:application"],
        }
        if not options["no_worker"]:
            commands["worker"] = [sys.executable, "-m", "edugate", "db_worker",
                                  "--interval", "1", "--no-reload"]
            commands["housekeeping"] = [sys.executable, "-m", "edugate", "housekeeping",
                                        "--every", "3600"]
            # Portals' scheduled publishing and expiry, every minute.
            commands["publishing"] = [sys.executable, "-m", "edugate", "publishing",
                                      "--every", "60"]
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "edugate.settings"}
        children = {
            name: subprocess.Popen(argv, env=env, cwd=settings.BASE_DIR)  # noqa: S603
            for name, argv in commands.items()
        }
        self.stdout.write(_("edugate is running: back office at http://%(bind)s/admin/ "
                            "(Ctrl-C to stop)") % {"bind": bind})
        stopping = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        exit_code = 0
        try:
            while not stopping:
                for name, child in children.items():
                    if child.poll() is not None:
                        self.stderr.write(
                            _("%(name)s stopped with status %(code)s; stopping everything.")
                            % {"name": name, "code": child.returncode}
                        )
                        exit_code = child.returncode or 1
                        stopping = True
                time.sleep(0.5)
        finally:
            for child in children.values():
                if child.poll() is None:
                    child.terminate()
            deadline = time.monotonic() + 10
            for child in children.values():
                try:
                    child.wait(timeout=max(deadline - time.monotonic(), 0.1))
                except subprocess.TimeoutExpired:
                    child.kill()
        if exit_code:
            sys.exit(exit_code)
