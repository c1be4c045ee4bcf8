"""Version 1 of the mail plane's SQL views (see ``edugate.mail.plane.sql``)."""

from django.conf import settings
from django.db import migrations

from edugate.mail.plane import sql


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in sql.views_v1(vendor, settings.TIME_ZONE):
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    for statement in sql.drop_views():
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("mail", "0002_lifecycle_defaults"),
        ("directory", "0002_domain_address_policy"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
