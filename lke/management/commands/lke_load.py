"""Load (or reload) an LKE data file as a version."""
from django.core.management.base import BaseCommand, CommandError

from lke.loading import DEFAULT_FILE, LkeDataError, load_file


class Command(BaseCommand):
    help = "Memuat berkas data LKE (.json) sebagai satu versi LKE."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default=str(DEFAULT_FILE))

    def handle(self, *args, **options):
        try:
            version, outcome = load_file(options["file"])
        except (LkeDataError, OSError) as exc:
            raise CommandError(f"LKE tidak dimuat: {exc}") from exc
        self.stdout.write(f"{version.code}: {outcome} ({version.questions.count()} pertanyaan)")
