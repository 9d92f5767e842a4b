"""Import a ZI plan table (xlsx/csv/tsv) as the plan of one unit for one year."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from actionplan.management.units import unit_by_name
from actionplan.services import PlanImportError, plan_import


class Command(BaseCommand):
    help = ("Mengimpor tabel rencana kerja ZI (.xlsx/.csv/.tsv; kolom NO, KOMPONEN, INDIKATOR, LANGKAH AKSI, "
            "BUKTI FISIK, TARGET WAKTU) sebagai rencana kerja satu unit untuk satu tahun.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="berkas .xlsx, .csv atau .tsv")
        parser.add_argument("--unit", required=True, help="nama unit kerja (persis seperti di portal)")
        parser.add_argument("--year", required=True, type=int, help="tahun rencana kerja, mis. 2019")
        parser.add_argument("--title", default=None, help="judul rencana (bawaan: judul baku dengan nama unit)")
        parser.add_argument("--replace", action="store_true", help="ganti rencana unit/tahun yang sudah ada")
        parser.add_argument("--dry-run", action="store_true", help="periksa dan hitung saja; tidak menyimpan apa pun")
        parser.add_argument("--create-unit", action="store_true", help="buat unit kerja bila belum ada")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Berkas tidak ditemukan: {path}")
        dry_run = options["dry_run"]
        # A unit created here belongs to the import: it is rolled back with a refused import or a dry run.
        with transaction.atomic():
            unit, created = unit_by_name(options["unit"], create=options["create_unit"])
            try:
                result = plan_import(source=path, filename=path.name, unit=unit, year=options["year"],
                                     title=options["title"], replace=options["replace"], dry_run=dry_run)
            except PlanImportError as exc:
                self.stderr.write(exc.report())
                hint = " Gunakan --replace untuk menggantinya." if exc.code == PlanImportError.PLAN_EXISTS else ""
                raise CommandError(f"Impor dibatalkan: {len(exc.errors)} kesalahan. Tidak ada yang disimpan.{hint}") \
                    from exc
            if dry_run:
                transaction.set_rollback(True)
        if created:
            self.stdout.write(f"Unit kerja {'akan dibuat' if dry_run else 'dibuat'}: {unit.name}")
        for line in result.count_lines():
            self.stdout.write(line)
        if result.warnings:
            self.stdout.write("")
            self.stdout.write(result.report())
        self.stdout.write("")
        if dry_run:
            self.stdout.write("Uji coba (--dry-run): tidak ada yang disimpan.")
        else:
            verb = "diganti" if result.replaced else "disimpan"
            self.stdout.write(self.style.SUCCESS(f"Rencana kerja {verb}: {result.plan.title} (id {result.plan.pk})"))
