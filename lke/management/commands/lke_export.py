"""Export a unit's LKE of one year as the LKE worksheet (.xlsx); a blank worksheet when nothing is answered."""
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

from actionplan.management.units import unit_by_name
from lke import selectors, worksheet
from lke.models import Column


def export_bytes(unit, year) -> bytes:
    assessment = selectors.find_assessment(unit, year)
    version = assessment.version if assessment else selectors.current_version()
    struct = selectors.structure(version)
    rows = selectors.answers(assessment)
    holds = selectors.holds_for(unit.pk)
    scores = {c: selectors.column_score(struct, rows[c], holds) for c in Column.values}
    return worksheet.export(struct=struct, unit_name=unit.name, year=year, answers=rows, scores=scores)


class Command(BaseCommand):
    help = "Mengekspor LKE satu unit kerja untuk satu tahun sebagai lembar kerja .xlsx."

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True)
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--output", required=True)
        parser.add_argument("--create-unit", action="store_true", help="buat unit kerja bila belum ada")

    def handle(self, *args, **options):
        with transaction.atomic():
            unit, _created = unit_by_name(options["unit"], create=options["create_unit"])
        content = export_bytes(unit, options["year"])
        Path(options["output"]).write_bytes(content)
        self.stdout.write(f"xlsx={options['output']}")
