from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LkeConfig(AppConfig):
    name = "lke"
    verbose_name = _("Lembar Kerja Evaluasi ZI")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The plan page shows, per indicator, the LKE questions it serves.
        from actionplan.signals import plan_page_context

        from .selectors import indicator_questions

        def questions_on_the_plan_page(sender, *, plan, **kwargs):
            return {"lke_questions": indicator_questions(plan)}

        plan_page_context.connect(questions_on_the_plan_page, weak=False, dispatch_uid="lke.plan_page")
