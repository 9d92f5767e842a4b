"""Check a signed Monev report: is it signed, is the signature intact, is it one of this portal's reports.

    python manage.py verify_report laporan.pdf [--trust ca.pem ...]

Prints one ``key: value`` line each for signed, intact, trusted, signer, signed_at, sha256 and portal_report
(yes/no when the database knows signed reports, unknown otherwise), then one ``problem:`` line per finding.
Exit status 0 when the file is signed and intact, 1 otherwise. Trust roots default to the PEM files listed in
``MONEV_SIGNING_TRUST_ROOTS``.
"""
import logging
from contextlib import contextmanager
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from monev.signing import verify_pdf

# pyHanko logs every untrusted chain and every rejected revision with a traceback; here they are findings that
# the report states in Indonesian, not errors of the command.
_QUIET_LOGGERS = ("pyhanko", "pyhanko_certvalidator")


@contextmanager
def _quiet_pyhanko():
    loggers = [logging.getLogger(name) for name in _QUIET_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def portal_report(sha256: str) -> str:
    """yes/no when a `monev.Report` model with `signed_sha256` exists and answers; unknown otherwise."""
    try:
        report_model = apps.get_model("monev", "Report")
        report_model._meta.get_field("signed_sha256")
        return _yes_no(report_model.objects.filter(signed_sha256=sha256).exists())
    except (LookupError, FieldDoesNotExist, DatabaseError):
        return "unknown"


class Command(BaseCommand):
    help = "Periksa tanda tangan elektronik laporan Monev (PDF)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="berkas PDF yang diperiksa")
        parser.add_argument("--trust", action="append", metavar="PEM",
                            help="sertifikat akar tepercaya (boleh berulang; bawaan: MONEV_SIGNING_TRUST_ROOTS)")

    def handle(self, *args, file, trust=None, **options):
        try:
            pdf = Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"Berkas tidak dapat dibaca: {file} ({exc.strerror or exc})") from exc
        trust_roots = []
        for path in self._trust_paths(trust):
            try:
                trust_roots.append(Path(path).read_bytes())
            except OSError as exc:
                self.stderr.write(f"Peringatan: sertifikat akar {path} tidak dapat dibaca ({exc.strerror or exc}).")

        with _quiet_pyhanko():
            result = verify_pdf(pdf, trust_roots=trust_roots)

        self.stdout.write(f"signed: {_yes_no(result.signed)}")
        self.stdout.write(f"intact: {_yes_no(result.intact)}")
        self.stdout.write(f"trusted: {_yes_no(result.trusted)}")
        self.stdout.write(f"signer: {result.signer or '-'}")
        self.stdout.write(f"signed_at: {result.signed_at.isoformat() if result.signed_at else '-'}")
        self.stdout.write(f"sha256: {result.sha256}")
        self.stdout.write(f"portal_report: {portal_report(result.sha256)}")
        for problem in result.problems:
            self.stdout.write(f"problem: {problem}")
        if not (result.signed and result.intact):
            raise CommandError("Berkas tidak bertanda tangan atau tanda tangannya tidak utuh.", returncode=1)

    @staticmethod
    def _trust_paths(trust):
        if trust:
            return trust
        configured = getattr(settings, "MONEV_SIGNING_TRUST_ROOTS", [])
        if isinstance(configured, (str, Path)):
            configured = [configured]
        return [path for path in configured if str(path).strip()]
