"""Export a plan as its BAB III table (.xlsx, .csv or .tsv by the output file's extension)."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from actionplan.models import Plan
from actionplan.services import EXPORT_FORMATS, plan_export_file


class Command(BaseCommand):
    help = "Mengekspor rencana kerja ke tabel .xlsx/.csv/.tsv yang dapat diimpor kembali (format menurut ekstensi)."

    def add_arguments(self, parser):
        parser.add_argument("--plan", required=True, type=int, help="id rencana kerja")
        parser.add_argument("--output", required=True, help="berkas tujuan: .xlsx, .csv atau .tsv")

    def handle(self, *args, **options):
        plan = Plan.objects.select_related("unit").filter(pk=options["plan"]).first()
        if plan is None:
            known = "\n".join(f"  {p.pk}: {p.title}" for p in Plan.objects.select_related("unit")) or "  (belum ada)"
            raise CommandError(f"Rencana kerja dengan id {options['plan']} tidak ditemukan. Yang ada:\n{known}")
        output = Path(options["output"])
        file_format = output.suffix.lower().lstrip(".")
        if file_format not in EXPORT_FORMATS:
            raise CommandError(f"Ekstensi '{output.suffix or '(kosong)'}' tidak didukung; gunakan "
                               f"{', '.join('.' + f for f in sorted(EXPORT_FORMATS))}.")
        _filename, content, _content_type = plan_export_file(plan=plan, file_format=file_format)
        try:
            output.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"Tidak dapat menulis {output}: {exc.strerror}") from exc
        self.stdout.write(f"Rencana kerja '{plan.title}' diekspor ke {output} ({len(content)} bita).")
