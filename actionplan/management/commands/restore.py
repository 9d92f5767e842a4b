"""``python manage.py restore DIR``: a backup made by ``backup`` onto an empty, migrated instance.

The manifest's HMAC (BACKUP_KEY) is checked first: an unsigned or wrongly signed backup is refused unless
``--accept-unsigned`` is given. Every sum is checked before anything is written and every file again after it
is written; on any failure nothing stays behind. The logic is in ``zi_portal/lib/backup.py``.
"""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zi_portal.lib.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Memulihkan cadangan ke instans kosong dan memeriksa semua checksum."

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path, help="folder cadangan (berisi manifest.json)")
        parser.add_argument("--accept-unsigned", action="store_true",
                            help="pulihkan juga cadangan tanpa tanda tangan BACKUP_KEY atau dengan tanda tangan "
                                 "yang salah (hanya bila Anda yakin akan asalnya)")

    def handle(self, *args, **options):
        try:
            summary = backup_restore(source=options["source"], accept_unsigned=options["accept_unsigned"])
        except BackupError as exc:
            raise CommandError(exc.report()) from exc
        for label, n in sorted(summary.counts.items()):
            if n:
                self.stdout.write(f"{label}: {n}")
        self.stdout.write(f"Berkas dipulihkan: {summary.files} ({summary.bytes} B)")
        self.stdout.write(f"semua checksum cocok ({len(summary.checked)} diperiksa)")
