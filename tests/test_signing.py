"""PAdES signing and verification of the semester Monev report (`monev/signing.py` and its two commands).

A real PDF from WeasyPrint is signed with a demo certificate, then judged by three readers: pyHanko's validator,
our `verify_pdf`, and poppler's `pdfsig` as the independent one.
"""
import datetime
import hashlib
import io
import os
import re
import shutil
import stat
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pypdf
import pytest
import weasyprint
from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.core.management import CommandError, call_command
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from monev.management.commands import verify_report as verify_report_command
from monev.signing import (
    DEMO_WARNING,
    SigningError,
    decrypt_secret,
    demo_certificate,
    encrypt_secret,
    format_wib,
    load_certificate,
    sign_pdf,
    verify_pdf,
)

from .conftest import need

JAKARTA = ZoneInfo("Asia/Jakarta")
SIGNER = "Dr. Hj. Siti Aminah, M.Si."
ORGANISATION = "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Lumajang"
REASON = "Laporan Monev Zona Integritas Semester I 2019"
SIGNED_AT = datetime.datetime(2019, 6, 30, 14, 5, tzinfo=JAKARTA)
BOX = (330.0, 40.0, 560.0, 130.0)


# --- fixtures: one rendered report, one demo certificate, one signed copy for the whole module ------------------

@pytest.fixture(scope="module")
def report_pdf() -> bytes:
    html = ("<h1>Laporan</h1><p>Monitoring dan Evaluasi Zona Integritas, Semester I 2019.</p>"
            "<p>Dinas Kependudukan dan Pencatatan Sipil Kabupaten Lumajang</p>")
    return weasyprint.HTML(string=html).write_pdf()


@pytest.fixture(scope="module")
def demo():
    """(p12, CA PEM, passphrase) valid from 1 January 2019 for ten years, so 30 June 2019 is inside it."""
    return demo_certificate(common_name=SIGNER, organisation=ORGANISATION,
                            not_before=datetime.datetime(2019, 1, 1, tzinfo=datetime.timezone.utc))


@pytest.fixture(scope="module")
def signed(report_pdf, demo) -> bytes:
    p12, _ca, passphrase = demo
    return sign_pdf(pdf=report_pdf, p12=p12, passphrase=passphrase, reason=REASON, location="Lumajang",
                    page=0, box=BOX, now=SIGNED_AT)


@pytest.fixture(scope="module")
def other_ca() -> bytes:
    return demo_certificate(common_name="Orang Lain", organisation="Instansi Lain")[1]


def _root(pem: bytes) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(asn1_pem.unarmor(pem)[2])


def _pyhanko_status(pdf: bytes, ca_pem: bytes):
    signature = PdfFileReader(io.BytesIO(pdf)).embedded_regular_signatures[0]
    return validate_pdf_signature(signature, ValidationContext(trust_roots=[_root(ca_pem)]))


def _byte_range(pdf: bytes) -> list[int]:
    found = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf)
    return [int(value) for value in found.groups()]


def _tamper_page_content(pdf: bytes) -> bytes:
    """Change one byte in the middle of page 1's content stream: inside the signed range, outside /Contents."""
    contents = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].raw_get("/Contents")
    reference = contents[0] if isinstance(contents, list) else contents
    header = re.search(rb"(?<![0-9])%d 0 obj" % reference.idnum, pdf)
    start = re.compile(rb"stream\r?\n").search(pdf, header.end()).end()
    length = pdf.index(b"endstream", start) - start
    position = start + length // 2
    first_start, first_length, second_start, _second_length = _byte_range(pdf)
    assert position < first_start + first_length < second_start, "the byte must be signed and not the signature"
    tampered = bytearray(pdf)
    tampered[position] ^= 0x01
    return bytes(tampered)


def _unsigned_update(pdf: bytes) -> bytes:
    """An incremental update that paints a black box over page 1 without signing it."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    writer.add_stream_to_page(0, writer.add_object(generic.StreamObject(stream_data=b"0 0 0 rg 72 700 300 60 re f")))
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _p12(key, cert, *, cas=None, passphrase: bytes | None = b"rahasia") -> bytes:
    encryption = (serialization.BestAvailableEncryption(passphrase) if passphrase
                  else serialization.NoEncryption())
    return pkcs12.serialize_key_and_certificates(b"uji", key, cert, cas, encryption)


def _self_signed(*, common_name: str, key_usage: x509.KeyUsage | None = None, days: int = 365):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "CA Uji")])
    start = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=1)
    builder = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
               .serial_number(x509.random_serial_number()).not_valid_before(start)
               .not_valid_after(start + datetime.timedelta(days=days)))
    if key_usage is not None:
        builder = builder.add_extension(key_usage, critical=True)
    return key, builder.sign(key, hashes.SHA256())


def _key_usage(*, digital_signature=False, content_commitment=False, key_encipherment=False) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=digital_signature, content_commitment=content_commitment,
                         key_encipherment=key_encipherment, data_encipherment=False, key_agreement=False,
                         key_cert_sign=False, crl_sign=False, encipher_only=False, decipher_only=False)


# --- signing and pyHanko's validator ---------------------------------------------------------------------------

def test_signed_report_is_an_incremental_pades_update_valid_for_pyhanko_with_the_demo_ca(report_pdf, signed, demo):
    assert signed.startswith(report_pdf), "signing must append an incremental update, never rewrite the file"
    assert b"/SubFilter /ETSI.CAdES.detached" in signed

    status = _pyhanko_status(signed, demo[1])
    assert status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.bottom_line


def test_verify_pdf_reports_signer_time_reason_and_the_demo_warning(signed, demo):
    result = verify_pdf(signed, trust_roots=[demo[1]])

    assert (result.signed, result.intact, result.trusted) == (True, True, True)
    assert result.signer == SIGNER
    assert result.reason == REASON
    assert result.signed_at == SIGNED_AT
    assert result.sha256 == hashlib.sha256(signed).hexdigest()
    assert any(DEMO_WARNING in problem for problem in result.problems)


def test_a_different_trust_root_leaves_the_signature_intact_but_not_trusted(signed, other_ca):
    status = _pyhanko_status(signed, other_ca)
    assert status.intact and status.valid and not status.trusted

    result = verify_pdf(signed, trust_roots=[other_ca])
    assert (result.signed, result.intact, result.trusted) == (True, True, False)
    assert any("otoritas sertifikat tepercaya" in problem for problem in result.problems)


def test_no_trust_roots_means_not_trusted_and_says_why(signed):
    result = verify_pdf(signed, trust_roots=[])

    assert result.intact and not result.trusted
    assert any("Tidak ada sertifikat akar tepercaya" in problem for problem in result.problems)


def test_one_changed_byte_in_the_page_content_breaks_integrity(signed, demo):
    tampered = _tamper_page_content(signed)

    assert not _pyhanko_status(tampered, demo[1]).intact
    result = verify_pdf(tampered, trust_roots=[demo[1]])
    assert result.signed and not result.intact and not result.trusted
    assert any("nilai hash tidak cocok" in problem for problem in result.problems)


def test_an_unsigned_incremental_update_after_signing_is_reported(signed, demo):
    result = verify_pdf(_unsigned_update(signed), trust_roots=[demo[1]])

    assert result.signed and not result.intact
    assert any("setelah ditandatangani" in problem for problem in result.problems)


def test_garbage_appended_after_the_signed_revision_is_reported(signed, demo):
    result = verify_pdf(signed + b"\n% bukan bagian dokumen\nxxxxxxxx", trust_roots=[demo[1]])

    assert result.signed and not result.intact
    assert any("data tambahan di akhir berkas" in problem for problem in result.problems)


def test_a_metadata_only_update_keeps_the_content_intact_but_is_mentioned(signed, demo):
    # pyHanko's PAdES diff policy allows /Info changes (validation tools touch ModDate); we say so.
    writer = pypdf.PdfWriter(io.BytesIO(signed), incremental=True)
    writer.add_metadata({"/Title": "Judul diganti"})
    output = io.BytesIO()
    writer.write(output)

    result = verify_pdf(output.getvalue(), trust_roots=[demo[1]])
    assert result.intact
    assert any("pembaruan yang tidak ditandatangani" in problem for problem in result.problems)


def test_a_second_signature_keeps_both_intact(signed, demo):
    p12, ca, passphrase = demo_certificate(common_name="Ketua Tim ZI", organisation=ORGANISATION)

    twice = sign_pdf(pdf=signed, p12=p12, passphrase=passphrase, reason="Mengetahui", location="Lumajang",
                     page=0, box=(40.0, 40.0, 270.0, 130.0))

    result = verify_pdf(twice, trust_roots=[demo[1], ca])
    assert (result.signed, result.intact, result.trusted) == (True, True, True)
    assert result.signer == "Ketua Tim ZI"
    assert sorted(PdfFileReader(io.BytesIO(twice)).embedded_regular_signatures[i].field_name
                  for i in (0, 1)) == ["TandaTangan1", "TandaTangan2"]


# --- the visible stamp -----------------------------------------------------------------------------------------

def _stamp_bytes(pdf: bytes) -> bytes:
    """Decoded appearance streams of the signature widgets on page 1, nested form XObjects included."""
    def collect(stream) -> bytes:
        data = stream.get_data()
        xobjects = stream.get("/Resources", {}).get("/XObject", {})
        return data + b"".join(collect(child.get_object()) for child in xobjects.values())

    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    widgets = [annot.get_object() for annot in page.get("/Annots", [])]
    return b"".join(collect(widget["/AP"]["/N"].get_object()) for widget in widgets if widget.get("/FT") == "/Sig")


def test_the_stamp_names_the_signer_the_time_in_wib_the_reason_and_the_demo_warning(signed):
    stamp = _stamp_bytes(signed)

    assert SIGNER.encode("cp1252") in stamp
    assert b"30 Juni 2019 14:05 WIB" in stamp
    assert REASON.encode("cp1252") in stamp
    assert DEMO_WARNING.encode("cp1252") in stamp      # the em dash as the WinAnsi glyph, not mojibake

    widget = next(a.get_object() for a in pypdf.PdfReader(io.BytesIO(signed)).pages[0]["/Annots"])
    assert [float(v) for v in widget["/Rect"]] == list(BOX)


def test_a_certificate_not_from_the_demo_ca_has_no_demo_warning(report_pdf):
    key, cert = _self_signed(common_name="Pejabat Uji", key_usage=_key_usage(content_commitment=True))
    p12 = _p12(key, cert)

    info = load_certificate(p12=p12, passphrase="rahasia")
    signed = sign_pdf(pdf=report_pdf, p12=p12, passphrase="rahasia", reason=REASON, location="", page=-1,
                      box=BOX)

    assert not info.is_demo
    assert b"Pejabat Uji" in _stamp_bytes(signed)
    assert b"SERTIFIKAT DEMO" not in _stamp_bytes(signed)
    pem = cert.public_bytes(serialization.Encoding.PEM)
    assert verify_pdf(signed, trust_roots=[pem]).trusted


# --- the independent validator: poppler's pdfsig ---------------------------------------------------------------

def _pdfsig(tmp_path: Path, pdf: bytes) -> list[dict[str, str]]:
    """pdfsig's report, one dict per signature ("Signature Validation" → "Signature is Valid." …).

    pdfsig exits 0 even on a digest mismatch, so the verdict is read from its output."""
    need("pdfsig", shutil.which("pdfsig") is not None, "apt-get install poppler-utils")
    path = tmp_path / "laporan.pdf"
    path.write_bytes(pdf)
    completed = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60,
                               env={**os.environ, "LC_ALL": "C"})
    signatures: list[dict[str, str]] = []
    for line in completed.stdout.splitlines():
        if re.match(r"^Signature #\d+:", line.strip()):
            signatures.append({})
        elif signatures and line.strip().startswith("- "):
            key, _sep, value = line.strip()[2:].partition(":")
            signatures[-1][key.strip()] = value.strip() if _sep else ""
    assert signatures, f"pdfsig found no signature:\n{completed.stdout}\n{completed.stderr}"
    return signatures


def test_pdfsig_says_the_signature_is_valid(tmp_path, signed):
    [report] = _pdfsig(tmp_path, signed)

    assert report["Signature Validation"] == "Signature is Valid."
    assert report["Signature Type"] == "ETSI.CAdES.detached"
    assert report["Signer Certificate Common Name"] == SIGNER
    assert "Total document signed" in report
    # pdfsig trusts its NSS database, which does not hold the demo CA: the signature is valid, its issuer unknown.
    assert report["Certificate Validation"] in {"Certificate issuer isn't Trusted.", "Certificate is Trusted."}


def test_pdfsig_does_not_accept_a_file_with_one_changed_byte(tmp_path, signed):
    [report] = _pdfsig(tmp_path, _tamper_page_content(signed))

    assert report["Signature Validation"] != "Signature is Valid."
    assert "Digest Mismatch" in report["Signature Validation"]


def test_pdfsig_sees_that_an_unsigned_update_is_not_covered(tmp_path, signed):
    [report] = _pdfsig(tmp_path, _unsigned_update(signed))

    assert "Not total document signed" in report


# --- bad certificates: a clear Indonesian message and no output ------------------------------------------------

BAD_CERTIFICATES = ["random bytes", "empty file", "truncated p12", "wrong passphrase", "missing passphrase",
                    "certificate only", "key usage without signing", "expired"]


@pytest.fixture(scope="module")
def bad_certificates():
    """case → (p12 bytes, passphrase, expected part of the message)."""
    good_p12, _ca, passphrase = demo_certificate(common_name=SIGNER, organisation=ORGANISATION)
    _key, cert = _self_signed(common_name="Tanpa Kunci")
    encipher_key, encipher_cert = _self_signed(common_name="Hanya Enkripsi",
                                               key_usage=_key_usage(key_encipherment=True))
    # Valid one year, twelve years ago.
    expired_p12, _ca, expired_passphrase = demo_certificate(
        common_name=SIGNER, organisation=ORGANISATION, valid_days=365,
        not_before=datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=12 * 365))
    corrupt = "Berkas sertifikat rusak atau bukan PKCS#12"
    return {
        "random bytes": (os.urandom(512), "x", corrupt),
        "empty file": (b"", None, corrupt),
        "truncated p12": (good_p12[: len(good_p12) // 2], passphrase, corrupt),
        "wrong passphrase": (good_p12, "salah-sandi", "Kata sandi sertifikat salah"),
        "missing passphrase": (good_p12, None, "dilindungi kata sandi"),
        "certificate only": (_p12(None, cert), "rahasia", "tanpa kunci privat"),
        "key usage without signing": (_p12(encipher_key, encipher_cert), "rahasia",
                                      "tidak boleh dipakai untuk tanda tangan elektronik"),
        "expired": (expired_p12, expired_passphrase, "Sertifikat sudah kedaluwarsa sejak "),
    }


@pytest.mark.parametrize("case", BAD_CERTIFICATES)
def test_a_bad_certificate_gives_an_indonesian_message_and_no_output(case, bad_certificates, report_pdf):
    p12, passphrase, expected = bad_certificates[case]
    original = bytes(report_pdf)

    with pytest.raises(SigningError) as loading:
        load_certificate(p12=p12, passphrase=passphrase)
    result = None
    with pytest.raises(SigningError) as signing:
        result = sign_pdf(pdf=report_pdf, p12=p12, passphrase=passphrase, reason=REASON, location="", page=0,
                          box=BOX)

    assert expected in loading.value.message
    assert signing.value.message == loading.value.message
    assert result is None
    assert report_pdf == original


def test_the_expiry_message_gives_the_date_in_indonesian():
    p12, _ca, passphrase = demo_certificate(common_name=SIGNER, organisation=ORGANISATION, valid_days=365,
                                            not_before=datetime.datetime(2019, 1, 1, tzinfo=datetime.timezone.utc))

    with pytest.raises(SigningError) as error:
        load_certificate(p12=p12, passphrase=passphrase)

    assert error.value.message == "Sertifikat sudah kedaluwarsa sejak 1 Januari 2020."


def test_signing_at_a_moment_outside_the_certificate_is_refused(report_pdf, demo):
    p12, _ca, passphrase = demo

    with pytest.raises(SigningError) as error:
        sign_pdf(pdf=report_pdf, p12=p12, passphrase=passphrase, reason=REASON, location="", page=0, box=BOX,
                 now=datetime.datetime(2018, 12, 1, tzinfo=JAKARTA))

    assert error.value.message == "Sertifikat baru berlaku mulai 1 Januari 2019."


@pytest.mark.parametrize(("pdf", "page", "box", "expected"), [
    (b"bukan pdf", 0, BOX, "Berkas PDF rusak"),
    (None, 3, BOX, "Halaman 4 tidak ada"),
    (None, 0, (300.0, 100.0, 200.0, 50.0), "Kotak tanda tangan tidak sah"),
])
def test_bad_documents_and_placements_are_refused(report_pdf, demo, pdf, page, box, expected):
    p12, _ca, passphrase = demo

    with pytest.raises(SigningError) as error:
        sign_pdf(pdf=pdf or report_pdf, p12=p12, passphrase=passphrase, reason=REASON, location="", page=page,
                 box=box)

    assert expected in error.value.message


def test_load_certificate_describes_the_demo_signer(demo):
    p12, _ca, passphrase = demo

    info = load_certificate(p12=p12, passphrase=passphrase)

    assert (info.name, info.organisation, info.is_demo) == (SIGNER, ORGANISATION, True)
    assert info.not_before == datetime.datetime(2019, 1, 1, tzinfo=datetime.timezone.utc)
    assert info.not_after - info.not_before == datetime.timedelta(days=3650)
    assert re.fullmatch(r"[0-9A-F]+", info.serial)


def test_format_wib_speaks_indonesian():
    assert format_wib(datetime.datetime(2019, 6, 30, 7, 5, tzinfo=datetime.timezone.utc)) == "30 Juni 2019 14:05 WIB"


# --- verify_pdf on junk ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("junk", ["empty", "random", "pdf header only", "unsigned pdf", "truncated signed pdf",
                                  "signed pdf without its end"])
def test_verify_pdf_never_raises_on_junk(junk, report_pdf, signed, demo):
    data = {
        "empty": b"",
        "random": os.urandom(4096),
        "pdf header only": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<",
        "unsigned pdf": report_pdf,
        "truncated signed pdf": signed[: len(signed) // 2],
        "signed pdf without its end": signed[:-40],
    }[junk]

    result = verify_pdf(data, trust_roots=[demo[1], b"bukan sertifikat"])

    assert not result.intact and not result.trusted
    assert result.problems
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    if junk == "unsigned pdf":
        assert not result.signed
        assert "Berkas tidak memuat tanda tangan elektronik." in result.problems


def test_unreadable_trust_roots_are_reported_not_raised(signed, demo):
    result = verify_pdf(signed, trust_roots=[b"bukan sertifikat", demo[1]])

    assert result.trusted
    assert "Sertifikat akar tepercaya ke-1 tidak dapat dibaca dan diabaikan." in result.problems


# --- the commands ----------------------------------------------------------------------------------------------

def _run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _env_line(output: str, name: str) -> str:
    return re.search(rf"^{name}=(.*)$", output, re.MULTILINE).group(1)


def test_make_demo_certificate_writes_the_files_and_prints_the_settings(settings, tmp_path):
    settings.DEBUG = True
    settings.MONEV_SIGNING_DIR = tmp_path / "signing"

    output = _run("make_demo_certificate", "--name", "Kepala Dinas Uji")

    p12_path = Path(_env_line(output, "MONEV_SIGNING_P12_PATH"))
    ca_path = Path(_env_line(output, "MONEV_SIGNING_TRUST_ROOTS"))
    assert (p12_path, ca_path) == (tmp_path / "signing" / "demo-signing.p12", tmp_path / "signing" / "demo-ca.pem")
    assert stat.S_IMODE(p12_path.stat().st_mode) == 0o600
    info = load_certificate(p12=p12_path.read_bytes(), passphrase=_env_line(output, "MONEV_SIGNING_P12_PASSPHRASE"))
    assert (info.name, info.is_demo) == ("Kepala Dinas Uji", True)
    assert b"BEGIN CERTIFICATE" in ca_path.read_bytes()


def test_make_demo_certificate_refuses_to_overwrite_without_force(settings, tmp_path):
    settings.DEBUG = True
    settings.MONEV_SIGNING_DIR = tmp_path
    _run("make_demo_certificate")
    first = (tmp_path / "demo-signing.p12").read_bytes()

    with pytest.raises(CommandError, match="--force"):
        _run("make_demo_certificate")
    assert (tmp_path / "demo-signing.p12").read_bytes() == first

    _run("make_demo_certificate", "--force")
    assert (tmp_path / "demo-signing.p12").read_bytes() != first


def test_make_demo_certificate_refuses_when_debug_is_off(settings, tmp_path):
    settings.DEBUG = False
    settings.MONEV_SIGNING_DIR = tmp_path / "signing"

    with pytest.raises(CommandError, match="DEBUG mati"):
        _run("make_demo_certificate")
    assert not (tmp_path / "signing").exists()


def test_make_demo_certificate_honours_output_dir(settings, tmp_path):
    settings.DEBUG = True
    settings.MONEV_SIGNING_DIR = tmp_path / "unused"

    _run("make_demo_certificate", "--output-dir", str(tmp_path / "elsewhere"))

    assert (tmp_path / "elsewhere" / "demo-signing.p12").exists()
    assert not (tmp_path / "unused").exists()


def _lines(output: str) -> dict[str, str]:
    return dict(line.split(": ", 1) for line in output.splitlines() if ": " in line and not line.startswith("problem"))


@pytest.fixture
def signed_file(tmp_path, signed, demo):
    (tmp_path / "ca.pem").write_bytes(demo[1])
    path = tmp_path / "laporan-ditandatangani.pdf"
    path.write_bytes(signed)
    return path


def test_verify_report_on_a_signed_report_prints_yes_and_exits_0(db, signed_file, signed):
    output = _run("verify_report", str(signed_file), "--trust", str(signed_file.parent / "ca.pem"))

    lines = _lines(output)
    assert (lines["signed"], lines["intact"], lines["trusted"]) == ("yes", "yes", "yes")
    assert lines["signer"] == SIGNER
    assert lines["signed_at"] == "2019-06-30T14:05:00+07:00"
    assert lines["sha256"] == hashlib.sha256(signed).hexdigest()
    assert lines["portal_report"] in {"no", "unknown"}     # "unknown" until the Report model exists


def test_verify_report_takes_trust_roots_from_settings(db, settings, signed_file):
    settings.MONEV_SIGNING_TRUST_ROOTS = [str(signed_file.parent / "ca.pem")]

    assert _lines(_run("verify_report", str(signed_file)))["trusted"] == "yes"

    settings.MONEV_SIGNING_TRUST_ROOTS = []
    assert _lines(_run("verify_report", str(signed_file)))["trusted"] == "no"


def test_verify_report_on_a_tampered_report_exits_1(db, tmp_path, signed):
    path = tmp_path / "laporan-diubah.pdf"
    path.write_bytes(_tamper_page_content(signed))
    out = io.StringIO()

    with pytest.raises(CommandError) as error:
        call_command("verify_report", str(path), stdout=out, stderr=io.StringIO())

    assert error.value.returncode == 1
    lines = _lines(out.getvalue())
    assert (lines["signed"], lines["intact"]) == ("yes", "no")
    assert "problem: " in out.getvalue()


def test_verify_report_on_an_unsigned_file_exits_1(db, tmp_path, report_pdf):
    path = tmp_path / "laporan.pdf"
    path.write_bytes(report_pdf)
    out = io.StringIO()

    with pytest.raises(CommandError):
        call_command("verify_report", str(path), stdout=out, stderr=io.StringIO())
    assert _lines(out.getvalue())["signed"] == "no"


def test_verify_report_on_a_missing_file_says_so(tmp_path):
    with pytest.raises(CommandError, match="Berkas tidak dapat dibaca"):
        _run("verify_report", str(tmp_path / "tidak-ada.pdf"))


class _FakeReports:
    """Stands in for monev.Report (written by the lead) to pin the yes/no/unknown contract."""

    known: set[str] = set()

    class _meta:  # noqa: N801 - mimics Django's Model._meta
        @staticmethod
        def get_field(name):
            assert name == "signed_sha256"

    class objects:  # noqa: N801 - mimics a manager
        @staticmethod
        def filter(*, signed_sha256):
            class _Query:
                @staticmethod
                def exists():
                    return signed_sha256 in _FakeReports.known
            return _Query


def test_portal_report_is_yes_only_for_a_known_sha256(monkeypatch):
    monkeypatch.setattr(verify_report_command.apps, "get_model", lambda app, model: _FakeReports)
    monkeypatch.setattr(_FakeReports, "known", {"a" * 64})

    assert verify_report_command.portal_report("a" * 64) == "yes"
    assert verify_report_command.portal_report("b" * 64) == "no"


def test_portal_report_is_unknown_without_the_model(monkeypatch):
    def missing(app, model):
        raise LookupError(model)

    monkeypatch.setattr(verify_report_command.apps, "get_model", missing)

    assert verify_report_command.portal_report("a" * 64) == "unknown"


# --- the certificate at rest -----------------------------------------------------------------------------------

def test_secret_round_trip(settings):
    settings.SECRET_KEY = "kunci-satu"

    token = encrypt_secret(b"isi berkas p12")

    assert token != b"isi berkas p12"
    assert decrypt_secret(token) == b"isi berkas p12"


def test_decrypting_under_another_secret_key_fails_clearly(settings):
    settings.SECRET_KEY = "kunci-satu"
    token = encrypt_secret(b"isi berkas p12")
    settings.SECRET_KEY = "kunci-dua"

    with pytest.raises(SigningError) as error:
        decrypt_secret(token)

    assert "unggah ulang sertifikat" in error.value.message


def test_an_altered_token_fails_clearly(settings):
    settings.SECRET_KEY = "kunci-satu"
    token = bytearray(encrypt_secret(b"isi berkas p12"))
    token[20] = ord("A") if token[20] != ord("A") else ord("B")

    with pytest.raises(SigningError):
        decrypt_secret(bytes(token))
