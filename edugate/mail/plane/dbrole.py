"""The PostgreSQL role the mail daemons connect as: it may only SELECT the mailplane views.

``ensure_role`` is idempotent (create or update the role, grant, and nothing more). It needs
a connection allowed to create roles; without that privilege it says so and prints the
statements a database administrator can run instead (with the password left out).
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from django.db import DatabaseError, connections
from django.utils.translation import gettext as _

from edugate.mail.plane.sql import VIEW_NAMES

_ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class RoleError(Exception):
    """The role could not be set up; the message says what to do."""


def role_password(secret_file: Path, configured: str = "") -> str:
    """The configured password, else the one kept in ``secret_file`` (made once, mode 0600)."""
    if configured:
        return configured
    if secret_file.exists():
        return secret_file.read_text().strip()
    secret_file.parent.mkdir(parents=True, exist_ok=True)
    password = secrets.token_hex(24)
    fd = secret_file.open("x")
    secret_file.chmod(0o600)
    with fd:
        fd.write(password + "\n")
    return password


def grant_statements(role: str, database: str, quote: str = '"') -> list[str]:
    quoted_db = quote + database.replace(quote, quote * 2) + quote
    return [
        f"GRANT CONNECT ON DATABASE {quoted_db} TO {role}",
        f"GRANT USAGE ON SCHEMA public TO {role}",
        *[f"GRANT SELECT ON {view} TO {role}" for view in VIEW_NAMES],
    ]


def ensure_role(role: str, password: str, alias: str = "default") -> None:
    """Create or update ``role`` (LOGIN, no other power) and grant it SELECT on the views."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return
    if not _ROLE_NAME.match(role):
        raise RoleError(_("Unusable role name %(role)s.") % {"role": role})
    literal = "'" + password.replace("'", "''") + "'"
    grants = grant_statements(role, connection.settings_dict["NAME"])
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            verb = "ALTER" if cursor.fetchone() else "CREATE"
            cursor.execute(f"{verb} ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE "
                           f"NOINHERIT PASSWORD {literal}")
            for statement in grants:
                cursor.execute(statement)
    except DatabaseError as error:
        manual = "; ".join([f"CREATE ROLE {role} LOGIN PASSWORD '…'", *grants])
        raise RoleError(
            _("Could not set up the database role %(role)s for the mail daemons (%(error)s). "
              "The database user edugate connects as needs the CREATEROLE privilege, or a "
              "database administrator can run: %(sql)s")
            % {"role": role, "error": str(error).strip().splitlines()[0], "sql": manual}
        ) from error
