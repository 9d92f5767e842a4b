"""The daily reminder job by hand or from cron, without Redis (with REDIS_URL empty, e-mails go out in-process).

    python manage.py send_reminders [--today YYYY-MM-DD]

The last line of the output is always ``sent=N``: N notifications created by this run (0 on a second run).
"""
import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from notifications.models import Kind
from notifications.reminders import kind_offset
from notifications.tasks import reminders_run


def _kind_label(kind: str) -> str:
    days = Kind.days_before(kind)
    if days is not None:
        return f"Pengingat H-{days}"
    return "Terlambat (H+1)" if kind == Kind.OVERDUE else "Eskalasi ke Kepala Dinas"


class Command(BaseCommand):
    help = "Kirim pengingat jatuh tempo (H-7, H-3, H-1), pemberitahuan terlambat dan eskalasi."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="tanggal acuan YYYY-MM-DD (bawaan: hari ini, Asia/Jakarta)")

    def handle(self, *args, today=None, **options):
        try:
            day = datetime.date.fromisoformat(today) if today else timezone.localdate()
        except ValueError:
            raise CommandError(f"Tanggal tidak sah: {today!r} (format YYYY-MM-DD).") from None
        result = reminders_run(today=day)
        self.stdout.write(f"Pengingat untuk {day:%Y-%m-%d}:")
        if not result.created and not result.pakta_ids:
            self.stdout.write("  tidak ada notifikasi baru")
        for kind in sorted(result.created, key=kind_offset):
            self.stdout.write(f"  {_kind_label(kind)}: {result.created[kind]}")
        if result.pakta_ids:
            self.stdout.write(f"  Pakta integritas belum ditandatangani: {len(result.pakta_ids)}")
        if result.no_email:
            self.stdout.write(f"  tanpa alamat e-mail (hanya di portal): {result.no_email}")
        if result.requeue_ids:
            self.stdout.write(f"  e-mail gagal/tertunda yang dikirim ulang: {len(result.requeue_ids)}")
        self.stdout.write(f"sent={result.total}")
