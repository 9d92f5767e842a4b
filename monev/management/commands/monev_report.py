"""A DRAFT semester Monev report as a PDF, from the command line (for checking the layout or sending a preview).

    python manage.py monev_report --plan ID --semester 1|2 [--output FILE] [--as-of YYYY-MM-DD]

The figures are those of the dashboard for the same semester and date (by default the semester's end, or today
while the semester runs). The last line of the output is always ``pdf=PATH pages=N`` (PATH absolute).
"""
import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import floatformat
from django.utils import formats, translation

from actionplan.models import Plan
from monev.pdf import ROMAN, page_count, render_report_pdf
from monev.selectors import report_as_of, report_snapshot

PLACEHOLDER_CONCLUSIONS = "Simpulan belum diisi Ketua Tim."


class Command(BaseCommand):
    help = "Buat draf laporan Monev semester (PDF) untuk satu rencana kerja."

    def add_arguments(self, parser):
        parser.add_argument("--plan", type=int, required=True, help="id rencana kerja")
        parser.add_argument("--semester", type=int, choices=[1, 2], required=True)
        parser.add_argument("--output", help="berkas PDF (bawaan: monev-<rencana>-s<N>-draf.pdf di folder ini)")
        parser.add_argument("--as-of", dest="as_of", help="keadaan per tanggal YYYY-MM-DD (bawaan: akhir semester, "
                                                          "atau hari ini bila semester masih berjalan)")

    def handle(self, *args, plan, semester, output=None, as_of=None, **options):
        found = Plan.objects.select_related("unit").filter(pk=plan).first()
        if found is None:
            raise CommandError(f"Rencana kerja {plan} tidak ditemukan.")
        try:
            day = datetime.date.fromisoformat(as_of) if as_of else report_as_of(found, semester)
        except ValueError:
            raise CommandError(f"Tanggal tidak sah: {as_of!r} (format YYYY-MM-DD).") from None
        path = Path(output or f"monev-{found.pk}-s{semester}-draf.pdf").resolve()
        if " " in str(path):
            raise CommandError(f"Path keluaran tidak boleh mengandung spasi: {path}")

        snapshot = report_snapshot(plan=found, semester=semester, as_of=day)
        _name, pdf = render_report_pdf(snapshot=snapshot, number="DRAF", issued_on=day,
                                       conclusions=PLACEHOLDER_CONCLUSIONS, recommendations=[],
                                       previous_followups=[], draft=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pdf)

        summary = snapshot["summary"]
        with translation.override("id"):
            percent = floatformat(summary["percent"], 1)  # as the dashboard shows it
            date_text = formats.date_format(day, "j F Y")
        self.stdout.write(f"Draf laporan Monev {found.unit.name}, semester {ROMAN[semester]} {found.year}, "
                          f"keadaan per {date_text}:")
        self.stdout.write(f"  {summary['total']} target, {summary['selesai']} selesai, "
                          f"{summary['terlambat']} terlambat, capaian {percent}%")
        self.stdout.write(f"pdf={path} pages={page_count(pdf)}")
