"""Version 3 of the mail plane's SQL views: email group addresses."""

from django.conf import settings
from django.db import migrations

from edugate.mail.plane import sql


def create_v3(apps, schema_editor):
    for statement in [*sql.drop_views(), *sql.views_v3(schema_editor.connection.vendor,
                                                       settings.TIME_ZONE)]:
        schema_editor.execute(statement)


def back_to_v2(apps, schema_editor):
    for statement in [*sql.drop_views(), *sql.views_v2(schema_editor.connection.vendor,
                                                       settings.TIME_ZONE)]:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("mailplane", "0002_views_v2"),
        ("groups", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_v3, back_to_v2, elidable=False)]
