"""Print a unit's LKE scores: one line per area, then `total=… pengungkit=… hasil=… predikat=…`."""
from django.core.management.base import BaseCommand, CommandError

from actionplan.models import Unit
from lke import scoring, selectors
from lke.models import Column


class Command(BaseCommand):
    help = "Mencetak nilai LKE satu unit kerja untuk satu tahun."

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True)
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--column", default=Column.UNIT, choices=Column.values)

    def handle(self, *args, **options):
        unit = Unit.objects.filter(name__iexact=" ".join(options["unit"].split())).first()
        if unit is None:
            raise CommandError(f"Unit kerja '{options['unit']}' tidak ditemukan.")
        assessment = selectors.find_assessment(unit, options["year"])
        struct = selectors.structure(assessment.version if assessment else selectors.current_version())
        rows = selectors.answers(assessment)[options["column"]]
        result = selectors.column_score(struct, rows, selectors.holds_for(unit.pk))
        halves = {}
        for code, node in struct.nodes.items():
            if node.kind == "area":
                halves.setdefault(node.area, []).append(scoring.r2(result.nodes[code]))
        for number, name, weight in struct.areas:
            parts = halves.get(number, [])
            points = scoring.r2(result.areas[number])
            self.stdout.write(f"area {number} {name}: pemenuhan={parts[0] if parts else '0.00'} "
                              f"reform={parts[1] if len(parts) > 1 else '0.00'} nilai={points} "
                              f"bobot={scoring.r2(weight)} persen={scoring.r2(points / weight * 100)}")
        for p in result.predicates:
            for c in p.failed:
                self.stdout.write(f"tidak memenuhi {p.code}: {c.label} {c.figure}{c.unit} < {c.limit}{c.unit}")
        if result.provisional:
            self.stdout.write(f"sementara: {result.answered} dari {result.question_count} pertanyaan dijawab")
        hasil = sum((result.nodes[c] for c in struct.roots if struct.nodes[c].area is None and c != "A"),
                    scoring.ZERO)
        self.stdout.write(f"total={scoring.r2(result.total)} pengungkit={scoring.r2(result.nodes.get('A', 0))} "
                          f"hasil={scoring.r2(hasil)} predikat={result.prediction}")
