"""django-import-export resources of the action-plan app.

`PlanTableResource` exports one plan as the BAB III table (NO, KOMPONEN, INDIKATOR, LANGKAH AKSI, BUKTI FISIK,
TARGET WAKTU, PENANGGUNG JAWAB) in the row grammar that `actionplan.importing` reads back. It is export-only:
imports go through `services.plan_import`, which checks the whole table before writing anything.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch
from import_export import fields, resources, widgets

from .importing import (
    COL_ACTION,
    COL_COMPONENT,
    COL_EVIDENCE,
    COL_INDICATOR,
    COL_NO,
    COL_RESPONSIBLE,
    COL_TARGET,
    neutralize_formula,
)
from .models import ActionStep, Component, Indicator, Plan, SubComponent


@dataclass(frozen=True)
class PlanTableRow:
    no: str = ""
    komponen: str = ""
    indikator: str = ""
    langkah_aksi: str = ""
    bukti_fisik: str = ""
    target_waktu: str = ""
    penanggung_jawab: str = ""


def plan_table_rows(plan: Plan) -> list[PlanTableRow]:
    """The rows of the plan table, in a fixed number of queries (4) whatever the size of the plan.

    A component is one row (roman numeral + name). A sub-component's first row carries its number and name and
    its first indicator; further indicators leave NO and KOMPONEN blank. An indicator with several steps (only
    possible through manual edits) gets one row per step, its text repeated. A sub-component without indicators
    is a row with only NO and KOMPONEN.
    """
    components = (
        Component.objects.filter(plan=plan).order_by("order", "code")
        .prefetch_related(
            Prefetch("subcomponents", queryset=SubComponent.objects.order_by("number")),
            Prefetch("subcomponents__indicators", queryset=Indicator.objects.order_by("order", "pk")),
            Prefetch("subcomponents__indicators__steps", queryset=ActionStep.objects.order_by("order", "pk")),
        )
    )
    rows: list[PlanTableRow] = []
    for component in components:
        rows.append(PlanTableRow(no=component.code, komponen=component.name))
        for sub in component.subcomponents.all():
            lead = {"no": str(sub.number), "komponen": sub.name}
            for indicator in sub.indicators.all():
                for step in indicator.steps.all():
                    rows.append(PlanTableRow(
                        **lead, indikator=indicator.text, langkah_aksi=step.description,
                        bukti_fisik=step.evidence_required, target_waktu=step.target_text,
                        penanggung_jawab=step.responsible_text))
                    lead = {}
            if lead:
                rows.append(PlanTableRow(**lead))
    return rows


class PlanTableResource(resources.Resource):
    """Export of one plan's table: `PlanTableResource(plan=plan).export()` → tablib.Dataset."""

    no = fields.Field(attribute="no", column_name=COL_NO, widget=widgets.CharWidget())
    komponen = fields.Field(attribute="komponen", column_name=COL_COMPONENT, widget=widgets.CharWidget())
    indikator = fields.Field(attribute="indikator", column_name=COL_INDICATOR, widget=widgets.CharWidget())
    langkah_aksi = fields.Field(attribute="langkah_aksi", column_name=COL_ACTION, widget=widgets.CharWidget())
    bukti_fisik = fields.Field(attribute="bukti_fisik", column_name=COL_EVIDENCE, widget=widgets.CharWidget())
    target_waktu = fields.Field(attribute="target_waktu", column_name=COL_TARGET, widget=widgets.CharWidget())
    penanggung_jawab = fields.Field(attribute="penanggung_jawab", column_name=COL_RESPONSIBLE,
                                    widget=widgets.CharWidget())

    class Meta:
        export_order = ("no", "komponen", "indikator", "langkah_aksi", "bukti_fisik", "target_waktu",
                        "penanggung_jawab")

    def __init__(self, plan: Plan | None = None, **kwargs):
        super().__init__(**kwargs)
        self.plan = plan

    def get_queryset(self):
        return plan_table_rows(self.plan) if self.plan is not None else []

    def export_field(self, field, instance, **kwargs):
        # Every cell leaves as text a spreadsheet will not execute (=, +, @, or '-' before a non-space).
        return neutralize_formula(super().export_field(field, instance, **kwargs))
