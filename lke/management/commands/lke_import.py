"""Import one column of a unit's LKE from a worksheet: all rows or none, with a row report."""
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from actionplan.management.units import unit_by_name
from lke import services
from lke.models import Column


class Command(BaseCommand):
    help = "Mengimpor jawaban LKE (kolom unit atau TPI) dari lembar kerja .xlsx."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--unit", required=True)
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--column", default=Column.UNIT, choices=Column.values)
        parser.add_argument("--create-unit", action="store_true", help="buat unit kerja bila belum ada")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Berkas tidak ditemukan: {path}")
        try:
            with transaction.atomic():   # a unit or assessment created here goes with a refused import
                unit, _created = unit_by_name(options["unit"], create=options["create_unit"])
                assessment = services.assessment_start(unit=unit, year=options["year"])
                changed = services.assessment_import(assessment=assessment, column=options["column"],
                                                     content=path.read_bytes())
        except services.LkeImportError as exc:
            for issue in exc.issues:
                self.stderr.write(str(issue))
            raise CommandError(f"Impor dibatalkan: {len(exc.issues)} kesalahan. Tidak ada yang disimpan.") from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"changed={changed}")
