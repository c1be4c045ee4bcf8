from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    name = "edugate.mail"
    label = "mail"
    verbose_name = _("Mail")

    def ready(self) -> None:
        from edugate.directory import signals
        from edugate.mail import receivers

        signals.person_status_changed.connect(receivers.on_person_status_changed,
                                              dispatch_uid="mail.person_status_changed")
        signals.domain_saved.connect(receivers.on_domain_saved, dispatch_uid="mail.domain_saved")
        signals.domain_removed.connect(receivers.on_domain_removed,
                                       dispatch_uid="mail.domain_removed")
