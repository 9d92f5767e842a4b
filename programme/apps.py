from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammeConfig(AppConfig):
    name = "programme"
    verbose_name = _("Pencanangan ZI")

    def ready(self):
        # The plan import's PRIORITAS column becomes links to the priority targets (actionplan sends, inside the
        # import's transaction; a ValidationError here rolls the import back).
        from actionplan.signals import plan_priorities_imported

        from .services import priority_links_from_import

        def link_priorities(sender, *, plan, priorities, **kwargs):
            priority_links_from_import(plan=plan, numbers_by_step=priorities)

        plan_priorities_imported.connect(link_priorities, weak=False, dispatch_uid="programme.priorities")
