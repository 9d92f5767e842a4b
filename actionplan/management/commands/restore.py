"""``python manage.py restore DIR``: a backup made by ``backup`` onto an empty, migrated instance.

Every sum is checked before anything is written and every file again after it is written; on any failure
nothing stays behind. The logic is in ``zi_portal/lib/backup.py``.
"""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zi_portal.lib.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Memulihkan cadangan ke instans kosong dan memeriksa semua checksum."

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path, help="folder cadangan (berisi manifest.json)")

    def handle(self, *args, **options):
        try:
            summary = backup_restore(source=options["source"])
        except BackupError as exc:
            raise CommandError(exc.report()) from exc
        for label, n in sorted(summary.counts.items()):
            if n:
                self.stdout.write(f"{label}: {n}")
        self.stdout.write(f"Berkas dipulihkan: {summary.files} ({summary.bytes} B)")
        self.stdout.write(f"semua checksum cocok ({len(summary.checked)} diperiksa)")
