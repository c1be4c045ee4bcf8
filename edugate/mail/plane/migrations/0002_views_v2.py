"""Version 2 of the mail plane's SQL views: forwarding of closed mailboxes, sieve scripts."""

from django.conf import settings
from django.db import migrations

from edugate.mail.plane import sql


def create_v2(apps, schema_editor):
    for statement in [*sql.drop_views(), *sql.views_v2(schema_editor.connection.vendor,
                                                       settings.TIME_ZONE)]:
        schema_editor.execute(statement)


def back_to_v1(apps, schema_editor):
    for statement in [*sql.drop_views(), *sql.views_v1(schema_editor.connection.vendor,
                                                       settings.TIME_ZONE)]:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("mailplane", "0001_views"),
        ("mail", "0004_auto_reply"),
    ]

    operations = [migrations.RunPython(create_v2, back_to_v1, elidable=False)]
