"""App configuration of the mail plane (label ``mailplane``: its views are ``mailplane_*``)."""

from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _


class MailPlaneConfig(AppConfig):
    name = "edugate.mail.plane"
    label = "mailplane"
    verbose_name = _("Mail plane")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from edugate.mail.plane import schema

        # Views are schema, not data: out of the way while tables change, back after.
        pre_migrate.connect(schema.before_migrate, sender=self,
                            dispatch_uid="mailplane_drop_views")
        post_migrate.connect(schema.after_migrate, sender=self,
                             dispatch_uid="mailplane_create_views")
