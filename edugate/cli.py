"""The ``edugate`` console command: Django's management commands under one name.

``edugate migrate``, ``edugate demo``, ``edugate units export FILE``, ``edugate up``... are the
management commands of the project, run with edugate's settings.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edugate.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["edugate", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
