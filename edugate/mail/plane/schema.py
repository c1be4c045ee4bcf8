"""Keeping the views in place while other apps migrate their tables.

SQLite cannot rename a table while a view refers to it by the old name, and Django rebuilds
a SQLite table (create, copy, drop, rename) for most column changes; PostgreSQL refuses to
change a column a view reads. So the views are dropped before every ``migrate`` and created
again after it (also after a test database flush), and on PostgreSQL the daemons' role, if it
exists, gets its SELECT grants back.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.migrations.recorder import MigrationRecorder

from edugate.mail.plane import sql

logger = logging.getLogger(__name__)

FIRST_MIGRATION = ("mailplane", "0001_views")


def drop_views(using: str = "default") -> None:
    with connections[using].cursor() as cursor:
        for statement in sql.drop_views():
            cursor.execute(statement)


def create_views(using: str = "default") -> None:
    """Create the current views (dropping old ones) and grant them to the daemons' role."""
    connection = connections[using]
    with connection.cursor() as cursor:
        for statement in sql.drop_views():
            cursor.execute(statement)
        for statement in sql.current_views(connection.vendor, settings.TIME_ZONE):
            cursor.execute(statement)
        if connection.vendor == "postgresql":
            role: str = settings.MAIL_PLANE["DB_ROLE"]
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone():
                for view in sql.VIEW_NAMES:
                    cursor.execute(f"GRANT SELECT ON {view} TO {connection.ops.quote_name(role)}")


def before_migrate(using: str = "default", **kwargs: Any) -> None:
    drop_views(using)


def after_migrate(using: str = "default", **kwargs: Any) -> None:
    if FIRST_MIGRATION not in MigrationRecorder(connections[using]).applied_migrations():
        return
    try:
        create_views(using)
    except DatabaseError:
        # A partial migration (e.g. to an older state) may lack the columns the views read.
        logger.warning("The mail plane's views could not be created", exc_info=True)
