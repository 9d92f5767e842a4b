"""python manage.py import_staff FILE --unit "NAME" [--dry-run]: the unit's staff list (.xlsx/.csv), all or
nothing; ends with the line `staff=N active=M` (everyone on the register, of whom active)."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from actionplan.models import Unit
from programme.services import StaffImportError, staff_import


class Command(BaseCommand):
    help = "Mengimpor daftar pegawai unit kerja (NAMA, NIP, JABATAN, ESELON, GOLONGAN) dari .xlsx/.csv."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--unit", required=True, help="nama unit kerja")
        parser.add_argument("--dry-run", action="store_true", help="periksa saja, tidak menyimpan")

    def handle(self, *args, file, unit, dry_run, **options):
        target = Unit.objects.filter(name=" ".join(unit.split())).first()
        if target is None:
            raise CommandError(f"Unit kerja tidak ditemukan: {unit}")
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Berkas tidak dapat dibaca: {exc}") from exc
        try:
            result = staff_import(unit=target, data=data, filename=path.name, check_role=False, dry_run=dry_run)
        except StaffImportError as exc:
            raise CommandError(exc.report()) from exc
        self.stdout.write(f"{'Pemeriksaan' if dry_run else 'Impor'}: {result.created} baru, {result.updated} "
                          f"diperbarui, {result.deactivated} dinonaktifkan.")
        self.stdout.write(f"staff={result.total} active={result.active}")
