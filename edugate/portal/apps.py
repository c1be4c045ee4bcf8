"""The portal app: connects provisioning to the directory's ``unit_saved`` signal, and the page
cache's invalidation to the signals of pages, sites, media and the directory."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "edugate.portal"
    label = "portal"
    verbose_name = _("Portals")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from edugate.directory import signals
        from edugate.portal import receivers

        signals.unit_saved.connect(receivers.on_unit_saved, dispatch_uid="portal.unit_saved")

        from edugate.portal import cache_receivers

        cache_receivers.connect()  # what invalidates the page cache
