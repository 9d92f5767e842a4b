from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifikasi")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # A Ketua Tim's due-date change (actionplan) notifies the people responsible; the receiver calls a service.
        from actionplan.signals import target_due_date_changed

        from .receivers import on_target_due_date_changed

        target_due_date_changed.connect(on_target_due_date_changed, dispatch_uid="notifications.due_date_changed")
        # The report workflow (monev.services, after commit).
        from monev import signals as report_signals

        from . import receivers

        report_signals.report_submitted.connect(receivers.on_report_submitted, dispatch_uid="notifications.submitted")
        report_signals.report_returned.connect(receivers.on_report_returned, dispatch_uid="notifications.returned")
        report_signals.report_signed.connect(receivers.on_report_signed, dispatch_uid="notifications.signed")
