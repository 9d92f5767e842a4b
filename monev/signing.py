"""PAdES signing and verification of the semester Monev report.

Plain functions, bytes in and bytes out: nothing here touches the disk, the database or the network.

* `load_certificate` opens a PKCS#12 file and says whose it is, refusing what cannot sign today.
* `sign_pdf` adds one PAdES baseline B-B signature (``/SubFilter /ETSI.CAdES.detached``) as an incremental update,
  with a visible stamp. B-B because this machine has no timestamp authority: the signing time in the stamp and in
  the signature dictionary is the signer's own claim, not a trusted timestamp (B-T would need a TSA).
* `verify_pdf` reports on any bytes (never raises): is there a signature, are the signed bytes unchanged and the
  whole file covered, does the chain end at one of the given trust roots.
* `demo_certificate` makes a self-signed demo CA and a signer certificate for the embedded default (the command
  `make_demo_certificate` refuses to run with DEBUG off).
* `encrypt_secret` / `decrypt_secret` protect a certificate uploaded through the admin at rest.

Every `SigningError.message` is Indonesian and safe to show to the Kepala Dinas. pyHanko's synchronous API runs
its own event loop (asyncio.run); sign_pdf and verify_pdf move to a helper thread when called where a loop runs.
"""
from __future__ import annotations

import asyncio
import base64
import functools
import hashlib
import io
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from asn1crypto import cms as asn1_cms
from asn1crypto import core as asn1_core
from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.font.api import ShapeResult
from pyhanko.pdf_utils.font.basic import COURIER_META, SimpleFontEngine, SimpleFontEngineFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields as sig_fields
from pyhanko.sign.ades.report import AdESSubIndic
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner, SimpleSigner
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import ValidationContext

__all__ = [
    "DEMO_CA_NAME", "DEMO_WARNING", "SignerInfo", "SigningError", "VerifyResult", "decrypt_secret",
    "demo_certificate", "encrypt_secret", "format_wib", "load_certificate", "sign_pdf", "verify_pdf",
]

JAKARTA = ZoneInfo("Asia/Jakarta")
DEMO_CA_NAME = "Portal ZI — CA DEMO"
DEMO_WARNING = "SERTIFIKAT DEMO — tidak sah untuk dokumen resmi"
BULAN = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
         "November", "Desember")

# Either bit allows signing documents (RFC 5280 §4.2.1.3); pyHanko's own default asks for nonRepudiation only,
# which would reject a signing certificate issued with digitalSignature alone.
_SIGNING_KEY_USAGES = frozenset({"digital_signature", "non_repudiation"})
_KEY_USAGE = KeyUsageConstraints(key_usage=set(_SIGNING_KEY_USAGES), match_all_key_usages=False)
# The stamp keeps a long reason short; the full text stays in the signature dictionary's /Reason.
_STAMP_REASON_MAX = 70
# Fixed, public context for the at-rest key: changing it (or SECRET_KEY) makes stored certificates unreadable.
_SECRET_CONTEXT = b"portal-zi/monev/signing-certificate/v1"


class SigningError(Exception):
    """A signing problem explained in Indonesian; `message` is safe to show to the signer."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class SignerInfo:
    """Who a certificate belongs to, as shown before signing."""

    name: str               # the certificate's common name
    organisation: str       # O= of the subject, "" when absent
    serial: str             # hexadecimal serial number
    not_before: datetime    # aware, UTC
    not_after: datetime     # aware, UTC
    is_demo: bool           # issued by the portal's demo CA: never valid for official documents


@dataclass(frozen=True)
class VerifyResult:
    """What `verify_pdf` found. `problems` explains in Indonesian every "no" above it."""

    signed: bool                   # has at least one signature
    intact: bool                   # signed bytes unchanged and nothing but PAdES-allowed updates after them
    trusted: bool                  # every signer's chain validates against the given trust roots
    signer: str                    # common name of the latest signature's certificate
    signed_at: datetime | None     # the latest signature's claimed time (Asia/Jakarta); not a trusted timestamp
    reason: str                    # the latest signature's /Reason
    sha256: str                    # of the whole file, hex
    problems: list[str] = field(default_factory=list)
    issuer: str = ""               # common name of the issuer of the latest signature's certificate


def format_wib(moment: datetime) -> str:
    """'30 Juni 2019 14:05 WIB' for any aware datetime (naive ones are taken as Asia/Jakarta)."""
    local = _aware(moment).astimezone(JAKARTA)
    return f"{local.day} {BULAN[local.month - 1]} {local.year} {local:%H:%M} WIB"


def _format_date(moment: datetime) -> str:
    local = _aware(moment).astimezone(JAKARTA)
    return f"{local.day} {BULAN[local.month - 1]} {local.year}"


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=JAKARTA)


# --- certificates --------------------------------------------------------------------------------------------

class _Pfx(asn1_core.Sequence):
    """Outer PFX structure (RFC 7292 §4): enough to tell a damaged file from a wrong passphrase."""

    _fields = [
        ("version", asn1_core.Integer),
        ("auth_safe", asn1_cms.ContentInfo),
        ("mac_data", asn1_core.Any, {"optional": True}),
    ]


def _is_pkcs12(data: bytes) -> bool:
    try:
        pfx = _Pfx.load(data, strict=True)
        return pfx["version"].native == 3 and pfx["auth_safe"]["content_type"].native in ("data", "signed_data")
    except Exception:  # asn1crypto raises ValueError, TypeError or its own errors on damaged input
        return False


def _passphrase_bytes(passphrase: str | bytes | None) -> bytes | None:
    if passphrase is None or passphrase in ("", b""):
        return None
    return passphrase.encode("utf-8") if isinstance(passphrase, str) else bytes(passphrase)


def _open_p12(p12: bytes, passphrase: str | bytes | None) -> tuple[x509.Certificate, bytes | None]:
    """(signer certificate, the passphrase bytes that opened it) or SigningError, telling apart what cryptography
    can: a damaged file, a wrong or missing passphrase, a missing or mismatched private key."""
    if not p12 or not _is_pkcs12(bytes(p12)):
        raise SigningError("Berkas sertifikat rusak atau bukan PKCS#12.")
    secret = _passphrase_bytes(passphrase)
    try:
        key, cert, _others = pkcs12.load_key_and_certificates(bytes(p12), secret)
    except ValueError:
        if secret is None:
            # An encrypted file opened without a passphrase, or one protected by the empty passphrase.
            try:
                secret = b""
                key, cert, _others = pkcs12.load_key_and_certificates(bytes(p12), secret)
            except ValueError:
                raise SigningError("Berkas sertifikat dilindungi kata sandi; isi kata sandinya.") from None
        else:
            # The outer structure parsed, so the MAC or the decryption failed: a wrong passphrase (a damaged
            # inner part looks the same to cryptography).
            raise SigningError("Kata sandi sertifikat salah.") from None
    except Exception as exc:  # unsupported algorithms and the like
        raise SigningError("Berkas sertifikat tidak dapat dibuka (format PKCS#12 tidak didukung).") from exc
    # Without a key, cryptography puts every certificate among the "other" ones: check the key first.
    if key is None:
        raise SigningError("Berkas PKCS#12 hanya memuat sertifikat tanpa kunci privat; "
                           "unggah berkas .p12 yang memuat kunci privat penanda tangan.")
    if cert is None:
        raise SigningError("Berkas PKCS#12 tidak memuat sertifikat penanda tangan.")
    key_public = key.public_key().public_bytes(serialization.Encoding.DER,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
    cert_public = cert.public_key().public_bytes(serialization.Encoding.DER,
                                                 serialization.PublicFormat.SubjectPublicKeyInfo)
    if key_public != cert_public:
        raise SigningError("Kunci privat di dalam berkas PKCS#12 tidak cocok dengan sertifikatnya.")
    return cert, secret


def _name_attribute(name: x509.Name, oid) -> str:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def _signer_info(cert: x509.Certificate) -> SignerInfo:
    return SignerInfo(
        name=_name_attribute(cert.subject, NameOID.COMMON_NAME) or cert.subject.rfc4514_string(),
        organisation=_name_attribute(cert.subject, NameOID.ORGANIZATION_NAME),
        serial=format(cert.serial_number, "X"),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        is_demo=_name_attribute(cert.issuer, NameOID.COMMON_NAME) == DEMO_CA_NAME,
    )


def _check_usable(cert: x509.Certificate, at: datetime) -> None:
    if at > cert.not_valid_after_utc:
        raise SigningError(f"Sertifikat sudah kedaluwarsa sejak {_format_date(cert.not_valid_after_utc)}.")
    if at < cert.not_valid_before_utc:
        raise SigningError(f"Sertifikat baru berlaku mulai {_format_date(cert.not_valid_before_utc)}.")
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return  # no restriction (RFC 5280 §4.2.1.3)
    if not (usage.digital_signature or usage.content_commitment):
        raise SigningError("Sertifikat ini tidak boleh dipakai untuk tanda tangan elektronik "
                           "(key usage tanpa digitalSignature/nonRepudiation).")


def load_certificate(*, p12: bytes, passphrase: str | bytes | None) -> SignerInfo:
    """Open a PKCS#12 file and describe its signer certificate.

    Promises a certificate with its private key that can sign now: raises `SigningError` for a damaged file or not
    PKCS#12, a wrong or missing passphrase, no private key (or one that does not match), an expired or not yet
    valid certificate, and a key usage that forbids signatures.
    """
    cert, _secret = _open_p12(p12, passphrase)
    _check_usable(cert, datetime.now(timezone.utc))
    return _signer_info(cert)


# --- signing -------------------------------------------------------------------------------------------------

class _WinAnsiCourier(SimpleFontEngine):
    """pyHanko's standard-font engine writes text as PDFDocEncoding while declaring /WinAnsiEncoding, which shows
    '—' and other non-ASCII letters as the wrong glyph. Writing cp1252 bytes keeps them right without embedding a
    font (the OpenType engine needs uharfbuzz, which this project does not install)."""

    def shape(self, txt: str) -> ShapeResult:
        encoded = txt.encode("cp1252", errors="replace")
        escaped = encoded.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
        return ShapeResult(graphics_ops=b"(" + escaped + b") Tj", x_advance=len(encoded) * self.avg_width,
                           y_advance=0)


class _WinAnsiCourierFactory(SimpleFontEngineFactory):
    def __init__(self):
        super().__init__("Courier", 0.6, COURIER_META)

    def create_font_engine(self, writer, obj_stream=None):
        return _WinAnsiCourier(writer, self.name, self.avg_width, self.meta)


_STAMP_STYLE = TextStampStyle(
    stamp_text="%(body)s",
    text_box_style=TextBoxStyle(font=_WinAnsiCourierFactory(), font_size=9, leading=11),
    border_width=1,
    background=None,
)


class _PdfSignerAt(PdfSigner):
    """A PdfSigner whose signing time is the caller's `now`, so the stamp, /M and the check of the certificate's
    validity all speak of the same moment."""

    def __init__(self, *args, signing_time: datetime, **kwargs):
        super().__init__(*args, **kwargs)
        self._signing_time = signing_time

    def init_signing_session(self, pdf_out, existing_fields_only=False):
        session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
        session.system_time = self._signing_time
        return session


def _stamp_text(*, info: SignerInfo, at: datetime, reason: str) -> str:
    short_reason = " ".join(reason.split())
    if len(short_reason) > _STAMP_REASON_MAX:
        short_reason = short_reason[:_STAMP_REASON_MAX - 1].rstrip() + "…"
    lines = ["Ditandatangani secara elektronik oleh:", info.name, f"Waktu: {format_wib(at)}",
             f"Alasan: {short_reason}"]
    if info.is_demo:
        lines.append(DEMO_WARNING)
    return "\n".join(lines)


def _next_field_name(reader: PdfFileReader) -> str:
    taken = {name for name, _value, _ref in sig_fields.enumerate_sig_fields(reader, filled_status=None)}
    number = 1
    while f"TandaTangan{number}" in taken:
        number += 1
    return f"TandaTangan{number}"


def _outside_event_loop(fn):
    """pyHanko runs its own event loop; from a thread where a loop is already running (an async view, Playwright's
    sync API in tests) the call is made in a helper thread instead of failing."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return fn(*args, **kwargs)
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(fn, *args, **kwargs).result()
    return wrapper


@_outside_event_loop
def sign_pdf(*, pdf: bytes, p12: bytes, passphrase: str | bytes | None, reason: str, location: str,
             page: int, box: tuple[float, float, float, float], now: datetime | None = None) -> bytes:
    """Return `pdf` with one more signature: PAdES B-B (ETSI.CAdES.detached, SHA-256) as an incremental update.

    The visible stamp sits in `box` (x1, y1, x2, y2 in PDF points from the bottom-left corner) on `page` (0 is the
    first page, -1 the last) and names the signer (certificate CN), the signing time in WIB ("30 Juni 2019 14:05
    WIB"), the reason and, for the demo certificate, "SERTIFIKAT DEMO — tidak sah untuk dokumen resmi". `now`
    (default: the clock) is the claimed signing time; the certificate must be valid at that moment.

    Nothing is written anywhere. Any failure raises `SigningError` (Indonesian message) and returns nothing: the
    signed bytes are checked before they are handed back, so there is never a half-signed output.
    """
    at = _aware(now) if now is not None else datetime.now(timezone.utc)
    cert, secret = _open_p12(p12, passphrase)
    _check_usable(cert, at)
    info = _signer_info(cert)
    if not reason.strip():
        raise SigningError("Alasan penandatanganan wajib diisi.")
    x1, y1, x2, y2 = (float(v) for v in box)
    if x2 <= x1 or y2 <= y1:
        raise SigningError("Kotak tanda tangan tidak sah: koordinat kanan-atas harus lebih besar dari kiri-bawah.")

    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(bytes(pdf)), strict=False)
    except Exception as exc:
        raise SigningError("Berkas PDF rusak atau tidak dapat dibaca.") from exc
    if writer.prev.encrypted:
        raise SigningError("PDF yang terenkripsi tidak dapat ditandatangani.")
    try:
        pages = int(writer.root["/Pages"]["/Count"])
        field_name = _next_field_name(writer.prev)
    except Exception as exc:
        raise SigningError("Berkas PDF rusak atau tidak dapat dibaca.") from exc
    if not -pages <= page < pages:
        raise SigningError(f"Halaman {page + 1 if page >= 0 else page} tidak ada; dokumen ini {pages} halaman.")

    try:
        # The chain in the PKCS#12 goes into the signature, so a verifier needs only the root.
        signer = SimpleSigner.load_pkcs12_data(bytes(p12), other_certs=[], passphrase=secret)
    except Exception as exc:
        raise SigningError("Berkas sertifikat tidak dapat dibuka (format PKCS#12 tidak didukung).") from exc
    pdf_signer = _PdfSignerAt(
        PdfSignatureMetadata(field_name=field_name, reason=reason, location=location or None,
                             subfilter=sig_fields.SigSeedSubFilter.PADES, md_algorithm="sha256"),
        signer=signer,
        stamp_style=_STAMP_STYLE,
        new_field_spec=sig_fields.SigFieldSpec(sig_field_name=field_name, on_page=page, box=(x1, y1, x2, y2)),
        signing_time=at,
    )
    try:
        output = pdf_signer.sign_pdf(writer, appearance_text_params={
            "body": _stamp_text(info=info, at=at, reason=reason)})
        signed = output.getvalue()
    except SigningError:
        raise
    except Exception as exc:
        raise SigningError("Penandatanganan gagal; dokumen tidak diubah. Hubungi admin portal.") from exc
    _check_signed(signed, field_name, signer.signing_cert)
    return signed


def _check_signed(signed: bytes, field_name: str, signing_cert: asn1_x509.Certificate) -> None:
    """The new signature is there, covers the whole output and is cryptographically sound. Trust is not the
    question here (the signer's own certificate is the anchor), so a self-issued chain does not log a failure."""
    try:
        reader = PdfFileReader(io.BytesIO(signed), strict=False)
        ours = [s for s in reader.embedded_regular_signatures if s.field_name == field_name]
        status = validate_pdf_signature(ours[-1], ValidationContext(trust_roots=[signing_cert]),
                                        key_usage_settings=_KEY_USAGE, skip_diff=True)
        ok = status.intact and status.valid and status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    except Exception as exc:
        raise SigningError("Penandatanganan gagal diperiksa ulang; dokumen tidak diubah.") from exc
    if not ok:
        raise SigningError("Penandatanganan gagal diperiksa ulang; dokumen tidak diubah.")


# --- verification --------------------------------------------------------------------------------------------

def _trust_anchors(trust_roots: list[bytes], problems: list[str]) -> list[asn1_x509.Certificate]:
    anchors: list[asn1_x509.Certificate] = []
    for number, data in enumerate(trust_roots, start=1):
        try:
            blobs = ([der for _type, _headers, der in asn1_pem.unarmor(bytes(data), multiple=True)]
                     if asn1_pem.detect(bytes(data)) else [bytes(data)])
            for der in blobs:
                cert = asn1_x509.Certificate.load(der, strict=True)
                cert.native  # parse fully now, not later inside the validator  # noqa: B018
                anchors.append(cert)
        except Exception:
            problems.append(f"Sertifikat akar tepercaya ke-{number} tidak dapat dibaca dan diabaikan.")
    return anchors


def _common_name(cert: asn1_x509.Certificate | None) -> str:
    if cert is None:
        return ""
    try:
        return cert.subject.native.get("common_name") or cert.subject.human_friendly
    except Exception:
        return ""


def _after_signature_problem(level: ModificationLevel | None, *, latest: bool) -> str | None:
    """None when the updates after a signature are fine for a report: none at all, PAdES validation data
    (DSS, document timestamps) or, for an earlier signature, a later signature being added."""
    if level is ModificationLevel.NONE or level is ModificationLevel.LTA_UPDATES:
        return None
    if level is ModificationLevel.FORM_FILLING and not latest:
        return None
    return "ada perubahan isi yang ditambahkan ke berkas setelah ditandatangani."


def _trailing_garbage(pdf: bytes) -> bool:
    """Bytes after the last %%EOF other than whitespace: not part of any revision, so no signature covers them."""
    end = pdf.rfind(b"%%EOF")
    return end < 0 or pdf[end + 5:].strip(b" \t\r\n\x00") != b""


@_outside_event_loop
def verify_pdf(pdf: bytes, *, trust_roots: list[bytes]) -> VerifyResult:
    """Check the signatures of a PDF and report; never raises for bad input (junk, empty, unsigned, truncated).

    `intact` means: every signature's digest matches the signed bytes and its CMS signature is sound, and after
    the latest signature there is nothing but what PAdES allows (DSS and document timestamps), with no bytes
    outside a revision. `trusted` means every signer's chain ends at one of `trust_roots` (DER or PEM) with the
    key usage for signing, judged at the current time: a B-B signature carries no trusted timestamp, so once the
    certificate expires it is reported as not trusted. signer/signed_at/reason describe the latest signature.
    """
    digest = hashlib.sha256(bytes(pdf)).hexdigest()
    problems: list[str] = []

    def result(**values) -> VerifyResult:
        base = dict(signed=False, intact=False, trusted=False, signer="", signed_at=None, reason="",
                    sha256=digest, problems=problems)
        base.update(values)
        return VerifyResult(**base)

    try:
        reader = PdfFileReader(io.BytesIO(bytes(pdf)), strict=False)
        signatures = list(reader.embedded_regular_signatures)
        all_signatures = list(reader.embedded_signatures)
    except Exception:
        problems.append("Berkas bukan PDF yang dapat dibaca (rusak, terpotong atau bukan PDF).")
        return result()
    if not signatures:
        problems.append("Berkas tidak memuat tanda tangan elektronik.")
        return result()

    anchors = _trust_anchors(trust_roots, problems)
    if not anchors:
        problems.append("Tidak ada sertifikat akar tepercaya; penerbit sertifikat penanda tangan tidak dapat "
                        "diperiksa.")
    intact = trusted = True
    signer, issuer, signed_at, reason = "", "", None, ""
    for index, embedded in enumerate(signatures):
        latest = index == len(signatures) - 1
        label = "Tanda tangan" if len(signatures) == 1 else f"Tanda tangan ke-{index + 1}"
        try:
            status = validate_pdf_signature(embedded, ValidationContext(trust_roots=anchors, allow_fetching=False),
                                            key_usage_settings=_KEY_USAGE)
        except Exception:
            problems.append(f"{label} tidak dapat diperiksa (struktur tanda tangan rusak).")
            intact = trusted = False
            continue
        if latest:
            signer = _common_name(status.signing_cert)
            issuer = _issuer_name(status.signing_cert)
            signed_at = status.signer_reported_dt.astimezone(JAKARTA) if status.signer_reported_dt else None
            reason = str(embedded.sig_object.get("/Reason", "") or "")
        if not status.intact:
            problems.append(f"{label}: isi berkas telah berubah setelah ditandatangani (nilai hash tidak cocok).")
        elif not status.valid:
            problems.append(f"{label}: tanda tangan kriptografisnya tidak sah.")
        after = _after_signature_problem(status.modification_level, latest=latest)
        if after:
            problems.append(f"{label}: {after}")
        elif status.docmdp_ok is False:
            after = "perubahan setelah tanda tangan melanggar izin perubahan dokumen (DocMDP)."
            problems.append(f"{label}: {after}")
        if not (status.intact and status.valid) or after:
            intact = False
        if not status.trusted:
            trusted = False
            if anchors and status.intact and status.valid:
                problems.append(f"{label}: {_trust_problem(status.trust_problem_indic)}")
        if _name_is_demo(status.signing_cert):
            problems.append(f"{label} memakai {DEMO_WARNING}.")
    if _trailing_garbage(bytes(pdf)):
        intact = False
        problems.append("Ada data tambahan di akhir berkas yang tidak tercakup tanda tangan.")
    elif intact and _uncovered_revisions(all_signatures[-1]):
        # Allowed by pyHanko's PAdES diff policy (validation data, /Info or XMP metadata): still worth saying.
        problems.append("Setelah tanda tangan terakhir ada pembaruan yang tidak ditandatangani (hanya metadata "
                        "atau data validasi; isi dokumen tidak berubah).")
    return result(signed=True, intact=intact, trusted=trusted and bool(anchors), signer=signer,
                  signed_at=signed_at, reason=reason, issuer=issuer)


def _issuer_name(cert: asn1_x509.Certificate | None) -> str:
    try:
        return cert.issuer.native.get("common_name") or cert.issuer.human_friendly
    except Exception:
        return ""


def verify_pdf_bounded(pdf: bytes, *, trust_roots: list[bytes], cpu_seconds: int) -> VerifyResult | None:
    """`verify_pdf` within a CPU budget (`run_with_cpu_budget`); None when it was stopped."""
    return run_with_cpu_budget(verify_pdf, bytes(pdf), trust_roots=trust_roots, cpu_seconds=cpu_seconds)


def run_with_cpu_budget(fn, *args, cpu_seconds: int, **kwargs):
    """fn(*args, **kwargs) in a forked child process that the kernel stops after `cpu_seconds` of CPU
    (RLIMIT_CPU) and the parent after twice that of wall time; its (pickled) result, or None when it was stopped
    or failed. pyHanko's validation cannot be interrupted from inside, and a request must not hold a gunicorn
    worker for as long as a hostile PDF asks."""
    import multiprocessing
    import pickle

    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)
    child = context.Process(target=_budget_child, args=(writer, fn, args, kwargs, cpu_seconds), daemon=True)
    child.start()
    writer.close()
    try:
        if reader.poll(cpu_seconds * 2 + 1):
            try:
                return pickle.loads(reader.recv_bytes())
            except (EOFError, OSError, pickle.UnpicklingError):
                return None
        return None
    finally:
        reader.close()
        if child.is_alive():
            child.kill()
        child.join(5)


def _budget_child(writer, fn, args, kwargs, cpu_seconds: int) -> None:
    import pickle
    import resource

    used = resource.getrusage(resource.RUSAGE_SELF)
    start = int(used.ru_utime + used.ru_stime)  # a forked child starts its own count, but be exact
    resource.setrlimit(resource.RLIMIT_CPU, (start + cpu_seconds, start + cpu_seconds + 1))
    writer.send_bytes(pickle.dumps(fn(*args, **kwargs)))
    writer.close()


def _trust_problem(indication: AdESSubIndic | None) -> str:
    name = getattr(indication, "name", "")
    if name in ("OUT_OF_BOUNDS_NO_POE", "OUT_OF_BOUNDS_NOT_REVOKED", "EXPIRED"):
        return "sertifikat penanda tangan sudah kedaluwarsa (tanda tangan B-B tanpa cap waktu tepercaya)."
    if name == "NOT_YET_VALID":
        return "sertifikat penanda tangan belum berlaku."
    if name.startswith("REVOKED"):
        return "sertifikat penanda tangan sudah dicabut."
    if name in ("CHAIN_CONSTRAINTS_FAILURE", "SIG_CONSTRAINTS_FAILURE"):
        return "sertifikat penanda tangan tidak boleh dipakai untuk tanda tangan elektronik."
    return "sertifikat penanda tangan tidak diterbitkan oleh otoritas sertifikat tepercaya."


def _uncovered_revisions(embedded) -> bool:
    """Revisions after the one this signature signed (trailing whitespace is not a revision)."""
    try:
        return embedded.signed_revision < embedded.reader.xrefs.total_revisions - 1
    except Exception:
        return True


def is_demo_ca(data: bytes) -> bool:
    """Does this trust-root file (PEM or DER) hold a certificate whose subject is named like the demo CA?"""
    try:
        blobs = ([der for _type, _headers, der in asn1_pem.unarmor(bytes(data), multiple=True)]
                 if asn1_pem.detect(bytes(data)) else [bytes(data)])
        return any(asn1_x509.Certificate.load(der).subject.native.get("common_name") == DEMO_CA_NAME
                   for der in blobs)
    except Exception:
        return False


def _name_is_demo(cert: asn1_x509.Certificate | None) -> bool:
    try:
        return cert is not None and cert.issuer.native.get("common_name") == DEMO_CA_NAME
    except Exception:
        return False


# --- the demo certificate ------------------------------------------------------------------------------------

def demo_certificate(*, common_name: str, organisation: str, valid_days: int = 3650,
                     not_before: datetime | None = None, ca_name: str = DEMO_CA_NAME) -> tuple[bytes, bytes, str]:
    """Make a demo root CA ("Portal ZI — CA DEMO", or `ca_name` for tests that need an installation's own CA)
    and a signer certificate it issues.

    Returns (PKCS#12 bytes with the signer key, certificate and the CA in the chain, the CA certificate as PEM,
    the random passphrase of the PKCS#12). The signer certificate allows digitalSignature and nonRepudiation and
    uses EC P-256. `not_before` (default: now) and `valid_days` let tests make expired certificates. Signatures
    made with it carry the "SERTIFIKAT DEMO" warning: it is for the embedded default, never for real reports.
    """
    start = _aware(not_before) if not_before is not None else datetime.now(timezone.utc) - timedelta(minutes=5)
    end = start + timedelta(days=valid_days)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ca_name),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Portal ZI")])
    ca_cert = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                     crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    subject = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if organisation:
        subject.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation))
    cert = (
        x509.CertificateBuilder().subject_name(x509.Name(subject)).issuer_name(ca_name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(start).not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    passphrase = secrets.token_urlsafe(18)
    p12 = pkcs12.serialize_key_and_certificates(
        name=common_name.encode("utf-8"), key=key, cert=cert, cas=[ca_cert],
        encryption_algorithm=serialization.BestAvailableEncryption(passphrase.encode("utf-8")))
    return p12, ca_cert.public_bytes(serialization.Encoding.PEM), passphrase


# --- at-rest protection of an uploaded certificate -----------------------------------------------------------

def _fernet(secret_key: str | None = None) -> Fernet:
    from django.conf import settings

    material = (secret_key if secret_key is not None else settings.SECRET_KEY).encode("utf-8")
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_SECRET_CONTEXT).derive(material)
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_secret(data: bytes) -> bytes:
    """Encrypt a PKCS#12 file (or its passphrase) uploaded through the admin, for storage in the database.

    Fernet (AES-128-CBC + HMAC-SHA256) with a key derived by HKDF-SHA256 from settings.SECRET_KEY and a fixed
    context string. Rotating SECRET_KEY makes every stored token unreadable: the certificate must be uploaded again.
    """
    return _fernet().encrypt(bytes(data))


def decrypt_secret(token: bytes) -> bytes:
    """The bytes `encrypt_secret` protected; SigningError when the token was made under another SECRET_KEY or
    was altered."""
    try:
        return _fernet().decrypt(bytes(token))
    except (InvalidToken, TypeError, ValueError):
        raise SigningError("Sertifikat tersimpan tidak dapat dibuka (SECRET_KEY berubah atau data rusak); "
                           "unggah ulang sertifikat penanda tangan.") from None

