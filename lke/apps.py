from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LkeConfig(AppConfig):
    name = "lke"
    verbose_name = _("Lembar Kerja Evaluasi ZI")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The plan page shows, under each indicator, the LKE questions it serves.
        from actionplan.signals import plan_page_indicator_notes

        from .selectors import indicator_questions

        def questions_on_the_plan_page(sender, *, plan, **kwargs):
            return {indicator_id: "LKE: " + ", ".join(codes)
                    for indicator_id, codes in indicator_questions(plan).items()}

        plan_page_indicator_notes.connect(questions_on_the_plan_page, weak=False, dispatch_uid="lke.plan_page")
