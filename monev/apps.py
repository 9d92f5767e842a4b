from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonevConfig(AppConfig):
    name = "monev"
    verbose_name = _("Monitoring dan Evaluasi")

    def ready(self):
        # The LKE's "Monev with the leaders" suggestion counts the semesters whose report is signed.
        from lke.signals import signed_semesters

        from .models import Report

        def semesters_signed(sender, *, plan, **kwargs):
            return set(Report.objects.filter(plan=plan, status=Report.Status.SIGNED).values_list("semester",
                                                                                                  flat=True))

        signed_semesters.connect(semesters_signed, weak=False, dispatch_uid="monev.signed_semesters")
