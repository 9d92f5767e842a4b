from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActionPlanConfig(AppConfig):
    name = "actionplan"
    verbose_name = _("Rencana Kerja ZI")

    def ready(self):
        import zi_portal.checks  # noqa: F401 - registers the portal's system checks
