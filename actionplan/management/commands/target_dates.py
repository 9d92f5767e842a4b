"""Show how a "target waktu" text is read: ``python manage.py target_dates --year 2019 "Juli, Desember 2019"``.

Prints each due date (YYYY-MM-DD) on its own line, then ``NOTE:``, ``WARNING:`` and ``REVIEW:`` lines.
Always exits 0: a text that cannot be read is reported as ``REVIEW: <reason>``, not as an error.
"""
import datetime

from django.core.management.base import BaseCommand

from actionplan.target_dates import parse_target_text


class Command(BaseCommand):
    help = 'Parse a "target waktu" text into due dates (YYYY-MM-DD), with notes, warnings and a review reason.'

    def add_arguments(self, parser):
        parser.add_argument("text", nargs="*", help="the target waktu text (quoted, or as several words)")
        parser.add_argument("--year", dest="year", type=int, default=datetime.date.today().year,
                            help="plan year (default: the current year)")

    def handle(self, *args, **options):
        result = parse_target_text(" ".join(options["text"]), options["year"])
        for due in result.dates:
            self.stdout.write(due.isoformat())
        for note in result.notes:
            self.stdout.write(f"NOTE: {note}")
        for warning in result.warnings:
            self.stdout.write(f"WARNING: {warning}")
        if result.review:
            self.stdout.write(f"REVIEW: {result.review}")
