"""The status table export (django-import-export): one row per target."""
import datetime

from django.utils.text import slugify
from import_export import fields, resources
from import_export.formats.base_formats import XLSX

from actionplan.importing import neutralize_formula as _safe
from actionplan.models import Target

from . import selectors


class StatusResource(resources.ModelResource):
    component = fields.Field(column_name="KOMPONEN")
    indicator = fields.Field(column_name="INDIKATOR")
    step = fields.Field(column_name="LANGKAH AKSI")
    target_text = fields.Field(column_name="TARGET WAKTU")
    due = fields.Field(column_name="JATUH TEMPO")
    semester_label = fields.Field(column_name="PERIODE")
    status_label = fields.Field(column_name="STATUS")
    responsible = fields.Field(column_name="PENANGGUNG JAWAB")
    latest_evidence = fields.Field(column_name="BUKTI FISIK TERAKHIR")

    class Meta:
        model = Target
        fields = ("component", "indicator", "step", "target_text", "due", "semester_label", "status_label",
                  "responsible", "latest_evidence")
        export_order = fields

    def dehydrate_component(self, t):
        c = t.step.indicator.subcomponent.component
        return _safe(f"{c.code}.{t.step.indicator.subcomponent.number} {t.step.indicator.subcomponent.name}")

    def dehydrate_indicator(self, t):
        return _safe(t.step.indicator.text)

    def dehydrate_step(self, t):
        return _safe(t.step.description)

    def dehydrate_target_text(self, t):
        return _safe(t.step.target_text)

    def dehydrate_due(self, t):
        return t.due_date

    def dehydrate_semester_label(self, t):
        return t.period_label

    def dehydrate_status_label(self, t):
        return selectors.STATUS_LABELS[t.status]

    def dehydrate_responsible(self, t):
        # Names are typed in the admin: one that starts with "=" is a formula to a spreadsheet like any text.
        return _safe(", ".join(a.user.get_full_name() or a.user.username for a in t.step.assignments.all()))

    def dehydrate_latest_evidence(self, t):
        revisions = list(t.revisions.all())
        if not revisions:
            return ""
        r = revisions[0]
        names = ", ".join(_safe(f.original_name) for f in r.files.all())
        return f"Revisi {r.number} ({r.get_status_display()}, {r.document_date:%d-%m-%Y}): {names}"


def status_export_file(*, plan, as_of: datetime.date, semester: int | None) -> tuple[str, bytes]:
    dataset = StatusResource().export(queryset=selectors.status_table(plan=plan, as_of=as_of, semester=semester))
    suffix = f"-semester-{semester}" if semester else ""
    return f"status-{slugify(plan.unit.name)[:60]}-{plan.year}{suffix}.xlsx", XLSX().export_data(dataset)
