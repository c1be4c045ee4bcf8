"""Keeping the views in place while other apps migrate their tables.

SQLite cannot rename a table while a view refers to it by the old name, and Django rebuilds
a SQLite table (create, copy, drop, rename) for most column changes; PostgreSQL refuses to
change a column a view reads. So the views are dropped before every ``migrate`` that applies
something and created again after it (with PostgreSQL's map functions), and on PostgreSQL the
daemons' role, if it exists, gets its SELECT grants back. A no-op ``migrate`` and a test
database flush leave them alone: daemons may be reading them.
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


def map_functions() -> list[str]:
    """PL/pgSQL twins of the Postfix maps' queries (PostgreSQL only): each returns the rows the
    query would, as text, and keeps its plan for the life of the daemon's connection."""
    from edugate.mail.plane.render import POSTFIX_MAPS, map_function_arguments

    statements = []
    for name, (_purpose, query) in POSTFIX_MAPS.items():
        arguments = map_function_arguments(query)
        body = query
        for number, item in enumerate(arguments, start=1):
            body = body.replace(f"'{item}'", f"${number}")
        types = ", ".join(["text"] * len(arguments))
        # Composed from render.POSTFIX_MAPS, this package's constants, never from input.
        statements.append(
            f"CREATE OR REPLACE FUNCTION mailplane_map_{name}({types}) "  # noqa: S608
            f"RETURNS SETOF text LANGUAGE plpgsql STABLE AS $fn$ BEGIN "
            f"RETURN QUERY SELECT lookup.answer::text FROM ({body}) AS lookup(answer); END $fn$")
    statements.append(USERDB_FUNCTION)
    return statements


#: Dovecot's userdb lookup on PostgreSQL (``user_query`` in dovecot-sql.conf.ext): the same
#: row as ``mailplane_userdb``, with its plan kept for the life of the connection. Dovecot
#: sends plain queries, which PostgreSQL plans again every time; for this view (the inherited
#: quota's subquery) planning cost twice what running it does, and Dovecot asks it twice a
#: message (quota-status at RCPT, then LMTP).
USERDB_FUNCTION = (
    "CREATE OR REPLACE FUNCTION mailplane_userdb_lookup(text) "
    "RETURNS TABLE(maildir text, quota_mb integer) LANGUAGE plpgsql STABLE AS $fn$ BEGIN "
    "RETURN QUERY SELECT u.maildir::text, u.quota_mb::integer FROM mailplane_userdb u "
    "WHERE u.username = $1; END $fn$")


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
            for statement in map_functions():
                cursor.execute(statement)
            role: str = settings.MAIL_PLANE["DB_ROLE"]
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone():
                for view in sql.VIEW_NAMES:
                    cursor.execute(f"GRANT SELECT ON {view} TO {connection.ops.quote_name(role)}")


def _migrates_something(kwargs: dict[str, Any]) -> bool:
    """A ``migrate`` that applies or unapplies migrations (not a no-op ``migrate`` while the
    daemons run, not a test database flush: re-creating views under running daemons makes
    their prepared lookups fail for a moment)."""
    return bool(kwargs.get("plan"))


def before_migrate(using: str = "default", **kwargs: Any) -> None:
    if _migrates_something(kwargs):
        drop_views(using)


def after_migrate(using: str = "default", **kwargs: Any) -> None:
    if not _migrates_something(kwargs):
        return
    if FIRST_MIGRATION not in MigrationRecorder(connections[using]).applied_migrations():
        return
    try:
        create_views(using)
    except DatabaseError:
        # A partial migration (e.g. to an older state) may lack the columns the views read.
        logger.warning("The mail plane's views could not be created", exc_info=True)
