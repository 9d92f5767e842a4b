"""``python manage.py backup --output DIR``: the database and every referenced file, with SHA-256 sums.

The logic is in ``zi_portal/lib/backup.py``. Exits non-zero when a referenced file is missing from storage
(the backup is written, but its manifest lists the missing files and ``restore`` refuses it).
"""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zi_portal.lib.backup import BackupError, backup_is_signed, backup_write


class Command(BaseCommand):
    help = "Mencadangkan basis data dan semua berkas yang dirujuk, dengan manifest SHA-256."

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, type=Path,
                            help="folder baru (atau kosong) untuk cadangan")

    def handle(self, *args, **options):
        try:
            manifest = backup_write(output=options["output"])
        except BackupError as exc:
            raise CommandError(exc.report()) from exc
        data = manifest.data
        for label, n in sorted(data["counts"].items()):
            if n:
                self.stdout.write(f"{label}: {n}")
        total = sum(item["size"] for item in data["files"])
        self.stdout.write(f"Basis data ({data['database_vendor']}): {data['db']['size']} B, "
                          f"sha256 {data['db']['sha256']}")
        self.stdout.write(f"Berkas disalin: {len(data['files'])} ({total} B)")
        self.stdout.write(f"Berkas di penyimpanan yang tidak dirujuk (tidak disalin): "
                          f"{data['unreferenced_files_not_copied']}")
        if not manifest.complete:
            lines = [f"  - {m['path']} ({m['referenced_by']})" for m in data["missing_files"]]
            raise CommandError("Cadangan TIDAK LENGKAP: berkas yang dirujuk tidak ada di penyimpanan:\n"
                               + "\n".join(lines) + f"\nManifest: {manifest.path}")
        if backup_is_signed():
            self.stdout.write("Manifest ditandatangani (HMAC dengan BACKUP_KEY): manifest.sig")
        else:
            self.stderr.write("PERINGATAN: BACKUP_KEY tidak diatur; cadangan tidak ditandatangani dan `restore` "
                              "hanya menerimanya dengan --accept-unsigned.")
        self.stdout.write(f"Cadangan selesai: {manifest.path.parent}")
