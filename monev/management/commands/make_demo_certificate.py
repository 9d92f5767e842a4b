"""Create the demo signing certificate for the embedded default (DEBUG or DEMO_MODE only).

    python manage.py make_demo_certificate [--output-dir DIR] [--name "Nama Penanda Tangan"] [--force]

Writes ``demo-signing.p12`` (the signer key and certificate, with the demo CA in its chain, protected by a random
passphrase) and ``demo-ca.pem`` (the demo CA, the trust root for verification) into ``MONEV_SIGNING_DIR``
(default ``BASE_DIR/var/signing``), then prints the values for ``MONEV_SIGNING_P12_PATH``,
``MONEV_SIGNING_P12_PASSPHRASE`` and ``MONEV_SIGNING_TRUST_ROOTS``. Reports signed with it carry the words
"SERTIFIKAT DEMO — tidak sah untuk dokumen resmi".
"""
import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from monev.signing import DEMO_CA_NAME, demo_certificate

P12_NAME = "demo-signing.p12"
CA_NAME = "demo-ca.pem"
DEFAULT_SIGNER = "Kepala Dinas (DEMO)"
DEFAULT_ORGANISATION = "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Lumajang"


def _write(path: Path, data: bytes, mode: int) -> None:
    # Created with its final mode, so the private key is never readable by others, not even for a moment.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(path, mode)


class Command(BaseCommand):
    help = "Buat sertifikat tanda tangan DEMO (hanya untuk pengembangan, DEBUG=true)."

    def add_arguments(self, parser):
        parser.add_argument("--output-dir", help="folder tujuan (bawaan: MONEV_SIGNING_DIR atau var/signing)")
        parser.add_argument("--name", default=DEFAULT_SIGNER, help=f"nama penanda tangan (bawaan: {DEFAULT_SIGNER})")
        parser.add_argument("--force", action="store_true", help="timpa berkas yang sudah ada")

    def handle(self, *args, output_dir=None, name=DEFAULT_SIGNER, force=False, **options):
        if not (settings.DEBUG or settings.DEMO_MODE):
            raise CommandError("Sertifikat demo tidak boleh dibuat saat DEBUG mati di luar demo (DEMO_MODE tidak "
                               "diset: produksi). Gunakan sertifikat "
                               "elektronik resmi dan atur MONEV_SIGNING_P12_PATH serta "
                               "MONEV_SIGNING_P12_PASSPHRASE.")
        name = (name or "").strip()
        if not name:
            raise CommandError("Nama penanda tangan tidak boleh kosong.")
        default_dir = getattr(settings, "MONEV_SIGNING_DIR", Path(settings.BASE_DIR) / "var" / "signing")
        directory = Path(output_dir or default_dir)
        p12_path, ca_path = directory / P12_NAME, directory / CA_NAME
        existing = [str(path) for path in (p12_path, ca_path) if path.exists()]
        if existing and not force:
            raise CommandError(f"Berkas sudah ada: {', '.join(existing)}. Pakai --force untuk menimpanya "
                               "(laporan yang sudah ditandatangani tetap terverifikasi hanya dengan CA lama).")
        try:
            directory.mkdir(parents=True, exist_ok=True)
            p12, ca_pem, passphrase = demo_certificate(common_name=name, organisation=DEFAULT_ORGANISATION)
            _write(p12_path, p12, 0o600)
            _write(ca_path, ca_pem, 0o644)
            # Beside the certificate, so the embedded default signs without any environment variable.
            _write(p12_path.with_suffix(".passphrase"), passphrase.encode(), 0o600)
        except OSError as exc:
            raise CommandError(f"Tidak dapat menulis ke {directory}: {exc.strerror or exc}") from exc

        self.stdout.write(f"Sertifikat DEMO untuk \"{name}\", diterbitkan oleh \"{DEMO_CA_NAME}\":")
        self.stdout.write(f"  sertifikat + kunci privat: {p12_path}")
        self.stdout.write(f"  CA demo (akar tepercaya):  {ca_path}")
        self.stdout.write("Dipakai otomatis selama DEBUG atau DEMO_MODE menyala; untuk lokasi lain, tambahkan ke .env:")
        self.stdout.write(f"MONEV_SIGNING_P12_PATH={p12_path}")
        self.stdout.write(f"MONEV_SIGNING_P12_PASSPHRASE={passphrase}")
        self.stdout.write(f"MONEV_SIGNING_TRUST_ROOTS={ca_path}")
        self.stdout.write(self.style.WARNING("Laporan yang ditandatangani dengan sertifikat ini bertanda "
                                             "\"SERTIFIKAT DEMO — tidak sah untuk dokumen resmi\"."))
