"""PostgreSQL only: ``mailplane_userdb_lookup(username)``, Dovecot's userdb lookup with a kept
plan (see ``edugate.mail.plane.schema.USERDB_FUNCTION``); the views do not change."""

from django.db import migrations

from edugate.mail.plane import schema


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(schema.USERDB_FUNCTION)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS mailplane_userdb_lookup(text)")


class Migration(migrations.Migration):
    dependencies = [
        ("mailplane", "0003_views_v3"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
