from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifikasi")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # A Ketua Tim's due-date change (actionplan) notifies the people responsible; the receiver calls a service.
        from actionplan.signals import target_due_date_changed

        from . import receivers

        target_due_date_changed.connect(receivers.on_target_due_date_changed, dispatch_uid="notifications.due_date")
        # The evidence workflow (evidence.services, after commit).
        from evidence import signals as evidence_signals

        evidence_signals.revision_uploaded.connect(receivers.on_revision_uploaded, dispatch_uid="notifications.upload")
        evidence_signals.revision_reviewed.connect(receivers.on_revision_reviewed, dispatch_uid="notifications.review")
        # The report workflow (monev.services, after commit).
        from monev import signals as report_signals

        report_signals.report_submitted.connect(receivers.on_report_submitted, dispatch_uid="notifications.submitted")
        report_signals.report_returned.connect(receivers.on_report_returned, dispatch_uid="notifications.returned")
        report_signals.report_signed.connect(receivers.on_report_signed, dispatch_uid="notifications.signed")
